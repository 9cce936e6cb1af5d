#!/usr/bin/env python3
"""Independent inventory listing with pyvmomi, to cross-check vch's own vim25 client.

Usage: list_inventory.py SDK_URL USER            (password from $VCH_PASSWORD)
       [--insecure]  accept any certificate (the simulator's self-signed one)
       [--full]      also read every host's firewall and every VM's extraConfig, the way an
                     idiomatic pyvmomi script does (used by the benchmark)
       [--batched]   read what --full reads (and the VMs' networks and power state, as the
                     existing-VCH scan needs) in as few calls as the API allows: one
                     RetrievePropertiesEx over a container view for every type, one for every
                     host's firewall system, each followed through its pages

Prints JSON: {"hosts": {name: {"datastores": [...], "networks": [...]}},
              "networks": [{"name", "type"}], "datastores": [{"name", "capacity", "freeSpace"}],
              "elapsed_seconds": connect-to-disconnect time}
Properties are read through a ContainerView with one RetrievePropertiesEx per type: pyvmomi's lazy
attributes use the internal Fetch method, which crashes govmomi 0.24.2's simulator on unset
properties (docs/vsphere-notes.md §3).
"""

import json
import os
import ssl
import sys
import time
from urllib.parse import urlparse

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl


def collect(content, vimtype, paths):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vimtype], True)
    try:
        pc = vmodl.query.PropertyCollector
        spec = pc.FilterSpec(
            objectSet=[pc.ObjectSpec(obj=view, skip=True, selectSet=[
                pc.TraversalSpec(name="view", type=vim.view.ContainerView, path="view", skip=False)])],
            propSet=[pc.PropertySpec(type=vimtype, pathSet=paths)])
        out = []
        res = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        while res:
            out += [(oc.obj, {p.name: p.val for p in oc.propSet}) for oc in res.objects]
            res = content.propertyCollector.ContinueRetrievePropertiesEx(res.token) if res.token else None
        return out
    finally:
        view.Destroy()


def retrieve_all(content, object_specs, prop_specs):
    """One RetrievePropertiesEx and its pages: [(obj, {path: value})]."""
    pc = vmodl.query.PropertyCollector
    spec = pc.FilterSpec(objectSet=object_specs, propSet=prop_specs)
    out = []
    res = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions(maxObjects=2000))
    while res:
        out += [(oc.obj, {p.name: p.val for p in oc.propSet}) for oc in res.objects]
        res = content.propertyCollector.ContinueRetrievePropertiesEx(res.token) if res.token else None
    return out


def batched(content):
    """The --batched listing: the same result as --full, two property reads in all."""
    pc = vmodl.query.PropertyCollector
    types = {
        vim.Folder: ["name", "parent"],
        vim.Datacenter: ["name", "parent"],
        vim.ComputeResource: ["name", "parent", "host"],
        vim.ClusterComputeResource: ["configurationEx"],
        vim.HostSystem: ["name", "parent", "runtime.connectionState", "runtime.inMaintenanceMode",
                         "configManager.firewallSystem", "datastore", "network"],
        vim.ResourcePool: ["name", "parent"],
        vim.Network: ["name", "parent"],
        vim.dvs.DistributedVirtualPortgroup: ["key", "config.distributedVirtualSwitch"],
        vim.DistributedVirtualSwitch: ["name", "uuid", "summary.hostMember"],
        vim.Datastore: ["summary"],
        vim.VirtualMachine: ["name", "resourcePool", "network", "runtime.powerState",
                             "config.extraConfig"],
    }
    view = content.viewManager.CreateContainerView(content.rootFolder, list(types), True)
    try:
        objects = retrieve_all(
            content,
            [pc.ObjectSpec(obj=view, skip=True, selectSet=[
                pc.TraversalSpec(name="view", type=vim.view.ContainerView, path="view", skip=False)])],
            [pc.PropertySpec(type=t, pathSet=paths) for t, paths in types.items()])
    finally:
        view.Destroy()
    names = {}
    networks = []
    datastores = []
    hosts = []
    for ref, p in objects:
        if isinstance(ref, vim.Network):
            names[ref._moId] = p["name"]
            networks.append({"name": p["name"], "type": type(ref).__name__.split(".")[-1]})
        elif isinstance(ref, vim.Datastore):
            names[ref._moId] = p["summary"].name
            datastores.append({"name": p["summary"].name, "capacity": p["summary"].capacity,
                               "freeSpace": p["summary"].freeSpace})
        elif isinstance(ref, vim.HostSystem):
            hosts.append(p)
        elif isinstance(ref, vim.VirtualMachine):
            extra = {o.key: o.value for o in p.get("config.extraConfig", [])}
            p["vch"] = extra.get("guestinfo.vice./init/common/id") in (
                "VirtualMachine:" + ref._moId, "CreatingVCH")
    firewalls = {}
    systems = [h["configManager.firewallSystem"] for h in hosts if "configManager.firewallSystem" in h]
    if systems:
        for ref, p in retrieve_all(
                content, [pc.ObjectSpec(obj=s) for s in systems],
                [pc.PropertySpec(type=vim.host.FirewallSystem, pathSet=["firewallInfo"])]):
            firewalls[ref._moId] = p.get("firewallInfo")
    by_name = {}
    for h in hosts:
        info = firewalls.get(h["configManager.firewallSystem"]._moId)
        by_name[h["name"]] = {
            "datastores": sorted(names[d._moId] for d in h.get("datastore", [])),
            "networks": sorted(names[n._moId] for n in h.get("network", [])),
            "enabled_rulesets": sorted(r.key for r in info.ruleset if r.enabled) if info else [],
        }
    return {"hosts": by_name, "networks": sorted(networks, key=lambda n: n["name"]),
            "datastores": sorted(datastores, key=lambda d: d["name"])}


def firewall_info(content, firewall_system):
    pc = vmodl.query.PropertyCollector
    result = content.propertyCollector.RetrieveContents([pc.FilterSpec(
        objectSet=[pc.ObjectSpec(obj=firewall_system)],
        propSet=[pc.PropertySpec(type=vim.host.FirewallSystem, pathSet=["firewallInfo"])])])
    return result[0].propSet[0].val


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    url, user = urlparse(args[0]), args[1]
    password = os.environ.get("VCH_PASSWORD", "")
    kwargs = dict(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 80),
                  user=user, pwd=password, protocol=url.scheme)
    if url.scheme == "https" and "--insecure" in argv:
        kwargs["sslContext"] = ssl._create_unverified_context()
    started = time.perf_counter()
    si = SmartConnect(**kwargs)
    try:
        content = si.RetrieveContent()
        if "--batched" in argv:
            result = batched(content)
            return finish(si, started, result)
        names = {}
        networks = []
        for ref, p in collect(content, vim.Network, ["name"]):
            names[ref._moId] = p["name"]
            networks.append({"name": p["name"], "type": type(ref).__name__.split(".")[-1]})
        datastores = []
        for ref, p in collect(content, vim.Datastore, ["summary"]):
            names[ref._moId] = p["summary"].name
            datastores.append({"name": p["summary"].name, "capacity": p["summary"].capacity,
                               "freeSpace": p["summary"].freeSpace})
        hosts = {}
        for ref, p in collect(content, vim.HostSystem,
                              ["name", "datastore", "network", "configManager.firewallSystem"]):
            entry = {
                "datastores": sorted(names[d._moId] for d in p.get("datastore", [])),
                "networks": sorted(names[n._moId] for n in p.get("network", [])),
            }
            if "--full" in argv:
                info = firewall_info(content, p["configManager.firewallSystem"])
                entry["enabled_rulesets"] = sorted(r.key for r in info.ruleset if r.enabled)
            hosts[p["name"]] = entry
        if "--full" in argv:
            collect(content, vim.ComputeResource, ["name", "parent", "host"])
            collect(content, vim.ResourcePool, ["name", "parent"])
            collect(content, vim.dvs.DistributedVirtualPortgroup,
                    ["key", "config.distributedVirtualSwitch"])
            collect(content, vim.DistributedVirtualSwitch, ["name", "uuid", "summary.hostMember"])
            vchs = 0
            for ref, p in collect(content, vim.VirtualMachine, ["name", "config.extraConfig"]):
                extra = {o.key: o.value for o in p.get("config.extraConfig", [])}
                if extra.get("guestinfo.vice./init/common/id") in ("VirtualMachine:" + ref._moId, "CreatingVCH"):
                    vchs += 1
        result = {"hosts": hosts, "networks": sorted(networks, key=lambda n: n["name"]),
                  "datastores": sorted(datastores, key=lambda d: d["name"])}
    except BaseException:
        Disconnect(si)
        raise
    return finish(si, started, result)


def finish(si, started, result):
    Disconnect(si)
    # Connect to disconnect, without interpreter start-up and imports: what the benchmark compares.
    result["elapsed_seconds"] = time.perf_counter() - started
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
