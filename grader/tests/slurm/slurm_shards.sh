#!/bin/bash
# A class graded as shards by a real Slurm (grader/tests/slurm/README.md):
# a one-node cluster of its own (munged, slurmctld, slurmd in the
# foreground, configured in a temporary folder, on ports free here),
# docs/slurm/shard.sbatch as a 3-task job array, docs/slurm/report.sbatch
# as a job depending on it (afterok), and the gradebook they make compared
# with one `grader batch` of the same class.
#
#   slurm_shards.sh GRADER SPEC CLASS
#
# Exit status: 0 passed, 1 failed (logs printed), 77 Slurm cannot run here
# (why printed).  Every daemon it started is stopped on the way out, and
# dies with it even if it is killed (PR_SET_PDEATHSIG through setpriv).
set -u
export PATH=$PATH:/usr/sbin:/sbin
say() { echo "slurm test: $*" >&2; }
unavailable() {
	say "CANNOT RUN: $*"
	exit 77
}
[ $# -eq 3 ] || { say "usage: $0 GRADER SPEC CLASS"; exit 1; }
grader=$(realpath "$1") spec=$(realpath "$2") class=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
sbatch_dir=$(realpath "$here/../../../docs/slurm")
# The whole test is bounded: every wait below has its own bound, and this one caps them.
deadline=$((SECONDS + ${SLURM_TEST_SECONDS:-600}))

[ "$(id -u)" -eq 0 ] || unavailable "not root (uid $(id -u)): slurmd runs jobs as their users only as root"
needed="munged slurmctld slurmd sbatch squeue sinfo scontrol scancel setpriv"
missing() { for c in $needed; do command -v "$c" >/dev/null || printf '%s ' "$c"; done; }
if [ -n "$(missing)" ] && command -v apt-get >/dev/null; then
	say "installing slurm-wlm and munge (missing: $(missing))"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends slurm-wlm munge; } >&2
fi
[ -z "$(missing)" ] || unavailable "missing $(missing)(Debian: apt-get install slurm-wlm munge)"

work=$(mktemp -d /tmp/grader-slurm.XXXXXX) || unavailable "mktemp failed"
# munged wants every folder above its socket searchable by all, none writable by others.
chmod 755 "$work"
mkdir -m 700 "$work/munge" && mkdir "$work/state" "$work/spool" "$work/out"
daemons=()
jobs_submitted=""
failed=0

logs() {
	for f in "$work"/shard-*.out "$work"/report.out "$work"/single.err "$work"/jobcomp.log \
		"$work"/munged.log "$work"/slurmctld.log "$work"/slurmd.log; do
		[ -f "$f" ] || continue
		echo "----- ${f#"$work"/} (last 60 lines)" >&2
		tail -n 60 "$f" >&2
	done
}

stop_all() {
	[ -n "$jobs_submitted" ] && scancel $jobs_submitted 2>/dev/null
	local i pid
	# The reverse of their start: slurmd, slurmctld, then munged.
	for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
		pid=${daemons[$i]}
		kill -TERM "$pid" 2>/dev/null || continue
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	[ "$failed" -ne 0 ] && logs
	rm -rf "$work"
}
trap stop_all EXIT
trap 'say "interrupted"; failed=1; exit 1' INT TERM HUP

fail() {
	say "FAILED: $*"
	failed=1
	exit 1
}

# Waits until "$@" succeeds, at most $1 seconds (and never past the deadline).
wait_for() {
	local bound=$1
	shift
	local until=$((SECONDS + bound))
	[ "$until" -gt "$deadline" ] && until=$deadline
	while ! "$@" 2>/dev/null; do
		[ "$SECONDS" -ge "$until" ] && return 1
		sleep 0.5
	done
}

# Two consecutive TCP ports nobody listens on, chosen at random: runs side by side do not meet.
listening() {
	local sl local_addr rest
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		while read -r sl local_addr rest; do
			[ "$sl" = "sl" ] && continue
			echo $((16#${local_addr##*:}))
		done <"$f"
	done
}
used=" $(listening | tr '\n' ' ') "
port=0
for _ in $(seq 100); do
	p=$((20000 + RANDOM % 40000))
	case "$used" in *" $p "* | *" $((p + 1)) "*) continue ;; esac
	port=$p
	break
done
[ "$port" -ne 0 ] || unavailable "no free TCP port pair found"

node=$(hostname -s)
[ -n "$node" ] || unavailable "hostname -s gives no name"

# ---- munge: a key of its own, a socket of its own -------------------------
if command -v mungekey >/dev/null; then
	mungekey --create --keyfile="$work/munge/munge.key" 2>/dev/null
fi
[ -s "$work/munge/munge.key" ] ||
	dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$work/munge/munge.key"
socket=$work/munge.socket
setpriv --pdeathsig KILL munged --foreground --key-file="$work/munge/munge.key" \
	--socket="$socket" --pid-file="$work/munged.pid" --log-file="$work/munged.log" \
	--seed-file="$work/munge/munged.seed" >>"$work/munged.log" 2>&1 &
daemons+=($!)
if ! wait_for 20 test -S "$socket"; then
	failed=1
	unavailable "munged did not start (its log follows)"
fi

# ---- slurm: one node, this machine ----------------------------------------
cat >"$work/slurm.conf" <<EOF
ClusterName=gradertest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobCompType=jobcomp/filetxt
JobCompLoc=$work/jobcomp.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=grader Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
# Nothing here uses cgroups (proctrack/linuxproc, task/none), but slurmd 22.05 and later
# still set up their cgroup plugin, through systemd unless told not to; slurmd 20.11
# (Debian 11) knows neither key and refuses a file that holds them.
slurm_version=$(slurmd -V 2>/dev/null | sed -n 's/^slurm[^0-9]*\([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1\2/p')
if [ "${slurm_version:-0}" -ge 2205 ]; then
	cat >"$work/cgroup.conf" <<EOF
CgroupPlugin=autodetect
IgnoreSystemd=yes
EOF
fi
export SLURM_CONF=$work/slurm.conf
setpriv --pdeathsig KILL slurmctld -D -i -f "$SLURM_CONF" >>"$work/slurmctld.log" 2>&1 &
daemons+=($!)
setpriv --pdeathsig KILL slurmd -D -f "$SLURM_CONF" -N "$node" >>"$work/slurmd.log" 2>&1 &
daemons+=($!)
node_idle() { [ "$(sinfo -h -n "$node" -o %t)" = idle ]; }
if ! wait_for 60 node_idle; then
	failed=1
	unavailable "the one-node cluster did not come up (node state: $(sinfo -h -n "$node" -o %t 2>&1)); logs follow"
fi
say "cluster up: node $node, ports $port-$((port + 1)), in $work"

# ---- the class as 3 shards, then the report --------------------------------
export GRADER=$grader
array=$(sbatch --parsable --array=0-2 --cpus-per-task=1 --chdir="$work" \
	--output="$work/shard-%a.out" "$sbatch_dir/shard.sbatch" "$spec" "$class" "$work/out" 3) ||
	fail "sbatch of the shards: $array"
# Cancelled, not left pending for ever, if a shard fails.
report=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes --chdir="$work" \
	--output="$work/report.out" "$sbatch_dir/report.sbatch" "$spec" "$work/out") ||
	fail "sbatch of the report: $report"
jobs_submitted="$array $report"
say "submitted: shards $array (array 0-2), report $report (afterok:$array)"

# The same class by one batch on this machine, meanwhile.
"$grader" batch "$spec" "$class" -o "$work/single" -j 2 >/dev/null 2>"$work/single.err" ||
	fail "the one-machine batch exited $?"

all_left() { [ -z "$(squeue -h -j "$array,$report" -o %i)" ]; }
wait_for $((deadline - SECONDS)) all_left ||
	fail "jobs still queued or running at the deadline: $(squeue -j "$array,$report" 2>&1)"
# The completion log is written as each job ends: four lines, every one a success.
four_done() { [ "$(grep -c . "$work/jobcomp.log")" -ge 4 ]; }
wait_for 30 four_done || fail "the completion log has fewer than 4 jobs"
bad=$(grep -v 'JobState=COMPLETED .*ExitCode=0:0' "$work/jobcomp.log")
[ -z "$bad" ] || fail "a job did not complete: $bad"
[ "$(grep -c "ArrayJobId=$array " "$work/jobcomp.log")" -eq 3 ] || fail "not 3 array tasks"

for k in 1 2 3; do
	grep -q "shard $k/3" "$work/shard-$((k - 1)).out" || fail "task $((k - 1)) did not grade shard $k/3"
done
for f in gradebook.csv junit.xml index.html; do
	[ -s "$work/out/$f" ] || fail "the report job wrote no $f"
done
# Scores, per test too: the gradebook holds no timing.
if ! diff -u "$work/single/gradebook.csv" "$work/out/gradebook.csv" >&2; then
	fail "the shards' gradebook differs from one batch's"
fi
cases() { grep -c '<testcase ' "$1"; }
[ "$(cases "$work/single/junit.xml")" -eq "$(cases "$work/out/junit.xml")" ] ||
	fail "junit.xml: not the same test cases"
say "passed: $(($(grep -c . "$work/out/gradebook.csv") - 1)) students, gradebook equal to one batch's"
exit 0
