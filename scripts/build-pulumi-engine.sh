#!/usr/bin/env bash
# Builds the real Pulumi engine from the Go module proxy, once, into a cache outside the repository.
#
# Usage:
#   scripts/build-pulumi-engine.sh            # build what is missing or stale; prints the bin dir on stdout
#   scripts/build-pulumi-engine.sh --path     # print the bin dir; never builds
#   scripts/build-pulumi-engine.sh --check    # exit 0 if every buildable binary is present and current
#   scripts/build-pulumi-engine.sh NAME...    # only these (pulumi, pulumi-language-nodejs, pulumi-language-yaml,
#                                             # pulumi-resource-random, pulumi-resource-kubernetes)
#
# Binaries land in ${VAULTKIT_CACHE:-$HOME/.cache/vaultkit}/pulumi/bin. Each has a stamp file
# (.NAME.stamp) holding a hash of its wrapper module's go.mod + go.sum + project-owned .go files +
# the Go version; a binary is rebuilt only when that hash changes. Module downloads and the build
# cache use Go's defaults (GOMODCACHE, GOCACHE), also outside the repository.
# Build: GOWORK=off CGO_ENABLED=0 go build -trimpath -mod=readonly, one binary at a time (2 cores); a
# project-owned main package (./cmd/...) gets `go generate` first (the kubernetes provider's embedded schema).
#
# What is built from which module@version (details: docs/real-engine.md):
#   pulumi                  engine/pulumi                 github.com/pulumi/pulumi/pkg/v3@v3.274.1 (+ sdk/v3@v3.274.1)
#   pulumi-language-nodejs  engine/pulumi/language-nodejs github.com/pulumi/pulumi/sdk/v3@v3.68.0 (the last
#                           release that still carried the Node.js language host inside sdk/v3; its own
#                           module .../sdk/nodejs/cmd/pulumi-language-nodejs/v3 is refused by the proxy)
#   pulumi-language-yaml    engine/pulumi-yaml            github.com/pulumi/pulumi-yaml@v1.25.0 over its own pulumi/{pkg,sdk}/v3
#                           v3.206.0 (it does not compile against the CLI's v3.274.1)
#   pulumi-resource-random  engine/provider-random        project-owned bridge main over
#                           terraform-provider-random@v1.3.2-0.20260513075824-f8d869dc98d9 and
#                           pulumi-terraform-bridge/v3@v3.120.0 (pulumi-random/provider/v4 is refused)
#   pulumi-resource-kubernetes engine/provider-kubernetes project-owned copy of upstream's main over
#                           pulumi-kubernetes/provider/v4@v4.0.0-20260115033456-f47bc2d6f199 (the only version
#                           served); its schema is generated from the module's schema.json at build time
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
    "pulumi-language-yaml|pulumi-yaml|github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml|github.com/pulumi/pulumi-yaml/pkg/version.Version=v1.25.0"
    "pulumi-resource-random|provider-random|./cmd/pulumi-resource-random|main.Version=4.21.2"
    "pulumi-resource-kubernetes|provider-kubernetes|./cmd/pulumi-resource-kubernetes|github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=4.34.2"
    "pulumi-resource-vault|provider-vault|./cmd/pulumi-resource-vault|main.Version=7.8.0"
)

MODE=build
WANT=()
for a in "$@"; do
    case "$a" in
    --path) MODE=path ;;
    --check) MODE=check ;;
    *) WANT+=("$a") ;;
    esac
done

if [ "$MODE" = path ]; then
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

# A project-owned main may generate what it embeds (no-op without //go:generate lines); run by
# go_build_cached in the wrapper dir, only when it builds.
go_build_prepare() { # name pkg
    case "$2" in ./*) GOWORK=off GOFLAGS="${GOFLAGS:-} -mod=readonly" go generate "$2" ;; esac
}

# shellcheck source=scripts/lib/go-build.sh
. "$ROOT/scripts/lib/go-build.sh"
for c in "${COMPONENTS[@]}"; do
    IFS='|' read -r name rel pkg xflag <<<"$c"
    go_build_selected "$name" || continue
    dir="$ROOT/engine/$rel"
    if [ ! -f "$dir/go.mod" ]; then
        SUMMARY+=("$name: not built (no engine/$rel/go.mod; see engine/$rel/BLOCKED.md)")
        continue
    fi
    go_build_cached "$name" "$dir" "$(stamp_of "$dir")" "$pkg" -tags grpcnotrace -ldflags "-s -w -X $xflag"
done
go_build_finish
