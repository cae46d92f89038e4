#!/usr/bin/env bash
# bench.sh BIN: whole-program benchmarks; the figures go to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./internal/benchrun -plumb "$1" -doc docs/benchmarks.md
