#!/bin/sh
# Builds a small ISO 9660 image whose primary volume descriptor carries a VIC-style version in its
# publisher field, the way the real appliance and bootstrap ISOs do.
#
# usage: make_iso.sh OUTPUT.iso "PUBLISHER TEXT" [PAYLOAD_KB]
#   e.g. make_iso.sh appliance.iso "VMware v1.5.8-12345-2c978fe" 64
set -eu
out=$1
publisher=$2
payload_kb=${3:-16}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/root"
head -c $((payload_kb * 1024)) /dev/urandom > "$work/root/payload.bin"
xorriso -as mkisofs -quiet -publisher "$publisher" -V VCH -o "$out" "$work/root" >/dev/null 2>&1
