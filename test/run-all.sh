#!/usr/bin/env bash
# Runs every test suite that exists (test/run-<suite>.sh) and ends with one plain line
# "N passed, N failed" summing them. Each suite script prints "<suite>: N passed, N failed"
# as its own summary; a suite that exits non-zero without one counts as one failure.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
exit_code=0
for suite in server widgets stories e2e packages; do
  script="test/run-$suite.sh"
  [ -f "$script" ] || continue
  echo "=== $suite ==="
  log=$(mktemp)
  bash "$script" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  summary=$(grep -E "^$suite: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
  rm -f "$log"
  if [ -n "$summary" ]; then
    p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$summary")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")
  else
    p=0
    f=$([ "$rc" -eq 0 ] && echo 0 || echo 1)
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$rc" -ne 0 ] && exit_code=1
done
echo "${passed} passed, ${failed} failed"
exit $exit_code
