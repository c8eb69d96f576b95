#!/usr/bin/env bash
# Installs what the test suite needs when it is missing: npm dependencies, nats-server,
# redis-server and chromium (Debian packages), and FerretDB 1.24 (built once into a cache outside the clone).
# Prints `export FERRETDB_BIN=…` for the caller to eval.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/usr/local/sbin"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-test-deps: npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

missing=()
command -v nats-server >/dev/null || missing+=(nats-server)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v go >/dev/null || missing+=(golang-go)
# The portal's browser tests (tests/portal) drive Debian's chromium through playwright-core.
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-test-deps: apt-get install ${missing[*]}" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

if command -v mongod >/dev/null || [ -n "${MONGO_URL:-}" ]; then
  exit 0
fi
bin=$(bash scripts/install-ferretdb.sh)
echo "export FERRETDB_BIN=$bin"
