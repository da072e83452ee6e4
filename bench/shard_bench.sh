#!/bin/bash
# Grading beyond one machine (docs/scale.md), measured on this one:
#
#   1. a class of BENCH_SHARD_CLASS (1,000) submissions graded by one
#      `batch -j 2`, then as 4 shards into one folder one after the other
#      (each -j 2: the time one node of 4 would take), then as 4 shards at
#      the same time (each -j 1, sharing this machine's 2 CPUs), each
#      followed by `grader report`; every run from a cold build cache;
#   2. sizing: the whole bundled pipe_hello mix (a third of it hangs until
#      a deadlock is found or the timeout ends it) at BENCH_SIZING_CLASS
#      (200) students, -j 2: students per node-minute;
#   3. `grader report` on BENCH_REPORT_CLASS (10,000) per-student reports,
#      copies of the real reports of the bundled class under other names,
#      50 students of the class without one, against a tenth of that:
#      wall time and peak memory.
#
# Its section of bench/results.md (between its markers) is replaced; the
# rest of the file is left as it is.
#
#   bench/shard_bench.sh            (make bench runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${BENCH_SHARD_CLASS:-1000}
sizing_n=${BENCH_SIZING_CLASS:-200}
reports_n=${BENCH_REPORT_CLASS:-10000}
grader=$(realpath "${GRADER:-build/grader}")
spec=testcases/pipe_hello
results=bench/results.md

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# timed LABEL CMD...: runs CMD, stderr to $work/LABEL.err; prints "wall_s max_rss_MiB".
timed() {
	local label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/$label.time" "$@" >/dev/null 2>"$work/$label.err" || {
		local rc=$?
		# report exits 3 when students have no report: the point of part 3.
		[ "$1" = "$grader" ] && [ "$2" = report ] && [ $rc -eq 3 ] || {
			cat "$work/$label.err" >&2
			exit 1
		}
	}
	# The last line: time(1) says a non-zero exit status on a line of its own before it.
	tail -n 1 "$work/$label.time" | awk '{ printf "%s %.1f\n", $1, $2 / 1024 }'
}

# ---- 1. one batch against 4 shards --------------------------------------
bench/make_class.sh "$n" "$work/class"
read -r whole_s whole_mib < <(timed whole "$grader" batch "$spec" "$work/class" -o "$work/whole" -j 2)

seq_total=0 seq_max=0 sizes=""
for k in 1 2 3 4; do
	read -r s _ < <(timed "seq$k" "$grader" batch "$spec" "$work/class" -o "$work/seq" -j 2 --shard "$k/4")
	size=$(sed -n 's/^batch: shard [0-9]*\/4: \([0-9]*\) of.*/\1/p' "$work/seq$k.err")
	sizes="$sizes $size"
	seq_total=$(awk -v a="$seq_total" -v b="$s" 'BEGIN { print a + b }')
	seq_max=$(awk -v a="$seq_max" -v b="$s" 'BEGIN { print (b > a ? b : a) }')
	eval "seq_s$k=$s"
done
read -r seq_report_s _ < <(timed seqreport "$grader" report "$spec" "$work/seq")
cmp -s "$work/whole/gradebook.csv" "$work/seq/gradebook.csv" && seq_same=yes || seq_same=NO

start=$(date +%s.%N)
for k in 1 2 3 4; do
	"$grader" batch "$spec" "$work/class" -o "$work/conc" -j 1 --shard "$k/4" >/dev/null 2>"$work/conc$k.err" &
done
conc_rc=0
for k in 1 2 3 4; do wait -n || conc_rc=$?; done
[ "$conc_rc" -eq 0 ] || { cat "$work"/conc*.err >&2; exit 1; }
conc_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
read -r conc_report_s _ < <(timed concreport "$grader" report "$spec" "$work/conc")
cmp -s "$work/whole/gradebook.csv" "$work/conc/gradebook.csv" && conc_same=yes || conc_same=NO

# ---- 2. sizing on the bundled mix ---------------------------------------
i=0
while [ "$i" -lt "$sizing_n" ]; do
	for src in submissions/pipe_hello/*/; do
		[ "$i" -lt "$sizing_n" ] || break
		dst="$work/mix/student_$(printf %04d "$i")"
		mkdir -p "$dst"
		cp -r "$src". "$dst/"
		for c in "$dst"/*.c; do printf '\n/* student %d */\n' "$i" >>"$c"; done
		i=$((i + 1))
	done
done
read -r mix_s _ < <(timed mix "$grader" batch "$spec" "$work/mix" -o "$work/mixout" -j 2)

# ---- 3. grader report on many reports -----------------------------------
"$grader" batch "$spec" submissions/pipe_hello -o "$work/real" -j 2 >/dev/null 2>&1
templates=("$work"/real/*.json)
make_reports() { # COUNT DIR: COUNT reports, and a class of COUNT + 50 recorded in DIR
	local count=$1 dir=$2 i t name list="" text
	mkdir -p "$dir/.grader/class"
	local -a bodies=()
	for t in "${templates[@]}"; do
		name=$(basename "$t" .json)
		text=$(<"$t")
		bodies+=("${text//\"submission\": \"$name\"/\"submission\": \"@NAME@\"}")
	done
	for ((i = 0; i < count + 50; i++)); do
		name=$(printf 'student_%05d' "$i")
		list+="$name"$'\n'
		[ "$i" -lt "$count" ] || continue
		printf '%s\n' "${bodies[i % ${#bodies[@]}]//@NAME@/$name}" >"$dir/$name.json"
	done
	# The class list holds names ended by NUL (shard.h).
	printf '%s' "$list" | tr '\n' '\0' >"$dir/.grader/class/1-of-1"
}
make_reports $((reports_n / 10)) "$work/r_small"
make_reports "$reports_n" "$work/r_large"
small_mb=$(du -sm --exclude=.grader "$work/r_small" | cut -f1)
large_mb=$(du -sm --exclude=.grader "$work/r_large" | cut -f1)
read -r small_s small_mib < <(timed rsmall "$grader" report "$spec" "$work/r_small")
read -r large_s large_mib < <(timed rlarge "$grader" report "$spec" "$work/r_large")
missing_named=$(grep -c ': no report (' "$work/rlarge.err" || true)
html_mb=$(du -m "$work/r_large/index.html" | cut -f1)

# ---- the section ---------------------------------------------------------
{
	echo "<!-- shard_bench.sh: begin -->"
	echo "## Shards and grader report (bench/shard_bench.sh)"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc); every run from a cold build cache"
	echo
	echo "class of $n submissions (bench/make_class.sh: correct_alice, no_terminator_bob, fd_leak_frank, each unique)"
	echo
	echo "| run | wall s | submissions per minute |"
	echo "|---|---|---|"
	awk -v n="$n" -v w="$whole_s" 'BEGIN { printf "| one batch -j 2 | %.2f | %.0f |\n", w, 60 * n / w }'
	for k in 1 2 3 4; do
		eval "s=\$seq_s$k"
		size=$(echo $sizes | cut -d' ' -f$k)
		awk -v k="$k" -v n="$size" -v w="$s" 'BEGIN { printf "| shard %d/4 -j 2 (%d students) | %.2f | %.0f |\n", k, n, w, 60 * n / w }'
	done
	awk -v n="$n" -v w="$seq_total" 'BEGIN { printf "| 4 shards one after the other, total | %.2f | %.0f |\n", w, 60 * n / w }'
	awk -v n="$n" -v w="$conc_s" 'BEGIN { printf "| 4 shards at the same time, -j 1 each (2 CPUs) | %.2f | %.0f |\n", w, 60 * n / w }'
	echo
	awk -v t="$seq_total" -v w="$whole_s" -v m="$seq_max" -v sizes="$sizes" 'BEGIN {
		split(sizes, s, " "); mean = 0; mx = 0
		for (i = 1; i <= 4; i++) { mean += s[i] / 4; if (s[i] > mx) mx = s[i] }
		printf "shard sizes:%s (largest %.1f%% above the mean)\n", sizes, 100 * (mx / mean - 1)
		printf "sharding overhead (4 shards one after the other over one batch): %+.1f%%\n", 100 * (t / w - 1)
		printf "on 4 such nodes the class takes the slowest shard: %.2f s, %.2fx faster than one node\n", m, w / m
	}'
	echo "grader report after the shards: ${seq_report_s} s (one after the other), ${conc_report_s} s (at the same time)"
	echo "gradebook equal to one batch's: $seq_same (one after the other), $conc_same (at the same time)"
	echo
	echo "sizing, the bundled pipe_hello mix (all 9 submissions, made unique; some wait for a deadlock or a timeout), $sizing_n students, one node of 2 CPUs, -j 2:"
	awk -v n="$sizing_n" -v w="$mix_s" 'BEGIN { printf "%.2f s, %.0f students per node-minute\n", w, 60 * n / w }'
	echo
	echo "grader report on per-student reports (copies of the bundled class's real reports), 50 students of the class without one"
	echo
	echo "| reports | their size MB | wall s | peak memory MiB |"
	echo "|---|---|---|---|"
	echo "| $((reports_n / 10)) | $small_mb | $small_s | $small_mib |"
	echo "| $reports_n | $large_mb | $large_s | $large_mib |"
	echo
	echo "students named as without a report: $missing_named of 50; index.html of the large class: $html_mb MB"
	awk -v a="$small_mib" -v b="$large_mib" 'BEGIN { printf "peak memory at %s over at a tenth of it: %.2fx\n", "'"$reports_n"'", b / a }'
	echo "<!-- shard_bench.sh: end -->"
} >"$work/section.md"
cat "$work/section.md"

if [ -f "$results" ]; then
	awk '/^<!-- shard_bench.sh: begin -->$/ { skip = 1 } !skip { print } /^<!-- shard_bench.sh: end -->$/ { skip = 0 }' \
		"$results" >"$work/rest.md"
	# One blank line between the rest and the section.
	sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$work/rest.md" >"$results"
	echo >>"$results"
fi
cat "$work/section.md" >>"$results"
