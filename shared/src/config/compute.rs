//! Wizard page "Compute capacity": resource-pool limits and the endpoint VM size. Raw text.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ComputeConfig {
    /// MHz; 0 means unlimited.
    pub cpu_limit: Option<String>,
    pub cpu_reservation: Option<String>,
    /// `low`, `normal`, `high` or a positive integer.
    pub cpu_shares: Option<String>,
    /// MB; 0 means unlimited.
    pub memory_limit: Option<String>,
    pub memory_reservation: Option<String>,
    pub memory_shares: Option<String>,
    /// vCPUs of the appliance VM.
    pub endpoint_cpu: Option<String>,
    /// MB of the appliance VM.
    pub endpoint_memory: Option<String>,
    pub affinity_vm_group: bool,
}
