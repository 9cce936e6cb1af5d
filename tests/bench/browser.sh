#!/bin/sh
# Browser figures for the wizard (Chromium against `vch serve --simulator`): median time of one
# full validation of a large config, input event to updated DOM, input to next frame, compressed
# size of wasm + js + css, time to first render. Then the same wizard against a vCenter-scale
# snapshot (issue 14's large size: 40 clusters x 25 hosts, 2,000 port groups, 200 datastores,
# 2,100 existing-VCH rows, from `cargo run -p shared --example big_snapshot`) served in place of
# the simulator's inventory: inventory arrival to usable page, keystroke to DOM, full validation
# with the snapshot, picking a port group by typing. Prints `# perf:` lines; fails past the budgets.
# Needs the UI built (scripts/build-ui.sh) and the vch binary (VCH_BIN, default the debug build).
set -eu
cd "$(dirname "$0")/../e2e"
if [ -z "${VCH_BIG_SNAPSHOT:-}" ]; then
  VCH_BIG_SNAPSHOT=$(mktemp /tmp/vch-big-snapshot.XXXXXX.json)
  trap 'rm -f "$VCH_BIG_SNAPSHOT"' EXIT
  cargo run --quiet --locked -p shared --example big_snapshot >"$VCH_BIG_SNAPSHOT"
  export VCH_BIG_SNAPSHOT
fi
npm run --silent bench
