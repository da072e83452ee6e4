#!/bin/sh
# check_deps_doc.sh README "$(make -s print-deps)": fails when README's table of
# Debian packages differs from the Makefile's lists, the only source of them.
#
# print-deps gives one line a group: "VARIABLE package package ...".  README.md
# has one table row a group, starting "| `VARIABLE` |", whose third column lists
# the same packages (in any order, backquotes and commas ignored), and no row
# for a group the Makefile does not have.
set -u
readme=$1 groups=$2
rc=0

words() { tr -d '`,' | tr -s ' \t' '\n' | grep . | sort; }

printf '%s\n' "$groups" | while read -r var packages; do
	[ -n "$var" ] || continue
	row=$(grep "^| \`$var\` |" "$readme")
	if [ -z "$row" ]; then
		echo "unit: $readme has no row for the Makefile's $var" >&2
		exit 1
	fi
	documented=$(printf '%s\n' "$row" | awk -F'|' '{ print $4 }' | words)
	listed=$(printf '%s\n' "$packages" | words)
	if [ "$documented" != "$listed" ]; then
		echo "unit: $readme lists for $var:" $documented >&2
		echo "unit: the Makefile's $var is:" $listed >&2
		exit 1
	fi
done || rc=1

for var in $(grep -o '^| `[A-Z_]*_PACKAGES` |' "$readme" | tr -d '|` '); do
	printf '%s\n' "$groups" | grep -q "^$var " && continue
	echo "unit: $readme has a row for $var, which the Makefile does not define" >&2
	rc=1
done
exit $rc
