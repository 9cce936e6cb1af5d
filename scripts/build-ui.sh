#!/usr/bin/env bash
# Builds the wizard into dist/ with Trunk (release, offline, pinned tools).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
trunk build --release --config Trunk.toml

# Precompressed copies beside the assets: `vch serve` (ServeDir with precompressed gzip and br)
# sends them as they are instead of compressing the wasm on every request. Brotli only where the
# tool is installed; gzip everywhere. Never index.html: the server hashes its inline loader script
# into the Content-Security-Policy (proxy/src/http/security.rs) and can only read a page sent
# uncompressed; a precompressed page would go out without the hash and the browser would block
# the loader (a blank page).
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \) |
  while read -r asset; do
    gzip -9 -n -k -f "$asset"
    if command -v brotli >/dev/null 2>&1; then
      brotli -q 11 -k -f "$asset"
    fi
  done
