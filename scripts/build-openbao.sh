#!/usr/bin/env bash
# Builds the Vault-API test server from the wrapper module in engine/openbao, once.
#
# Usage:
#   scripts/build-openbao.sh           # build if missing; prints the binary's path on stdout
#   scripts/build-openbao.sh --path    # print where the binary is (or would be); never builds
#
# The binary is cached OUTSIDE the repository, keyed by a hash of the wrapper's go.mod + go.sum and
# the Go version, so any version change rebuilds and an unchanged one is reused:
#   ${VAULTKIT_CACHE:-$HOME/.cache/vaultkit}/bin/vault-server-<key>
# Module downloads and the build cache use Go's own defaults (GOMODCACHE, GOCACHE), also outside
# the repository. Build: GOWORK=off CGO_ENABLED=0 go build -trimpath.
#
# Note: engine/openbao currently builds HashiCorp Vault, because the Go module proxy here refuses
# every OpenBao server module version (see the comment at the top of engine/openbao/go.mod).
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WRAPPER="$ROOT/engine/openbao"
CACHE="${VAULTKIT_CACHE:-$HOME/.cache/vaultkit}"

log() { echo "build-openbao: $*" >&2; }

if ! command -v go >/dev/null 2>&1; then
    log "go is not on PATH (Go 1.26 with the Go module proxy is needed to build the server)"
    exit 1
fi

key="$(
    {
        cat "$WRAPPER/go.mod" "$WRAPPER/go.sum"
        go env GOVERSION GOOS GOARCH
    } | sha256sum | cut -c1-16
)"
BIN="$CACHE/bin/vault-server-$key"

if [ "${1:-}" = "--path" ]; then
    echo "$BIN"
    exit 0
fi

if [ -x "$BIN" ]; then
    log "cached: $BIN (0s, nothing to build)"
    echo "$BIN"
    exit 0
fi

mkdir -p "$CACHE/bin"
# One build at a time (see scripts/lib/go-build.sh): a second caller waits, then finds it built.
exec {lock_fd}>"$BIN.lock"
if ! flock -n "$lock_fd"; then
    log "waiting for another build of $BIN to finish"
    flock "$lock_fd"
fi
if [ -x "$BIN" ]; then
    log "cached: $BIN (built meanwhile by another caller)"
    echo "$BIN"
    exit 0
fi
main_pkg="$(sed -n 's/^tool[[:space:]]\+\([^[:space:]]\+\).*/\1/p' "$WRAPPER/go.mod" | head -n1)"
if [ -z "$main_pkg" ]; then
    log "engine/openbao/go.mod has no 'tool' line naming the server's main package"
    exit 1
fi
log "building $main_pkg from engine/openbao (cold builds take several minutes on 2 cores)"
start=$(date +%s)
tmp="$(mktemp "$CACHE/bin/.vault-server-build.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
(
    cd "$WRAPPER"
    # -mod=readonly: the wrapper's go.mod/go.sum are the pin; a build never rewrites them.
    # GOGC=400 as in scripts/lib/go-build.sh (13 % less compile CPU, measured there).
    GOWORK=off CGO_ENABLED=0 GOGC="${GOGC:-400}" GOFLAGS="${GOFLAGS:-} -mod=readonly" \
        go build -trimpath -ldflags "-s -w" -o "$tmp" "$main_pkg"
)
mv -f "$tmp" "$BIN"
trap - EXIT
end=$(date +%s)
log "built $BIN in $((end - start))s ($("$BIN" version 2>/dev/null | head -n1))"
echo "$BIN"
