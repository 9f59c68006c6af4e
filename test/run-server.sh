#!/usr/bin/env bash
# Server tests: node:test over every test/server/**/*.test.ts (Node 20's runner has no glob).
set -uo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find test/server -name '*.test.ts' | sort)
if [ ${#files[@]} -eq 0 ]; then echo "server: 0 passed, 0 failed"; exit 0; fi
log=$(mktemp)
node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
pass=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
fail=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
skip=$(grep -E '^ℹ skipped [0-9]+' "$log" | tail -1 | awk '{print $3}')
rm -f "$log"
echo "server: ${pass:-0} passed, ${fail:-1} failed, ${skip:-0} skipped"
exit $rc
