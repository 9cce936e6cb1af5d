#!/usr/bin/env python3
"""Independent check of a deployed (or deleted) VCH with pyvmomi, to cross-check vch's own client.

Usage: verify_vch.py SDK_URL USER EXPECT_JSON      (password from $VCH_PASSWORD)

EXPECT_JSON is a file:
  {"name": "vch1", "present": true,
   "pool": {"cpu_limit": 2000, "cpu_shares": "high", "memory_limit": 4096, ...},   (optional)
   "cpus": 2, "memory_mb": 4096,                                                    (optional)
   "nics": {"<port group name>": <pci slot>, ...},          every vNIC, exactly
   "extra_config": {"<key>": "<value>", ...},               keys that must have these values
   "extra_config_present": ["<key>", ...],                   keys that must exist
   "datastore": "LocalDS_0",
   "paths": ["vch1/x.iso", "volumes/a", ...],              files/directories that must exist
   "vm_group": {"cluster": "DC0_C0", "vms": ["vch1"]},       a DRS VM group named like the VCH
   "permissions": {"principal": "u", "entities": {"<entity name>": ["<role>", propagate]}},
   "roles": {"<role name>": ["<privilege>", ...]}}          roles that must hold these privileges
or {"name": "vch1", "present": false, "datastore": "LocalDS_0", "paths": [...], "paths_kept": [...]}:
no VM, pool or folder with that name remains, none of the paths exists, every kept path does, and with "vm_group": {"cluster": ...}
no DRS group of that name is left in the cluster.

Prints JSON {"ok": bool, "checks": n, "failures": [...]}; exits 1 when a check fails.
Properties are read through a ContainerView with RetrievePropertiesEx: pyvmomi's lazy attributes
use the internal Fetch method, which crashes govmomi 0.24.2's simulator on unset properties.
"""

import json
import os
import ssl
import sys
import time
from urllib.parse import urlparse

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

PC = vmodl.query.PropertyCollector


def collect(content, vimtype, paths):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vimtype], True)
    try:
        spec = PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
                PC.TraversalSpec(name="view", type=vim.view.ContainerView, path="view", skip=False)])],
            propSet=[PC.PropertySpec(type=vimtype, pathSet=paths)])
        out = []
        res = content.propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
        while res:
            out += [(oc.obj, {p.name: p.val for p in oc.propSet}) for oc in res.objects]
            res = content.propertyCollector.ContinueRetrievePropertiesEx(res.token) if res.token else None
        return out
    finally:
        view.Destroy()


def read(content, obj, vimtype, paths):
    res = content.propertyCollector.RetrievePropertiesEx([PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=obj)],
        propSet=[PC.PropertySpec(type=vimtype, pathSet=paths)])], PC.RetrieveOptions())
    return {p.name: p.val for p in res.objects[0].propSet} if res and res.objects else {}


def wait_task(content, task):
    for _ in range(600):
        info = read(content, task, vim.Task, ["info"])["info"]
        if info.state in ("success", "error"):
            return info
        time.sleep(0.1)
    raise RuntimeError("task did not finish")


def path_exists(content, datastore, path):
    """Whether `[datastore] path` exists, through HostDatastoreBrowser.SearchDatastore_Task."""
    ds = [ref for ref, p in collect(content, vim.Datastore, ["name", "browser"]) if p["name"] == datastore]
    if not ds:
        return False
    browser = read(content, ds[0], vim.Datastore, ["browser"])["browser"]
    parent, _, leaf = path.rstrip("/").rpartition("/")
    spec = vim.host.DatastoreBrowser.SearchSpec(matchPattern=[leaf])
    task = browser.SearchDatastore_Task(datastorePath=f"[{datastore}] {parent}", searchSpec=spec)
    info = wait_task(content, task)
    if info.state != "success":
        return False
    return any(f.path == leaf for f in (info.result.file or []))


def vm_names(content, refs):
    names = {ref: p["name"] for ref, p in collect(content, vim.VirtualMachine, ["name"])}
    return [names.get(r, str(r)) for r in refs]


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    url, user = urlparse(argv[1]), argv[2]
    with open(argv[3]) as f:
        expect = json.load(f)
    kwargs = dict(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 80),
                  user=user, pwd=os.environ.get("VCH_PASSWORD", ""), protocol=url.scheme)
    if url.scheme == "https":
        kwargs["sslContext"] = ssl._create_unverified_context()
    si = SmartConnect(**kwargs)
    content = si.RetrieveContent()
    failures, checks = [], 0

    def check(ok, what):
        nonlocal checks
        checks += 1
        if not ok:
            failures.append(what)

    name = expect["name"]
    vms = [(ref, p) for ref, p in collect(content, vim.VirtualMachine, [
        "name", "resourcePool", "runtime.powerState", "config.hardware.device",
        "config.extraConfig", "config.hardware.numCPU", "config.hardware.memoryMB"])
        if p.get("name") == name]
    pools = [(ref, p) for ref, p in collect(content, vim.ResourcePool, ["name", "config"])
             if p.get("name") == name]
    folders = [ref for ref, p in collect(content, vim.Folder, ["name"]) if p.get("name") == name]

    if not expect.get("present", True):
        check(not vms, f"VM {name} still exists")
        check(not pools, f"resource pool {name} still exists")
        check(not folders, f"folder {name} still exists")
        for path in expect.get("paths", []):
            check(not path_exists(content, expect["datastore"], path), f"[{expect['datastore']}] {path} still exists")
        for path in expect.get("paths_kept", []):
            check(path_exists(content, expect["datastore"], path), f"[{expect['datastore']}] {path} is gone")
    else:
        check(len(vms) == 1, f"expected one VM named {name}, found {len(vms)}")
        if vms:
            _, vm = vms[0]
            pg_names = {p["key"]: p["name"] for _, p in collect(
                content, vim.dvs.DistributedVirtualPortgroup, ["key", "name"])}
            nics = {}
            for dev in vm.get("config.hardware.device", []):
                if not isinstance(dev, vim.vm.device.VirtualEthernetCard):
                    continue
                check(isinstance(dev, vim.vm.device.VirtualVmxnet3), f"NIC {dev.key} is not vmxnet3")
                b = dev.backing
                if isinstance(b, vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo):
                    net = pg_names.get(b.port.portgroupKey, b.port.portgroupKey)
                else:
                    net = b.deviceName
                slot = dev.slotInfo.pciSlotNumber if dev.slotInfo else None
                check(net not in nics, f"two NICs on {net}")
                nics[net] = slot
            if "nics" in expect:
                check(nics == expect["nics"], f"NICs {nics} != expected {expect['nics']}")
            if "serial_file" in expect:
                serial = [d.backing.fileName for d in vm.get("config.hardware.device", [])
                          if isinstance(d, vim.vm.device.VirtualSerialPort)
                          and isinstance(d.backing, vim.vm.device.VirtualSerialPort.FileBackingInfo)]
                check(serial == [expect["serial_file"]], f"serial ports {serial} != [{expect['serial_file']!r}]")
            ec = {}
            for o in vm.get("config.extraConfig", []):  # last one wins (vcsim appends)
                ec[o.key] = o.value
            for key, value in expect.get("extra_config", {}).items():
                check(ec.get(key) == value, f"extraConfig {key} = {ec.get(key)!r}, expected {value!r}")
            for key in expect.get("extra_config_present", []):
                check(key in ec, f"extraConfig {key} missing")
            if "cpus" in expect:
                check(vm.get("config.hardware.numCPU") == expect["cpus"], f"numCPU {vm.get('config.hardware.numCPU')}")
            if "memory_mb" in expect:
                check(vm.get("config.hardware.memoryMB") == expect["memory_mb"], f"memoryMB {vm.get('config.hardware.memoryMB')}")
            if "pool" in expect:
                check(pools and vm["resourcePool"] == pools[0][0], "the VM is not in the VCH's pool")
        if "pool" in expect:
            check(len(pools) == 1, f"expected one pool named {name}, found {len(pools)}")
            if pools:
                cfg = pools[0][1]["config"]
                got = {
                    "cpu_limit": cfg.cpuAllocation.limit,
                    "cpu_reservation": cfg.cpuAllocation.reservation,
                    "cpu_shares": cfg.cpuAllocation.shares.level,
                    "memory_limit": cfg.memoryAllocation.limit,
                    "memory_reservation": cfg.memoryAllocation.reservation,
                    "memory_shares": cfg.memoryAllocation.shares.level,
                }
                for key, value in expect["pool"].items():
                    check(got.get(key) == value, f"pool {key} = {got.get(key)!r}, expected {value!r}")
        for path in expect.get("paths", []):
            check(path_exists(content, expect["datastore"], path), f"[{expect['datastore']}] {path} missing")

    if "vm_group" in expect:
        want = expect["vm_group"]
        clusters = [(ref, p) for ref, p in collect(content, vim.ClusterComputeResource, ["name", "configurationEx"])
                    if p.get("name") == want["cluster"]]
        check(len(clusters) == 1, f"cluster {want['cluster']} not found")
        groups = [g for g in (clusters[0][1]["configurationEx"].group or [])] if clusters else []
        mine = [g for g in groups if g.name == name]
        if expect.get("present", True):
            check(len(mine) == 1 and isinstance(mine[0], vim.cluster.VmGroup),
                  f"expected one ClusterVmGroup {name}, found {[type(g).__name__ for g in mine]}")
            if mine:
                got = sorted(vm_names(content, mine[0].vm or []))
                check(got == sorted(want["vms"]), f"VM group {name} holds {got}, expected {want['vms']}")
        else:
            check(not mine, f"DRS group {name} still exists")
    if "roles" in expect or "permissions" in expect:
        am = content.authorizationManager
        roles = {r.name: r for r in read(content, am, vim.AuthorizationManager, ["roleList"])["roleList"]}
        for role, privileges in expect.get("roles", {}).items():
            check(role in roles, f"role {role} missing")
            if role in roles:
                missing = sorted(set(privileges) - set(roles[role].privilege or []))
                check(not missing, f"role {role} lacks {missing}")
        by_id = {r.roleId: n for n, r in roles.items()}
        want = expect.get("permissions", {})
        principal = want.get("principal")
        named = {}
        for t in (vim.Folder, vim.Datacenter, vim.ClusterComputeResource, vim.ResourcePool,
                  vim.Datastore, vim.Network):
            for ref, p in collect(content, t, ["name"]):
                named.setdefault(p["name"], ref)
        for entity, (role, propagate) in want.get("entities", {}).items():
            ref = content.rootFolder if entity == "/" else named.get(entity)
            check(ref is not None, f"entity {entity} not found")
            if ref is None:
                continue
            perms = [p for p in am.RetrieveEntityPermissions(ref, False) if p.principal == principal]
            got = [(by_id.get(p.roleId, p.roleId), p.propagate) for p in perms]
            check(got == [(role, propagate)], f"permissions of {principal} on {entity}: {got}, expected {[(role, propagate)]}")

    Disconnect(si)
    print(json.dumps({"ok": not failures, "checks": checks, "failures": failures}))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
