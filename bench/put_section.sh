#!/bin/bash
# put_section.sh NAME SECTION.md: puts SECTION.md into bench/results.md between
# "<!-- NAME: begin -->" and "<!-- NAME: end -->", where that section stood, or
# appended after a blank line; the rest is left as it is.
set -euo pipefail
name=$1 section=$2
results=$(dirname "$0")/results.md
touch "$results"
new=$(mktemp)
awk -v b="<!-- $name: begin -->" -v e="<!-- $name: end -->" -v body="$section" '
	function put() { print b; while ((getline line < body) > 0) print line; close(body); print e }
	$0 == b { put(); skip = 1; done = 1; next }
	skip { if ($0 == e) skip = 0; next }
	{ print }
	END { if (!done) { if (NR) print ""; put() } }' "$results" >"$new"
cat "$new" >"$results"
rm -f "$new"
