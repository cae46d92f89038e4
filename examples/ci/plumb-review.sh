#!/bin/sh
# plumb-review.sh: tell a pull request (GitHub) or merge request (GitLab)
# what plumb plan found, whatever it found.
#
# Usage: plumb-review.sh github|gitlab REVIEW.md STATUS.json
#
# REVIEW.md and STATUS.json are what `plumb plan -review-out REVIEW.md
# -review-status STATUS.json` wrote: the plan, or "plan failed: ..." or
# "mass change refused: ...". The script
#   - posts REVIEW.md as one comment (GitHub) or note (GitLab), or updates
#     the one it posted before for the same configuration folder: each
#     folder has its own marker, <!-- plumb-plan: DIR -->, so several plans
#     in one pull request do not overwrite each other;
#   - sets the labels plumb:destroy (some plan of the pull request deletes
#     something) and plumb:no-changes (every plan of it changes nothing),
#     judged over every folder's comment;
#   - sets a commit status named "plumb plan (DIR)" whose description is
#     the summary line, or the failure: success for a plan, failure when
#     plan failed or refused a mass change.
#
# Environment:
#   PLUMB_DIR              the configuration folder (default ".")
#   PLUMB_SKIP_NO_CHANGES  "true": post no comment for a plan without
#                          changes (an earlier comment of the folder is
#                          still updated, so it does not show an old plan)
#   PLUMB_FOOTER           Markdown added under the review (links, commit)
#   PLUMB_TARGET_URL       the link of the commit status (the job's page)
#   PLUMB_SHA              the commit the status is for
# For GitHub: GITHUB_TOKEN, GITHUB_API_URL, GITHUB_REPOSITORY (owner/name)
#   and PLUMB_PR (the pull request's number).
# For GitLab: PLUMB_NOTES_TOKEN (a token with the api scope), CI_API_V4_URL,
#   CI_PROJECT_ID and CI_MERGE_REQUEST_IID.
#
# It needs curl and jq. It exits non-zero when the forge refuses a request.
set -eu

forge=${1:?usage: plumb-review.sh github|gitlab REVIEW.md STATUS.json}
review=${2:?usage: plumb-review.sh github|gitlab REVIEW.md STATUS.json}
status=${3:?usage: plumb-review.sh github|gitlab REVIEW.md STATUS.json}
dir=${PLUMB_DIR:-.}
skip=${PLUMB_SKIP_NO_CHANGES:-false}
sha=${PLUMB_SHA:?set PLUMB_SHA to the commit the plan is for}

outcome=$(jq -r .outcome "$status")
title=$(jq -r .title "$status")
marker="<!-- plumb-plan: $dir -->"
prefix="<!-- plumb-plan: "

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The comment: the marker, the outcome for the labels, the review, the
# footer.
{
	printf '%s\n' "$marker"
	printf '<!-- plumb-status: %s -->\n' "$(jq -c '{outcome, destroy}' "$status")"
	cat "$review"
	if [ -n "${PLUMB_FOOTER:-}" ]; then
		printf '\n---\n%s\n' "$PLUMB_FOOTER"
	fi
} >"$work/body.md"

# The status description: at most 140 characters, as GitHub allows.
description=$(printf '%s' "$title" | cut -c1-140)
case $outcome in
changes | no-changes) ok=true ;;
*) ok=false ;;
esac

case $forge in
github)
	api="${GITHUB_API_URL:?}/repos/${GITHUB_REPOSITORY:?}"
	pr=${PLUMB_PR:?set PLUMB_PR to the pull request number}
	call() { # METHOD PATH [JSON-FILE]
		if [ $# -ge 3 ]; then
			curl --fail --silent --show-error --request "$1" --header "Authorization: Bearer ${GITHUB_TOKEN:?}" \
				--header "Accept: application/vnd.github+json" --header "Content-Type: application/json" \
				--data-binary "@$3" "$api$2"
		else
			curl --fail --silent --show-error --request "$1" --header "Authorization: Bearer ${GITHUB_TOKEN:?}" \
				--header "Accept: application/vnd.github+json" "$api$2"
		fi
	}
	# Every comment of the pull request, page after page.
	page=1
	printf '[]' >"$work/comments.json"
	while :; do
		call GET "/issues/$pr/comments?per_page=100&page=$page" >"$work/page.json"
		[ "$(jq length "$work/page.json")" -gt 0 ] || break
		jq -s 'add' "$work/comments.json" "$work/page.json" >"$work/all.json"
		mv "$work/all.json" "$work/comments.json"
		page=$((page + 1))
	done
	jq '[.[] | {id, body, bot: (.user.type == "Bot")}]' "$work/comments.json" >"$work/mine.json"
	id=$(jq -r --arg m "$marker" '[.[] | select(.bot and (.body | startswith($m)))][0].id // empty' "$work/mine.json")
	jq -n --rawfile body "$work/body.md" '{body: $body}' >"$work/comment.json"
	if [ -n "$id" ]; then
		call PATCH "/issues/comments/$id" "$work/comment.json" >/dev/null
		echo "plumb-review: updated comment $id"
	elif [ "$outcome" = no-changes ] && [ "$skip" = true ]; then
		echo "plumb-review: no changes; no comment posted"
	else
		call POST "/issues/$pr/comments" "$work/comment.json" >/dev/null
		echo "plumb-review: posted a comment"
	fi
	label() { # add|remove NAME
		if [ "$1" = add ]; then
			jq -n --arg l "$2" '{labels: [$l]}' >"$work/label.json"
			call POST "/issues/$pr/labels" "$work/label.json" >/dev/null
		else
			# Absent already is fine: the forge answers 404.
			call DELETE "/issues/$pr/labels/$(printf '%s' "$2" | jq -sRr @uri)" >/dev/null 2>&1 || true
		fi
	}
	jq -n --arg state "$([ "$ok" = true ] && echo success || echo failure)" --arg d "$description" \
		--arg c "plumb plan ($dir)" --arg u "${PLUMB_TARGET_URL:-}" \
		'{state: $state, description: $d, context: $c} + (if $u == "" then {} else {target_url: $u} end)' >"$work/status.json"
	call POST "/statuses/$sha" "$work/status.json" >/dev/null
	others='[.[] | select(.bot and (.body | startswith($p)) and (.body | startswith($m) | not))]'
	;;
gitlab)
	api="${CI_API_V4_URL:?}/projects/${CI_PROJECT_ID:?}"
	mr=${CI_MERGE_REQUEST_IID:?}
	auth="PRIVATE-TOKEN: ${PLUMB_NOTES_TOKEN:?}"
	curl --fail --silent --show-error --header "$auth" \
		"$api/merge_requests/$mr/notes?sort=desc&order_by=updated_at&per_page=100" >"$work/notes.json"
	jq '[.[] | {id, body}]' "$work/notes.json" >"$work/mine.json"
	id=$(jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty' "$work/mine.json")
	if [ -n "$id" ]; then
		curl --fail --silent --show-error --output /dev/null --request PUT --header "$auth" \
			--data-urlencode "body@$work/body.md" "$api/merge_requests/$mr/notes/$id"
		echo "plumb-review: updated note $id"
	elif [ "$outcome" = no-changes ] && [ "$skip" = true ]; then
		echo "plumb-review: no changes; no note posted"
	else
		curl --fail --silent --show-error --output /dev/null --request POST --header "$auth" \
			--data-urlencode "body@$work/body.md" "$api/merge_requests/$mr/notes"
		echo "plumb-review: posted a note"
	fi
	label() { # add|remove NAME
		curl --fail --silent --show-error --output /dev/null --request PUT --header "$auth" \
			--data-urlencode "$1_labels=$2" "$api/merge_requests/$mr"
	}
	curl --fail --silent --show-error --output /dev/null --request POST --header "$auth" \
		--data-urlencode "state=$([ "$ok" = true ] && echo success || echo failed)" \
		--data-urlencode "name=plumb plan ($dir)" --data-urlencode "description=$description" \
		${PLUMB_TARGET_URL:+--data-urlencode "target_url=$PLUMB_TARGET_URL"} \
		"$api/statuses/$sha"
	others='[.[] | select((.body | startswith($p)) and (.body | startswith($m) | not))]'
	;;
*)
	echo "plumb-review: unknown forge $forge: use github or gitlab" >&2
	exit 2
	;;
esac

# The labels speak for every folder's plan: this one's outcome, and the
# outcomes the other folders' comments carry.
jq --arg p "$prefix" --arg m "$marker" "$others"' | [.[].body | capture("<!-- plumb-status: (?<s>[^\n]*) -->").s | fromjson]' \
	"$work/mine.json" >"$work/others.json"
jq -s '.[0] + [.[1] | {outcome, destroy}]' "$work/others.json" "$status" >"$work/all.json"
if jq -e 'any(.[]; (.destroy // 0) > 0)' "$work/all.json" >/dev/null; then
	label add plumb:destroy
else
	label remove plumb:destroy
fi
if jq -e 'all(.[]; .outcome == "no-changes")' "$work/all.json" >/dev/null; then
	label add plumb:no-changes
else
	label remove plumb:no-changes
fi
echo "plumb-review: $outcome: $title"
