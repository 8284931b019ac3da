#!/usr/bin/env bash
# Usage: scripts/render-diff.sh <base-ref>
#
# Renders every stack of <base-ref> and of the working tree offline and prints what a pull request
# changes: first a summary (every stateful object deleted or replaced, flagged; objects created,
# updated, replaced and deleted by kind and namespace; Vault engines, auth, roles and policies;
# images and privileges), then the unified diff of the rendered files, then the index.yaml
# bookkeeping diff last (scripts/render-diff-report.ts). Exits 0 whether or not there are
# differences; non-zero only if the working tree cannot be rendered or the arguments are wrong.
#
# The base is checked out with `git worktree` into a temporary directory. It reuses this checkout's
# node_modules (symlink) when package-lock.json is unchanged, and runs `npm ci` there otherwise.
# Both trees are rendered with THIS checkout's renderer (scripts/render.ts + scripts/lib), so the
# diff shows changes of the program, not of the render format.
#
# Environment: RENDER_DIFF_KEEP=<dir> keeps the two trees in <dir>/base and <dir>/head.
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

if [ $# -ne 1 ]; then
  bash "$0" --help >&2
  exit 2
fi
base_ref="$1"
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
tsx="$repo/node_modules/.bin/tsx"
[ -x "$tsx" ] || { echo "render-diff: $tsx not found; run npm ci first" >&2; exit 2; }
base_sha="$(git rev-parse --verify --quiet "${base_ref}^{commit}")" || { echo "render-diff: unknown git ref '$base_ref'" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/vaultkit-render-diff.XXXXXX")"
cleanup() {
  git -C "$repo" worktree remove --force "$tmp/base" >/dev/null 2>&1 || true
  rm -rf "$tmp"
  git -C "$repo" worktree prune >/dev/null 2>&1 || true
}
trap cleanup EXIT

git worktree add --detach --quiet "$tmp/base" "$base_sha"
if cmp -s "$repo/package-lock.json" "$tmp/base/package-lock.json"; then
  ln -s "$repo/node_modules" "$tmp/base/node_modules"
else
  echo "render-diff: package-lock.json differs from $base_ref; running npm ci for the base" >&2
  if ! (cd "$tmp/base" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null 2>&1); then
    echo "render-diff: npm ci failed for the base; reusing this checkout's node_modules" >&2
    rm -rf "$tmp/base/node_modules"
    ln -s "$repo/node_modules" "$tmp/base/node_modules"
  fi
fi
# Same renderer on both sides.
mkdir -p "$tmp/base/scripts"
rm -rf "$tmp/base/scripts/lib"
cp -R "$repo/scripts/lib" "$tmp/base/scripts/lib"
cp "$repo/scripts/render.ts" "$tmp/base/scripts/render.ts"

mkdir -p "$tmp/out/base" "$tmp/out/head"
if ls "$tmp/base"/Pulumi.*.yaml >/dev/null 2>&1; then
  if ! (cd "$tmp/base" && "$tsx" scripts/render.ts --all --out-root "$tmp/out/base" >"$tmp/base-render.log" 2>&1); then
    echo "render-diff: the base ($base_ref) could not be rendered completely; the diff is against what it rendered:" >&2
    sed 's/^/  /' "$tmp/base-render.log" >&2
  fi
else
  echo "render-diff: $base_ref has no stack files; diffing against an empty tree" >&2
fi
if ! "$tsx" scripts/render.ts --all --out-root "$tmp/out/head" >"$tmp/head-render.log" 2>&1; then
  echo "render-diff: the working tree could not be rendered:" >&2
  sed 's/^/  /' "$tmp/head-render.log" >&2
  exit 1
fi

if [ -n "${RENDER_DIFF_KEEP:-}" ]; then
  mkdir -p "$RENDER_DIFF_KEEP"
  rm -rf "$RENDER_DIFF_KEEP/base" "$RENDER_DIFF_KEEP/head"
  cp -R "$tmp/out/base" "$tmp/out/head" "$RENDER_DIFF_KEEP/"
fi

cd "$tmp/out"
if diff -rq base head >/dev/null; then
  echo "render-diff: no rendered changes against $base_ref ($base_sha)"
else
  # The summary first, then the object files' diff, index.yaml last (scripts/render-diff-report.ts).
  "$tsx" "$repo/scripts/render-diff-report.ts" --base base --head head --title "Render changes against $base_ref (${base_sha:0:12})"
fi
exit 0
