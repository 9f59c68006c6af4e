#!/usr/bin/env bash
# End-to-end tests: node:test + playwright-core in the system Chromium against a real server
# process. Ends with "e2e: N passed, N failed, N skipped"; non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

# The pages load the CDN bundle: build it when a fresh checkout has none.
if [ ! -f dist/cdn/keyway.js ] || [ ! -f dist/console/console.js ]; then
  npm run build >/dev/null 2>&1 || { echo "e2e: 0 passed, 1 failed, 0 skipped (npm run build failed)"; exit 1; }
fi
# One file at a time: each journey drives its own server and browser.
exec bash test/run-node-tests.sh e2e test/e2e 1
