#!/usr/bin/env bash
# Every benchmark: bench/*.bench.ts (through tsx) and bench/*.bench.mjs. Each prints its own
# figures and a ratio against a peer measured in the same run.
set -uo pipefail
cd "$(dirname "$0")/.."
rc=0
for f in bench/*.bench.ts bench/*.bench.mjs; do
  [ -f "$f" ] || continue
  echo "=== $f ==="
  case "$f" in
    *.ts) node --import tsx "$f" || rc=1 ;;
    *) node "$f" || rc=1 ;;
  esac
done
exit $rc
