# Shared by scripts/openbao-test-server.sh and scripts/postgres-test-server.sh (sourced, not run).
# The sourcing script defines STATE_DIR, SECRET_FILE, log(), is_running(), cmd_start and cmd_stop.

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
