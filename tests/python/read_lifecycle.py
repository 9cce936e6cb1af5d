#!/usr/bin/env python3
"""Independent read-back of a VCH appliance's life-cycle state with pyvmomi, for the upgrade,
rollback and configure tests.

Usage: read_lifecycle.py SDK_URL USER VM_NAME      (password from $VCH_PASSWORD)

Prints JSON {"found": bool, "power_state": str, "cdrom_isos": [str], "snapshots": [str],
"version": {"Version": .., "BuildNumber": .., "GitCommit": .., "PluginVersion": ..},
"bootstrap_image_path": str, "update_in_progress": str | null, "extra_config": {key: value}}.
extraConfig is read as the server returns it; for a key listed twice (the simulator appends on
reconfigure) the last value wins, as vSphere would keep only that one.
"""

import json
import os
import ssl
import sys
from urllib.parse import urlparse

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

PC = vmodl.query.PropertyCollector
VERSION = "guestinfo.vice./init/version/"


def vms(content, paths):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        spec = PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
                PC.TraversalSpec(name="view", type=vim.view.ContainerView, path="view", skip=False)])],
            propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=paths)])
        res = content.propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
        out = []
        while res:
            out += [{p.name: p.val for p in oc.propSet} for oc in res.objects]
            res = content.propertyCollector.ContinueRetrievePropertiesEx(res.token) if res.token else None
        return out
    finally:
        view.Destroy()


def snapshot_names(trees):
    names = []
    for t in trees or []:
        names.append(t.name)
        names += snapshot_names(t.childSnapshotList)
    return names


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    url, user, name = urlparse(argv[1]), argv[2], argv[3]
    kwargs = dict(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 80),
                  user=user, pwd=os.environ.get("VCH_PASSWORD", ""), protocol=url.scheme)
    if url.scheme == "https":
        kwargs["sslContext"] = ssl._create_unverified_context()
    si = SmartConnect(**kwargs)
    content = si.RetrieveContent()
    paths = ["name", "runtime.powerState", "config.extraConfig", "config.hardware.device", "snapshot"]
    found = [p for p in vms(content, paths) if p.get("name") == name]
    out = {"found": bool(found)}
    if found:
        p = found[0]
        extra = {}
        for o in p.get("config.extraConfig") or []:
            extra[o.key] = o.value
        out["power_state"] = str(p.get("runtime.powerState"))
        out["cdrom_isos"] = [d.backing.fileName for d in p.get("config.hardware.device") or []
                             if isinstance(d, vim.vm.device.VirtualCdrom)
                             and isinstance(d.backing, vim.vm.device.VirtualCdrom.IsoBackingInfo)]
        snap = p.get("snapshot")
        out["snapshots"] = snapshot_names(snap.rootSnapshotList) if snap else []
        out["version"] = {k[len(VERSION):]: v for k, v in extra.items() if k.startswith(VERSION)}
        out["bootstrap_image_path"] = extra.get("guestinfo.vice./container/bootstrap_image_path")
        out["update_in_progress"] = extra.get("UpdateInProgress")
        out["extra_config"] = extra
    Disconnect(si)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
