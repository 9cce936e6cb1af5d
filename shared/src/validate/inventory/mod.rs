//! Inventory-aware rules (T7, T8, C1–C3, S6–S8, NV9, NV11, NV19, ...), run only when the caller has
//! an [`InventorySnapshot`]. Each rule family gets its own module beside this one, e.g.
//! `inventory/datacenter.rs`, `inventory/port_groups.rs`, and is called from [`check`].
//!
//! Rules here must stay pure functions of the config and the snapshot, so the browser can run them
//! against a cached snapshot and get the same answer as the proxy.

use crate::config::VchConfig;
use crate::finding::Finding;
use crate::inventory::InventorySnapshot;

/// Runs every inventory-aware rule. None are implemented yet in this crate.
pub fn check(_config: &VchConfig, _snapshot: &InventorySnapshot, _out: &mut Vec<Finding>) {}
