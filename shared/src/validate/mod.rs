//! Every rule that needs no live inventory, plus the hook for the inventory-aware ones.
//!
//! Each module holds the rules of one wizard group and pushes [`Finding`]s; nothing stops at the
//! first problem. Rules that need vSphere objects (datacenters, port groups, datastores) live under
//! [`inventory`] and run only when a snapshot is given, so the browser can re-run everything
//! locally against a cached snapshot.

mod compute;
mod control_chars;
mod general;
pub mod inventory;
mod limits;
mod network;
mod operations;
mod registry;
mod schema;
mod security;
mod storage;
mod target;
mod text;

pub use operations::missing_ops_password;

use crate::config::VchConfig;
use crate::finding::{Finding, Report};
use crate::inventory::InventorySnapshot;

/// Validates a whole configuration. The inventory is optional: without it only the static rules run.
/// A configuration beyond the caps of [`crate::limits`] gets SC3/SC4 findings and the rules see it
/// cut to the caps.
pub fn validate(config: &VchConfig, inventory: Option<&InventorySnapshot>) -> Report {
    let mut out: Vec<Finding> = Vec::new();
    let cut = limits::bounded(config, &mut out);
    let config = cut.as_ref().unwrap_or(config);
    schema::check(config, &mut out);
    target::check(config, &mut out);
    general::check(config, &mut out);
    control_chars::check(config, &mut out);
    compute::check(config, &mut out);
    storage::check(config, &mut out);
    network::check(config, &mut out);
    security::check(config, &mut out);
    registry::check(config, &mut out);
    operations::check(config, &mut out);
    if let Some(snapshot) = inventory {
        inventory::check(config, snapshot, &mut out);
    }
    Report::new(out)
}
