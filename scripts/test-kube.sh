#!/usr/bin/env bash
# The kube tier: a real kube-apiserver + kube-controller-manager + etcd (scripts/kube-test-server.sh),
# a Vault-API dev server and PostgreSQL 15 (for the Vault Kubernetes-auth and fetcher tests of this
# tier), all on loopback, then `vitest run --project kube`. Everything started here is stopped on any
# exit; vitest's exit code is ours.
#
# Usage:
#   scripts/test-kube.sh [extra vitest args...]
#
# Ports (environment): the kube servers take free ports unless VAULTKIT_KUBE_PORT (and friends, see
# scripts/kube-test-server.sh --help) are set; the Vault-API server listens on VAULTKIT_KUBE_BAO_PORT
# (default 58220) and PostgreSQL on VAULTKIT_KUBE_PG_PORT (default 55452), apart from the integration
# (58200/55432) and e2e (58210/55442) tiers' defaults. The HA bootstrap test's Raft Vaults take free
# ports, or 14 consecutive ones from VAULTKIT_KUBE_RAFT_PORT when it is set.
#
# Needs Go + the Go module proxy the first time (scripts/build-kube.sh, about 34 min cold on a busy
# 2-core machine; scripts/build-openbao.sh), openssl, curl, gpg, Node >= 22 and what postgres-test-server.sh
# needs. Sets VAULTKIT_KUBE_REQUIRED=1 and VAULTKIT_INTEGRATION_REQUIRED=1: a missing binary or server
# fails, never skips.
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/tier.sh
. "$ROOT/scripts/lib/tier.sh"

log() { echo "test-kube: $*" >&2; }

export VAULTKIT_KUBE_BIN="${VAULTKIT_KUBE_BIN:-$("$ROOT/scripts/build-kube.sh")}"
export VAULTKIT_BAO_BIN="${VAULTKIT_BAO_BIN:-$("$ROOT/scripts/build-openbao.sh")}"
export VAULTKIT_BAO_PORT="${VAULTKIT_KUBE_BAO_PORT:-58220}"
export VAULTKIT_PG_PORT="${VAULTKIT_KUBE_PG_PORT:-55452}"
# The servers' own state dirs derive from these ports; nothing inherited may redirect them.
unset VAULTKIT_BAO_DIR VAULTKIT_PG_DIR VAULT_ADDR VAULT_TOKEN PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE
unset KUBECONFIG VAULTKIT_KUBE_SERVER VAULTKIT_KUBE_CA_FILE VAULTKIT_KUBE_TOKEN
[ -n "${VAULTKIT_KUBE_PORT:-}" ] || unset VAULTKIT_KUBE_DIR

# The kube server's stop needs VAULTKIT_KUBE_DIR, which its start prints.
# (Assign, then eval: `eval "$(failing)"` would hide the failure from set -e.)
STARTED_SERVERS+=(kube-test-server.sh)
lines="$(VAULTKIT_KUBE_CONTROLLERS=1 "$ROOT/scripts/kube-test-server.sh" start)"
eval "$lines"
lines="$("$ROOT/scripts/kube-test-server.sh" env)"
eval "$lines"
STARTED_SERVERS+=(postgres-test-server.sh)
"$ROOT/scripts/postgres-test-server.sh" start
lines="$("$ROOT/scripts/postgres-test-server.sh" env)"
eval "$lines"
STARTED_SERVERS+=(openbao-test-server.sh)
"$ROOT/scripts/openbao-test-server.sh" start
lines="$("$ROOT/scripts/openbao-test-server.sh" env)"
eval "$lines"
unset lines

for v in KUBECONFIG VAULTKIT_KUBE_SERVER VAULTKIT_KUBE_CA_FILE VAULTKIT_KUBE_TOKEN VAULTKIT_KUBE_DIR \
    VAULT_ADDR VAULT_TOKEN PGHOST PGPORT PGUSER PGPASSWORD; do
    if [ -z "${!v:-}" ]; then
        log "$v is not set after starting the servers"
        exit 1
    fi
done
export VAULTKIT_KUBE_REQUIRED=1 VAULTKIT_INTEGRATION_REQUIRED=1

set +e
npx vitest run --project kube "$@"
rc=$?
set -e
exit "$rc"
