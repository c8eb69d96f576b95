#!/usr/bin/env bash
# Builds FerretDB 1.24.2 (the MongoDB-wire server used by tests) from the Go module proxy
# into a cache outside the clone, once. Prints the binary's path.
# `go install …@v1.24.2` alone yields a binary that panics (no build/version/version.txt in
# the module zip), so we copy the module source, write that file and build it.
set -euo pipefail
VERSION=v1.24.2
CACHE_DIR="${DISPATCH_CACHE_DIR:-/var/cache/dispatch-auth}"
BIN="$CACHE_DIR/bin/ferretdb-$VERSION"
if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then echo "$BIN"; exit 0; fi
command -v go >/dev/null || { echo "install-ferretdb: Go is required to build FerretDB" >&2; exit 1; }
mkdir -p "$CACHE_DIR/bin"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
src=$(cd /tmp && go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "install-ferretdb: could not download FerretDB $VERSION" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
echo "$VERSION" > "$work/build/version/version.txt"
echo unknown > "$work/build/version/commit.txt"
echo unknown > "$work/build/version/branch.txt"
echo source > "$work/build/version/package.txt"
(cd "$work" && go build -o "$BIN.tmp" ./cmd/ferretdb) >&2
mv "$BIN.tmp" "$BIN"
echo "$BIN"
