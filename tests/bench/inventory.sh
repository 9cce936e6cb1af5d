#!/bin/sh
# Inventory benchmark: vch's vim25 client vs an idiomatic pyvmomi listing, on a simulated inventory
# of 104 hosts, 200 distributed port groups and 50 datastores. Prints the figures; fails if the read
# takes more than 5 SOAP round trips or is less than 3 times faster than pyvmomi.
# Needs python3 with pyvmomi (pip install pyvmomi).
set -eu
cd "$(dirname "$0")/../.."
exec cargo test --release -p proxy --test vsphere_bench -- --ignored --nocapture
