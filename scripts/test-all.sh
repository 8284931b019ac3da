#!/usr/bin/env bash
# The whole test suite — what `npm test` runs and what CI runs:
#   1. unit + render tiers (mock engine, offline render validated against upstream schemas)
#   2. the real-server tier (a Vault-API server and PostgreSQL 15, started and stopped here)
#   3. the e2e tier (a real Pulumi engine built from the Go module proxy, through the Automation API)
# Tiers 2 and 3 build what they need the first time (cached in ${VAULTKIT_CACHE:-~/.cache/vaultkit}).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== unit + render tiers"
npx vitest run --project unit --project render

echo "== real-server tier"
bash scripts/test-integration.sh

echo "== e2e tier"
bash scripts/test-e2e.sh
