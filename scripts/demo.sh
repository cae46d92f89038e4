#!/usr/bin/env bash
# demo.sh BIN EXAMPLE SCRATCH: runs an example in a fresh scratch copy:
# plan, apply, and a second plan that must report no changes.
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
example=$2
scratch=$3

rm -rf "$scratch"
mkdir -p "$(dirname "$scratch")"
cp -r "$example" "$scratch"

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }

step "plumb plan ($example, in $scratch)"
"$bin" -chdir="$scratch" plan

step "plumb apply -auto-approve"
"$bin" -chdir="$scratch" apply -auto-approve

step "plumb plan -detailed-exitcode (expect: no changes, exit 0)"
set +e
"$bin" -chdir="$scratch" plan -detailed-exitcode
code=$?
set -e
if [ "$code" -ne 0 ]; then
  echo "demo: the second plan exited $code; it should have found nothing to change" >&2
  exit 1
fi

step "plumb output"
"$bin" -chdir="$scratch" output
printf '\nThe demo estate is in %s; look around, then run make demo again: it starts afresh.\n' "$scratch"
