#!/usr/bin/env bash
# Server tests: node:test over every test/server/**/*.test.ts.
set -uo pipefail
cd "$(dirname "$0")/.."
exec bash test/run-node-tests.sh server test/server 2
