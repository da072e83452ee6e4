#!/bin/bash
# Grading beyond one machine (docs/scale.md), measured on this one:
#
#   1. a class of BENCH_SHARD_CLASS (1,000) submissions graded by one
#      `batch -j 2`, as 4 shards into one folder one after the other (each
#      -j 2: the time one node of 4 would take), and as 4 shards at the same
#      time (-j 1 each, sharing this machine's 2 CPUs), then `grader report`;
#      BENCH_SHARD_ROUNDS (2) rounds in alternating order, each from a cold
#      build cache.  Wall time is the best of the rounds (other work on the
#      machine only ever adds to it); CPU time (user + system of the grader
#      and everything it ran) tells what sharding costs whatever the load;
#   2. sizing: the whole bundled pipe_hello mix (some submissions wait for
#      a deadlock to be found or a timeout) at BENCH_SIZING_CLASS (200)
#      students, -j 2: students per node-minute;
#   3. `grader report` on BENCH_REPORT_CLASS (10,000) per-student reports,
#      copies of the real reports of the bundled class under other names,
#      50 students of the class without one, against a tenth of that: best
#      of 3 runs, peak memory.
#
# Its section of bench/results.md (between its markers) is replaced; the
# rest of the file is left as it is.
#
#   bench/shard_bench.sh            (make bench runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${BENCH_SHARD_CLASS:-1000}
rounds=${BENCH_SHARD_ROUNDS:-2}
sizing_n=${BENCH_SIZING_CLASS:-200}
reports_n=${BENCH_REPORT_CLASS:-10000}
grader=$(realpath "${GRADER:-build/grader}")
spec=testcases/pipe_hello

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each measure's runs, a line each, in $t/LABEL; its stderr in $t/LABEL.err.
t=$work/t
mkdir "$t"

# timed LABEL CMD...: runs CMD and appends "wall_s cpu_s peak_MiB" to $t/LABEL.
timed() {
	local label=$1 rc=0
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$t/$label.time" "$@" >/dev/null 2>"$t/$label.err" || rc=$?
	# grader report exits 3 when students have no report: the point of part 3.
	if [ "$rc" -ne 0 ] && ! { [ "$2" = report ] && [ "$rc" -eq 3 ]; }; then
		cat "$t/$label.err" >&2
		echo "shard_bench: $label exited $rc" >&2
		exit 1
	fi
	# The last line: time(1) says a non-zero exit status on a line of its own before it.
	tail -n 1 "$t/$label.time" | awk '{ printf "%s %.2f %.1f\n", $1, $2 + $3, $4 / 1024 }' >>"$t/$label"
}
# best LABEL FIELD: the smallest of a column of $t/LABEL (1 wall, 2 CPU, 3 MiB).
best() { awk -v f="$2" 'NR == 1 || $f < m { m = $f } END { print m }' "$t/$1"; }
# sum LABELS...: the sum over the labels of their last run's wall and CPU.
sum_last() { for l in "$@"; do tail -n 1 "$t/$l"; done | awk '{ w += $1; c += $2 } END { print w, c }'; }

# ---- 1. one batch against 4 shards --------------------------------------
bench/make_class.sh "$n" "$work/class"
together() { # OUT: the 4 shards at the same time
	local pids="" rc=0
	for k in 1 2 3 4; do
		"$grader" batch "$spec" "$work/class" -o "$1" -j 1 --shard "$k/4" 2>"$1.$k.err" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || rc=$?; done
	return "$rc"
}
export -f together
export grader spec work
for ((r = 1; r <= rounds; r++)); do
	rm -rf "$work/whole" "$work/seq" "$work/conc"
	for what in $( ((r % 2)) && echo whole seq conc || echo conc seq whole); do
		case $what in
		whole) timed whole "$grader" batch "$spec" "$work/class" -o "$work/whole" -j 2 ;;
		seq)
			for k in 1 2 3 4; do
				timed "seq$k" "$grader" batch "$spec" "$work/class" -o "$work/seq" -j 2 --shard "$k/4"
			done
			sum_last seq1 seq2 seq3 seq4 >>"$t/seq"
			for k in 1 2 3 4; do tail -n 1 "$t/seq$k"; done |
				awk '$1 > m { m = $1 } END { print m, 0, 0 }' >>"$t/slowest"
			timed seqreport "$grader" report "$spec" "$work/seq"
			;;
		conc)
			timed conc bash -c 'together "$0"' "$work/conc"
			timed concreport "$grader" report "$spec" "$work/conc"
			;;
		esac
	done
	cmp -s "$work/whole/gradebook.csv" "$work/seq/gradebook.csv" || { echo "shard_bench: shards' gradebook differs" >&2; exit 1; }
	cmp -s "$work/whole/gradebook.csv" "$work/conc/gradebook.csv" || { echo "shard_bench: concurrent shards' gradebook differs" >&2; exit 1; }
done
sizes=$(for k in 1 2 3 4; do sed -n 's/^batch: shard [0-9]*\/4: \([0-9]*\) of.*/\1/p' "$t/seq$k.err"; done | tr '\n' ' ')

# ---- 2. sizing on the bundled mix ---------------------------------------
bench/make_class.sh "$sizing_n" "$work/mix" all
timed mix "$grader" batch "$spec" "$work/mix" -o "$work/mixout" -j 2

# ---- 3. grader report on many reports -----------------------------------
"$grader" batch "$spec" submissions/pipe_hello -o "$work/real" -j 2 >/dev/null 2>&1
templates=("$work"/real/*.json)
make_reports() { # COUNT DIR: COUNT reports, and a class of COUNT + 50 recorded in DIR
	local count=$1 dir=$2 i t name list="" text
	mkdir -p "$dir/.grader/class"
	local -a bodies=()
	for t in "${templates[@]}"; do
		name=$(basename "$t" .json)
		text=$(<"$t")
		bodies+=("${text//\"submission\": \"$name\"/\"submission\": \"@NAME@\"}")
	done
	for ((i = 0; i < count + 50; i++)); do
		name=$(printf 'student_%05d' "$i")
		list+="$name"$'\n'
		[ "$i" -lt "$count" ] || continue
		printf '%s\n' "${bodies[i % ${#bodies[@]}]//@NAME@/$name}" >"$dir/$name.json"
	done
	# The class list holds names ended by NUL (shard.h).
	printf '%s' "$list" | tr '\n' '\0' >"$dir/.grader/class/1-of-1"
}
make_reports $((reports_n / 10)) "$work/r_small"
make_reports "$reports_n" "$work/r_large"
small_mb=$(du -sm --exclude=.grader "$work/r_small" | cut -f1)
large_mb=$(du -sm --exclude=.grader "$work/r_large" | cut -f1)
for _ in 1 2 3; do
	timed rsmall "$grader" report "$spec" "$work/r_small"
	timed rlarge "$grader" report "$spec" "$work/r_large"
done
missing_named=$(grep -c ': no report (' "$t/rlarge.err" || true)
html_mb=$(du -m "$work/r_large/index.html" | cut -f1)

# ---- the section ---------------------------------------------------------
row() { # LABEL TITLE STUDENTS
	awk -v t="$2" -v n="$3" -v w="$(best "$1" 1)" -v c="$(best "$1" 2)" \
		'BEGIN { printf "| %s | %.2f | %s | %.0f |\n", t, w, (c > 0 ? sprintf("%.2f", c) : "-"), 60 * n / w }'
}
{
	echo "## Shards and grader report (bench/shard_bench.sh)"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
	echo
	echo "class of $n submissions (bench/make_class.sh: correct_alice, no_terminator_bob, fd_leak_frank, each unique), cold build cache, best of $rounds rounds in alternating order"
	echo
	echo "| run | wall s | CPU s | submissions per minute |"
	echo "|---|---|---|---|"
	row whole "one batch -j 2" "$n"
	row seq "4 shards -j 2 one after the other (total)" "$n"
	row slowest "the slowest of those shards (4 nodes)" "$n"
	row conc "4 shards -j 1 at the same time on 2 CPUs, into one folder" "$n"
	echo
	echo "shard sizes: $sizes"
	awk -v sizes="$sizes" -v ws="$(best whole 1)" -v wm="$(best slowest 1)" \
		-v cs="$(best seq 2)" -v cw="$(best whole 2)" 'BEGIN {
		split(sizes, s, " "); mean = 0; mx = 0
		for (i = 1; i <= 4; i++) { mean += s[i] / 4; if (s[i] > mx) mx = s[i] }
		printf "largest shard %.1f%% above the mean\n", 100 * (mx / mean - 1)
		printf "what sharding costs, CPU time of the 4 shards over one batch: %+.1f%%\n", 100 * (cs / cw - 1)
		printf "on 4 nodes the class takes its slowest shard: %.2fx faster than one node\n", ws / wm
	}'
	echo "grader report after the shards: $(best seqreport 1) s; gradebook equal to one batch's in every round (both ways)"
	echo
	echo "sizing, the bundled pipe_hello mix (all 9 submissions in turn, each unique; some wait for a deadlock to be found or a timeout), $sizing_n students, 2 CPUs, -j 2:"
	awk -v n="$sizing_n" -v w="$(best mix 1)" -v c="$(best mix 2)" \
		'BEGIN { printf "%.2f s wall, %.2f s CPU: %.0f students per node-minute\n", w, c, 60 * n / w }'
	echo
	echo "grader report on per-student reports (copies of the bundled class's real reports), 50 students of the class without one, best of 3"
	echo
	echo "| reports | their size MB | wall s | CPU s | peak memory MiB |"
	echo "|---|---|---|---|---|"
	echo "| $((reports_n / 10)) | $small_mb | $(best rsmall 1) | $(best rsmall 2) | $(best rsmall 3) |"
	echo "| $reports_n | $large_mb | $(best rlarge 1) | $(best rlarge 2) | $(best rlarge 3) |"
	echo
	echo "students named as without a report: $missing_named of 50; index.html of $reports_n students: $html_mb MB"
	awk -v a="$(best rsmall 3)" -v b="$(best rlarge 3)" -v n="$reports_n" \
		'BEGIN { printf "peak memory at %d reports over at a tenth of them: %.2fx (the names, about 100 bytes a student)\n", n, b / a }'
} >"$work/section.md"
cat "$work/section.md"

bench/put_section.sh shard_bench.sh "$work/section.md"
