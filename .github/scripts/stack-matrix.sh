#!/usr/bin/env bash
# Prints GitHub Actions matrices for the stacks in this repository, from the Pulumi.<stack>.yaml
# files at the root (one per stack):
#   preview=[{"stack":"dev","backend":"cloud","production":false}, ...]   every stack
#   deploy=["dev", ...]        stacks deployed from CI, not marked production
#   production=["prod", ...]   stacks deployed from CI and marked production (vaultkit:production: true)
# Stacks listed in LOCAL_STACKS (default: "kind", the laptop stack) are previewed against an
# ephemeral cluster with a throw-away local backend and never deployed from CI.
# Writes to $GITHUB_OUTPUT when set, else to stdout.
#
# Usage:
#   bash .github/scripts/stack-matrix.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/help.sh" "$@"
set -euo pipefail
cd "$(dirname "$0")/../.."

LOCAL_STACKS="${LOCAL_STACKS:-kind}"

is_local() {
  local s
  for s in $LOCAL_STACKS; do [ "$s" = "$1" ] && return 0; done
  return 1
}

preview="" deploy="" production=""
shopt -s nullglob
for file in Pulumi.*.yaml; do
  stack="${file#Pulumi.}"
  stack="${stack%.yaml}"
  if ! printf '%s' "$stack" | grep -Eq '^[A-Za-z0-9_.-]+$'; then
    echo "stack-matrix: skipping $file (unexpected stack name)" >&2
    continue
  fi
  prod=false
  if grep -Eq '^[[:space:]]*vaultkit:production:[[:space:]]*true[[:space:]]*(#.*)?$' "$file"; then prod=true; fi
  backend=cloud
  if is_local "$stack"; then backend=local; fi
  preview+="${preview:+,}{\"stack\":\"$stack\",\"backend\":\"$backend\",\"production\":$prod}"
  if [ "$backend" = cloud ]; then
    if [ "$prod" = true ]; then production+="${production:+,}\"$stack\""; else deploy+="${deploy:+,}\"$stack\""; fi
  fi
done

out="${GITHUB_OUTPUT:-/dev/stdout}"
{
  echo "preview=[$preview]"
  echo "deploy=[$deploy]"
  echo "production=[$production]"
} >> "$out"
