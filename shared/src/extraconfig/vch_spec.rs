//! The root of the appliance configuration (VIC's `config.VirtualContainerHostConfigSpec`, §3):
//! connection, certificates, storage, networks, container and registry settings, plus the `init` subtree.
//!
//! Left out on purpose, because VIC never writes them: `contact/…` (slices of `mail.Address` that are
//! always empty), `cert/UserCertificates` (a slice of pointers, which VIC's encoder cannot write), and the
//! `recurse:"depth=0"` fields `container/ContainerVMSize`, `container/ContainerStores`,
//! `registry/RegistryBlacklist`.

use std::collections::BTreeMap;

use super::codec::Bytes;
use super::executor::ExecutorConfig;
use super::keys::{ro, secret, untagged};
use super::values::{GoIpMask, GoIpNet, GoUrl, MoRef};
use crate::extraconfig_struct;

/// The whole configuration tree a VCH appliance reads from extraConfig.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VirtualContainerHostConfigSpec {
    pub executor: ExecutorConfig,
    pub connection: Connection,
    pub certificate: Certificate,
    pub storage: Storage,
    pub network: Network,
    pub container: Container,
    pub registry: Registry,
    /// True only when vic-machine created the bridge port group itself (ESX).
    pub create_bridge_network: bool,
    /// `ADD` with `--ops-grant-perms`, else empty.
    pub grant_perms_level: String,
    /// The recorded `vic-machine create` arguments, `--flag=value` each (§4.3).
    pub vic_machine_create_options: Vec<String>,
}

extraconfig_struct!(VirtualContainerHostConfigSpec {
    executor => ro("init"),
    connection => ro("connect"),
    certificate => ro("cert"),
    storage => ro("storage"),
    network => ro("network"),
    container => ro("container"),
    registry => ro("registry"),
    create_bridge_network => ro("create_bridge_network"),
    grant_perms_level => ro("grant_permissions"),
    vic_machine_create_options => ro("vic_machine_create_options"),
});

/// How the appliance reaches vSphere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    /// `scheme://host[:port]`, without user or datacenter path.
    pub target: String,
    pub username: String,
    /// The ops password; sealed as `connect/token@secret`.
    pub token: String,
    /// SHA-1, upper-case hex pairs joined by `:`.
    pub target_thumbprint: String,
    /// A Go `time.Duration`, so nanoseconds.
    pub keepalive_nanos: i64,
}

extraconfig_struct!(Connection {
    target => ro("target"),
    username => ro("username"),
    token => secret("token"),
    target_thumbprint => ro("target_thumbprint"),
    keepalive_nanos => ro("keepalive"),
});

/// A certificate and its private key, both PEM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCertificate {
    /// PEM private key; stored base64 and then sealed (`Key@secret`).
    pub key: Bytes,
    /// PEM certificate, stored base64.
    pub cert: Bytes,
}

extraconfig_struct!(RawCertificate {
    key => secret("Key"),
    cert => untagged("Cert"),
});

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Certificate {
    pub network_certificates: BTreeMap<String, RawCertificate>,
    /// The server certificate the Docker API presents; absent with `--no-tls`.
    pub host_certificate: Option<RawCertificate>,
    /// Concatenated PEM CAs that client certificates must chain to.
    pub certificate_authorities: Bytes,
    /// Concatenated PEM CAs for registries.
    pub registry_certificate_authorities: Bytes,
    pub host_certificates: BTreeMap<String, RawCertificate>,
}

extraconfig_struct!(Certificate {
    network_certificates => untagged("NetworkCertificates"),
    host_certificate => ro("HostCertificate"),
    certificate_authorities => ro("CertificateAuthorities"),
    registry_certificate_authorities => ro("RegistryCertificateAuthorities"),
    host_certificates => untagged("HostCertificates"),
});

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Storage {
    /// `ds://<datastore>/<path>`; one element in practice.
    pub image_stores: Vec<GoUrl>,
    /// Keyed by volume store label.
    pub volume_locations: BTreeMap<String, GoUrl>,
    /// Base image size in KB (decimal).
    pub scratch_size: i64,
    /// Bytes; 0 means no quota.
    pub storage_quota: i64,
}

extraconfig_struct!(Storage {
    image_stores => ro("image_stores"),
    volume_locations => ro("VolumeLocations"),
    scratch_size => ro("scratch_size"),
    storage_quota => ro("storage_quota"),
});

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    /// Always `bridge`.
    pub bridge_network: String,
    /// Keyed by alias; always includes `bridge`.
    pub container_networks: BTreeMap<String, super::executor::ContainerNetwork>,
    pub bridge_ip_range: Option<GoIpNet>,
    pub bridge_network_width: Option<GoIpMask>,
}

extraconfig_struct!(Network {
    bridge_network => ro("bridge_network"),
    container_networks => ro("container_networks"),
    bridge_ip_range => ro("bridge-ip-range"),
    bridge_network_width => ro("bridge-net-width"),
});

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    /// The VCH resource pool.
    pub compute_resources: Vec<MoRef>,
    /// `[<ds>] <folder>/<iso version>-bootstrap.iso`.
    pub bootstrap_image_path: String,
    pub container_name_convention: String,
    pub use_vm_group: bool,
    pub vm_group_name: String,
    /// `--containers`; 0 means unlimited.
    pub max_concurrent_containers: i64,
}

extraconfig_struct!(Container {
    compute_resources => ro("ComputeResources"),
    bootstrap_image_path => ro("bootstrap_image_path"),
    container_name_convention => untagged("ContainerNameConvention"),
    use_vm_group => untagged("UseVMGroup"),
    vm_group_name => untagged("VMGroupName"),
    max_concurrent_containers => ro("container_count"),
});

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    pub insecure_registries: Vec<String>,
    pub whitelist_registries: Vec<String>,
}

extraconfig_struct!(Registry {
    insecure_registries => ro("insecure_registries"),
    whitelist_registries => ro("whitelist_registries"),
});
