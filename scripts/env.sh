# Sourced by the other scripts: one place for paths and pinned tool versions.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# A cargo target dir outside the clone, reused by later runs on the same machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/vch-target}"

# Must equal the `wasm-bindgen` pin in Cargo.toml and `[tools] wasm_bindgen` in Trunk.toml.
WASM_BINDGEN_VERSION="$(grep -m1 '^wasm-bindgen = ' "$REPO_ROOT/Cargo.toml" | sed -E 's/.*"=?([0-9.]+)".*/\1/')"
export WASM_BINDGEN_VERSION
export TRUNK_VERSION="0.21.14"

# Debian's Go workspace carries govmomi's simulator; builds stay offline.
export VCH_GOPATH="/usr/share/gocode"

# npm's binaryen (wasm-opt 132) before anything else: Debian's 108 produces broken wasm.
export PATH="$REPO_ROOT/frontend/node_modules/.bin:$HOME/.cargo/bin:$PATH"

export VCH_BIN="$CARGO_TARGET_DIR/release/vch"
export VCH_UI_DIR="$REPO_ROOT/dist"

# Our simulator harness (tests/vcsim), built once so no test waits for the Go compiler.
export VCH_VCSIM_BIN="$CARGO_TARGET_DIR/vch-vcsim"
build_simulator() {
  (cd "$REPO_ROOT/tests/vcsim" && GOPATH="$VCH_GOPATH" GO111MODULE=off \
    go build -o "$VCH_VCSIM_BIN" .)
}

log() { printf '\n==> %s\n' "$*" >&2; }
