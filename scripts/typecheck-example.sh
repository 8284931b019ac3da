#!/usr/bin/env bash
# Type-checks the consumer example (examples/second-team-app) against this checkout's components,
# quickly: its tsconfig.checkout.json maps the `vaultkit` import to components/index.ts and uses the
# root node_modules. Used by CI; test/e2e/package.test.ts checks the same example against the packed
# tarball (`npm pack`) installed from scratch.
#
# Usage:
#   scripts/typecheck-example.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install tsc -p examples/second-team-app/tsconfig.checkout.json
echo "typecheck-example: examples/second-team-app OK"
