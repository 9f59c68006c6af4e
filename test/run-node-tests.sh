#!/usr/bin/env bash
# Runs every <dir>/**/*.test.ts with node:test (Node 20's runner has no glob) and ends with
# "<name>: N passed, N failed, N skipped" (a test still running after 15 minutes fails, so a test that
# leaves a handle open cannot hang CI). Usage: run-node-tests.sh NAME DIR CONCURRENCY
set -uo pipefail
name=$1 dir=$2 concurrency=$3
mapfile -t files < <(find "$dir" -name '*.test.ts' | sort)
if [ ${#files[@]} -eq 0 ]; then echo "$name: 0 passed, 0 failed, 0 skipped"; exit 0; fi
log=$(mktemp)
node --import tsx --test --test-concurrency="$concurrency" --test-timeout=900000 --test-reporter=spec "${files[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
pass=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
fail=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
skip=$(grep -E '^ℹ skipped [0-9]+' "$log" | tail -1 | awk '{print $3}')
rm -f "$log"
echo "$name: ${pass:-0} passed, ${fail:-1} failed, ${skip:-0} skipped"
exit $rc
