#!/bin/bash
# `make bench`: every benchmark on the same inputs, A/B rounds interleaved,
# medians and ratios written to bench/results.md (overwritten) and printed.
#
#   1. per-test overhead: floor, sandbox, sandbox + trace, bubblewrap
#      (build/bench/sandbox_overhead), and the cost of tracing a pipe-heavy
#      program (build/bench/trace_overhead);
#   2. class throughput: `grader batch -j 2` against bench/shell_grader.sh on
#      one generated class (bench/make_class.sh);
#   3. scaling: `grader batch -j 2` on classes of growing size.
#
# Sizes, from the environment (defaults are the issue's):
#   BENCH_TEST_ROUNDS=200   rounds of the per-test benchmark
#   BENCH_TRACE_ROUNDS=21   rounds of the pipe-heavy trace benchmark
#   BENCH_CLASS=60          submissions in the throughput class
#   BENCH_CLASS_ROUNDS=5    interleaved batch/shell rounds on it
#   BENCH_SIZES="50 200 800" class sizes for the scaling runs
#   BENCH_JOBS=2            -j of every batch run
set -euo pipefail
cd "$(dirname "$0")/.."
test_rounds=${BENCH_TEST_ROUNDS:-200}
trace_rounds=${BENCH_TRACE_ROUNDS:-21}
class_n=${BENCH_CLASS:-60}
class_rounds=${BENCH_CLASS_ROUNDS:-5}
sizes=${BENCH_SIZES:-50 200 800}
jobs=${BENCH_JOBS:-2}
grader=${GRADER:-build/grader}
results=bench/results.md

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec > >(tee "$work/results.md")
started=$(date +%s)

median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# timed_batch CLASS OUT: grades CLASS into OUT (cold cache); prints "wall MiB"
timed_batch() {
	/usr/bin/time -f %e -o "$work/time" "$grader" batch testcases/pipe_hello "$1" -o "$2" \
		-j "$jobs" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
	echo "$(cat "$work/time") $(sed -n 's/.*grader peak memory \([0-9.]*\) MiB.*/\1/p' "$work/err")"
}
timed_shell() {
	/usr/bin/time -f %e -o "$work/time" bench/shell_grader.sh "$1" "$2"
	cat "$work/time"
}
# Seconds spent building and running student code, summed over the reports.
busy() { jq -s '[.[] | .build.seconds + ([.tests[].seconds] | add)] | add' "$1"/student_*.json; }

echo "# grader benchmarks"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo
echo "## 1. Per-test overhead"
echo
./build/bench/sandbox_overhead "$test_rounds"
echo
./build/bench/trace_overhead "$trace_rounds" | sed 's/^traced \/ untraced: \(.*\)/\ntraced \/ untraced: \1 (target <= 1.10x)/'
echo

echo "## 2. Class throughput: grader batch -j $jobs against a shell grader"
echo
bench/make_class.sh "$class_n" "$work/class"
: >"$work/batch"
: >"$work/shell"
: >"$work/busy"
for r in $(seq 1 "$class_rounds"); do
	# Alternate which goes first so that neither always finds the caches warm.
	if [ $((r % 2)) -eq 1 ]; then
		timed_batch "$work/class" "$work/b$r" | cut -d' ' -f1 >>"$work/batch"
		timed_shell "$work/class" "$work/s$r" >>"$work/shell"
	else
		timed_shell "$work/class" "$work/s$r" >>"$work/shell"
		timed_batch "$work/class" "$work/b$r" | cut -d' ' -f1 >>"$work/batch"
	fi
	busy "$work/b$r" >>"$work/busy"
done
bw=$(median <"$work/batch") sw=$(median <"$work/shell") bb=$(median <"$work/busy")
# Scores the two agree on (the shell grader cannot see fd leaks or zombies).
agree=$(join -t, <(tail -n +2 "$work/b1/gradebook.csv" | cut -d, -f1,2 | sort) \
	<(tail -n +2 "$work/s1/grades.csv" | sort) | awk -F, '$2 == $3' | wc -l)
awk -v n="$class_n" -v r="$class_rounds" -v j="$jobs" -v bw="$bw" -v sw="$sw" -v bb="$bb" \
	-v agree="$agree" 'BEGIN {
	printf "class of %d submissions (copies of correct_alice, no_terminator_bob, fd_leak_frank, ", n
	printf "each made unique), 3 tests each, cold build cache, median of %d interleaved rounds\n\n", r
	printf "| grader | wall s | per submission ms | ratio to batch |\n|---|---|---|---|\n"
	printf "| grader batch -j %d | %.2f | %.1f | 1.00x |\n", j, bw, 1000 * bw / n
	printf "| bench/shell_grader.sh (one student at a time) | %.2f | %.1f | %.2fx |\n", sw, 1000 * sw / n, sw / bw
	printf "\nbatch is %.2fx faster than the shell baseline (target >= 1.5x: %s)\n", sw / bw, (sw / bw >= 1.5 ? "met" : "MISSED")
	printf "compile + run time in the batch reports (build.seconds + tests[].seconds): %.2f s, %.1f ms per submission\n", bb, 1000 * bb / n
	printf "grader overhead at -j %d: (%d x wall - compile+run) / compile+run = %.0f%%\n", j, j, 100 * (j * bw - bb) / bb
	printf "scores equal in both graders: %d of %d (the shell grader does not check descriptors, zombies or stderr)\n", agree, n
}'
echo

echo "## 3. Scaling: grader batch -j $jobs"
echo
echo "| submissions | wall s | per submission ms | peak grader memory MiB |"
echo "|---|---|---|---|"
: >"$work/scaling"
for n in $sizes; do
	rm -rf "$work/class" "$work/out"
	bench/make_class.sh "$n" "$work/class"
	read -r wall mib <<<"$(timed_batch "$work/class" "$work/out")"
	echo "$n $wall ${mib:-0}" >>"$work/scaling"
	awk -v n="$n" -v w="$wall" -v m="${mib:-0}" 'BEGIN { printf "| %d | %.2f | %.1f | %.1f |\n", n, w, 1000 * w / n, m }'
done
echo
awk 'NR == 1 { n0 = $1; p0 = $2 / $1; m0 = $3 } { n1 = $1; p1 = $2 / $1; m1 = $3 } END {
	if (NR < 2) exit
	ratio = p1 / p0
	verdict = ratio > 1.25 ? "growth is WORSE than linear" : ratio < 0.8 ? \
		"per-submission time falls with size (a fixed start-up cost amortised)" : \
		"growth is linear (per-submission time roughly constant)"
	printf "time per submission at %d over at %d: %.2fx: %s\n", n1, n0, ratio, verdict
	printf "peak grader memory at %d over at %d: %.2fx (%.1f MiB vs %.1f MiB)\n", n1, n0, m1 / m0, m1, m0
}' "$work/scaling"
echo
echo "harness wall time: $(( $(date +%s) - started )) s"

exec >&-
wait
cp "$work/results.md" "$results"
