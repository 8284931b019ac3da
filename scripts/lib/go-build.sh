# shellcheck shell=bash
# Shared by scripts/build-pulumi-engine.sh and scripts/build-kube.sh (sourced, not run): builds Go binaries
# from wrapper modules under engine/ into a cache dir, each only when the hash of its inputs changed.
# The sourcing script defines ROOT, BIN (output dir), MODE (build|check), WANT (names asked for on the
# command line; empty = all) and log(); SUMMARY gets one line per binary and STATUS turns 1 on a failed
# build (or, in check mode, a missing or stale binary).
SUMMARY=()
STATUS=0
# The compiler's garbage collector at GOGC=400 instead of 100: a cold build of etcd took 13 % less CPU
# (user 122 s instead of 141 s, twice each, empty GOCACHE; peak RSS 0.35-0.41 GB instead of 0.31-0.39 GB), and
# compiling is most of a cold CI run. The GOGC in the environment wins.
GO_BUILD_GOGC="${GOGC:-400}"
GO_BUILD_START=$(date +%s)

# True when NAME was asked for (or nothing was).
go_build_selected() {
    local w
    [ "${#WANT[@]}" -eq 0 ] && return 0
    for w in "${WANT[@]}"; do [ "$w" = "$1" ] && return 0; done
    return 1
}

# go_build_cached NAME DIR KEY PKG [go build flags...]
# Warm when $BIN/NAME exists with stamp KEY. Otherwise (build mode) runs, in DIR,
#   GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath [flags] -o <tmp> PKG
# (the wrapper's go.mod/go.sum are the pin; a build never rewrites them), then moves the binary in
# place and writes the stamp, so an interrupted build never leaves a half-written binary behind.
# A sourcing script may define go_build_prepare NAME PKG: it runs in DIR just before the build.
go_build_cached() {
    local name="$1" dir="$2" key="$3" pkg="$4"
    shift 4
    local out="$BIN/$name" stamp="$BIN/.$name.stamp" start tmp lock_fd
    if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
        SUMMARY+=("$name: warm (cached, stamp $key, 0s)")
        return 0
    fi
    if [ "$MODE" = check ]; then
        SUMMARY+=("$name: missing or stale")
        STATUS=1
        return 0
    fi
    mkdir -p "$BIN"
    # One build per binary at a time: a second caller (CI's background prebuild and a tier runner, or
    # two tier runners) waits for the first and then finds the binary warm instead of building it again.
    exec {lock_fd}>"$BIN/.$name.lock"
    if ! flock -n "$lock_fd"; then
        log "waiting for another build of $name to finish"
        flock "$lock_fd"
    fi
    if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
        exec {lock_fd}>&-
        SUMMARY+=("$name: warm (built meanwhile by another caller, stamp $key)")
        return 0
    fi
    log "building $name from ${dir#"$ROOT"/} ($pkg); a cold build takes minutes on 2 cores"
    start=$(date +%s)
    tmp="$(mktemp "$BIN/.$name.build.XXXXXX")"
    if (
        cd "$dir"
        if declare -F go_build_prepare >/dev/null; then go_build_prepare "$name" "$pkg"; fi
        GOWORK=off CGO_ENABLED=0 GOGC="$GO_BUILD_GOGC" GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath "$@" -o "$tmp" "$pkg"
    ); then
        mv -f "$tmp" "$out"
        echo "$key" >"$stamp"
        SUMMARY+=("$name: built in $(($(date +%s) - start))s (stamp $key)")
    else
        rm -f "$tmp"
        SUMMARY+=("$name: BUILD FAILED after $(($(date +%s) - start))s")
        STATUS=1
    fi
    exec {lock_fd}>&-
}

# Logs the summary and the total time, then exits: in check mode with STATUS; otherwise non-zero on a
# failure, else 0 after printing the bin dir on stdout.
go_build_finish() {
    local s
    for s in "${SUMMARY[@]}"; do log "$s"; done
    log "total $(($(date +%s) - GO_BUILD_START))s; bin dir $BIN"
    [ "$MODE" = check ] && exit "$STATUS"
    [ "$STATUS" -eq 0 ] || exit "$STATUS"
    echo "$BIN"
    exit 0
}
