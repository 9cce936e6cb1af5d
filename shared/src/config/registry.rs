//! Wizard page "Registry access".

use serde::{Deserialize, Serialize};

use super::PemFile;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistryConfig {
    pub registry_ca: Vec<PemFile>,
    /// host[:port], URL or wildcard domain.
    pub insecure_registries: Vec<String>,
    /// host, IP, CIDR or wildcard domain; empty means every registry is allowed.
    pub whitelist_registries: Vec<String>,
}
