#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu image while it builds the
# autograder (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
# the zip is unpacked into /autograder/source.  It installs the Ubuntu
# packages the grader needs that the image lacks (nothing else: none when all
# are there) and builds the grader in /autograder/source/build/grader.
# Generated for assignment @ASSIGNMENT@ by `make gradescope`.
set -eu
src=/autograder/source
# The Makefile's DEB_PACKAGES (the only list of them), put here by `make gradescope`:
# to build the grader and the students' C programs.
packages="@PACKAGES@"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup.sh: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086 # one word per package
	apt-get install -y -qq --no-install-recommends $missing
fi
make -C "$src" -j "$(nproc)" build/grader
"$src/build/grader" validate "$src/testcases/@ASSIGNMENT@"
