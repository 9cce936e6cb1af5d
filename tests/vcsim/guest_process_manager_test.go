package main

import (
	"context"
	"strings"
	"testing"

	govfind "github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/guest"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

// Programs are refused until Tools runs, then recorded and listed with their arguments.
func TestGuestProgramsAreRecorded(t *testing.T) {
	simulator.Test(func(ctx context.Context, c *vim25.Client) {
		installGuestProcessManager()
		vm, err := govfind.NewFinder(c).VirtualMachine(ctx, "DC0_H0_VM0")
		if err != nil {
			t.Fatal(err)
		}
		ops := guest.NewOperationsManager(c, vm.Reference())
		pm, err := ops.ProcessManager(ctx)
		if err != nil {
			t.Fatal(err)
		}
		auth := &types.NamePasswordAuthentication{}
		spec := &types.GuestProgramSpec{ProgramPath: "passwd", Arguments: "s3cret"}
		if _, err := pm.StartProgram(ctx, auth, spec); err == nil || !strings.Contains(err.Error(), "GuestOperationsUnavailable") {
			t.Fatalf("without Tools: %v", err)
		}
		task, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{ExtraConfig: []types.BaseOptionValue{
			&types.OptionValue{Key: "SET.guest.toolsRunningStatus", Value: "guestToolsRunning"},
		}})
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		pid, err := pm.StartProgram(ctx, auth, spec)
		if err != nil {
			t.Fatal(err)
		}
		list, err := pm.ListProcesses(ctx, auth, []int64{pid})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].CmdLine != `"passwd" s3cret` || list[0].EndTime == nil || list[0].ExitCode != 0 {
			t.Fatalf("recorded: %+v", list)
		}
	})
}
