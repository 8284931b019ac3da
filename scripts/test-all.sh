#!/usr/bin/env bash
# The whole test suite — what `npm test` runs and what CI runs.
#
# Usage:
#   scripts/test-all.sh            # or: npm test
#
#   1. unit + render tiers (mock engine, offline render validated against upstream schemas)
#   2. the real-server tier (a Vault-API server and PostgreSQL 15, then 16, 17, 18 for the database files)
#   3. the kube tier (a real kube-apiserver + controller-manager + etcd, with its own Vault-API server
#      and PostgreSQL, started and stopped here)
#   4. the e2e tier (a real Pulumi engine built from the Go module proxy, through the Automation API)
# Tiers 2-4 build what they need the first time (cached in ${VAULTKIT_CACHE:-~/.cache/vaultkit}).
# Ends with one line adding up every tier: "tests: N passed, N failed, N skipped".
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail
cd "$(dirname "$0")/.."

VAULTKIT_REPORT_DIR="$(mktemp -d)"
export VAULTKIT_REPORT_DIR
summary() {
    local rc=$?
    node -e '
        const fs = require("fs"), dir = process.argv[1];
        let passed = 0, failed = 0, skipped = 0;
        for (const f of fs.readdirSync(dir)) {
            const r = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
            passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
        }
        console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    ' "$VAULTKIT_REPORT_DIR" || true
    rm -rf "$VAULTKIT_REPORT_DIR"
    exit "$rc"
}
trap summary EXIT

echo "== unit + render tiers"
npx vitest run --project unit --project render

echo "== real-server tier"
bash scripts/test-integration.sh

echo "== kube tier"
bash scripts/test-kube.sh

echo "== e2e tier"
bash scripts/test-e2e.sh
