//! Where to deploy and as whom (`--target`, `--user`, `--password`, `--thumbprint`, ...).

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TargetConfig {
    /// vCenter or ESXi address as given, without credentials or datacenter path: `vc.example.com`,
    /// `https://10.0.0.5:443`.
    pub server: Option<String>,
    /// The datacenter path from `--target host/dc`; more than one element is an error (T6).
    pub datacenter: Option<String>,
    pub user: Option<String>,
    #[serde(skip_serializing)]
    pub password: Option<Secret>,
    pub thumbprint: Option<String>,
    /// `--compute-resource`: cluster, host or resource pool path.
    pub compute_resource: Option<String>,
    pub force: bool,
    /// Go duration, e.g. `3m`, `90s`, `1h30m`.
    pub timeout: Option<String>,
    pub appliance_iso: Option<String>,
    pub bootstrap_iso: Option<String>,
}
