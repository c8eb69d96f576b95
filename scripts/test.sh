#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, typechecks, then runs each workspace's
# tests (unit, contract tests of every adapter, and the end-to-end mesh) on local servers
# the testkit starts on free ports.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/usr/local/sbin"
eval "$(bash scripts/install-test-deps.sh)"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
npx turbo run build --output-logs=errors-only
npx turbo run typecheck test --concurrency=2 --output-logs=full --log-order=grouped "$@"
