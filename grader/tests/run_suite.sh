#!/bin/sh
# `make unit`: the whole Criterion suite (build/san/unit-tests, which runs
# build/san/grader for its end-to-end tests), from the checkout's root.
#
#   1. as the current user;
#   2. as root only: again as uid 65534 (nobody), the way a student's laptop
#      runs the grader (user namespaces, RLIMIT_NPROC, no cgroup), from a copy
#      nobody owns (the checkout may sit where nobody cannot read, such as
#      /root).
#
# Each run gets a TMPDIR of its own, which must hold no grader-* folder
# afterwards: every scratch folder a test or a grader makes is removed.  And
# the checkout must hold nothing new outside build/ afterwards (`git status
# --ignored`, before and after): a test writes under its scratch folder, never
# into the sources (reports/ included).
#
# Each run ends with the tests it skipped and why (Criterion's summary only
# counts them): a skip is never silent.
#
# Extra arguments go to the Criterion runner (such as --filter 'run/*').
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)

checkout_state() {
	git -C "$root" status --porcelain --ignored --untracked-files=all 2>/dev/null |
		grep -v '^.. build/' | sort
}

# suite DIR TMPDIR USER [runner arguments]: runs DIR/build/san/unit-tests from DIR,
# as USER (self, or nobody: uid 65534).
suite() {
	dir=$1 tmp=$2 user=$3
	shift 3
	if [ "$user" = nobody ]; then
		set -- setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$tmp" \
			./build/san/unit-tests --jobs 2 --tap="$tmp/unit.tap" "$@"
	else
		set -- ./build/san/unit-tests --jobs 2 --tap="$tmp/unit.tap" "$@"
	fi
	(cd "$dir" && env TMPDIR="$tmp" GRADER_BIN="$dir/build/san/grader" GRADER_ROOT="$dir" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		LSAN_OPTIONS="suppressions=$dir/grader/tests/lsan.supp:print_suppressions=0" "$@")
}

# skipped TMPDIR: the tests the run in TMPDIR skipped, with why (its TAP report).
skipped() {
	sed -n 's/^ok - \(.*\)  # SKIP \(.*\)/unit: skipped \1: \2/p' "$1/unit.tap" 2>/dev/null |
		grep -v ': test was skipped$'
}

# leftovers TMPDIR WHO: fails (1) when a grader-* folder is left in TMPDIR.
leftovers() {
	left=$(cd "$1" && ls -d grader-* 2>/dev/null)
	[ -z "$left" ] && return 0
	echo "unit: $2 left these scratch folders in its TMPDIR ($1):" >&2
	echo "$left" | sed 's/^/    /' >&2
	return 1
}

state=$(mktemp -d "${TMPDIR:-/tmp}/unit-state.XXXXXX") || exit 1
tmp= copy=
# Stopped (Ctrl-C, a CI job's end) or not, nothing of the run stays in TMPDIR.
trap 'rm -rf "$state" ${tmp:+"$tmp"} ${copy:+"$copy"}' EXIT
trap 'exit 130' INT TERM HUP
git_ok=false
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git_ok=true
	checkout_state >"$state/before"
else
	echo "unit: not a git checkout: whether the tests write into it is not checked" >&2
fi

rc=0
# World-writable and sticky like /tmp: as root, some tests run the grader as nobody.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/unit-tests.XXXXXX") && chmod 1777 "$tmp" || exit 1
suite "$root" "$tmp" self "$@" || rc=1
skipped "$tmp"
leftovers "$tmp" "the suite" || rc=1
rm -rf "$tmp"

if [ "$(id -u)" -eq 0 ]; then
	echo "unit: again as an unprivileged user (uid 65534)"
	copy=$(mktemp -d "${TMPDIR:-/tmp}/unit-tests-nobody.XXXXXX") && chmod 755 "$copy" || exit 1
	# The Makefile, docs and contrib: the Gradescope zip, the manual page and the completion.
	tar cf - Makefile grader testcases submissions gradescope docs contrib \
		build/grader build/san/grader build/san/unit-tests |
		tar xf - -C "$copy" && mkdir "$copy/tmp" && chown -R 65534:65534 "$copy" || exit 1
	suite "$copy" "$copy/tmp" nobody "$@" || rc=1
	skipped "$copy/tmp"
	leftovers "$copy/tmp" "the suite as uid 65534" || rc=1
	rm -rf "$copy"
fi

if $git_ok; then
	checkout_state >"$state/after"
	comm -13 "$state/before" "$state/after" >"$state/new"
	if [ -s "$state/new" ]; then
		echo "unit: the tests changed the checkout outside build/ (git status):" >&2
		sed 's/^/    /' "$state/new" >&2
		rc=1
	fi
fi
exit $rc
