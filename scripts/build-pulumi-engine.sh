#!/usr/bin/env bash
# Builds the real Pulumi engine from the Go module proxy, once, into a cache outside the repository.
#
# Usage:
#   scripts/build-pulumi-engine.sh            # build what is missing or stale; prints the bin dir on stdout
#   scripts/build-pulumi-engine.sh --path     # print the bin dir; never builds
#   scripts/build-pulumi-engine.sh --check    # exit 0 if every buildable binary is present and current
#   scripts/build-pulumi-engine.sh NAME...    # only these (pulumi, pulumi-language-nodejs, pulumi-resource-random)
#
# Binaries land in ${VAULTKIT_CACHE:-$HOME/.cache/vaultkit}/pulumi/bin. Each has a stamp file
# (.NAME.stamp) holding a hash of its wrapper module's go.mod + go.sum + project-owned .go files +
# the Go version; a binary is rebuilt only when that hash changes. Module downloads and the build
# cache use Go's defaults (GOMODCACHE, GOCACHE), also outside the repository.
# Build: GOWORK=off CGO_ENABLED=0 go build -trimpath -mod=readonly, one binary at a time (2 cores).
#
# What is built from which module@version (details: docs/real-engine.md):
#   pulumi                  engine/pulumi                 github.com/pulumi/pulumi/pkg/v3@v3.274.1 (+ sdk/v3@v3.274.1)
#   pulumi-language-nodejs  engine/pulumi/language-nodejs github.com/pulumi/pulumi/sdk/v3@v3.68.0 (the last
#                           release that still carried the Node.js language host inside sdk/v3; its own
#                           module .../sdk/nodejs/cmd/pulumi-language-nodejs/v3 is refused by the proxy)
#   pulumi-resource-random  engine/provider-random        project-owned bridge main over
#                           terraform-provider-random@v1.3.2-0.20260513075824-f8d869dc98d9 and
#                           pulumi-terraform-bridge/v3@v3.120.0 (pulumi-random/provider/v4 is refused)
#   pulumi-resource-vault   BLOCKED: pulumi-vault/provider/v7 and terraform-provider-vault are refused by
#                           the proxy (engine/provider-vault/BLOCKED.md); built only if engine/provider-vault/go.mod appears
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${VAULTKIT_CACHE:-$HOME/.cache/vaultkit}"
BIN="$CACHE/pulumi/bin"

log() { echo "build-pulumi-engine: $*" >&2; }

# name | wrapper dir (relative to engine/) | main package | -X ldflags
COMPONENTS=(
    "pulumi|pulumi|github.com/pulumi/pulumi/pkg/v3/cmd/pulumi|github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.274.1"
    "pulumi-language-nodejs|pulumi/language-nodejs|github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs|github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.68.0"
    "pulumi-resource-random|provider-random|./cmd/pulumi-resource-random|main.Version=4.21.2"
    "pulumi-resource-vault|provider-vault|./cmd/pulumi-resource-vault|main.Version=7.8.0"
)

mode=build
want=()
for a in "$@"; do
    case "$a" in
    --path) mode=path ;;
    --check) mode=check ;;
    -h | --help)
        sed -n '2,12p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *) want+=("$a") ;;
    esac
done

if [ "$mode" = path ]; then
    echo "$BIN"
    exit 0
fi

if ! command -v go >/dev/null 2>&1; then
    log "go is not on PATH (Go 1.26 with the Go module proxy is needed to build the engine)"
    exit 1
fi
GOVER="$(go env GOVERSION GOOS GOARCH | tr '\n' ' ')"

stamp_of() { # wrapper dir -> hash of what the binary depends on in the repo
    local dir="$1"
    {
        cat "$dir/go.mod" "$dir/go.sum"
        # project-owned sources (a provider's main.go, the random shim), not nested wrapper modules
        find "$dir" -type f \( -name '*.go' -o -path '*/shim/go.*' \) -not -path "$ROOT/engine/pulumi/language-nodejs/*" |
            LC_ALL=C sort | xargs -r cat
        echo "$GOVER"
    } | sha256sum | cut -c1-16
}

selected() {
    local n="$1"
    [ "${#want[@]}" -eq 0 ] && return 0
    local w
    for w in "${want[@]}"; do [ "$w" = "$n" ] && return 0; done
    return 1
}

mkdir -p "$BIN"
total_start=$(date +%s)
status=0
summary=()
for c in "${COMPONENTS[@]}"; do
    IFS='|' read -r name rel pkg xflag <<<"$c"
    selected "$name" || continue
    dir="$ROOT/engine/$rel"
    if [ ! -f "$dir/go.mod" ]; then
        summary+=("$name: not built (no engine/$rel/go.mod; see engine/$rel/BLOCKED.md)")
        continue
    fi
    key="$(stamp_of "$dir")"
    out="$BIN/$name"
    stamp="$BIN/.$name.stamp"
    if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
        summary+=("$name: warm (cached, stamp $key, 0s)")
        continue
    fi
    if [ "$mode" = check ]; then
        summary+=("$name: missing or stale")
        status=1
        continue
    fi
    log "building $name from engine/$rel ($pkg); a cold build takes minutes on 2 cores"
    start=$(date +%s)
    tmp="$(mktemp "$BIN/.$name.build.XXXXXX")"
    if (
        cd "$dir"
        GOWORK=off CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly" \
            go build -trimpath -tags grpcnotrace -ldflags "-s -w -X $xflag" -o "$tmp" "$pkg"
    ); then
        mv -f "$tmp" "$out"
        echo "$key" >"$stamp"
        secs=$(($(date +%s) - start))
        summary+=("$name: built in ${secs}s (stamp $key)")
    else
        rm -f "$tmp"
        summary+=("$name: BUILD FAILED after $(($(date +%s) - start))s")
        status=1
    fi
done

for s in "${summary[@]}"; do log "$s"; done
log "total $(($(date +%s) - total_start))s; bin dir $BIN"
[ "$mode" = check ] && exit "$status"
[ "$status" -eq 0 ] || exit "$status"
echo "$BIN"
