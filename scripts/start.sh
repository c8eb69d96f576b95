#!/usr/bin/env bash
# Starts Dispatch Auth on the embedded default: every service in one process, in-memory
# bus/store/limiter, the edge on EDGE_PORT (default 8080) and the example Orders upstream.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
TURBO_TELEMETRY_DISABLED=1 npx turbo run build --filter=@dispatch/embedded... --output-logs=errors-only
exec node apps/embedded/dist/main.js
