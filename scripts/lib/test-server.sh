# shellcheck shell=bash
# Shared by scripts/openbao-test-server.sh, scripts/postgres-test-server.sh and scripts/kube-test-server.sh
# (sourced, not run). The sourcing script defines STATE_DIR, SECRET_FILE, log(), is_running(), cmd_start
# and cmd_stop.

# Stops one process: TERM, up to 5 s to exit, then KILL.
stop_pid() {
    local pid="$1" _
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# Deletes the server's state directory (data, pid, log, secrets).
remove_state_dir() {
    if [ -e "$STATE_DIR" ]; then
        rm -rf "$STATE_DIR"
        log "stopped and removed $STATE_DIR"
    fi
}

# Prints the export lines of a running server; fails when none runs.
cmd_env() {
    if [ ! -f "$SECRET_FILE" ] || ! is_running; then
        log "not running (no server in $STATE_DIR); run '$0 start' first"
        exit 1
    fi
    cat "$SECRET_FILE"
}

# start|stop|env
dispatch() {
    case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    env) cmd_env ;;
    *)
        echo "usage: $0 start|stop|env" >&2
        exit 2
        ;;
    esac
}
