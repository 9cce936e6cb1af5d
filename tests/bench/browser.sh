#!/bin/sh
# Browser figures for the wizard (Chromium against `vch serve --simulator`): median time of one
# full validation of a large config, input event to updated DOM, input to next frame, compressed
# size of wasm + js + css, time to first render. Prints `# perf:` lines; fails past the budgets.
# Needs the UI built (scripts/build-ui.sh) and the vch binary (VCH_BIN, default the debug build).
set -eu
cd "$(dirname "$0")/../e2e"
exec npm run --silent bench
