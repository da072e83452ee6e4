#!/bin/sh
# Class-scale throughput of `grader batch`: a generated class of N students
# (copies of the bundled pipe_hello submissions, each with a comment of its
# own so that no two builds are alike and the build cache cannot help),
# graded with -j 1 and -j 2 from a cold cache, then re-run with --resume.
# Prints wall time, time per submission, the -j 2 speed-up, the grader's
# peak memory (the batch process itself, as it reports it: workers are forks
# and compilers are not the grader) and the share of the wall time that is
# neither compiling nor running student code.
#
#   bench/batch_bench.sh [N]        (make bench runs it with N=200)
set -eu
n=${1:-200}
grader=${GRADER:-build/grader}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

i=0
while [ "$i" -lt "$n" ]; do
	for src in submissions/pipe_hello/*/; do
		[ "$i" -lt "$n" ] || break
		dst="$work/class/student_$(printf %04d "$i")"
		mkdir -p "$dst"
		cp -r "$src". "$dst/"
		for c in "$dst"/*.c; do printf '\n/* student %d */\n' "$i" >>"$c"; done
		i=$((i + 1))
	done
done

run() { # label, jobs, out, extra...
	label=$1 jobs=$2 out=$3
	shift 3
	/usr/bin/time -f "%e" -o "$work/time" "$grader" batch testcases/pipe_hello "$work/class" \
		-o "$out" -j "$jobs" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
	read -r wall <"$work/time"
	mib=$(sed -n 's/.*grader peak memory \([0-9.]*\) MiB.*/\1/p' "$work/err")
	echo "$label $wall ${mib:-0}"
}

# Seconds spent building and running student code, from the reports.
busy() {
	jq -s '[.[] | .build.seconds + ([.tests[].seconds] | add)] | add' "$1"/*.json
}

set -- $(run j1 1 "$work/j1"); j1_wall=$2 j1_mib=$3
set -- $(run j2 2 "$work/j2"); j2_wall=$2 j2_mib=$3
set -- $(run resume 2 "$work/j2" --resume); re_wall=$2
busy1=$(busy "$work/j1")

awk -v n="$n" -v w1="$j1_wall" -v w2="$j2_wall" -v wr="$re_wall" -v m1="$j1_mib" -v m2="$j2_mib" \
	-v b1="$busy1" 'BEGIN {
	printf "class of %d submissions (pipe_hello, 3 tests each), %s\n", n, "cold build cache"
	printf "| run | wall s | per submission ms | peak grader memory MiB |\n|---|---|---|---|\n"
	printf "| -j 1 | %.2f | %.1f | %.1f |\n", w1, 1000 * w1 / n, m1
	printf "| -j 2 | %.2f | %.1f | %.1f |\n", w2, 1000 * w2 / n, m2
	printf "| --resume (nothing changed) | %.2f | %.1f | - |\n", wr, 1000 * wr / n
	printf "speed-up -j 2 over -j 1: %.2fx; --resume over -j 2: %.0fx\n", w1 / w2, w2 / (wr > 0 ? wr : 0.01)
	printf "grader overhead at -j 1 (wall minus build and test time, over wall): %.1f%%\n", 100 * (w1 - b1) / w1
}'
