//! Standalone ESXi without the bridge port group (rule NV12): create makes a vSwitch and a port
//! group of that name on the host, as the original does; the appliance's extraConfig records
//! `create_bridge_network` so that delete removes them again. Journalled for rollback.

use crate::vsphere::vm::NicBacking;
use crate::vsphere::{Client, MoRef, VsphereError};

use super::journal::Journal;
use super::plan::PortGroup;

/// Creates the vSwitch and port group `name` on `host`; returns the port group (its `Network`)
/// and the host's network system.
pub(super) async fn create(
    client: &Client,
    journal: &mut Journal,
    host: &MoRef,
    name: &str,
    datacenter_path: &str,
) -> Result<(PortGroup, MoRef), VsphereError> {
    let network_system = client.host_network_system(host).await?;
    journal.pending_vswitch(&network_system, name);
    client.add_vswitch_port_group(&network_system, name).await?;
    let path = format!("{}/network/{name}", datacenter_path.trim_matches('/'));
    let network = client.find_by_inventory_path(&path).await?.ok_or_else(|| {
        VsphereError::NotFound(format!("the new port group {name:?} is not at {path}"))
    })?;
    let port_group = PortGroup {
        name: name.to_owned(),
        moref: network.clone(),
        backing: NicBacking::Standard {
            name: name.to_owned(),
            network,
        },
    };
    Ok((port_group, network_system))
}
