#!/usr/bin/env bash
# End-to-end tests: node:test + playwright-core in the system Chromium against a real server
# process. Ends with "e2e: N passed, N failed, N skipped"; non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

# The pages load the CDN bundle: build it when a fresh checkout has none.
if [ ! -f dist/cdn/keyway.js ]; then
  npm run build >/dev/null 2>&1 || { echo "e2e: 0 passed, 1 failed, 0 skipped (npm run build failed)"; exit 1; }
fi
mapfile -t files < <(find test/e2e -name '*.test.ts' | sort)
if [ ${#files[@]} -eq 0 ]; then echo "e2e: 0 passed, 0 failed, 0 skipped"; exit 0; fi
log=$(mktemp)
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
pass=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
fail=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
skip=$(grep -E '^ℹ skipped [0-9]+' "$log" | tail -1 | awk '{print $3}')
rm -f "$log"
echo "e2e: ${pass:-0} passed, ${fail:-1} failed, ${skip:-0} skipped"
exit $rc
