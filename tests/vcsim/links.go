package main

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// completeLinks fills the side of the host↔network and host↔datastore relations the simulator
// leaves empty: vCenter reports both, so a client may read either. The model records standard
// port groups only in HostSystem.network (Network.host stays empty), and creates a shared local
// datastore once per host under one moref, so Datastore.host names only the last host.
func completeLinks() {
	for _, e := range simulator.Map.All("HostSystem") {
		host, ok := e.(*simulator.HostSystem)
		if !ok {
			continue
		}
		self := host.Reference()
		for _, ref := range host.Network {
			if net, ok := simulator.Map.Get(ref).(*mo.Network); ok {
				simulator.Map.AddReference(net, &net.Host, self)
			}
		}
		for _, ref := range host.Datastore {
			ds, ok := simulator.Map.Get(ref).(*simulator.Datastore)
			if !ok {
				continue
			}
			simulator.Map.WithLock(ds, func() {
				for _, mount := range ds.Host {
					if mount.Key == self {
						return
					}
				}
				ds.Host = append(ds.Host, types.DatastoreHostMount{
					Key: self,
					MountInfo: types.HostMountInfo{
						AccessMode: string(types.HostMountModeReadWrite),
						Mounted:    types.NewBool(true),
						Accessible: types.NewBool(true),
					},
				})
			})
		}
	}
}
