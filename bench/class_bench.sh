#!/bin/sh
# A course at scale: N submissions for each bundled assignment, in a
# realistic mix, graded by `grader batch -j J` (J workers, and up to 2J
# while the CPUs sit idle) and by the naive floor (build/bench/floor_grader:
# build, run each test once with its timeout, compare; no sandbox) under
# xargs -P J, the two interleaved assignment by assignment so that both see
# the same machine.
#
# The mix, per assignment: 70% correct (the bundled correct submission; a
# fifth of those verbatim, as students hand in the lecture's code, the rest
# each with a comment of its own, or with UNIQUE=code a line of code), 30% wrong,
# a third of those from the bundled submissions that hang (every test of a
# hanging submission waits: for its timeout, or for the grader to see the
# deadlock), the rest from the other wrong ones.
#
# Prints, per assignment and for the course: wall time of each, the
# speed-up, and the grader's time split into compile (builds, cached ones
# excluded), run (tests that finished), waiting (tests that timed out or
# deadlocked) and overhead (the rest of its workers' time), and the build
# cache's hit rate.
#
# UNIQUE=code makes each copy unique by a line of code (a global variable)
# instead of a comment: no two such copies can share a build, not even by
# the build cache's comment-blind key (docs/scale.md).
#
#   bench/class_bench.sh [N]      (make bench runs it with N=1000; takes long)
set -eu
n=${1:-1000}
unique=${UNIQUE:-comment}
grader=${GRADER:-build/grader}
floor=${FLOOR:-build/bench/floor_grader}
jobs=${JOBS:-$(($(nproc) * 2))}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

hanging=$(awk -F'\t' '$4 == "timeout" {print $2}' grader/tests/e2e/expected.tsv | sort -u)

# make_class ASSIGNMENT DIR
make_class() {
	a=$1 dir=$2
	mkdir -p "$dir"
	hang="" wrong=""
	for s in submissions/"$a"/*/; do
		s=${s%/}
		case "$(basename "$s")" in correct_*) correct=$s; continue ;; esac
		if echo "$hanging" | grep -qx "$s"; then hang="$hang $s"; else wrong="$wrong $s"; fi
	done
	set -- $hang
	nh=$#
	set -- $wrong
	nw=$#
	i=0 h=0 w=0
	while [ "$i" -lt "$n" ]; do
		dst="$dir/s$(printf %05d "$i")"
		slot=$((i % 10))
		if [ "$slot" -eq 9 ] && [ "$nh" -gt 0 ]; then
			set -- $hang
			shift $((h % nh))
			src=$1 h=$((h + 1))
		elif [ "$slot" -ge 7 ] && [ "$nw" -gt 0 ]; then
			set -- $wrong
			shift $((w % nw))
			src=$1 w=$((w + 1))
		else
			src=$correct
		fi
		mkdir -p "$dst"
		cp -r "$src"/. "$dst/"
		# A fifth of the correct ones verbatim; every other one unique.
		if ! { [ "$src" = "$correct" ] && [ $((i % 5)) -eq 0 ]; }; then
			for c in "$dst"/*.c; do
				[ -f "$c" ] || continue
				if [ "$unique" = code ]; then
					printf '\nint bench_unique_%s;\n' "$(basename "$dst")" >>"$c"
				else
					printf '\n/* %s */\n' "$dst" >>"$c"
				fi
			done
		fi
		i=$((i + 1))
	done
}

secs() { /usr/bin/time -f "%e" -o "$work/t" "$@" >/dev/null 2>>"$work/err" || true; cat "$work/t"; }

# The table and the course line go to stdout and, as its section, to bench/results.md.
{
printf '| assignment | submissions | floor s | grader s | speed-up | compile s | run s | waiting s | overhead s | cache hits |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
total_f=0 total_g=0
for spec in testcases/*/spec.yaml; do
	a=$(basename "$(dirname "$spec")")
	[ -d "submissions/$a" ] || continue
	make_class "$a" "$work/$a"
	f=$(secs sh -c "ls -d '$work/$a'/*/ | xargs -P $jobs -n 1 '$floor' '$spec' > '$work/$a.floor.csv'")
	g=$(secs "$grader" batch "$spec" "$work/$a" -o "$work/$a.out" -j "$jobs")
	jq -s --arg f "$f" --arg g "$g" --arg a "$a" --arg j "$jobs" '
		def sum(f): map(f) | add // 0;
		(sum(if .build.cached then 0 else .build.seconds end)) as $compile |
		(sum([.tests[] | select(.status != "timeout") | .seconds] | add // 0)) as $run |
		(sum([.tests[] | select(.status == "timeout") | .seconds] | add // 0)) as $wait |
		(($g | tonumber) * ($j | tonumber) - $compile - $run - $wait) as $over |
		"| \($a) | \(length) | \($f) | \($g) | \((($f | tonumber) / ($g | tonumber)) * 10 | round / 10)x | \($compile * 10 | round / 10) | \($run * 10 | round / 10) | \($wait * 10 | round / 10) | \($over * 10 | round / 10) | \(sum(if .build.cached then 1 else 0 end)) of \(length) |"
	' "$work/$a.out"/*.json | tr -d '"'
	total_f=$(echo "$total_f + $f" | bc)
	total_g=$(echo "$total_g + $g" | bc)
	rm -rf "$work/$a" "$work/$a.out"
done
printf '\ncourse: floor %ss, grader %ss (%s workers on %s CPUs): %sx\n' "$total_f" "$total_g" "$jobs" "$(nproc)" \
	"$(echo "scale=1; $total_f / $total_g" | bc)"
printf '(overhead: -j times the wall clock, minus compile, run and waiting; the workers started while CPUs sat idle are not counted in -j, so it can come out below zero)\n'
# Issue 16's target, for a course of 4 assignments of 1,000: at most 300 s, at least 5x the floor.
met=$(echo "$total_g <= 300 && $total_f >= 5 * $total_g" | bc)
if [ "$n" -ne 1000 ]; then
	printf '\nTarget (4 x 1,000 in at most 300 s, at least 5x the floor): not measured here (%s per assignment)\n' "$n"
elif [ "$met" -eq 1 ]; then
	printf '\nTarget (4 x 1,000 in at most 300 s, at least 5x the floor): met\n'
else
	printf '\nTarget (4 x 1,000 in at most 300 s, at least 5x the floor): **not met**\n'
fi
} | tee "$work/body.md"
{
	echo "## A course at scale against the naive floor (bench/class_bench.sh$([ "$unique" = code ] && echo ", UNIQUE=code"))"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc), $n submissions per bundled assignment" \
		"(70% correct, a fifth of those verbatim; 30% wrong, a third of those hanging;" \
		"every other copy made unique by a $unique)," \
		"grader at -j $jobs (up to twice that while the CPUs sit idle) and floor at -P $jobs," \
		"interleaved by assignment"
	echo
	cat "$work/body.md"
} >"$work/section.md"
# Copies unique by code are a section of their own: both measures stand.
if [ "$unique" = code ]; then
	bench/put_section.sh "class_bench.sh UNIQUE=code" "$work/section.md"
else
	bench/put_section.sh class_bench.sh "$work/section.md"
fi
