#!/usr/bin/env bash
# bench-detect.sh [SIZE_MB] [PLUMB]: generate an Apache combined log of
# SIZE_MB megabytes (default 1024) with the shared generator, then time
# `plumb detect` against the awk/sort/uniq pipelines of issue 7 on the same
# file in the same run, and print one Markdown table row:
#
# | log | lines | plumb detect | MB/s | peak memory | IP pipeline | IP+URI pipeline | speed-up |
#
# The speed-up is against the (IP, URI) pipeline, the one that does the
# work closest to what detect does (detect also counts URIs, networks and
# user agents in the same pass). PLUMB defaults to bin/plumb (built if
# missing). Temporary files live in a directory removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
plumb=${2:-bin/plumb}
gen=${PLUMB_GENLOG:-../shared/bench/genlog.py}
if [ ! -f "$gen" ]; then
  echo "bench-detect: log generator not found; set PLUMB_GENLOG to genlog.py" >&2
  exit 1
fi
if [ ! -x /usr/bin/time ]; then
  echo "bench-detect: /usr/bin/time is missing (Debian package time)" >&2
  exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/plumb-bench-detect.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ ! -x "$plumb" ]; then
  go build -o "$tmp/plumb" ./cmd/plumb
  plumb=$tmp/plumb
fi
log=$tmp/access.log
python3 "$gen" "$size_mb" "$log"
bytes=$(stat -c %s "$log")
lines=$(wc -l <"$log")
# Read the file once so every contender starts from the page cache.
cat "$log" >/dev/null

# measure CMD...: prints "SECONDS PEAK_KB".
measure() {
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null
  cat "$tmp/time"
}
read -r plumb_s plumb_kb < <(measure "$plumb" detect -threshold 45 "$log")
read -r ip_s _ < <(measure sh -c "awk '{print \$1}' '$log' | sort | uniq -c | sort -rn | awk '\$1 >= 45'")
read -r pair_s _ < <(measure sh -c "awk '{print \$1, \$7}' '$log' | sed 's/\"//g' | sort | uniq -c | sort -rn | awk '\$1 >= 45'")

awk -v mb="$size_mb" -v bytes="$bytes" -v lines="$lines" -v ps="$plumb_s" -v kb="$plumb_kb" -v ip="$ip_s" -v pair="$pair_s" 'BEGIN {
  if (ps <= 0) ps = 0.01
  printf "| %d MB combined log | %d | %.2f s | %.0f MB/s | %.0f MB | %.2f s | %.2f s | %.1f× |\n",
    mb, lines, ps, bytes / 1048576 / ps, kb / 1024, ip, pair, pair / ps
}'
