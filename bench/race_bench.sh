#!/bin/bash
# `make bench`: does perturb find the races of grader/tests/races, every
# grading, and never fail a correct program?
#
# Grades each racy submission against the spec its race shows with (the
# README's first "shows with") and each correct one against all three
# specs, GRADINGS times each with a different --seed (a regrade with the
# default seed replays the same schedules, so it would only measure one),
# every test `repeat: 10, repeat_all: true`.  Prints, per pair, how many
# gradings failed and how many runs failed; writes its section of
# bench/results.md.  The target (issue 13): every grading of a racy program
# fails, at least half of its runs fail, and no run of a correct one fails.
#
#   bench/race_bench.sh [GRADINGS]     (default 10)
#   GRADER=build/grader  LOAD=n        stress-ng --cpu n beside it (default 0)
set -euo pipefail
cd "$(dirname "$0")/.."
gradings=${1:-10}
grader=${GRADER:-build/grader}
load=${LOAD:-0}
races=grader/tests/races
work=$(mktemp -d)
stress=
trap '[ -n "$stress" ] && kill "$stress" 2>/dev/null; rm -rf "$work"' EXIT
if [ "$load" -gt 0 ]; then
	stress-ng --cpu "$load" --timeout 2h >/dev/null 2>&1 &
	stress=$!
fi

pairs="ready-shm racy_no_flag_wait
ready-shm racy_flag_before_data
at-once racy_client_before_segment
ready-stdout racy_rmid_early"
for c in correct_flag correct_sem correct_fifo; do
	for s in ready-stdout ready-shm at-once; do
		pairs="$pairs
$s $c"
	done
done

{
	echo "## Races found by perturb (bench/race_bench.sh)"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc), stress-ng --cpu $load beside it;" \
		"$gradings gradings per pair, seeds 1000, 1002, ..., each 10 runs (repeat_all)"
	echo
	echo "| spec | submission | gradings failed | runs failed |"
	echo "|---|---|---|---|"
} >"$work/section.md"
bad=0
while read -r spec sub; do
	gf=0 rf=0 runs=0
	for ((g = 0; g < gradings; g++)); do
		out="$work/out-$spec-$sub-$g"
		"$grader" grade "$races/$spec.yaml" "$races/submissions/$sub" --seed $((1000 + 2 * g)) \
			--format json -o "$out" >"$out.json" 2>/dev/null || true
		read -r status r p < <(jq -r '.tests[0] | "\(.status) \(.runs) \(.passed_runs)"' "$out.json")
		[ "$status" = passed ] || gf=$((gf + 1))
		runs=$((runs + r))
		rf=$((rf + r - p))
	done
	echo "| $spec | $sub | $gf of $gradings | $rf of $runs |" >>"$work/section.md"
	case $sub in
	racy_*) [ "$gf" -eq "$gradings" ] && [ $((2 * rf)) -ge "$runs" ] || bad=$((bad + 1)) ;;
	*) [ "$rf" -eq 0 ] || bad=$((bad + 1)) ;;
	esac
done <<<"$pairs"
{
	echo
	echo "pairs off target: $bad"
} >>"$work/section.md"
cat "$work/section.md"
bench/put_section.sh race_bench.sh "$work/section.md"
[ "$bad" -eq 0 ]
