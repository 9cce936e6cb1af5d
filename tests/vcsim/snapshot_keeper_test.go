package main

import (
	"context"
	"testing"

	govfind "github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func extraValue(vm mo.VirtualMachine, key string) string {
	value := ""
	for _, o := range vm.Config.ExtraConfig {
		if v := o.GetOptionValue(); v.Key == key {
			value, _ = v.Value.(string)
		}
	}
	return value
}

// A revert restores the extraConfig and CPU count the VM had when the snapshot was taken; a
// later remove of the current snapshot does not revert anything.
func TestRevertRestoresTheConfiguration(t *testing.T) {
	simulator.Test(func(ctx context.Context, c *vim25.Client) {
		installSnapshotKeeper()
		vm, err := govfind.NewFinder(c).VirtualMachine(ctx, "DC0_H0_VM0")
		if err != nil {
			t.Fatal(err)
		}
		set := func(value string, cpus int32) {
			task, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{
				NumCPUs:     cpus,
				ExtraConfig: []types.BaseOptionValue{&types.OptionValue{Key: "k", Value: value}},
			})
			if err == nil {
				err = task.Wait(ctx)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		read := func() (string, int32) {
			var m mo.VirtualMachine
			if err := vm.Properties(ctx, vm.Reference(), []string{"config"}, &m); err != nil {
				t.Fatal(err)
			}
			return extraValue(m, "k"), m.Config.Hardware.NumCPU
		}
		snapshot := func(name string) {
			task, err := vm.CreateSnapshot(ctx, name, "", false, false)
			if err == nil {
				err = task.Wait(ctx)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		set("old", 1)
		snapshot("first")
		set("middle", 2)
		snapshot("second")
		set("new", 3)

		task, err := vm.RevertToSnapshot(ctx, "second", true)
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		if v, n := read(); v != "middle" || n != 2 {
			t.Fatalf("after revert to second: %q %d", v, n)
		}
		// Removing the current snapshot makes its parent current: not a revert.
		consolidate := true
		task, err = vm.RemoveSnapshot(ctx, "second", false, &consolidate)
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		if v, n := read(); v != "middle" || n != 2 {
			t.Fatalf("after removing second: %q %d", v, n)
		}
		task, err = vm.RevertToSnapshot(ctx, "first", true)
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		if v, n := read(); v != "old" || n != 1 {
			t.Fatalf("after revert to first: %q %d", v, n)
		}
	})
}
