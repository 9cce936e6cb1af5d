#!/usr/bin/env python3
"""The standard vSwitches and port groups of every host, read independently with pyvmomi.

Usage: host_network.py SDK_URL USER      (password from $VCH_PASSWORD)
Prints {"vswitches": [names], "portgroups": [{"name": ..., "vswitch": ...}], "networks": [names]}.
"""

import json
import os
import ssl
import sys
from urllib.parse import urlparse

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

PC = vmodl.query.PropertyCollector


def read(content, obj, vimtype, paths):
    res = content.propertyCollector.RetrievePropertiesEx([PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=obj, skip=False)],
        propSet=[PC.PropertySpec(type=vimtype, pathSet=paths)])], PC.RetrieveOptions())
    return {p.name: p.val for p in res.objects[0].propSet} if res and res.objects else {}


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    url, user = urlparse(argv[1]), argv[2]
    kwargs = dict(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 80),
                  user=user, pwd=os.environ.get("VCH_PASSWORD", ""), protocol=url.scheme)
    if url.scheme == "https":
        kwargs["sslContext"] = ssl._create_unverified_context()
    si = SmartConnect(**kwargs)
    content = si.RetrieveContent()
    out = {"vswitches": [], "portgroups": [], "networks": []}
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.HostSystem], True)
    for host in view.view:
        ns = read(content, host, vim.HostSystem, ["configManager.networkSystem"])["configManager.networkSystem"]
        info = read(content, ns, vim.host.NetworkSystem, ["networkInfo"]).get("networkInfo")
        out["vswitches"] += [v.name for v in (info.vswitch or [])]
        out["portgroups"] += [{"name": p.spec.name, "vswitch": p.spec.vswitchName} for p in (info.portgroup or [])]
    view.Destroy()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.Network], True)
    out["networks"] = sorted(read(content, n, vim.Network, ["name"])["name"] for n in view.view)
    view.Destroy()
    Disconnect(si)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
