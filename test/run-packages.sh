#!/usr/bin/env bash
# The publishable packages and the partner examples: `npm run pack`, then each tarball installed
# into an empty project (needs the npm registry) and the examples built from them and driven in
# Chromium. Ends with "packages: N passed, N failed, N skipped"; non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! npm run --silent pack >/tmp/keyway-pack.$$.log 2>&1; then
  cat /tmp/keyway-pack.$$.log; rm -f /tmp/keyway-pack.$$.log
  echo "packages: 0 passed, 1 failed, 0 skipped (npm run pack failed)"; exit 1
fi
rm -f /tmp/keyway-pack.$$.log
exec bash test/run-node-tests.sh packages test/packages 2
