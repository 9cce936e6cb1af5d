package main

import (
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// snapshotKeeper makes RevertToSnapshot_Task restore what vSphere restores: the VM's devices,
// extraConfig, CPU count and memory as they were when the snapshot was taken. govmomi 0.24.2's
// simulator only moves snapshot.currentSnapshot, so an upgrade or configure rollback could not be
// tested against it.
//
// It is a Registry handler (the simulator calls it on every Put, Update and Remove): a new
// VirtualMachineSnapshot is remembered with a copy of its VM's configuration, and an update that
// changes nothing but snapshot.currentSnapshot to an older snapshot is the revert (create and
// remove also change the snapshot list or name a snapshot just put).
type snapshotKeeper struct {
	self types.ManagedObjectReference

	mu      sync.Mutex
	saved   map[types.ManagedObjectReference]savedConfig
	created map[types.ManagedObjectReference]bool
}

type savedConfig struct {
	extraConfig []types.BaseOptionValue
	devices     []types.BaseVirtualDevice
	numCPU      int32
	memoryMB    int32
}

func installSnapshotKeeper() *snapshotKeeper {
	k := &snapshotKeeper{
		self:    types.ManagedObjectReference{Type: "VchSnapshotKeeper", Value: "vch-snapshot-keeper"},
		saved:   map[types.ManagedObjectReference]savedConfig{},
		created: map[types.ManagedObjectReference]bool{},
	}
	simulator.Map.AddHandler(k)
	return k
}

func (k *snapshotKeeper) Reference() types.ManagedObjectReference { return k.self }

// PutObject runs inside CreateSnapshot_Task right after the snapshot took its (shallow) copy of
// the VM's config: the slices are copied now, before a later reconfigure reuses their arrays.
// Option values are copied too; devices are replaced, never edited in place, by a reconfigure.
func (k *snapshotKeeper) PutObject(item mo.Reference) {
	s, ok := item.(*simulator.VirtualMachineSnapshot)
	if !ok {
		return
	}
	saved := savedConfig{
		devices:  append([]types.BaseVirtualDevice(nil), s.Config.Hardware.Device...),
		numCPU:   s.Config.Hardware.NumCPU,
		memoryMB: s.Config.Hardware.MemoryMB,
	}
	for _, o := range s.Config.ExtraConfig {
		v := *o.GetOptionValue()
		saved.extraConfig = append(saved.extraConfig, &v)
	}
	k.mu.Lock()
	k.saved[s.Self] = saved
	k.created[s.Self] = true
	k.mu.Unlock()
}

func (k *snapshotKeeper) RemoveObject(ref types.ManagedObjectReference) {
	k.mu.Lock()
	delete(k.saved, ref)
	delete(k.created, ref)
	k.mu.Unlock()
}

func (k *snapshotKeeper) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	// The registry hands handlers the embedded mo.VirtualMachine, not the simulator's object.
	if obj.Reference().Type != "VirtualMachine" {
		return
	}
	var target *types.ManagedObjectReference
	for _, c := range changes {
		if c.Name != "snapshot.currentSnapshot" {
			continue
		}
		switch v := c.Val.(type) {
		case types.ManagedObjectReference:
			target = &v
		case *types.ManagedObjectReference:
			target = v
		}
	}
	if target == nil {
		return
	}
	k.mu.Lock()
	if k.created[*target] {
		// CreateSnapshot_Task making its new snapshot current (alone, or with the snapshot list).
		delete(k.created, *target)
		k.mu.Unlock()
		return
	}
	saved, found := k.saved[*target]
	k.mu.Unlock()
	// A revert changes nothing else; a remove also rewrites the snapshot list.
	if !found || len(changes) != 1 {
		return
	}
	vm, ok := simulator.Map.Get(obj.Reference()).(*simulator.VirtualMachine)
	if !ok {
		return
	}
	extra := make([]types.BaseOptionValue, 0, len(saved.extraConfig))
	for _, o := range saved.extraConfig {
		v := *o.GetOptionValue()
		extra = append(extra, &v)
	}
	simulator.Map.Update(vm, []types.PropertyChange{
		{Name: "config.extraConfig", Val: extra},
		{Name: "config.hardware.device", Val: append([]types.BaseVirtualDevice(nil), saved.devices...)},
		{Name: "config.hardware.numCPU", Val: saved.numCPU},
		{Name: "config.hardware.memoryMB", Val: saved.memoryMB},
	})
}
