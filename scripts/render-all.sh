#!/usr/bin/env bash
# Renders every stack (each Pulumi.<stack>.yaml at the repo root) offline, under Pulumi's mock
# engine, into ${RENDER_OUT:-render}/<stack>/. Extra arguments go to scripts/render.ts
# (e.g. --validate). No cluster, Pulumi account or Pulumi CLI needed. See docs/rendering.md.
#
# Usage:
#   scripts/render-all.sh [render.ts options...]   # e.g. --validate; RENDER_OUT=<dir> to write elsewhere
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
out="${RENDER_OUT:-render}"
tsx="$repo/node_modules/.bin/tsx"
if [ ! -x "$tsx" ]; then
  echo "render-all: $tsx not found; run npm ci first" >&2
  exit 2
fi
exec "$tsx" scripts/render.ts --all --out-root "$out" "$@"
