//! Wizard page "Networks": the four appliance roles, container networks, DNS and proxies.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    pub bridge: BridgeNetwork,
    pub public: RoleNetwork,
    pub client: RoleNetwork,
    pub management: RoleNetwork,
    /// `--dns-server`, each an IPv4 address.
    pub dns_servers: Vec<String>,
    pub container_networks: Vec<ContainerNetwork>,
    pub asymmetric_routes: bool,
    pub proxy: ProxyConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BridgeNetwork {
    /// Defaults to the VCH name (only usable on ESXi; vCenter needs an existing DPG).
    pub port_group: Option<String>,
    /// CIDR, default `172.16.0.0/12`.
    pub ip_range: Option<String>,
    /// Prefix length of each bridge network, default 16.
    pub width: Option<String>,
}

/// The public, client or management role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoleNetwork {
    /// Empty: client uses the public port group, management the client one.
    pub port_group: Option<String>,
    /// Static address in CIDR form (`10.0.1.2/24`); empty means DHCP.
    pub ip: Option<String>,
    /// `[cidr,cidr:]gateway`. Public takes a bare gateway only.
    pub gateway: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContainerNetwork {
    /// The vSphere network (port group) name; the other `--container-network-*` options name it.
    pub port_group: String,
    /// The name Docker users see; defaults to the port group name.
    pub alias: Option<String>,
    /// `gateway/prefix`; a bare IP is accepted and its mask inferred (finding N24).
    pub gateway: Option<String>,
    /// Each `a.b.c.d-e.f.g.h`, `a.b.c.d-N` or a CIDR.
    pub ip_ranges: Vec<String>,
    pub dns: Vec<String>,
    /// `closed`, `outbound`, `peers`, `published` or `open`.
    pub firewall: Option<String>,
}

impl ContainerNetwork {
    /// The name Docker sees.
    pub fn effective_alias(&self) -> &str {
        self.alias
            .as_deref()
            .filter(|a| !a.is_empty())
            .unwrap_or(&self.port_group)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProxyConfig {
    pub http_proxy: Option<String>,
    pub https_proxy: Option<String>,
    /// `*` or a comma-separated list.
    pub no_proxy: Option<String>,
}
