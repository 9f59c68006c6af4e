#!/usr/bin/env bash
# The publishable packages and the partner examples: `npm run pack`, then each tarball installed
# into an empty project (needs the npm registry) and the examples built from them and driven in
# Chromium. Ends with "packages: N passed, N failed, N skipped"; non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
if ! npm run --silent pack >"$log" 2>&1; then
  cat "$log"; rm -f "$log"
  echo "packages: 0 passed, 1 failed, 0 skipped (npm run pack failed)"; exit 1
fi
rm -f "$log"
# One install of each tarball per run, shared by the test files (one at a time, in name order).
export KEYWAY_PACKAGES_CACHE=$(mktemp -d /tmp/keyway-packages-XXXXXX)
trap 'rm -rf "$KEYWAY_PACKAGES_CACHE"' EXIT
bash test/run-node-tests.sh packages test/packages 1
