#!/usr/bin/env bash
# demo-aws.sh PLUMB LOCALAWS SCRATCH: runs the AWS examples against the
# project's emulator (LOCALAWS, built from internal/cmd/localaws), with no
# AWS account and no network: examples/route53-migration, the EBS policy
# of examples/ebs-retention and, when svnadmin is installed, the SVN backup
# of examples/svn-backup. Each is planned, applied, and planned again,
# which must find no changes. The emulator is stopped at the end, however
# the script ends.
set -euo pipefail
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
plumb=$(abs "$1")
localaws=$(abs "$2")
scratch=$3

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }

rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)

instance=i-0a1b2c3d4e5f60718   # examples/ebs-retention's default
bucket=example-svn-backups     # examples/svn-backup's default
step "Starting the local AWS emulator (Route 53, S3, EC2 snapshots)"
"$localaws" -addr 127.0.0.1:0 -region eu-west-1 -instance "$instance=2" -bucket "$bucket" -complete-after 10m \
  >"$scratch/localaws.env" 2>"$scratch/localaws.log" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null; wait "$emulator" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q '^export AWS_REGION=' "$scratch/localaws.env" 2>/dev/null && break
  kill -0 "$emulator" 2>/dev/null || { cat "$scratch/localaws.log" >&2; exit 1; }
  sleep 0.1
done
cat "$scratch/localaws.log"
# shellcheck disable=SC1091
. "$scratch/localaws.env"
# No profile of this machine's may point plumb elsewhere.
export AWS_CONFIG_FILE="$scratch/no-aws-config" AWS_SHARED_CREDENTIALS_FILE="$scratch/no-aws-credentials"

# run EXAMPLE [ARGS...]: plan, apply, plan again (must be empty) in a copy.
run() {
  local example=$1; shift
  local dir="$scratch/$example"
  cp -r "examples/$example" "$dir"
  step "plumb plan ($example)"
  "$plumb" -chdir="$dir" plan "$@"
  step "plumb apply -auto-approve ($example)"
  "$plumb" -chdir="$dir" apply -auto-approve "$@"
  step "plumb plan -detailed-exitcode ($example; expect: no changes, exit 0)"
  local code=0
  "$plumb" -chdir="$dir" plan -detailed-exitcode "$@" || code=$?
  if [ "$code" -ne 0 ]; then
    echo "demo-aws: the second plan of $example exited $code; it should have found nothing to change" >&2
    exit 1
  fi
}

run route53-migration -var "aws_endpoint=$AWS_ENDPOINT_URL" -var max_requests_per_second=0
step "The registrar CSV (plumb output -raw registrar_csv)"
"$plumb" -chdir="$scratch/route53-migration" output -raw registrar_csv
echo

run ebs-retention -var "instance_id=$instance"

if command -v svnadmin >/dev/null; then
  svnadmin create "$scratch/repos-website"
  run svn-backup -var "repositories=[\"$scratch/repos-website\"]" -var "bucket=$bucket" -var "local_backup_dir=$scratch/svn-local"
else
  step "Skipping examples/svn-backup: svnadmin is not installed (Debian package subversion; scripts/deps.sh installs it)"
fi

printf '\nThe demo ran in %s against an emulator that is now stopped; run make demo-aws again to start afresh.\n' "$scratch"
