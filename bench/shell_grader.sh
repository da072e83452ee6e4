#!/bin/sh
# The honest baseline a TA would write for pipe_hello: for each student, one
# at a time, build with the spec's command, then run each of the spec's three
# tests under `timeout 2` and compare stdout with `diff`.  No sandbox, no
# trace, no cleanup checks: only the grading a script can do cheaply.  The
# tests' arguments and expected output are copied from
# testcases/pipe_hello/spec.yaml.
#
#   bench/shell_grader.sh CLASS_DIR OUT_DIR     (writes OUT_DIR/grades.csv)
set -u
class=$1 out=$2
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

long='pipes are one way: the parent writes, the child reads, and whoever keeps a write end open keeps the reader from ever seeing EOF'
printf 'child read: hello world, hello mars, hello universe\n' >"$work/expected1"
printf 'child read: hi mom\n' >"$work/expected2"
printf 'child read: %s\n' "$long" >"$work/expected3"

# test NUMBER POINTS [ARG]: runs ./pipe_hello, adds POINTS to score if stdout matches
check() {
	n=$1 pts=$2
	shift 2
	if timeout 2 ./pipe_hello "$@" >"$work/out" 2>"$work/err" &&
		diff "$work/expected$n" "$work/out" >/dev/null; then
		score=$((score + pts))
	fi
}

here=$PWD
echo "student,score" >"$out/grades.csv"
for dir in "$class"/*/; do
	student=$(basename "$dir")
	rm -rf "$work/s"
	cp -r "$dir" "$work/s"
	score=0
	if (cd "$work/s" && cc -std=gnu11 -O2 -Wall -o pipe_hello pipe_hello.c) >"$work/build.log" 2>&1; then
		cd "$work/s" || exit 1
		check 1 4
		check 2 3 "hi mom"
		check 3 3 "$long"
		cd "$here" || exit 1
	fi
	echo "$student,$score" >>"$out/grades.csv"
done
