#!/bin/bash
# put_section.sh NAME SECTION.md: replaces the section of bench/results.md
# between "<!-- NAME: begin -->" and "<!-- NAME: end -->" with SECTION.md
# (which holds those markers), or appends it; the rest is left as it is.
set -euo pipefail
name=$1 section=$2
results=$(dirname "$0")/results.md
if [ -f "$results" ]; then
	rest=$(mktemp)
	awk -v b="<!-- $name: begin -->" -v e="<!-- $name: end -->" \
		'$0 == b { skip = 1 } !skip { print } $0 == e { skip = 0 }' "$results" >"$rest"
	# One blank line between the rest and the section.
	sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$rest" >"$results"
	rm -f "$rest"
	echo >>"$results"
fi
cat "$section" >>"$results"
