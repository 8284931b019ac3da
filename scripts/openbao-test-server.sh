#!/usr/bin/env bash
# A throw-away Vault-API dev server (built by scripts/build-openbao.sh) for the integration tier.
#
# Usage:
#   scripts/openbao-test-server.sh start   # `server -dev` on 127.0.0.1:$PORT with a random root token
#   scripts/openbao-test-server.sh env     # print export lines: VAULT_ADDR VAULT_TOKEN
#   scripts/openbao-test-server.sh stop    # stop it and delete its state
#
# Settings (environment):
#   VAULTKIT_BAO_PORT   TCP port on 127.0.0.1 (default 58200)
#   VAULTKIT_BAO_BIN    server binary (default: the cached path from scripts/build-openbao.sh --path)
#   VAULTKIT_BAO_DIR    state directory (default ${TMPDIR:-/tmp}/vaultkit-bao-$PORT): pid, log, token
#                       (mode 600), and a private HOME so the dev server's ~/.vault-token lands there.
#
# The dev server keeps everything in memory and is unsealed; it must only ever listen on loopback.
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${VAULTKIT_BAO_PORT:-58200}"
STATE_DIR="${VAULTKIT_BAO_DIR:-${TMPDIR:-/tmp}/vaultkit-bao-${PORT}}"
PID_FILE="$STATE_DIR/server.pid"
LOG_FILE="$STATE_DIR/server.log"
SECRET_FILE="$STATE_DIR/vault.env"
ADDR="http://127.0.0.1:$PORT"

log() { echo "openbao-test-server: $*" >&2; }

is_running() {
    [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

health_ok() {
    # 200 = initialized, unsealed, active (what a dev server reports once ready).
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ADDR/v1/sys/health" || true)"
    [ "$code" = "200" ]
}

cmd_start() {
    if is_running && health_ok; then
        log "already running at $ADDR (state in $STATE_DIR)"
        return
    fi
    local bin="${VAULTKIT_BAO_BIN:-$("$ROOT/scripts/build-openbao.sh" --path)}"
    if [ ! -x "$bin" ]; then
        log "server binary $bin is missing; run scripts/build-openbao.sh first"
        exit 1
    fi
    if curl -s -o /dev/null --max-time 2 "$ADDR/v1/sys/health"; then
        log "something else already answers on $ADDR; set VAULTKIT_BAO_PORT to a free port"
        exit 1
    fi
    rm -rf "$STATE_DIR"
    mkdir -p "$STATE_DIR/home"
    chmod 700 "$STATE_DIR"

    local token
    token="vkdev-$(openssl rand -hex 24)" # Vault refuses "." in a custom token ID
    umask 077
    cat >"$SECRET_FILE" <<EOF
export VAULT_ADDR=$ADDR
export VAULT_TOKEN=$token
EOF
    # The token goes in through the environment, not argv, so `ps` does not show it.
    # Both spellings: OpenBao reads BAO_*, Vault reads VAULT_*.
    (
        cd "$STATE_DIR"
        export HOME="$STATE_DIR/home"
        unset VAULT_ADDR VAULT_TOKEN BAO_ADDR BAO_TOKEN
        export VAULT_DEV_ROOT_TOKEN_ID="$token" BAO_DEV_ROOT_TOKEN_ID="$token"
        nohup "$bin" server -dev -dev-listen-address="127.0.0.1:$PORT" -dev-no-store-token \
            >"$LOG_FILE" 2>&1 </dev/null &
        echo $! >"$PID_FILE"
    )
    local i
    for i in $(seq 1 150); do
        if ! is_running; then
            log "server exited during startup; log follows"
            cat "$LOG_FILE" >&2
            exit 1
        fi
        if health_ok; then
            # The token must actually be root on this server.
            if curl -sf --max-time 2 -H "X-Vault-Token: $token" "$ADDR/v1/auth/token/lookup-self" >/dev/null; then
                log "up at $ADDR after ~$((i / 5))s (state in $STATE_DIR)"
                return
            fi
            log "server is up but the generated root token is not accepted; log follows"
            cat "$LOG_FILE" >&2
            cmd_stop
            exit 1
        fi
        sleep 0.2
    done
    log "sys/health did not answer 200 within 30s; log follows"
    cat "$LOG_FILE" >&2
    cmd_stop
    exit 1
}

cmd_stop() {
    if [ -f "$PID_FILE" ]; then
        stop_pid "$(cat "$PID_FILE")"
    fi
    remove_state_dir
}

# shellcheck source=scripts/lib/test-server.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/test-server.sh"
dispatch "${1:-}"
