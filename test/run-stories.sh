#!/usr/bin/env bash
# Runs every Storybook story as a test (play function + a11y check) in the system Chromium through
# @storybook/addon-vitest, and ends with "stories: N passed, N failed, N skipped"; non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."

export STORYBOOK_DISABLE_TELEMETRY=1
# The docs tables read the manifest; make it when a fresh checkout has none.
[ -f dist/custom-elements.json ] || npx --no-install cem analyze --config custom-elements-manifest.config.mjs >/dev/null

log=$(mktemp)
npx --no-install vitest run --config .storybook/vitest.config.ts "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
summary=$(grep -E '^stories: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
rm -f "$log"
if [ -z "$summary" ]; then
  # vitest died before the reporter ran: count that as one failure.
  echo "stories: 0 passed, 1 failed, 0 skipped"
  exit 1
fi
if [ "$rc" -ne 0 ] && grep -qE ' 0 failed' <<<"$summary"; then
  echo "stories: $(sed -E 's/^stories: ([0-9]+) passed.*/\1/' <<<"$summary") passed, 1 failed, 0 skipped"
  exit 1
fi
# The reporter's line is already the last summary line; repeat it so it is the very last line.
echo "$summary"
exit "$rc"
