//! Which objects belong to which VCH, from vSphere alone, even when the create that made them was
//! killed (docs/crash-safety.md).
//!
//! The appliance VM carries the VCH in its extraConfig from the moment it exists (`CreatingVCH`
//! until the final reconfigure), as the original's does. The resource pool and VM folder exist
//! before it, so a create marks the pool right after making it with the custom attribute
//! [`VCH_MARKER`] set to the VCH name; the folder, made after the marked pool, is known by its
//! name and place (`<datacenter>/vm/<name>`), and marked itself only when no pool was made
//! (DRS off). The inventory read turns marked objects that hold no VCH VM into an incomplete VCH
//! (`vch ls`), which `vch delete` removes.

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

/// Marks the VCH's VM folder, unless the create made (and marked) a pool: the pool then vouches
/// for the folder, which saves a round trip and leaves no unmarked moment for it.
pub async fn mark_folder(
    client: &Client,
    folder: &MoRef,
    name: &str,
    pool_marked: bool,
) -> Result<(), VsphereError> {
    if pool_marked {
        return Ok(());
    }
    mark(client, folder, name).await
}
