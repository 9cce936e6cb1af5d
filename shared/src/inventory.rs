//! Serialisable snapshot of a vSphere inventory, read by the proxy and cached by the browser so that
//! inventory-aware rules run locally.

use serde::{Deserialize, Serialize};

/// Everything the inventory-aware rules need to know about a target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InventorySnapshot {
    /// Datacenter names.
    pub datacenters: Vec<String>,
}
