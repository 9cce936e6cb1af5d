//! The configuration of one Virtual Container Host, grouped the way the wizard groups it.
//!
//! Every value a user types and the original parses (CIDRs, IPs, gateway specs, sizes, shares,
//! durations) is kept as the raw text, so the browser can show "not a CIDR" while the user types and
//! the generated command line repeats exactly what was entered. The validator parses; the typed
//! accessors in [`crate::address`] and [`crate::quantity`] do the parsing.
//!
//! The JSON form is documented in `docs/config-schema.md` and versioned by [`SCHEMA_VERSION`].

mod compute;
mod defaults;
mod general;
mod network;
mod operations;
mod registry;
mod security;
mod storage;
mod target;

pub use compute::ComputeConfig;
pub use defaults::*;
pub use general::GeneralConfig;
pub use network::{BridgeNetwork, ContainerNetwork, NetworkConfig, ProxyConfig, RoleNetwork};
pub use operations::OperationsConfig;
pub use registry::RegistryConfig;
pub use security::{PemFile, SecurityConfig};
pub use storage::StorageConfig;
pub use target::TargetConfig;

use serde::{Deserialize, Serialize};

/// The version of the JSON schema this crate reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

fn current_schema_version() -> u32 {
    SCHEMA_VERSION
}

/// Everything `vic-machine create` accepts, in wizard order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VchConfig {
    /// Missing in the input means "the current version".
    #[serde(default = "current_schema_version")]
    pub schema_version: u32,
    /// Connection to vCenter/ESXi; not a wizard page (the plugin already knows it).
    pub target: TargetConfig,
    pub general: GeneralConfig,
    pub compute: ComputeConfig,
    pub storage: StorageConfig,
    pub network: NetworkConfig,
    pub security: SecurityConfig,
    pub registry: RegistryConfig,
    pub operations: OperationsConfig,
}

impl Default for VchConfig {
    fn default() -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            target: TargetConfig::default(),
            general: GeneralConfig::default(),
            compute: ComputeConfig::default(),
            storage: StorageConfig::default(),
            network: NetworkConfig::default(),
            security: SecurityConfig::default(),
            registry: RegistryConfig::default(),
            operations: OperationsConfig::default(),
        }
    }
}

impl VchConfig {
    /// A copy with every password removed: what may be written to disk or shown.
    pub fn without_secrets(&self) -> Self {
        let mut copy = self.clone();
        copy.target.password = None;
        copy.operations.ops_password = None;
        copy
    }

    /// A copy with the original's defaults filled in where the user gave nothing: the VCH name,
    /// public network "VM Network", client defaulting to public and management to client, the
    /// bridge port group to the VCH name (what an ESXi target does), bridge range and width,
    /// endpoint size, base image size, timeout, certificate folder and key size.
    pub fn resolved(&self) -> Self {
        let mut c = self.clone();
        let name = c
            .general
            .name
            .get_or_insert_with(|| DEFAULT_NAME.to_owned())
            .clone();
        let net = &mut c.network;
        let public = net
            .public
            .port_group
            .get_or_insert_with(|| DEFAULT_PUBLIC_NETWORK.to_owned())
            .clone();
        let client = net.client.port_group.get_or_insert(public).clone();
        net.management.port_group.get_or_insert(client);
        net.bridge.port_group.get_or_insert_with(|| name.clone());
        net.bridge
            .ip_range
            .get_or_insert_with(|| DEFAULT_BRIDGE_RANGE.to_owned());
        net.bridge
            .width
            .get_or_insert_with(|| DEFAULT_BRIDGE_WIDTH.to_string());
        c.compute
            .endpoint_cpu
            .get_or_insert_with(|| DEFAULT_ENDPOINT_CPU.to_string());
        c.compute
            .endpoint_memory
            .get_or_insert_with(|| DEFAULT_ENDPOINT_MEMORY_MB.to_string());
        c.storage
            .base_image_size
            .get_or_insert_with(|| DEFAULT_BASE_IMAGE_SIZE.to_owned());
        c.target
            .timeout
            .get_or_insert_with(|| DEFAULT_TIMEOUT.to_owned());
        c.security.tls_cert_path.get_or_insert(name);
        c.security
            .certificate_key_size
            .get_or_insert_with(|| DEFAULT_CERTIFICATE_KEY_SIZE.to_string());
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn resolved_applies_the_role_chain() {
        let mut c = VchConfig::default();
        c.network.public.port_group = Some("pub".into());
        let r = c.resolved();
        assert_eq!(r.network.client.port_group.as_deref(), Some("pub"));
        assert_eq!(r.network.management.port_group.as_deref(), Some("pub"));
        assert_eq!(
            r.network.bridge.port_group.as_deref(),
            Some("virtual-container-host")
        );
        assert_eq!(r.network.bridge.ip_range.as_deref(), Some("172.16.0.0/12"));
        assert_eq!(r.network.bridge.width.as_deref(), Some("16"));
        assert_eq!(r.compute.endpoint_cpu.as_deref(), Some("1"));
        assert_eq!(r.compute.endpoint_memory.as_deref(), Some("2048"));
    }

    #[test]
    fn management_follows_client_not_public() {
        let mut c = VchConfig::default();
        c.network.client.port_group = Some("cli".into());
        let r = c.resolved();
        assert_eq!(r.network.public.port_group.as_deref(), Some("VM Network"));
        assert_eq!(r.network.management.port_group.as_deref(), Some("cli"));
    }

    #[test]
    fn passwords_never_serialise() {
        let mut c = VchConfig::default();
        c.target.password = Some(Secret::new("topsecret"));
        c.operations.ops_password = Some(Secret::new("opsecret"));
        let json = serde_json::to_string(&c).unwrap();
        assert!(!json.contains("topsecret") && !json.contains("opsecret"));
        assert!(!format!("{c:?}").contains("topsecret"));
    }

    #[test]
    fn json_reads_passwords_and_rejects_unknown_fields() {
        let c: VchConfig =
            serde_json::from_str(r#"{"target":{"password":"pw"},"schema_version":1}"#).unwrap();
        assert_eq!(c.target.password.unwrap().expose(), "pw");
        assert!(serde_json::from_str::<VchConfig>(r#"{"nmae":"x"}"#).is_err());
    }
}
