//! Which objects belong to which VCH, from vSphere alone, even when the create that made them was
//! killed (docs/crash-safety.md).
//!
//! The appliance VM carries the VCH in its extraConfig from the moment it exists (`CreatingVCH`
//! until the final reconfigure), as the original's does. The resource pool and VM folder exist
//! before it, so a create marks each right after making it with the custom attribute
//! [`VCH_MARKER`] set to the VCH name. The inventory read turns marked objects that hold no VCH VM
//! into an incomplete VCH (`vch ls`), which `vch delete` removes.

use crate::vsphere::{Client, MoRef, VsphereError};

pub use crate::vsphere::custom_fields::VCH_MARKER;

/// Marks `entity` (a pool or folder this create just made) as part of VCH `name`. One round trip
/// on vCenter; nothing on a standalone ESXi host, which has no custom attributes.
pub async fn mark(client: &Client, entity: &MoRef, name: &str) -> Result<(), VsphereError> {
    if !client.has_custom_fields() {
        return Ok(());
    }
    client.set_vch_marker(entity, name).await
}
