#!/usr/bin/env bash
# Builds the wizard into dist/ with Trunk (release, offline, pinned tools).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
trunk build --release --config Trunk.toml
