#!/bin/sh
# Validation under hostile input through the real server: starts a release `vch serve`, posts the
# worst-case body that fits the 1 MiB request limit to POST /api/validate, and prints the time per
# request and the server's peak resident memory (VmHWM) before and after.
# Bodies: one container network with ~50,000 IP ranges that all overlap (one list far over its cap), and
# every list filled to its cap with ranges that all overlap (the most rule work the caps allow).
# Usage: tests/bench/validate.sh [requests per body, default 20]
set -eu
cd "$(dirname "$0")/../.."
N="${1:-20}"
cargo build --release --locked -p proxy --bin vch >&2
TARGET="${CARGO_TARGET_DIR:-target}"
WORK="$(mktemp -d)"
PID=""
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
limit = 1024 * 1024
# 1. One list far over its cap, up to the body limit.
ranges, size = [], 200
while size < limit - 1024:
    r = "10.1.0.%d-10.1.0.250" % (2 + len(ranges) % 200)
    ranges.append(r)
    size += len(r) + 3
body = {"network": {"container_networks": [{"port_group": "pg", "gateway": "10.1.0.1/16", "ip_ranges": ranges}]}}
open(work + "/over-cap.json", "w").write(json.dumps(body, separators=(",", ":")))
# 2. Every list at its cap (64 networks x 256 overlapping ranges, 16 DNS each), padded with a
# volume store list at its cap.
nets = [{"port_group": "pg%d" % n, "alias": "same", "gateway": "10.0.0.1/8",
         "ip_ranges": ["10.%d.0.%d-10.%d.0.250" % (n, 2 + i % 200, n) for i in range(256)],
         "dns": ["10.0.0.53"] * 16} for n in range(64)]
body = {"network": {"container_networks": nets},
        "storage": {"volume_stores": ["ds1/v%d:same" % i for i in range(64)]}}
open(work + "/at-caps.json", "w").write(json.dumps(body, separators=(",", ":")))
PY
"$TARGET/release/vch" serve --listen 127.0.0.1:0 --url-file "$WORK/url" --ui-dir "$WORK" >"$WORK/log" 2>&1 &
PID=$!
while [ ! -s "$WORK/url" ]; do sleep 0.1; done
URL="$(cat "$WORK/url")"
hwm() { awk '/VmHWM/ {print $2 " kB"}' "/proc/$PID/status"; }
echo "vch serve idle: peak RSS $(hwm)"
for body in over-cap at-caps; do
    bytes=$(wc -c <"$WORK/$body.json")
    total=0
    for _ in $(seq "$N"); do
        t=$(curl -s -o "$WORK/report" -w '%{time_total}' -H 'content-type: application/json' \
            --data-binary "@$WORK/$body.json" "${URL}api/validate")
        total=$(echo "$total + $t" | bc -l)
    done
    findings=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(len(r['findings']))" "$WORK/report")
    report=$(wc -c <"$WORK/report")
    printf '%s: body %s bytes, %s findings (%s bytes), mean %.1f ms over %s requests, peak RSS %s\n' \
        "$body" "$bytes" "$findings" "$report" "$(echo "$total * 1000 / $N" | bc -l)" "$N" "$(hwm)"
done
