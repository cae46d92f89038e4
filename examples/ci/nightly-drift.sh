#!/bin/sh
# nightly-drift.sh: find drift between the configuration and the live estate.
#
# Usage: nightly-drift.sh [DIR]
#
# Plans the configuration in DIR (default: the current folder) against what
# exists, changing nothing, and mails the plan to $PLUMB_DRIFT_MAILTO when
# something has drifted (plumb plan -detailed-exitcode exits 2). When plumb
# itself fails (exit 1) it mails the error instead, so a broken check is not
# mistaken for a quiet night. It exits with plumb's exit code.
#
# Environment:
#   PLUMB_DRIFT_MAILTO  who gets the mail (required)
#   PLUMB               the plumb binary (default: plumb on PATH)
#   PLUMB_DRIFT_SUBJECT a prefix for the subject (default: "plumb drift")
#
# It needs mail(1), from Debian's bsd-mailx or mailutils, and a working MTA.
set -u

dir=${1:-.}
to=${PLUMB_DRIFT_MAILTO:-}
if [ -z "$to" ]; then
	echo "nightly-drift: set PLUMB_DRIFT_MAILTO to the address that gets drift reports" >&2
	exit 1
fi
plumb=${PLUMB:-plumb}
prefix=${PLUMB_DRIFT_SUBJECT:-plumb drift}
host=$(hostname)

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

code=0
"$plumb" -chdir="$dir" plan -no-color -detailed-exitcode -lock-timeout=10m \
	>"$work/plan.txt" 2>&1 || code=$?

case $code in
0)
	exit 0
	;;
2)
	subject="$prefix: $dir on $host has drifted"
	;;
*)
	subject="$prefix: the check of $dir on $host failed (exit code $code)"
	;;
esac

if ! mail -s "$subject" "$to" <"$work/plan.txt"; then
	echo "nightly-drift: could not mail \"$subject\" to $to" >&2
	cat "$work/plan.txt" >&2
fi
exit "$code"
