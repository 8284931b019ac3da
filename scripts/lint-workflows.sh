#!/usr/bin/env bash
# Lints the GitHub Actions workflows (and the local composite actions they use) with actionlint.
# actionlint is built from the Go module proxy into a cache outside the repository
# (${VAULTKIT_CACHE:-$HOME/.cache/vaultkit}/bin) the first time; later runs reuse it.
# Checks of `run:` scripts with shellcheck/pyflakes are on only when those tools are installed.
#
# Usage:
#   bash scripts/lint-workflows.sh            # lint .github/workflows/*.yml
#   bash scripts/lint-workflows.sh FILE...    # lint the given workflow files
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-1.7.12}"
CACHE="${VAULTKIT_CACHE:-$HOME/.cache/vaultkit}"
BIN="$CACHE/bin"
ACTIONLINT="$BIN/actionlint"

installed_version() {
  "$ACTIONLINT" -version 2>/dev/null | head -n 1 | sed 's/^v//'
}

if [ ! -x "$ACTIONLINT" ] || [ "$(installed_version)" != "$ACTIONLINT_VERSION" ]; then
  GO="$(command -v go || true)"
  if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; fi
  if [ -z "$GO" ]; then
    echo "lint-workflows: Go is needed to build actionlint $ACTIONLINT_VERSION (or put it at $ACTIONLINT)" >&2
    exit 2
  fi
  echo "lint-workflows: building actionlint v$ACTIONLINT_VERSION into $BIN" >&2
  mkdir -p "$BIN"
  GOBIN="$BIN" "$GO" install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
fi

args=()
if ! command -v shellcheck >/dev/null 2>&1; then args+=("-shellcheck="); fi
if ! command -v pyflakes >/dev/null 2>&1; then args+=("-pyflakes="); fi

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  shopt -s nullglob
  files=(.github/workflows/*.yml .github/workflows/*.yaml)
  shopt -u nullglob
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "lint-workflows: no workflow files found" >&2
  exit 1
fi

"$ACTIONLINT" "${args[@]}" "${files[@]}"
echo "lint-workflows: ${#files[@]} workflow file(s) OK (actionlint v$ACTIONLINT_VERSION$([ ${#args[@]} -gt 0 ] && echo ", without ${args[*]}"))"
