//! The `vic-machine create` option table: long name, short and old names, and whether it takes a
//! value. The parser and the generator both read it, so they cannot disagree.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Takes one value (`--opt v` or `--opt=v`).
    Value,
    /// Boolean: present means true; `--opt=false` is accepted as Go's flag package does.
    Flag,
    /// A value that may be left out (`--password` alone means "prompt me").
    OptionalValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    Target,
    User,
    Password,
    Thumbprint,
    ComputeResource,
    Name,
    OpsUser,
    OpsPassword,
    OpsGrantPerms,
    AffinityVmGroup,
    Force,
    Timeout,
    BridgeNetwork,
    BridgeNetworkRange,
    BridgeNetworkWidth,
    PublicNetwork,
    PublicNetworkIp,
    PublicNetworkGateway,
    ClientNetwork,
    ClientNetworkIp,
    ClientNetworkGateway,
    ManagementNetwork,
    ManagementNetworkIp,
    ManagementNetworkGateway,
    DnsServer,
    ContainerNetwork,
    ContainerNetworkGateway,
    ContainerNetworkIpRange,
    ContainerNetworkDns,
    ContainerNetworkFirewall,
    AsymmetricRoutes,
    HttpsProxy,
    HttpProxy,
    NoProxy,
    ImageStore,
    VolumeStore,
    BaseImageSize,
    StorageQuota,
    Cpu,
    CpuReservation,
    CpuShares,
    Memory,
    MemoryReservation,
    MemoryShares,
    EndpointCpu,
    EndpointMemory,
    Containers,
    NoTls,
    NoTlsverify,
    TlsCname,
    TlsCa,
    Organization,
    CertificateKeySize,
    TlsServerKey,
    TlsServerCert,
    TlsCertPath,
    RegistryCa,
    InsecureRegistry,
    WhitelistRegistry,
    ContainerNameConvention,
    SyslogAddress,
    Debug,
    ApplianceIso,
    BootstrapIso,
    ExtendedHelp,
}

pub struct OptSpec {
    pub opt: Opt,
    pub long: &'static str,
    pub short: &'static [&'static str],
    /// Names of earlier releases, still accepted.
    pub old: &'static [&'static str],
    pub kind: Kind,
}

const fn spec(
    opt: Opt,
    long: &'static str,
    short: &'static [&'static str],
    old: &'static [&'static str],
    kind: Kind,
) -> OptSpec {
    OptSpec {
        opt,
        long,
        short,
        old,
        kind,
    }
}

use Kind::{Flag, OptionalValue, Value};

pub const OPTIONS: &[OptSpec] = &[
    spec(Opt::Target, "target", &["t"], &[], Value),
    spec(Opt::User, "user", &["u"], &[], Value),
    spec(Opt::Password, "password", &["p"], &[], OptionalValue),
    spec(Opt::Thumbprint, "thumbprint", &[], &[], Value),
    spec(Opt::ComputeResource, "compute-resource", &["r"], &[], Value),
    spec(Opt::Name, "name", &["n"], &[], Value),
    spec(Opt::OpsUser, "ops-user", &[], &[], Value),
    spec(Opt::OpsPassword, "ops-password", &[], &[], OptionalValue),
    spec(Opt::OpsGrantPerms, "ops-grant-perms", &[], &[], Flag),
    spec(Opt::AffinityVmGroup, "affinity-vm-group", &[], &[], Flag),
    spec(Opt::Force, "force", &["f"], &[], Flag),
    spec(Opt::Timeout, "timeout", &[], &[], Value),
    spec(Opt::BridgeNetwork, "bridge-network", &["b"], &[], Value),
    spec(
        Opt::BridgeNetworkRange,
        "bridge-network-range",
        &["bnr"],
        &[],
        Value,
    ),
    spec(
        Opt::BridgeNetworkWidth,
        "bridge-network-width",
        &["bnw"],
        &[],
        Value,
    ),
    spec(
        Opt::PublicNetwork,
        "public-network",
        &["pn"],
        &["external-network"],
        Value,
    ),
    spec(
        Opt::PublicNetworkIp,
        "public-network-ip",
        &[],
        &["external-network-ip"],
        Value,
    ),
    spec(
        Opt::PublicNetworkGateway,
        "public-network-gateway",
        &[],
        &["external-network-gateway"],
        Value,
    ),
    spec(Opt::ClientNetwork, "client-network", &["cln"], &[], Value),
    spec(Opt::ClientNetworkIp, "client-network-ip", &[], &[], Value),
    spec(
        Opt::ClientNetworkGateway,
        "client-network-gateway",
        &[],
        &[],
        Value,
    ),
    spec(
        Opt::ManagementNetwork,
        "management-network",
        &["mn"],
        &[],
        Value,
    ),
    spec(
        Opt::ManagementNetworkIp,
        "management-network-ip",
        &[],
        &[],
        Value,
    ),
    spec(
        Opt::ManagementNetworkGateway,
        "management-network-gateway",
        &[],
        &[],
        Value,
    ),
    spec(Opt::DnsServer, "dns-server", &[], &[], Value),
    spec(
        Opt::ContainerNetwork,
        "container-network",
        &["cn"],
        &[],
        Value,
    ),
    spec(
        Opt::ContainerNetworkGateway,
        "container-network-gateway",
        &["cng"],
        &[],
        Value,
    ),
    spec(
        Opt::ContainerNetworkIpRange,
        "container-network-ip-range",
        &["cnr"],
        &[],
        Value,
    ),
    spec(
        Opt::ContainerNetworkDns,
        "container-network-dns",
        &["cnd"],
        &[],
        Value,
    ),
    spec(
        Opt::ContainerNetworkFirewall,
        "container-network-firewall",
        &["cnf"],
        &[],
        Value,
    ),
    spec(
        Opt::AsymmetricRoutes,
        "asymmetric-routes",
        &["ar"],
        &[],
        Flag,
    ),
    spec(Opt::HttpsProxy, "https-proxy", &[], &[], Value),
    spec(Opt::HttpProxy, "http-proxy", &[], &[], Value),
    spec(Opt::NoProxy, "no-proxy", &[], &[], Value),
    spec(
        Opt::ImageStore,
        "image-store",
        &["i"],
        &["image-datastore"],
        Value,
    ),
    spec(Opt::VolumeStore, "volume-store", &["vs"], &[], Value),
    spec(Opt::BaseImageSize, "base-image-size", &[], &[], Value),
    spec(Opt::StorageQuota, "storage-quota", &["sq"], &[], Value),
    spec(Opt::Cpu, "cpu", &[], &[], Value),
    spec(
        Opt::CpuReservation,
        "cpu-reservation",
        &["cpur"],
        &[],
        Value,
    ),
    spec(Opt::CpuShares, "cpu-shares", &["cpus"], &[], Value),
    spec(Opt::Memory, "memory", &["mem"], &[], Value),
    spec(
        Opt::MemoryReservation,
        "memory-reservation",
        &["memr"],
        &[],
        Value,
    ),
    spec(Opt::MemoryShares, "memory-shares", &["mems"], &[], Value),
    spec(Opt::EndpointCpu, "endpoint-cpu", &[], &[], Value),
    spec(Opt::EndpointMemory, "endpoint-memory", &[], &[], Value),
    spec(Opt::Containers, "containers", &[], &[], Value),
    spec(Opt::NoTls, "no-tls", &["k"], &[], Flag),
    spec(Opt::NoTlsverify, "no-tlsverify", &["kv"], &[], Flag),
    spec(Opt::TlsCname, "tls-cname", &[], &[], Value),
    spec(Opt::TlsCa, "tls-ca", &["ca"], &[], Value),
    spec(Opt::Organization, "organization", &[], &[], Value),
    spec(
        Opt::CertificateKeySize,
        "certificate-key-size",
        &["ksz"],
        &[],
        Value,
    ),
    spec(Opt::TlsServerKey, "tls-server-key", &[], &["key"], Value),
    spec(Opt::TlsServerCert, "tls-server-cert", &[], &["cert"], Value),
    spec(
        Opt::TlsCertPath,
        "tls-cert-path",
        &[],
        &["cert-path"],
        Value,
    ),
    spec(Opt::RegistryCa, "registry-ca", &["rc"], &[], Value),
    spec(
        Opt::InsecureRegistry,
        "insecure-registry",
        &["dir"],
        &[],
        Value,
    ),
    spec(
        Opt::WhitelistRegistry,
        "whitelist-registry",
        &["wr"],
        &[],
        Value,
    ),
    spec(
        Opt::ContainerNameConvention,
        "container-name-convention",
        &["cnc"],
        &[],
        Value,
    ),
    spec(Opt::SyslogAddress, "syslog-address", &[], &[], Value),
    spec(Opt::Debug, "debug", &["v"], &[], Value),
    spec(Opt::ApplianceIso, "appliance-iso", &["ai"], &[], Value),
    spec(Opt::BootstrapIso, "bootstrap-iso", &["bi"], &[], Value),
    spec(Opt::ExtendedHelp, "extended-help", &["x"], &[], Flag),
];

pub enum Lookup {
    Current(&'static OptSpec),
    Old(&'static OptSpec),
}

pub fn lookup(name: &str) -> Option<Lookup> {
    OPTIONS.iter().find_map(|s| {
        if s.long == name || s.short.contains(&name) {
            Some(Lookup::Current(s))
        } else if s.old.contains(&name) {
            Some(Lookup::Old(s))
        } else {
            None
        }
    })
}

pub fn spec_of(opt: Opt) -> &'static OptSpec {
    // Every `Opt` has a row; the fallback only keeps this total.
    OPTIONS.iter().find(|s| s.opt == opt).unwrap_or(&OPTIONS[0])
}

/// The closest known long name, for "did you mean".
pub fn suggest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    OPTIONS
        .iter()
        .flat_map(|s| {
            std::iter::once(s.long)
                .chain(s.short.iter().copied())
                .chain(s.old.iter().copied())
                .map(move |n| (n, s.long))
        })
        .map(|(n, long)| (strsim::jaro_winkler(&lower, n), long))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, long)| long)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut all: Vec<&str> = OPTIONS
            .iter()
            .flat_map(|s| {
                std::iter::once(s.long)
                    .chain(s.short.iter().copied())
                    .chain(s.old.iter().copied())
            })
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("bridge-netwrok"), Some("bridge-network"));
        assert_eq!(suggest("zzzzzzzzzzzz"), None);
    }
}
