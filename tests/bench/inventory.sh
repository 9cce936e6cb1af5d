#!/bin/sh
# Inventory benchmark: `vch inventory` (release build) against a batched pyvmomi listing of the
# same simulated vCenter (tests/python/list_inventory.py --batched: every entity in one
# RetrievePropertiesEx over a container view, every host's firewall in another, and every VM's
# extraConfig, which the existing-VCH scan needs), in one run, at three sizes:
#   small   the simulator's default vCenter
#   medium  4 clusters x 25 hosts + 4 hosts, 200 distributed port groups, 50 datastores
#   large   40 clusters x 25 hosts + 2 hosts, 2,000 distributed port groups, 200 datastores,
#           2,100 VMs
# Per size: best wall time of RUNS runs of each (vch: process start to exit; pyvmomi: connect to
# disconnect, without the interpreter's start-up), the peak RSS of each (/usr/bin/time), vch's SOAP
# calls for the inventory (login and logout excluded) and the snapshot's size as the API sends it
# (compact JSON), raw and gzip. Prints FIGURE lines; asserts nothing (figures, not tests).
# Needs python3 with pyvmomi, /usr/bin/time and go (or VCH_VCSIM_BIN). SIZES and RUNS choose.
set -eu
cd "$(dirname "$0")/../.."
: "${RUNS:=3}"
: "${SIZES:=small medium large}"
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --release --locked -p proxy --bin vch
vch="$target_dir/release/vch"
sim="${VCH_VCSIM_BIN:-}"
if [ -z "$sim" ]; then
  sim="$target_dir/release/vch-vcsim"
  (cd tests/vcsim && GOPATH="${GOPATH:-/usr/share/gocode}" GO111MODULE=off go build -o "$OLDPWD/$sim" .)
fi
scratch=$(mktemp -d)
sim_pid=
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

counts() {
  case "$1" in
    small) echo "" ;;
    medium) echo "-cluster 4 -cluster-host 25 -host 4 -portgroup 200 -datastore 50 -vm 1" ;;
    large) echo "-cluster 40 -cluster-host 25 -host 2 -portgroup 2000 -datastore 200 -vm 50" ;;
    *) echo "unknown size $1" >&2; exit 2 ;;
  esac
}

best() { sort -n | head -1; }

for size in $SIZES; do
  rm -f "$scratch/url"
  started=$(date +%s)
  # shellcheck disable=SC2046
  "$sim" -urlfile "$scratch/url" $(counts "$size") >"$scratch/sim.log" 2>&1 &
  sim_pid=$!
  while [ ! -s "$scratch/url" ]; do
    kill -0 "$sim_pid" 2>/dev/null || { cat "$scratch/sim.log" >&2; exit 1; }
    sleep 1
  done
  echo "# $size: simulator up in $(( $(date +%s) - started )) s" >&2
  # http://user:pass@127.0.0.1:PORT/sdk
  url=$(sed 's#//[^@]*@#//#' "$scratch/url")
  user=$(sed 's#.*//\([^:]*\):.*#\1#' "$scratch/url")
  pass=$(sed 's#.*//[^:]*:\([^@]*\)@.*#\1#' "$scratch/url")

  : >"$scratch/vch.times"
  : >"$scratch/py.times"
  for _ in $(seq "$RUNS"); do
    RUST_LOG=proxy::vsphere=debug VCH_PASSWORD="$pass" /usr/bin/time -f '%e %M' -o "$scratch/time" \
      "$vch" inventory --target "$url" --user "$user" --format json >"$scratch/snapshot.json" 2>"$scratch/vch.log"
    cat "$scratch/time" >>"$scratch/vch.times"
    VCH_PASSWORD="$pass" /usr/bin/time -f '%e %M' -o "$scratch/time" \
      python3 tests/python/list_inventory.py "$url" "$user" --batched >"$scratch/py.json"
    elapsed=$(python3 -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["elapsed_seconds"])' "$scratch/py.json")
    echo "$elapsed $(cut -d' ' -f2 "$scratch/time")" >>"$scratch/py.times"
  done
  kill "$sim_pid"
  wait "$sim_pid" 2>/dev/null || true
  sim_pid=

  vch_s=$(cut -d' ' -f1 "$scratch/vch.times" | best)
  vch_kb=$(cut -d' ' -f2 "$scratch/vch.times" | sort -n | tail -1)
  py_s=$(cut -d' ' -f1 "$scratch/py.times" | best)
  py_kb=$(cut -d' ' -f2 "$scratch/py.times" | sort -n | tail -1)
  # The log may be coloured: take the quoted value after `method`, whatever lies between.
  calls=$(grep 'vim25 call' "$scratch/vch.log" | grep -o 'method[^"]*"[A-Za-z_]*"' |
    sed 's/.*"\([A-Za-z_]*\)"/\1/' |
    grep -v -x -e RetrieveServiceContent -e Login -e Logout | tr '\n' ' ')
  ncalls=$(echo "$calls" | wc -w)
  sizes=$(python3 - "$scratch/snapshot.json" <<'EOF'
import gzip, json, sys
snapshot = json.load(open(sys.argv[1]))
raw = json.dumps(snapshot, separators=(",", ":"), ensure_ascii=False).encode()
dc = snapshot["datacenters"][0]
print(len(raw), len(gzip.compress(raw, 6)), len(dc["hosts"]), len(dc["networks"]),
      len(dc["datastores"]))
EOF
)
  set -- $sizes
  echo "FIGURE inventory $size: $3 hosts, $4 port groups, $5 datastores"
  echo "FIGURE inventory $size: vch $vch_s s, peak RSS $((vch_kb / 1024)) MiB; pyvmomi batched $py_s s, peak RSS $((py_kb / 1024)) MiB; speed-up $(python3 -c "print(f'{$py_s / max($vch_s, 0.001):.1f}')")x"
  echo "FIGURE inventory $size: $ncalls SOAP calls ($calls)"
  echo "FIGURE inventory $size: snapshot $(($1 / 1024)) KiB JSON, $(($2 / 1024)) KiB gzip"
done
