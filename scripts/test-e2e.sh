#!/usr/bin/env bash
# The e2e tier: the real Pulumi engine (scripts/build-pulumi-engine.sh) driven through the Automation
# API against real servers, then `vitest run --project e2e`.
#
# Usage:
#   scripts/test-e2e.sh [extra vitest args...]
#
# Servers: if VAULT_ADDR + VAULT_TOKEN and PGHOST/PGPORT/PGUSER/PGPASSWORD are already set, they are
# used as they are and left running. Otherwise the stage-1 servers are started with
# scripts/openbao-test-server.sh and scripts/postgres-test-server.sh (on their own ports, so an
# integration run's servers are not disturbed) and stopped on exit.
#
# The Kubernetes-half tests (test/e2e/kubernetes-*.test.ts) start their own kube-apiserver +
# kube-controller-manager with scripts/kube-test-server.sh on free ports, and need /usr/bin/kubectl.
#
# Needs Go 1.26 + the Go module proxy the first time (engine and kube builds, tens of minutes cold on 2
# cores; cached in ${VAULTKIT_CACHE:-~/.cache/vaultkit}/pulumi/bin and .../kube/bin), Node >= 22, and
# what the stage-1 scripts need. Sets VAULTKIT_E2E_REQUIRED=1: a missing binary or server fails, never skips
# (the vault provider is the one exception while it is blocked: engine/provider-vault/BLOCKED.md).
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=scripts/lib/tier.sh
. "$ROOT/scripts/lib/tier.sh"

log() { echo "test-e2e: $*" >&2; }

PULUMI_BIN="$("$ROOT/scripts/build-pulumi-engine.sh")"
export VAULTKIT_PULUMI_BIN="$PULUMI_BIN"
"$PULUMI_BIN/pulumi" version >&2
# The Kubernetes-half tests start their own kube-apiserver + controller-manager (they stop and restart it).
export VAULTKIT_KUBE_BIN="${VAULTKIT_KUBE_BIN:-$("$ROOT/scripts/build-kube.sh")}"

if [ -n "${VAULT_ADDR:-}" ] && [ -n "${VAULT_TOKEN:-}" ]; then
    log "using the Vault at $VAULT_ADDR from the environment"
else
    export VAULTKIT_BAO_PORT="${VAULTKIT_E2E_BAO_PORT:-58210}"
    export VAULTKIT_BAO_BIN="${VAULTKIT_BAO_BIN:-$("$ROOT/scripts/build-openbao.sh")}"
    STARTED_SERVERS+=("openbao-test-server.sh")
    "$ROOT/scripts/openbao-test-server.sh" start
    eval "$("$ROOT/scripts/openbao-test-server.sh" env)"
fi

if [ -n "${PGHOST:-}" ] && [ -n "${PGUSER:-}" ] && [ -n "${PGPASSWORD:-}" ]; then
    log "using the PostgreSQL at ${PGHOST}:${PGPORT:-5432} from the environment"
else
    export VAULTKIT_PG_PORT="${VAULTKIT_E2E_PG_PORT:-55442}"
    STARTED_SERVERS+=("postgres-test-server.sh")
    "$ROOT/scripts/postgres-test-server.sh" start
    eval "$("$ROOT/scripts/postgres-test-server.sh" env)"
fi

for v in VAULT_ADDR VAULT_TOKEN PGHOST PGPORT PGUSER PGPASSWORD; do
    if [ -z "${!v:-}" ]; then
        log "$v is not set after starting the servers"
        exit 1
    fi
done
export VAULTKIT_E2E_REQUIRED=1 VAULTKIT_INTEGRATION_REQUIRED=1

set +e
npx vitest run --project e2e "$@"
rc=$?
set -e
exit "$rc"
