package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// GuestProcessManager adds StartProgramInGuest and ListProcessesInGuest, which govmomi 0.24.2's
// simulator lacks for VMs that are not backed by a container (ours never are). Nothing runs:
// each started program is recorded as a process that exited with status 0, and
// ListProcessesInGuest returns the record, program path and arguments as vSphere's cmdLine
// (`"path" arguments`), so a test can read back what the appliance would have run through the
// real API.
//
// As on vSphere, guest operations need the VM powered on (InvalidPowerState) and VMware Tools
// running (GuestOperationsUnavailable); tests say Tools runs with the extraConfig key
// `SET.guest.toolsRunningStatus` = `guestToolsRunning`. Any name/password authentication is
// accepted: the VIC appliance's guest agent does not check it.
type GuestProcessManager struct {
	mo.GuestProcessManager

	mu        sync.Mutex
	nextPid   int64
	processes map[types.ManagedObjectReference][]types.GuestProcessInfo
}

// installGuestProcessManager replaces the simulator's method-less GuestProcessManager under the
// same moid, so GuestOperationsManager.processManager leads to it.
func installGuestProcessManager() *GuestProcessManager {
	si, ok := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	if !ok || si.Content.GuestOperationsManager == nil {
		return nil
	}
	gom, ok := simulator.Map.Get(*si.Content.GuestOperationsManager).(*simulator.GuestOperationsManager)
	if !ok || gom.ProcessManager == nil {
		return nil
	}
	m := &GuestProcessManager{
		GuestProcessManager: mo.GuestProcessManager{Self: *gom.ProcessManager},
		nextPid:             1000,
		processes:           map[types.ManagedObjectReference][]types.GuestProcessInfo{},
	}
	simulator.Map.Put(m)
	return m
}

// guestReady checks what vSphere checks before any guest operation.
func guestReady(ctx *simulator.Context, ref types.ManagedObjectReference, auth types.BaseGuestAuthentication) (string, types.BaseMethodFault) {
	vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return "", &types.ManagedObjectNotFound{Obj: ref}
	}
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
		return "", &types.InvalidPowerState{
			RequestedState: types.VirtualMachinePowerStatePoweredOn,
			ExistingState:  vm.Runtime.PowerState,
		}
	}
	if vm.Guest == nil || vm.Guest.ToolsRunningStatus != string(types.VirtualMachineToolsRunningStatusGuestToolsRunning) {
		return "", new(types.GuestOperationsUnavailable)
	}
	creds, ok := auth.(*types.NamePasswordAuthentication)
	if !ok {
		return "", new(types.InvalidGuestLogin)
	}
	return creds.Username, nil
}

func (m *GuestProcessManager) StartProgramInGuest(ctx *simulator.Context, req *types.StartProgramInGuest) soap.HasFault {
	body := new(methods.StartProgramInGuestBody)
	owner, fault := guestReady(ctx, req.Vm, req.Auth)
	if fault != nil {
		body.Fault_ = simulator.Fault("", fault)
		return body
	}
	spec := req.Spec.GetGuestProgramSpec()
	if spec.ProgramPath == "" {
		body.Fault_ = simulator.Fault("", &types.InvalidArgument{InvalidProperty: "spec.programPath"})
		return body
	}
	m.mu.Lock()
	m.nextPid++
	pid := m.nextPid
	now := time.Now().UTC()
	m.processes[req.Vm] = append(m.processes[req.Vm], types.GuestProcessInfo{
		Name:      spec.ProgramPath,
		Pid:       pid,
		Owner:     owner,
		CmdLine:   fmt.Sprintf("%q %s", spec.ProgramPath, spec.Arguments),
		StartTime: now,
		EndTime:   &now,
		ExitCode:  0,
	})
	m.mu.Unlock()
	body.Res = &types.StartProgramInGuestResponse{Returnval: pid}
	return body
}

func (m *GuestProcessManager) ListProcessesInGuest(ctx *simulator.Context, req *types.ListProcessesInGuest) soap.HasFault {
	body := new(methods.ListProcessesInGuestBody)
	if _, fault := guestReady(ctx, req.Vm, req.Auth); fault != nil {
		body.Fault_ = simulator.Fault("", fault)
		return body
	}
	want := map[int64]bool{}
	for _, pid := range req.Pids {
		want[pid] = true
	}
	m.mu.Lock()
	var out []types.GuestProcessInfo
	for _, p := range m.processes[req.Vm] {
		if len(want) == 0 || want[p.Pid] {
			out = append(out, p)
		}
	}
	m.mu.Unlock()
	body.Res = &types.ListProcessesInGuestResponse{Returnval: out}
	return body
}
