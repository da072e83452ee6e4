#!/bin/sh
# Generates a class of N submissions in DIR: copies of the three fast
# pipe_hello submissions (correct_alice, no_terminator_bob, fd_leak_frank;
# none of them hangs, so no test waits for its 2 s timeout), each with a
# comment of its own appended so that no two builds are alike and no build
# cache can help.  With "all", copies of every bundled pipe_hello
# submission in turn, those that hang included.
#
#   bench/make_class.sh N DIR [all]
set -eu
n=$1 dir=$2
if [ "${3:-}" = all ]; then
	sources=$(ls submissions/pipe_hello)
else
	sources="correct_alice no_terminator_bob fd_leak_frank"
fi
mkdir -p "$dir"
i=0
while [ "$i" -lt "$n" ]; do
	for src in $sources; do
		[ "$i" -lt "$n" ] || break
		dst="$dir/student_$(printf %04d "$i")"
		mkdir -p "$dst"
		cp -r submissions/pipe_hello/$src/. "$dst/"
		for c in "$dst"/*.c; do printf '\n/* student %d */\n' "$i" >>"$c"; done
		i=$((i + 1))
	done
done
