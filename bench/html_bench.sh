#!/bin/bash
# index.html for a large class, measured in headless Chromium: for each of
# BENCH_HTML_CLASSES (300 1000) students, the class reports are written by
# `grader report` from copies of the real reports of the bundled pipe_hello
# class under other names, then the page is opened BENCH_HTML_ROUNDS (3)
# times in a 400 px wide frame: its size, the time to its load event, the
# time the table's script takes to sort the class by score and to filter
# it, and whether the page is wider than the frame.  Best of the rounds.
#
# Its section of bench/results.md (between its markers) is replaced; the
# rest of the file is left as it is.
#
#   bench/html_bench.sh            (make bench runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a classes <<<"${BENCH_HTML_CLASSES:-300 1000}"
rounds=${BENCH_HTML_ROUNDS:-3}
grader=$(realpath "${GRADER:-build/grader}")
chromium=${CHROMIUM:-/usr/bin/chromium}
spec=testcases/pipe_hello

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$grader" batch "$spec" submissions/pipe_hello -o "$work/real" -j 2 >/dev/null 2>&1

# The page in a 400 px frame; the probe reads its timing and works its table.
cat >"$work/frame.html" <<'HTML'
<!DOCTYPE html><html><body><iframe id="f" src="index.html" style="width:400px;height:800px"></iframe>
<pre id="probe"></pre><script>
document.getElementById('f').addEventListener('load', function () {
  var w = this.contentWindow, d = this.contentDocument;
  var nav = w.performance.getEntriesByType('navigation')[0];
  var score = d.querySelectorAll('table.grid thead th button')[1];
  var t0 = w.performance.now(); score.click(); var sort = w.performance.now() - t0;
  var status = d.querySelector('.controls select');
  status.value = 'timeout';
  t0 = w.performance.now(); status.dispatchEvent(new w.Event('input')); var filter = w.performance.now() - t0;
  document.getElementById('probe').textContent = [nav.loadEventEnd.toFixed(0), sort.toFixed(1),
    filter.toFixed(1), d.documentElement.scrollWidth > w.innerWidth ? 'wider' : 'fits',
    d.querySelector('.controls .meta').textContent].join(' | ');
});
</script></body></html>
HTML

{
	echo "## index.html for large classes (bench/html_bench.sh)"
	echo
	echo "\`grader report\` on copies of the bundled pipe_hello class's reports, the page opened"
	echo "in headless Chromium in a 400 px wide frame; best of $rounds. Load: to the load event;"
	echo "sort: the script sorting the table by score; filter: by a status (timeout)."
	echo
	echo "| students | index.html | load | sort | filter | 400 px |"
	echo "| ---: | ---: | ---: | ---: | ---: | --- |"
	for n in "${classes[@]}"; do
		out=$work/class$n
		mkdir -p "$out"
		for ((i = 0; i < n; i++)); do
			t=("$work"/real/*.json)
			t=${t[i % ${#t[@]}]}
			name=$(printf 'student_%05d' "$i")
			sed "s/\"submission\": \"$(basename "$t" .json)\"/\"submission\": \"$name\"/" "$t" \
				>"$out/$name.json"
		done
		"$grader" report "$spec" "$out" >/dev/null 2>&1 || true
		cp "$work/frame.html" "$out/frame.html"
		best=""
		for ((r = 0; r < rounds; r++)); do
			line=$(HOME=$work timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
				--disable-dev-shm-usage --no-first-run --allow-file-access-from-files \
				--dump-dom "file://$out/frame.html" 2>/dev/null |
				sed -n 's/.*<pre id="probe">\([^<]*\)<.*/\1/p')
			[ -n "$line" ] || continue
			load=${line%% |*}
			if [ -z "$best" ] || [ "$load" -lt "${best%% |*}" ]; then best=$line; fi
		done
		size=$(du -k "$out/index.html" | cut -f1)
		IFS='|' read -r load sort filter fits shown <<<"$best"
		printf '| %s | %s KiB | %s ms | %s ms | %s ms | %s (%s) |\n' "$n" "$size" \
			"${load// /}" "${sort// /}" "${filter// /}" "${fits// /}" "${shown# }"
	done
} >"$work/section.md"
cat "$work/section.md"

bench/put_section.sh html_bench.sh "$work/section.md"
