#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, typechecks, then runs each workspace's
# tests (unit, contract tests of every adapter, and the end-to-end mesh) on local servers
# the testkit starts on free ports. Ends with one summary line: "Tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/usr/local/sbin"
eval "$(bash scripts/install-test-deps.sh)"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
npx turbo run build --output-logs=errors-only
status=0
npx turbo run typecheck test --continue --concurrency=2 --output-logs=full --log-order=grouped "$@" 2>&1 | tee "$log" || status=$?
# Sum vitest's per-workspace "Tests  N failed | N passed" lines.
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^[^ ]*:test: +Tests +[0-9]/ {
    for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^skipped/) s += $i }
  }
  END { printf "Tests: %d passed, %d failed", p, f; if (s) printf ", %d skipped", s; printf "\n" }'
exit "$status"
