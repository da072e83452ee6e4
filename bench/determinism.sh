#!/bin/bash
# `make bench`, last: does a submission get the same verdict every time, on an
# idle machine and on a loaded one?
#
# Grades every bundled submission (testcases/<a>/spec.yaml against
# submissions/<a>/*, with `grader batch -j 2`) ROUNDS times on the machine as
# it is, then ROUNDS times with `stress-ng --cpu STRESS_CPUS` running beside
# the grader.  A verdict is one (assignment, submission, test)'s score,
# status and sorted failing check kinds; it "changed" when the 2*ROUNDS
# gradings do not all agree.  Prints how many changed and, for each, what
# every grading said; exits 1 when any changed (the target is 0).
#
# From the environment:
#   GRADER=build/grader   the grader to measure
#   ROUNDS=3              gradings on each side
#   STRESS_CPUS=4         stress-ng's CPU workers in the loaded rounds
#   JOBS=2                -j of every batch
#   KEEP=DIR              keep the reports and the verdict tables in DIR
set -uo pipefail
cd "$(dirname "$0")/.."
grader=${GRADER:-build/grader}
rounds=${ROUNDS:-3}
stress_cpus=${STRESS_CPUS:-4}
jobs=${JOBS:-2}

for tool in jq stress-ng "$grader"; do
	command -v "$tool" >/dev/null || { echo "determinism: $tool not found (make bench installs jq and stress-ng; make builds $grader)" >&2; exit 2; }
done

work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
stress=
cleanup() {
	[ -n "$stress" ] && kill "$stress" 2>/dev/null && wait "$stress" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# grade_all ROUND: every assignment's class into $work/ROUND/<assignment>/; then
# $work/ROUND.tsv: assignment, submission, test, score, status, failing kinds.
grade_all() {
	local round=$1 spec a
	for spec in testcases/*/spec.yaml; do
		a=$(basename "$(dirname "$spec")")
		[ -d "submissions/$a" ] || continue
		"$grader" batch "$spec" "submissions/$a" -o "$work/$round/$a" -j "$jobs" \
			>/dev/null 2>"$work/$round-$a.err"
		# 0: all passed, 1: some failed, 3: the grader failed on some (their reports say
		# `error`: a verdict like any other here, and said); 2: the spec or the command line.
		case $? in
		0 | 1) ;;
		3)
			echo "determinism: $round: grader batch $spec had a grader fault (exit 3):" >&2
			grep -m 3 'grader: ' "$work/$round-$a.err" | sed 's/^/    /' >&2
			;;
		*)
			echo "determinism: $round: grader batch $spec failed:" >&2
			cat "$work/$round-$a.err" >&2
			exit 2
			;;
		esac
	done
	for report in "$work/$round"/*/*.json; do
		a=$(basename "$(dirname "$report")")
		jq -r --arg a "$a" '.submission as $s | .tests[] |
			[$a, $s, .name, (.score | tostring), .status,
			 ([.checks[]? | select(.ok | not) | .kind] | unique | join(",")
			  | if . == "" then "-" else . end)]
			| @tsv' "$report"
	done | sort >"$work/$round.tsv"
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

started=$(date +%s)
echo "determinism: $grader, $rounds idle and $rounds loaded gradings of every bundled submission (-j $jobs), on $(nproc) CPUs"
for i in $(seq 1 "$rounds"); do
	before=$(load)
	grade_all "idle$i"
	echo "  idle $i: $(wc -l <"$work/idle$i.tsv") verdicts (load average before: $before)" | tee -a "$work/rounds.txt"
done
stress-ng --cpu "$stress_cpus" --quiet --timeout 3600s &
stress=$!
sleep 1 # stress-ng's workers are running before the first grading starts
for i in $(seq 1 "$rounds"); do
	grade_all "loaded$i"
	echo "  loaded $i: $(wc -l <"$work/loaded$i.tsv") verdicts (stress-ng --cpu $stress_cpus, load average $(load))" |
		tee -a "$work/rounds.txt"
done
kill "$stress" && wait "$stress" 2>/dev/null
stress=

# One line a grading and verdict: round, then the verdict; grouped by (assignment, submission, test).
names=()
for i in $(seq 1 "$rounds"); do names+=("idle$i"); done
for i in $(seq 1 "$rounds"); do names+=("loaded$i"); done
for r in "${names[@]}"; do sed "s/^/$r\t/" "$work/$r.tsv"; done |
	awk -F'\t' -v n=${#names[@]} '
	{
		key = $2 "\t" $3 "\t" $4
		verdict = "score " $5 ", " $6 ", [" $7 "]"
		if (!(key in seen)) { order[++keys] = key; seen[key] = 1 }
		count[key]++
		said[key] = said[key] sprintf("      %-8s %s\n", $1, verdict)
		if (!((key, verdict) in distinct)) { distinct[key, verdict] = 1; kinds[key]++ }
	}
	END {
		changed = 0
		for (k = 1; k <= keys; k++) {
			key = order[k]
			if (kinds[key] == 1 && count[key] == n)
				continue
			changed++
			split(key, f, "\t")
			printf "  CHANGED %s / %s / %s (%d gradings of %d)\n%s", f[1], f[2], f[3], count[key], n, said[key]
		}
		printf "determinism: %d of %d verdicts changed across %d gradings\n", changed, keys, n
		exit changed > 0
	}' | tee "$work/changes.txt"
rc=${PIPESTATUS[1]}
echo "determinism: $(($(date +%s) - started)) s"
{
	echo "## Same verdict idle and loaded (bench/determinism.sh)"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc): every bundled submission graded $rounds times" \
		"as the machine was, then $rounds times beside stress-ng --cpu $stress_cpus (batch -j $jobs);" \
		"a verdict is a test's score, status and failing check kinds"
	echo
	echo '```'
	cat "$work/rounds.txt" "$work/changes.txt"
	echo '```'
} >"$work/section.md"
bench/put_section.sh determinism.sh "$work/section.md"
exit "$rc"
