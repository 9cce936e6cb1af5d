#!/usr/bin/env bash
# Fresh machine to a running product: set up, build, and serve the wizard on the embedded simulator.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$REPO_ROOT/scripts/setup.sh"
log "build the vSphere simulator"
build_simulator
"$REPO_ROOT/scripts/build-ui.sh"
log "building vch"
cargo build --release -p proxy
log "starting vch on the embedded vSphere simulator (Ctrl-C stops both)"
exec "$VCH_BIN" serve --simulator --listen "${VCH_LISTEN:-127.0.0.1:8080}" --ui-dir "$VCH_UI_DIR"
