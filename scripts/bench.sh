#!/usr/bin/env bash
# bench.sh BIN: whole-program benchmarks; the figures go to docs/benchmarks.md.
#   - the engine: apply and no-change plan of 10,000 and 20,000 resources;
#   - plumb detect against the shell pipelines it replaces, on an ordinary
#     log of PLUMB_BENCH_LOG_MB megabytes (default 1024) and a hostile one of
#     PLUMB_BENCH_HOSTILE_MB (default 176);
#   - 5,000 zones moved into Route 53 (kumo behind the shim) and planned again;
#   - a fleet over SSH: a no-change plan of 20 sshd hosts, detect on a remote log;
#   - one bind_zone of 20,000 to 1,000,000 records, planned with nothing to
#     change, its records written with zonefile() and with a for-expression;
#     and a for-expression alone over 100,000 and 1,000,000 elements.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./internal/benchrun -plumb "$1" -doc docs/benchmarks.md
go run ./internal/benchrun -plumb "$1" -doc docs/benchmarks.md -zones
# A for-expression over 100,000 and 1,000,000 elements through the
# decoder the engine uses: the time per element must not grow (O(n)).
{
  echo "Measured $(date -u +%F) with \`make bench\` (BenchmarkForExpressionDecode in providers, 3 runs each), load average $(cut -d' ' -f1 /proc/loadavg) at the start:"
  echo
  echo "| condition | elements | per run | per element | allocations per run |"
  echo "|---|---|---|---|---|"
  go test -run XXX -bench ForExpressionDecode -benchtime 3x -benchmem ./providers |
    awk '/^BenchmarkForExpressionDecode\// {
      split($1, p, "/"); sub(/^n=/, "", p[3]); sub(/-[0-9]+$/, "", p[3])
      printf "| %s | %d | %.2f s | %.0f ns | %d |\n", p[2], p[3], $3 / 1e9, $5, $9
      per[p[2] "/" p[3]] = $5
    }
    END {
      printf "\nTime per element at 1,000,000 over 100,000: %.2f× compiled, %.2f× hcl (a quadratic conversion would be 10×).\n",
        per["compiled/1000000"] / per["compiled/100000"], per["hcl/1000000"] / per["hcl/100000"]
    }'
} | go run ./internal/benchrun -doc docs/benchmarks.md -section forexpr
{
  echo "Measured $(date -u +%F) with \`make bench\` (scripts/bench-detect.sh), load average $(cut -d' ' -f1 /proc/loadavg) at the start: on the same file, ${PLUMB_BENCH_RUNS:-3} runs of each contender in turn, medians (every plumb run in brackets); targets: at most 200 MB, at least 5× the IP pipeline:"
  echo
  echo "| log | lines | plumb detect | passes | peak memory | IP pipeline | (IP, URI) pipeline | speed-up over IP | targets |"
  echo "|---|---|---|---|---|---|---|---|---|"
  ./scripts/bench-detect.sh "${PLUMB_BENCH_LOG_MB:-1024}" "$1"
} | go run ./internal/benchrun -doc docs/benchmarks.md -section detect
# Route 53: the plumb binary moves 5,000 generated zones into kumo behind the
# project's shim, then plans with nothing to change.
line=$(go test -run XXX -bench Route53Zones -benchtime 1x ./cmd/plumb 2>&1 | grep ' zones: apply ' | tail -1)
{
  echo "Measured $(date -u +%F) with \`make bench\` (BenchmarkRoute53Zones in cmd/plumb: the plumb binary, kumo behind the shim, no client-side rate limit):"
  echo
  echo "    $line"
} | go run ./internal/benchrun -doc docs/benchmarks.md -section route53
# Fleet over SSH (needs root: the benchmarks start sshd): the no-change plan
# of 20 hosts × 4 host-side resources against the same plan locally, the
# cost of one connection, and plumb detect on a remote log against the
# same log read locally.
if [ "$(id -u)" -eq 0 ]; then
  gen=${PLUMB_GENLOG:-../shared/bench/genlog.py}
  [ -f "$gen" ] && gen=$(cd "$(dirname "$gen")" && pwd)/$(basename "$gen") || gen=
  out=$(PLUMB_GENLOG="$gen" go test -run XXX -bench 'FleetPlan|DetectOverSSH' -benchtime 1x ./cmd/plumb 2>&1)
  plan=$(echo "$out" | grep '^fleet plan: ' | tail -1)
  detect=$(echo "$out" | grep '^detect .* over SSH ' | tail -1)
  {
    echo "Measured $(date -u +%F) with \`make bench\` (BenchmarkFleetPlan and BenchmarkDetectOverSSH in cmd/plumb: the plumb binary, sshd on loopback, logins through sudo), load average $(cut -d' ' -f1 /proc/loadavg) when done:"
    echo
    echo "    $plan"
    echo "    $detect"
  } | go run ./internal/benchrun -doc docs/benchmarks.md -section fleet
else
  echo "bench: not root, the fleet benchmarks (they start sshd) are skipped" >&2
fi
