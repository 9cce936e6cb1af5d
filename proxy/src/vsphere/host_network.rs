//! A standalone ESXi host's own virtual switches: the bridge network's vSwitch and port group that
//! create makes when the host has none (`HostNetworkSystem.AddVirtualSwitch`/`AddPortGroup`), and
//! their removal by rollback and delete.

use super::envelope::Request;
use super::fault::FaultKind;

use super::{Client, MoRef, VsphereError};

/// Ports of the vSwitch, as the original creates it.
const VSWITCH_PORTS: &str = "1024";

impl Client {
    /// The host's `HostNetworkSystem`.
    pub async fn host_network_system(&self, host: &MoRef) -> Result<MoRef, VsphereError> {
        let objects = self
            .properties_of(host, "HostSystem", &["configManager.networkSystem"])
            .await?;
        objects
            .as_ref()
            .and_then(|o| o.moref("configManager.networkSystem"))
            .ok_or_else(|| {
                VsphereError::NotFound(format!(
                    "host {host} has no network system to create a vSwitch"
                ))
            })
    }

    /// `AddVirtualSwitch` then `AddPortGroup`, both named `name` (VLAN 0). A failed port group
    /// leaves the switch for the caller's rollback.
    pub async fn add_vswitch_port_group(
        &self,
        network_system: &MoRef,
        name: &str,
    ) -> Result<(), VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("AddVirtualSwitch", network_system);
            request
                .text("vswitchName", name)
                .open("spec")
                .text("numPorts", VSWITCH_PORTS)
                .close("spec");
            self.transport().call(request).await.map(|_| ())
        })
        .await?;
        self.with_session(|| async {
            let mut request = Request::new("AddPortGroup", network_system);
            request
                .open("portgrp")
                .text("name", name)
                .text("vlanId", "0")
                .text("vswitchName", name)
                .open("policy")
                .close("policy")
                .close("portgrp");
            self.transport().call(request).await.map(|_| ())
        })
        .await
    }

    /// Removes the port group and the vSwitch named `name`. Returns whether anything was there
    /// (already gone counts as done).
    pub async fn remove_vswitch_port_group(
        &self,
        network_system: &MoRef,
        name: &str,
    ) -> Result<bool, VsphereError> {
        let mut removed = false;
        for (method, arg) in [
            ("RemovePortGroup", "pgName"),
            ("RemoveVirtualSwitch", "vswitchName"),
        ] {
            let result = self
                .with_session(|| async {
                    let mut request = Request::new(method, network_system);
                    request.text(arg, name);
                    self.transport().call(request).await.map(|_| ())
                })
                .await;
            match result {
                Ok(()) => removed = true,
                Err(e) if matches!(e.fault_kind(), Some(FaultKind::NotFound)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(removed)
    }
}
