#!/usr/bin/env bash
# Wraps the output of scripts/render-diff.sh as Markdown for a job summary or a PR comment,
# truncated to stay under GitHub's 65 536-character comment limit.
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
size=$(wc -c < "$file")
lines=$(wc -l < "$file")
echo "<details><summary>${lines} line(s) of differences — full render in the workflow artifacts</summary>"
echo
echo '```diff'
# A diff line can contain ``` itself: break such fences (zero-width space) so the block stays closed.
# shellcheck disable=SC2016
head -c "$limit" "$file" | sed 's/```/`\xe2\x80\x8b``/g'
echo
echo '```'
if [ "$size" -gt "$limit" ]; then
  echo
  echo "_Truncated: showing ${limit} of ${size} characters._"
fi
echo "</details>"
