package main

import (
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// ExtensionManager adds the plugin registration methods that govmomi 0.24.2's simulator lacks
// (its ExtensionManager is a bare mo.ExtensionManager with no methods).
//
// The simulator dispatches SOAP calls by reflection on the registered object (method name =
// SOAP method, one *types.Xxx argument, optional *simulator.Context first, soap.HasFault
// result) and reads properties from the first embedded mo type, so the mo type must be the
// first field, embedded by value.
//
// Faults follow the vSphere API reference: UpdateExtension/UnregisterExtension of an unknown
// key raise NotFound. For a duplicate RegisterExtension the reference names no specific
// fault; we answer InvalidArgument(extension.key) so callers must go through UpdateExtension,
// as they have to on vCenter.
type ExtensionManager struct {
	mo.ExtensionManager
}

// installExtensionManager replaces the simulator's method-less ExtensionManager; Map.Put keys
// objects by their reference, so the new object takes over the same moid. It does nothing
// when the model has no ExtensionManager (ESX).
func installExtensionManager() *ExtensionManager {
	si, ok := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	if !ok || si.Content.ExtensionManager == nil {
		return nil
	}
	m := &ExtensionManager{ExtensionManager: mo.ExtensionManager{Self: *si.Content.ExtensionManager}}
	simulator.Map.Put(m)
	return m
}

func (m *ExtensionManager) find(key string) int {
	for i := range m.ExtensionList {
		if m.ExtensionList[i].Key == key {
			return i
		}
	}
	return -1
}

// setList goes through Map.Update so PropertyCollector filters (WaitForUpdatesEx) see changes.
func (m *ExtensionManager) setList(ctx *simulator.Context, list []types.Extension) {
	ctx.Map.Update(m, []types.PropertyChange{{Name: "extensionList", Val: list}})
}

// normalize fills in what vCenter sets itself on registration.
func normalize(e types.Extension) types.Extension {
	if e.LastHeartbeatTime.IsZero() {
		e.LastHeartbeatTime = time.Now().UTC()
	}
	if e.Description == nil {
		e.Description = &types.Description{}
	}
	return e
}

func invalidKey(key string) *soap.Fault {
	return simulator.Fault("", &types.InvalidArgument{InvalidProperty: key})
}

func notFound() *soap.Fault {
	return simulator.Fault("", &types.NotFound{})
}

func (m *ExtensionManager) RegisterExtension(ctx *simulator.Context, req *types.RegisterExtension) soap.HasFault {
	body := &methods.RegisterExtensionBody{}
	key := req.Extension.Key
	switch {
	case key == "":
		body.Fault_ = invalidKey("extension.key")
	case m.find(key) >= 0:
		body.Fault_ = invalidKey("extension.key")
	default:
		list := append(append([]types.Extension(nil), m.ExtensionList...), normalize(req.Extension))
		m.setList(ctx, list)
		body.Res = &types.RegisterExtensionResponse{}
	}
	return body
}

func (m *ExtensionManager) UpdateExtension(ctx *simulator.Context, req *types.UpdateExtension) soap.HasFault {
	body := &methods.UpdateExtensionBody{}
	i := m.find(req.Extension.Key)
	if i < 0 {
		body.Fault_ = notFound()
		return body
	}
	list := append([]types.Extension(nil), m.ExtensionList...)
	list[i] = normalize(req.Extension)
	m.setList(ctx, list)
	body.Res = &types.UpdateExtensionResponse{}
	return body
}

func (m *ExtensionManager) UnregisterExtension(ctx *simulator.Context, req *types.UnregisterExtension) soap.HasFault {
	body := &methods.UnregisterExtensionBody{}
	i := m.find(req.ExtensionKey)
	if i < 0 {
		body.Fault_ = notFound()
		return body
	}
	list := make([]types.Extension, 0, len(m.ExtensionList)-1)
	list = append(list, m.ExtensionList[:i]...)
	list = append(list, m.ExtensionList[i+1:]...)
	m.setList(ctx, list)
	body.Res = &types.UnregisterExtensionResponse{}
	return body
}

// FindExtension answers an empty response (no returnval, no fault) for an unknown key, as vCenter does.
func (m *ExtensionManager) FindExtension(req *types.FindExtension) soap.HasFault {
	res := &types.FindExtensionResponse{}
	if i := m.find(req.ExtensionKey); i >= 0 {
		e := m.ExtensionList[i]
		res.Returnval = &e
	}
	return &methods.FindExtensionBody{Res: res}
}
