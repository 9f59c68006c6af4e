#!/usr/bin/env bash
# Runs the widget tests (web-test-runner, system Chromium) and ends with
# "widgets: N passed, N failed, N skipped"; non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

# cdn-bundle.test.ts loads the built CDN file: build it when missing or older than its sources.
if [ ! -f dist/cdn/keyway.js ] || [ -n "$(find src vite.config.ts -newer dist/cdn/keyway.js -print -quit)" ]; then
  npx --no-install vite build --logLevel warn || exit 1
fi

summary=$(mktemp)
rm -f "$summary"
KEYWAY_WTR_SUMMARY="$summary" npx --no-install web-test-runner --config web-test-runner.config.mjs "$@"
rc=$?

if [ -s "$summary" ]; then
  read -r passed failed skipped < <(node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(c.passed,c.failed,c.skipped)' "$summary")
else
  # The runner died before reporting: count that as one failure.
  passed=0; failed=1; skipped=0
fi
rm -f "$summary"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "widgets: ${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
