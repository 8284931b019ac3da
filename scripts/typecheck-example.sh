#!/usr/bin/env bash
# Type-checks the consumer example (examples/second-team-app) against the repository's components
# and the root node_modules; the example has no node_modules of its own. Used by CI.
#
# Usage:
#   scripts/typecheck-example.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install tsc --noEmit -p examples/second-team-app/tsconfig.json
echo "typecheck-example: examples/second-team-app OK"
