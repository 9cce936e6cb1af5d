#!/bin/sh
# Create benchmark against the simulator: SOAP calls of one create (target <= 30, uploads not
# counted), peak RSS growth of `vch create` while it uploads a sparse 1 GB ISO (target < 32 MB),
# and its upload throughput against `curl -T` to the same datastore URL in the same run
# (target >= 80 %). Prints FIGURE lines; fails when a target is missed.
# Needs xorriso and curl.
set -eu
cd "$(dirname "$0")/../.."
cargo build --release -p proxy --bin vch
exec cargo test --release -p proxy --test deploy_bench -- --ignored --nocapture 2>&1 | grep -E "FIGURE|test result|panicked|assert"
