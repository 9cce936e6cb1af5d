#!/usr/bin/env bash
# Fresh machine to every test: set up, lint, build both targets, run the Rust, browser and
# independent (pyvmomi) tests. CI runs exactly this.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
start=$(date +%s)
"$REPO_ROOT/scripts/setup.sh"
log "build the vSphere simulator"
build_simulator

log "simulator harness tests (go)"
(cd tests/vcsim && GOPATH="$VCH_GOPATH" GO111MODULE=off go test -count=1 .)

log "format"
cargo fmt --all -- --check

log "clippy (host)"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "clippy and check (wasm32)"
cargo clippy -p frontend -p shared --target wasm32-unknown-unknown --locked -- -D warnings
cargo check -p shared --target wasm32-unknown-unknown --features wasm --locked

log "build the wizard (trunk)"
"$REPO_ROOT/scripts/build-ui.sh"

log "cargo tests"
# setup.sh installed pyvmomi: an independent check must not silently skip in CI.
export VCH_REQUIRE_PYVMOMI=1
# Also builds target/debug/vch, which the browser tests below drive.
cargo test --workspace --locked
export VCH_BIN="$CARGO_TARGET_DIR/debug/vch"

if [ -f tests/e2e/package.json ]; then
  log "browser tests"
  (cd tests/e2e && npm test)
  # The same server over HTTPS with the certificate it generates into its state directory.
  log "browser tests over HTTPS"
  (cd tests/e2e && VCH_E2E_TLS=1 node --test --test-concurrency=1 \
    "$REPO_ROOT/tests/e2e/tests/connect.test.mjs" "$REPO_ROOT/tests/e2e/tests/deploy.test.mjs")
fi

log "all tests passed in $(( $(date +%s) - start )) s"
