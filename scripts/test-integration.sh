#!/usr/bin/env bash
# The real-server test tier: a Vault-API dev server and PostgreSQL 15, both on loopback, then
# `vitest run --project integration`. Servers are stopped on any exit; vitest's exit code is ours.
#
# Usage:
#   scripts/test-integration.sh [extra vitest args...]
#
# Needs Go 1.26 + the Go module proxy (first run only: builds the server, see build-openbao.sh),
# Debian's postgresql-15 (installed via apt-get if missing), and Node >= 22.
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=scripts/lib/tier.sh
. "$ROOT/scripts/lib/tier.sh"

BAO_BIN="$("$ROOT/scripts/build-openbao.sh")"
export VAULTKIT_BAO_BIN="$BAO_BIN"

STARTED_SERVERS+=(postgres-test-server.sh openbao-test-server.sh)
"$ROOT/scripts/postgres-test-server.sh" start
"$ROOT/scripts/openbao-test-server.sh" start
eval "$("$ROOT/scripts/postgres-test-server.sh" env)"
eval "$("$ROOT/scripts/openbao-test-server.sh" env)"

# Never let the tier skip itself silently: the tests skip only when these are unset.
for v in VAULT_ADDR VAULT_TOKEN PGHOST PGPORT PGUSER PGPASSWORD; do
    if [ -z "${!v:-}" ]; then
        echo "test-integration: $v is not set after starting the servers" >&2
        exit 1
    fi
done
export VAULTKIT_INTEGRATION_REQUIRED=1

set +e
npx vitest run --project integration "$@"
rc=$?
set -e
exit "$rc"
