#!/bin/sh
# Gradescope runs this once on its Ubuntu image while it builds the
# autograder: install what the grader needs and build it from the sources
# shipped in source/.  Generated for assignment @ASSIGNMENT@ by `make gradescope`.
set -eu
here=${AUTOGRADER_ROOT:-/autograder}/source
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends make
# `make deps` installs the Makefile's DEB_PACKAGES, the only list of them.
make -C "$here" deps build/grader
