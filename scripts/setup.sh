#!/usr/bin/env bash
# Installs what building, running and testing vch-deploy needs, skipping whatever is already there.
# Safe to run again and again: every step checks before it installs.
set -euo pipefail
source "$(dirname "$0")/env.sh"

apt_packages=(golang-go golang-github-vmware-govmomi-dev chromium chromium-driver xorriso brotli)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "apt: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup: adding wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  log "cargo: installing trunk $TRUNK_VERSION (one-off, ~10 min)"
  # Thin LTO off and more codegen units: the install is a build tool, not a hot path.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/tools" \
    cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  log "cargo: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (one-off, ~6 min)"
  # Not --locked: its lockfile pins a webpki-roots release the registry no longer has.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/tools" \
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

for dir in frontend tests/e2e; do
  if [ -f "$REPO_ROOT/$dir/package-lock.json" ]; then
    stamp="$REPO_ROOT/$dir/node_modules/.package-lock.json"
    if [ ! -f "$stamp" ] || [ "$REPO_ROOT/$dir/package-lock.json" -nt "$stamp" ]; then
      log "npm: installing $dir"
      (cd "$REPO_ROOT/$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
done

if ! python3 -c 'import pyVmomi' 2>/dev/null; then
  log "pip: installing pyvmomi"
  python3 -m pip install --quiet pyvmomi
fi

log "setup complete"
