#!/usr/bin/env bash
# Wraps the output of scripts/render-diff.sh as Markdown for a job summary or a PR comment: the
# review summary as is (stateful deletions flagged first), then the file differences and last the
# index.yaml bookkeeping, each collapsed, truncated to stay under GitHub's 65 536-character limit.
#
# Usage:
#   bash .github/scripts/render-diff-markdown.sh <diff-file>
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/help.sh" "$@"
set -euo pipefail
file="${1:?usage: render-diff-markdown.sh <diff-file>}"
limit=60000

echo "### Offline render: changes against the base branch"
echo
# scripts/render-diff.sh prints only "render-diff: no rendered changes against <ref> (<sha>)" when
# the trees are equal (and exits 0 either way).
if [ ! -s "$file" ] || { [ "$(wc -l < "$file")" -le 1 ] && grep -q '^render-diff: no rendered changes' "$file"; }; then
  echo "No differences in the rendered Kubernetes objects, Helm values or Vault configuration of any stack."
  exit 0
fi

parts="$(mktemp -d)"
trap 'rm -rf "$parts"' EXIT
# Sections (scripts/render-diff-report.ts): summary, <!-- render-diff:details -->, <!-- render-diff:bookkeeping -->.
awk -v dir="$parts" '
  /^<!-- render-diff:details -->$/ { out = dir "/details"; next }
  /^<!-- render-diff:bookkeeping -->$/ { out = dir "/bookkeeping"; next }
  { print > (out ? out : dir "/summary") }
' "$file"
touch "$parts/summary" "$parts/details" "$parts/bookkeeping"
if [ ! -s "$parts/details" ] && [ ! -s "$parts/bookkeeping" ]; then
  mv "$parts/summary" "$parts/details" && touch "$parts/summary" # no sections: all of it is diff
fi

budget=$limit
# A diff line can contain ``` itself: break such fences (zero-width space) so the block stays closed.
fenced() { # <file> <title> <max chars>
  local size lines
  size=$(wc -c < "$1")
  lines=$(wc -l < "$1")
  [ "$size" -gt 0 ] || return 0
  echo "<details><summary>$2: ${lines} line(s)</summary>"
  echo
  echo '```diff'
  # shellcheck disable=SC2016
  head -c "$3" "$1" | sed 's/```/`\xe2\x80\x8b``/g'
  echo
  echo '```'
  if [ "$size" -gt "$3" ]; then
    echo
    echo "_Truncated: showing $3 of ${size} characters; the full render is in the workflow artifacts._"
  fi
  echo "</details>"
  echo
}

head -c "$budget" "$parts/summary"
echo
budget=$((budget - $(wc -c < "$parts/summary")))
[ "$budget" -gt 0 ] || budget=0
fenced "$parts/details" "File differences (index.yaml last, below)" "$budget"
budget=$((budget - $(wc -c < "$parts/details")))
[ "$budget" -gt 0 ] || budget=0
fenced "$parts/bookkeeping" "index.yaml bookkeeping (dependencies, counts)" "$budget"
