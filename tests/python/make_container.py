#!/usr/bin/env python3
"""Plays a VIC container VM holding a volume: a VM in the VCH's folder and pool with one new
disk at [DATASTORE] VOLUME_DIR/NAME.vmdk (the layout of a volume in a volume store).

Usage: make_container.py SDK_URL USER FOLDER_PATH POOL_PATH DATASTORE VOLUME_DIR NAME
(password from $VCH_PASSWORD; paths are inventory paths such as DC0/vm/vch1). Prints
{"vm": "<moref>", "disk": "[ds] path"}.
"""

import json
import os
import ssl
import sys
import time
from urllib.parse import urlparse

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim


def wait(task):
    for _ in range(600):
        if task.info.state in ("success", "error"):
            if task.info.state == "error":
                raise RuntimeError(str(task.info.error))
            return task.info.result
        time.sleep(0.1)
    raise RuntimeError("task did not finish")


def main(argv):
    if len(argv) != 8:
        print(__doc__, file=sys.stderr)
        return 2
    url, user, folder_path, pool_path, datastore, volume_dir, name = urlparse(argv[1]), *argv[2:]
    kwargs = dict(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 80),
                  user=user, pwd=os.environ.get("VCH_PASSWORD", ""), protocol=url.scheme)
    if url.scheme == "https":
        kwargs["sslContext"] = ssl._create_unverified_context()
    si = SmartConnect(**kwargs)
    content = si.RetrieveContent()
    index = content.searchIndex
    folder = index.FindByInventoryPath(folder_path)
    pool = index.FindByInventoryPath(pool_path)
    datacenter = index.FindByInventoryPath(folder_path.split("/")[0])
    if folder is None or pool is None or datacenter is None:
        raise RuntimeError(f"not found: {folder_path} / {pool_path}")
    content.fileManager.MakeDirectory(name=f"[{datastore}] {volume_dir}", datacenter=datacenter,
                                      createParentDirectories=True)
    disk_file = f"[{datastore}] {volume_dir}/{name}.vmdk"
    controller = vim.vm.device.VirtualDeviceSpec(
        operation="add",
        device=vim.vm.device.ParaVirtualSCSIController(key=-100, busNumber=0, sharedBus="noSharing"))
    disk = vim.vm.device.VirtualDeviceSpec(
        operation="add", fileOperation="create",
        device=vim.vm.device.VirtualDisk(
            key=-101, controllerKey=-100, unitNumber=0, capacityInKB=1024,
            backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(fileName=disk_file, diskMode="persistent")))
    spec = vim.vm.ConfigSpec(name=name, guestId="otherGuest64", numCPUs=1, memoryMB=64,
                             files=vim.vm.FileInfo(vmPathName=f"[{datastore}]"),
                             deviceChange=[controller, disk])
    vm = wait(folder.CreateVM_Task(config=spec, pool=pool))
    print(json.dumps({"vm": vm._moId, "disk": disk_file}))
    Disconnect(si)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
