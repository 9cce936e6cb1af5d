//! Mapping between the user's [`VchConfig`] and the appliance tree vic-machine 1.5.8 would write
//! (§3, §5.1, §5.3), and back for `vch inspect config`.
//!
//! The config holds raw user text that the validator has already accepted; anything that still fails to
//! parse here is reported as a [`MappingError`] rather than guessed. Facts only the deployment knows
//! (morefs, datastore folder, certificates, build) come in [`DeploymentFacts`].

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use thiserror::Error;

use super::codec::Bytes;
use super::executor::{
    CREATING_VCH, Cmd, Common, ContainerNetwork, ExecutorCommon, NetworkEndpoint, SessionConfig,
    SysLogConfig, TrustLevel,
};
use super::values::{Build, GoIp, GoIpMask, GoIpNet, GoUrl, IpRange, MoRef};
use super::vch_spec::{RawCertificate, VirtualContainerHostConfigSpec};
use crate::address::{parse_cidr, parse_gateway_spec, parse_ip_range, parse_ipv4};
use crate::config::{self, VchConfig};
use crate::quantity::{parse_size_bytes, parse_uint};

/// First vNIC PCI slot and the step between slots (`lib/constants`).
pub const PCI_SLOT_BEGIN: u32 = 0x4A0;
pub const PCI_SLOT_STEP: u32 = 32;

/// Which of vic-machine's two encodes to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The `CreateVM_Task` spec (F5): `CreatingVCH`, no sessions, no NIC slots yet, plain volume paths.
    CreateVm,
    /// The post-create reconfigure and every later configure (F4).
    Final,
}

/// The server certificate the Docker API presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificatePair {
    pub cert_pem: String,
    pub key_pem: String,
}

/// What the deployment knows that the config does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentFacts {
    pub phase: Phase,
    /// The VM's moref value (`vm-75`); used in [`Phase::Final`].
    pub vm_moref: String,
    /// The installer's build, recorded as the VCH version.
    pub installer: Build,
    /// The resolved SHA-1 thumbprint of the target (given or read from its certificate).
    pub thumbprint: String,
    pub datacenter_name: String,
    /// Inventory path of the compute resource (`/DC0/host/DC0_C0`).
    pub cluster_path: String,
    /// Inventory path of the pool named by `--compute-resource` (not the VCH's own pool).
    pub parent_pool_path: String,
    /// The VCH's resource pool.
    pub vch_pool: MoRef,
    /// The VM's datastore folder (normally the VCH name).
    pub vm_folder: String,
    /// Bootstrap ISO version (`V1.5.8-12345-2C978FE`), from the ISO's publisher field.
    pub bootstrap_iso_version: String,
    /// Port group name → moref, for every role and container network.
    pub port_groups: BTreeMap<String, MoRef>,
    /// `None` with `--no-tls`.
    pub server_certificate: Option<CertificatePair>,
    /// Concatenated PEM CAs for client verification (given or generated); empty for none.
    pub client_ca_pem: String,
    pub create_bridge_network: bool,
    /// `vic_machine_create_options`, see [`super::vch::record_create_options`].
    pub create_options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MappingError {
    #[error("{option}: {value:?} cannot be used: {why}")]
    Invalid {
        option: &'static str,
        value: String,
        why: &'static str,
    },
    #[error("no moref is known for port group {0:?}")]
    UnknownPortGroup(String),
}

fn invalid(option: &'static str, value: &str, why: &'static str) -> MappingError {
    MappingError::Invalid {
        option,
        value: value.to_string(),
        why,
    }
}

fn ip16(addr: Ipv4Addr) -> GoIp {
    GoIp::parsed(IpAddr::V4(addr))
}

fn mask4(prefix: u8) -> GoIpMask {
    GoIpMask::v4_prefix(prefix).unwrap_or_default()
}

fn moref(facts: &DeploymentFacts, port_group: &str) -> Result<MoRef, MappingError> {
    facts
        .port_groups
        .get(port_group)
        .cloned()
        .ok_or_else(|| MappingError::UnknownPortGroup(port_group.to_string()))
}

fn common(id: impl Into<String>, name: impl Into<String>) -> Common {
    Common {
        id: id.into(),
        name: name.into(),
        ..Common::default()
    }
}

/// `connect/target`: scheme and host, no user, no datacenter path; `https://` when no scheme was given.
pub fn connect_target(server: &str) -> String {
    let server = server.trim().trim_end_matches('/');
    if server.contains("://") {
        server.to_string()
    } else {
        format!("https://{server}")
    }
}

/// Builds the appliance tree vic-machine would encode for `config` (resolved with its defaults first).
pub fn build_appliance_config(
    config: &VchConfig,
    facts: &DeploymentFacts,
) -> Result<VirtualContainerHostConfigSpec, MappingError> {
    let c = config.resolved();
    let name = c.general.name.clone().unwrap_or_default();
    let mut spec = VirtualContainerHostConfigSpec::default();

    // connect
    let target = connect_target(c.target.server.as_deref().unwrap_or_default());
    spec.connection.target = target.clone();
    spec.connection.username = c
        .operations
        .ops_user
        .clone()
        .or_else(|| c.target.user.clone())
        .unwrap_or_default();
    spec.connection.token = c
        .operations
        .ops_password
        .as_ref()
        .or(c.target.password.as_ref())
        .map(|s| s.expose().to_string())
        .unwrap_or_default();
    spec.connection.target_thumbprint = facts.thumbprint.clone();

    // cert
    spec.certificate.host_certificate = facts.server_certificate.as_ref().map(|p| RawCertificate {
        key: Bytes(p.key_pem.as_bytes().to_vec()),
        cert: Bytes(p.cert_pem.as_bytes().to_vec()),
    });
    spec.certificate.certificate_authorities = Bytes(facts.client_ca_pem.as_bytes().to_vec());
    spec.certificate.registry_certificate_authorities =
        Bytes(super::certificates::registry_ca_pem(&c).into_bytes());

    build_storage(&c, facts, &mut spec)?;
    build_networks(&c, facts, &mut spec)?;

    // container
    spec.container.compute_resources = vec![facts.vch_pool.clone()];
    let (image_ds, _) = split_image_store(c.storage.image_store.as_deref().unwrap_or_default());
    if facts.phase == Phase::Final {
        spec.container.bootstrap_image_path = format!(
            "[{image_ds}] {}/{}-bootstrap.iso",
            facts.vm_folder, facts.bootstrap_iso_version
        );
    }
    spec.container.container_name_convention = c
        .general
        .container_name_convention
        .clone()
        .unwrap_or_default();
    spec.container.use_vm_group = c.compute.affinity_vm_group;
    if c.compute.affinity_vm_group {
        spec.container.vm_group_name = name.clone();
    }
    spec.container.max_concurrent_containers =
        optional_int("--containers", c.storage.containers.as_deref())?;

    // registry
    spec.registry.insecure_registries = c.registry.insecure_registries.clone();
    if !c.registry.whitelist_registries.is_empty() {
        let mut merged = c.registry.whitelist_registries.clone();
        for insecure in &c.registry.insecure_registries {
            if !merged.contains(insecure) {
                merged.push(insecure.clone());
            }
        }
        spec.registry.whitelist_registries = merged;
    }

    // init
    let exec = &mut spec.executor;
    exec.common = ExecutorCommon {
        id: match facts.phase {
            Phase::CreateVm => CREATING_VCH.to_string(),
            Phase::Final => super::vch::vch_id_for(&facts.vm_moref),
        },
        name,
        ..ExecutorCommon::default()
    };
    exec.diagnostics.debug_level = optional_int("--debug", c.general.debug.as_deref())?;
    if let Some(address) = c
        .general
        .syslog_address
        .as_deref()
        .filter(|a| !a.is_empty())
    {
        exec.diagnostics.syslog = Some(parse_syslog(address)?);
    }
    exec.asymmetric_routing = c.network.asymmetric_routes;
    exec.version = Some(facts.installer.clone());
    if facts.phase == Phase::Final {
        exec.sessions = build_sessions(&c, facts, &target, &image_ds);
    }

    spec.create_bridge_network = facts.create_bridge_network;
    if c.operations.ops_grant_perms {
        spec.grant_perms_level = "ADD".to_string();
    }
    spec.vic_machine_create_options = facts.create_options.clone();
    Ok(spec)
}

fn optional_int(option: &'static str, text: Option<&str>) -> Result<i64, MappingError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(t) => parse_uint(t)
            .and_then(|n| i64::try_from(n).ok())
            .ok_or_else(|| invalid(option, t, "not a non-negative integer")),
    }
}

fn parse_syslog(address: &str) -> Result<SysLogConfig, MappingError> {
    let (scheme, rest) = address
        .split_once("://")
        .ok_or_else(|| invalid("--syslog-address", address, "needs tcp:// or udp://"))?;
    let host = rest.trim_end_matches('/');
    if host.is_empty() {
        return Err(invalid("--syslog-address", address, "has no host"));
    }
    let has_port = match host.rsplit_once(':') {
        Some((h, p)) => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':'),
        None => false,
    };
    let raddr = if has_port {
        host.to_string()
    } else {
        format!("{host}:514")
    };
    Ok(SysLogConfig {
        network: scheme.to_ascii_lowercase(),
        raddr,
    })
}

/// `datastore[/path]` or `ds://datastore[/path]` → (datastore, path).
fn split_image_store(text: &str) -> (String, String) {
    let text = text.trim();
    let text = text.strip_prefix("ds://").unwrap_or(text);
    match text.split_once('/') {
        Some((ds, path)) => (ds.to_string(), path.trim_matches('/').to_string()),
        None => (text.to_string(), String::new()),
    }
}

fn build_storage(
    c: &VchConfig,
    facts: &DeploymentFacts,
    spec: &mut VirtualContainerHostConfigSpec,
) -> Result<(), MappingError> {
    let (image_ds, image_path) =
        split_image_store(c.storage.image_store.as_deref().unwrap_or_default());
    let path = if image_path.is_empty() && facts.phase == Phase::Final {
        facts.vm_folder.clone()
    } else {
        image_path
    };
    spec.storage.image_stores = vec![GoUrl {
        scheme: "ds".into(),
        host: image_ds,
        path,
        ..GoUrl::default()
    }];

    for store in &c.storage.volume_stores {
        let (location, label) = store
            .rsplit_once(':')
            .filter(|(_, label)| !label.is_empty() && !label.starts_with("//"))
            .ok_or_else(|| invalid("--volume-store", store, "needs a :label"))?;
        let url = if let Some(rest) = location.strip_prefix("nfs://") {
            let (host_path, query) = rest.split_once('?').unwrap_or((rest, ""));
            let (host, path) = host_path.split_once('/').unwrap_or((host_path, ""));
            GoUrl {
                scheme: "nfs".into(),
                host: host.into(),
                path: format!("/{path}"),
                raw_query: query.into(),
                ..GoUrl::default()
            }
        } else {
            let (ds, path) = split_image_store(location);
            let path = if path.is_empty() {
                "VIC".to_string()
            } else {
                path
            };
            let path = match facts.phase {
                Phase::CreateVm => path,
                Phase::Final => format!("[{ds}] {path}"),
            };
            GoUrl {
                scheme: "ds".into(),
                host: ds,
                path,
                ..GoUrl::default()
            }
        };
        spec.storage.volume_locations.insert(label.to_string(), url);
    }

    let base = c.storage.base_image_size.as_deref().unwrap_or_default();
    let bytes =
        parse_size_bytes(base).ok_or_else(|| invalid("--base-image-size", base, "not a size"))?;
    spec.storage.scratch_size = i64::try_from(bytes / 1000).unwrap_or(i64::MAX);
    let quota_gb = optional_int("--storage-quota", c.storage.storage_quota.as_deref())?;
    spec.storage.storage_quota = quota_gb.saturating_mul(1 << 30);
    Ok(())
}

/// One appliance role as the config gives it.
struct Role<'a> {
    name: &'static str,
    port_group: String,
    settings: &'a config::RoleNetwork,
}

fn static_ip(role: &Role<'_>) -> Result<Option<(Ipv4Addr, u8)>, MappingError> {
    match role
        .settings
        .ip
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => Ok(None),
        Some(text) => parse_cidr(text)
            .map(|net| Some((net.addr(), net.prefix_len())))
            .ok_or_else(|| invalid("--<role>-network-ip", text, "not address/prefix")),
    }
}

fn build_networks(
    c: &VchConfig,
    facts: &DeploymentFacts,
    spec: &mut VirtualContainerHostConfigSpec,
) -> Result<(), MappingError> {
    let net = &c.network;
    let pg = |o: &Option<String>| o.clone().unwrap_or_default();
    let roles = [
        Role {
            name: "client",
            port_group: pg(&net.client.port_group),
            settings: &net.client,
        },
        Role {
            name: "management",
            port_group: pg(&net.management.port_group),
            settings: &net.management,
        },
        Role {
            name: "public",
            port_group: pg(&net.public.port_group),
            settings: &net.public,
        },
    ];
    let public_pg = pg(&net.public.port_group);

    let mut endpoints = BTreeMap::new();
    let mut all_static = true;
    for role in &roles {
        // Roles on the public port group share its NIC, so they take its addressing (configureSharedPortGroups).
        let source = if role.name != "public" && role.port_group == public_pg {
            &roles[2]
        } else {
            role
        };
        let ip = static_ip(source)?;
        all_static &= ip.is_some();
        let mut network = ContainerNetwork {
            common: common(moref(facts, &role.port_group)?.to_type_value(), role.name),
            default: role.name == "public",
            ..ContainerNetwork::default()
        };
        if let Some(text) = source
            .settings
            .gateway
            .as_deref()
            .filter(|g| !g.trim().is_empty())
        {
            let gw = parse_gateway_spec(text)
                .map_err(|_| invalid("--<role>-network-gateway", text, "not [dest,…:]gateway"))?;
            let prefix = ip.map(|(_, p)| p).or(gw.gateway_mask);
            network.gateway = GoIpNet {
                ip: ip16(gw.gateway),
                mask: prefix.map(mask4).unwrap_or_default(),
            };
            network.destinations = gw
                .destinations
                .iter()
                .map(|d| GoIpNet {
                    ip: GoIp::four(d.network()),
                    mask: mask4(d.prefix_len()),
                })
                .collect();
        }
        endpoints.insert(
            role.name.to_string(),
            NetworkEndpoint {
                common: common(
                    "",
                    if role.name == "management" {
                        ""
                    } else {
                        role.name
                    },
                ),
                static_ip: ip.is_some(),
                ip: ip.map(|(addr, prefix)| GoIpNet {
                    ip: ip16(addr),
                    mask: mask4(prefix),
                }),
                network,
                ..NetworkEndpoint::default()
            },
        );
    }

    let dns: Vec<GoIp> = if net.dns_servers.is_empty() {
        if all_static {
            vec![
                ip16(Ipv4Addr::new(8, 8, 8, 8)),
                ip16(Ipv4Addr::new(8, 8, 4, 4)),
            ]
        } else {
            Vec::new()
        }
    } else {
        net.dns_servers
            .iter()
            .map(|s| {
                parse_ipv4(s)
                    .map(ip16)
                    .ok_or_else(|| invalid("--dns-server", s, "not an IPv4 address"))
            })
            .collect::<Result<_, _>>()?
    };
    for endpoint in endpoints.values_mut() {
        endpoint.network.nameservers = dns.clone();
    }

    let bridge_moref = moref(facts, &pg(&net.bridge.port_group))?;
    let bridge_network = ContainerNetwork {
        common: common(bridge_moref.to_type_value(), "bridge"),
        kind: "bridge".into(),
        ..ContainerNetwork::default()
    };
    endpoints.insert(
        "bridge".to_string(),
        NetworkEndpoint {
            common: common("", "bridge"),
            static_ip: true,
            ip: Some(GoIpNet {
                ip: ip16(Ipv4Addr::UNSPECIFIED),
                mask: GoIpMask::default(),
            }),
            network: bridge_network.clone(),
            ..NetworkEndpoint::default()
        },
    );
    match facts.phase {
        Phase::CreateVm => {
            // Before NICs exist the bridge endpoint carries its port group moref (§3.3).
            if let Some(bridge) = endpoints.get_mut("bridge") {
                bridge.common.id = bridge_moref.to_type_value();
            }
        }
        Phase::Final => assign_pci_slots(&mut endpoints),
    }
    spec.executor.networks = endpoints;

    spec.network.bridge_network = "bridge".into();
    spec.network
        .container_networks
        .insert("bridge".into(), bridge_network);
    for cn in &net.container_networks {
        let alias = cn.effective_alias().to_string();
        let mut network = ContainerNetwork {
            common: common(moref(facts, &cn.port_group)?.to_type_value(), alias.clone()),
            kind: "external".into(),
            ..ContainerNetwork::default()
        };
        if let Some(text) = cn.gateway.as_deref().filter(|g| !g.trim().is_empty()) {
            let gw = parse_cidr(text).ok_or_else(|| {
                invalid("--container-network-gateway", text, "not gateway/prefix")
            })?;
            network.gateway = GoIpNet {
                ip: ip16(gw.addr()),
                mask: mask4(gw.prefix_len()),
            };
        }
        for text in &cn.ip_ranges {
            let range = parse_ip_range(text)
                .ok_or_else(|| invalid("--container-network-ip-range", text, "not a range"))?;
            // A CIDR range goes through To4 and stays 4 bytes; the dash forms are ParseIP's 16 (§3.6).
            let pick = |a| {
                if text.contains('/') {
                    GoIp::four(a)
                } else {
                    ip16(a)
                }
            };
            network.pools.push(IpRange {
                first: pick(range.first),
                last: pick(range.last),
            });
        }
        for text in &cn.dns {
            let ip = parse_ipv4(text)
                .ok_or_else(|| invalid("--container-network-dns", text, "not an IPv4 address"))?;
            network.nameservers.push(ip16(ip));
        }
        if let Some(word) = cn.firewall.as_deref().filter(|w| !w.is_empty()) {
            network.trust_level = TrustLevel::from_word(word).ok_or_else(|| {
                invalid("--container-network-firewall", word, "unknown trust level")
            })?;
        }
        spec.network.container_networks.insert(alias, network);
    }

    let range_text = pg(&net.bridge.ip_range);
    let range = parse_cidr(&range_text)
        .ok_or_else(|| invalid("--bridge-network-range", &range_text, "not a CIDR"))?;
    spec.network.bridge_ip_range = Some(GoIpNet {
        ip: GoIp::four(range.network()),
        mask: mask4(range.prefix_len()),
    });
    let width_text = pg(&net.bridge.width);
    let width = width_text
        .trim()
        .parse::<u8>()
        .ok()
        .and_then(GoIpMask::v4_prefix)
        .ok_or_else(|| invalid("--bridge-network-width", &width_text, "not a prefix length"))?;
    spec.network.bridge_network_width = Some(width);
    Ok(())
}

/// Gives each distinct port group one vNIC slot (1184, 1216, …) and writes it into `Common/id` of every
/// role on it. vic-machine walks roles in random map order; we walk them sorted so the result is
/// reproducible (bridge, client, management, public). The proxy must add its NICs with these slots.
pub fn assign_pci_slots(endpoints: &mut BTreeMap<String, NetworkEndpoint>) {
    let mut slots: BTreeMap<String, u32> = BTreeMap::new();
    let mut next = PCI_SLOT_BEGIN;
    for endpoint in endpoints.values_mut() {
        let slot = *slots
            .entry(endpoint.network.common.id.clone())
            .or_insert_with(|| {
                let s = next;
                next += PCI_SLOT_STEP;
                s
            });
        endpoint.common.id = slot.to_string();
    }
}

/// The NIC slots a tree needs: port group moref (`Type:Value`) → PCI slot number.
pub fn nic_slots(spec: &VirtualContainerHostConfigSpec) -> BTreeMap<String, u32> {
    spec.executor
        .networks
        .values()
        .filter_map(|e| Some((e.network.common.id.clone(), e.common.id.parse().ok()?)))
        .collect()
}

fn build_sessions(
    c: &VchConfig,
    facts: &DeploymentFacts,
    target: &str,
    image_ds: &str,
) -> BTreeMap<String, SessionConfig> {
    let session = |id: &str, path: &str, args: Vec<String>, env: Vec<String>| SessionConfig {
        common: common(id, id),
        cmd: Cmd {
            path: path.into(),
            args: std::iter::once(path.to_string()).chain(args).collect(),
            env,
            dir: String::new(),
        },
        active: true,
        restart: true,
        ..SessionConfig::default()
    };
    let proxy = &c.network.proxy;
    let proxy_env = |http: &str, https: &str| {
        let mut env = Vec::new();
        if let Some(p) = proxy.http_proxy.as_deref().filter(|p| !p.is_empty()) {
            env.push(format!("{http}={p}"));
        }
        if let Some(p) = proxy.https_proxy.as_deref().filter(|p| !p.is_empty()) {
            env.push(format!("{https}={p}"));
        }
        if let Some(p) = proxy.no_proxy.as_deref().filter(|p| !p.is_empty()) {
            env.push(format!("NO_PROXY={p}"));
        }
        env
    };

    let mut vicadmin = session(
        "vicadmin",
        "/sbin/vicadmin",
        vec![
            format!("--dc={}", facts.datacenter_name),
            format!("--pool={}", facts.parent_pool_path),
            format!("--cluster={}", facts.cluster_path),
        ],
        ["PATH=/sbin:/bin", "GOTRACEBACK=all"]
            .map(String::from)
            .into_iter()
            .chain(proxy_env("VICADMIN_HTTP_PROXY", "VICADMIN_HTTPS_PROXY"))
            .collect(),
    );
    vicadmin.cmd.dir = "/home/vicadmin".into();
    vicadmin.user = "vicadmin".into();
    vicadmin.group = "vicadmin".into();

    let port = if facts.server_certificate.is_some() {
        2376
    } else {
        2375
    };
    let docker = session(
        "docker-personality",
        "/sbin/docker-engine-server",
        vec![format!("-port={port}"), "-port-layer-port=2377".into()],
        ["PATH=/sbin", "GOTRACEBACK=all"]
            .map(String::from)
            .into_iter()
            .chain(proxy_env("HTTP_PROXY", "HTTPS_PROXY"))
            .collect(),
    );
    let port_layer = session(
        "port-layer",
        "/sbin/port-layer-server",
        vec!["--host=localhost".into(), "--port=2377".into()],
        vec![
            format!("VC_URL={target}"),
            format!("DC_PATH={}", facts.datacenter_name),
            format!("CS_PATH={}", facts.cluster_path),
            format!("POOL_PATH={}", facts.parent_pool_path),
            format!("DS_PATH={image_ds}"),
        ],
    );
    BTreeMap::from([
        ("vicadmin".to_string(), vicadmin),
        ("docker-personality".to_string(), docker),
        ("port-layer".to_string(), port_layer),
    ])
}

/// The way back, for `vch inspect config`: what a stored tree says about the user's configuration.
/// Port group names are not in extraConfig, only morefs; `port_group_names` maps `Type:Value` to the
/// name (from the inventory). Unknown morefs are kept as their `Type:Value` text. File options (PEMs)
/// and passwords cannot be recovered and stay empty.
pub fn to_vch_config(
    spec: &VirtualContainerHostConfigSpec,
    port_group_names: &BTreeMap<String, String>,
) -> VchConfig {
    let name_of = |id: &str| {
        port_group_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let mut c = VchConfig::default();
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());

    c.general.name = non_empty(&spec.executor.common.name);
    c.general.debug = Some(spec.executor.diagnostics.debug_level.to_string());
    c.general.syslog_address = spec
        .executor
        .diagnostics
        .syslog
        .as_ref()
        .map(|s| format!("{}://{}", s.network, s.raddr));
    c.general.container_name_convention = non_empty(&spec.container.container_name_convention);

    c.target.server = non_empty(&spec.connection.target);
    c.target.thumbprint = non_empty(&spec.connection.target_thumbprint);
    c.operations.ops_user = non_empty(&spec.connection.username);
    c.operations.ops_grant_perms = spec.grant_perms_level == "ADD";
    if let Some(vicadmin) = spec.executor.sessions.get("vicadmin") {
        c.target.datacenter = vicadmin
            .cmd
            .args
            .iter()
            .find_map(|a| a.strip_prefix("--dc="))
            .and_then(non_empty);
    }

    c.compute.affinity_vm_group = spec.container.use_vm_group;
    if let Some(store) = spec.storage.image_stores.first() {
        c.storage.image_store = Some(if store.path.is_empty() {
            store.host.clone()
        } else {
            format!("{}/{}", store.host, store.path)
        });
    }
    for (label, url) in &spec.storage.volume_locations {
        let location = if url.scheme == "nfs" {
            url.to_url_string()
        } else {
            // Stored as `[ds] path`; the option form is `ds/path`.
            let path = url
                .path
                .strip_prefix(&format!("[{}] ", url.host))
                .unwrap_or(&url.path);
            format!("{}/{}", url.host, path)
        };
        c.storage.volume_stores.push(format!("{location}:{label}"));
    }
    c.storage.base_image_size = Some(format!("{}KB", spec.storage.scratch_size));
    if spec.storage.storage_quota > 0 {
        c.storage.storage_quota = Some((spec.storage.storage_quota >> 30).to_string());
    }
    if spec.container.max_concurrent_containers > 0 {
        c.storage.containers = Some(spec.container.max_concurrent_containers.to_string());
    }

    let net = &mut c.network;
    net.asymmetric_routes = spec.executor.asymmetric_routing;
    let cidr = |n: &GoIpNet| -> Option<String> {
        let addr = n.ip.addr()?;
        Some(match n.mask.prefix_len() {
            Some(p) => format!("{addr}/{p}"),
            None => addr.to_string(),
        })
    };
    for (role, endpoint) in &spec.executor.networks {
        let port_group = Some(name_of(&endpoint.network.common.id));
        let settings = config::RoleNetwork {
            port_group,
            ip: endpoint
                .ip
                .as_ref()
                .filter(|_| endpoint.static_ip)
                .and_then(cidr),
            gateway: endpoint.network.gateway.ip.addr().map(|gw| {
                let dests: Vec<String> = endpoint
                    .network
                    .destinations
                    .iter()
                    .filter_map(cidr)
                    .collect();
                if dests.is_empty() {
                    gw.to_string()
                } else {
                    format!("{}:{gw}", dests.join(","))
                }
            }),
        };
        match role.as_str() {
            "bridge" => net.bridge.port_group = settings.port_group,
            "public" => net.public = settings,
            "client" => net.client = settings,
            "management" => net.management = settings,
            _ => {}
        }
    }
    super::shared_addresses::drop_copied_addresses(net);
    if let Some(public) = spec.executor.networks.get("public") {
        net.dns_servers = public
            .network
            .nameservers
            .iter()
            .filter_map(|ip| ip.addr().map(|a| a.to_string()))
            .collect();
    }
    net.bridge.ip_range = spec.network.bridge_ip_range.as_ref().and_then(cidr);
    net.bridge.width = spec
        .network
        .bridge_network_width
        .as_ref()
        .and_then(GoIpMask::prefix_len)
        .map(|p| p.to_string());
    for (alias, cn) in &spec.network.container_networks {
        if alias == "bridge" {
            continue;
        }
        let port_group = name_of(&cn.common.id);
        net.container_networks.push(config::ContainerNetwork {
            alias: (alias != &port_group).then(|| alias.clone()),
            port_group,
            gateway: (!cn.gateway.ip.is_empty())
                .then(|| cidr(&cn.gateway))
                .flatten(),
            ip_ranges: cn
                .pools
                .iter()
                .filter_map(|r| Some(format!("{}-{}", r.first.addr()?, r.last.addr()?)))
                .collect(),
            dns: cn
                .nameservers
                .iter()
                .filter_map(|ip| ip.addr().map(|a| a.to_string()))
                .collect(),
            firewall: (cn.trust_level != TrustLevel::Unspecified)
                .then(|| cn.trust_level.word().to_string()),
        });
    }
    if let Some(docker) = spec.executor.sessions.get("docker-personality") {
        for entry in &docker.cmd.env {
            if let Some(v) = entry.strip_prefix("HTTP_PROXY=") {
                net.proxy.http_proxy = Some(v.to_string());
            } else if let Some(v) = entry.strip_prefix("HTTPS_PROXY=") {
                net.proxy.https_proxy = Some(v.to_string());
            } else if let Some(v) = entry.strip_prefix("NO_PROXY=") {
                net.proxy.no_proxy = Some(v.to_string());
            }
        }
    }

    c.security.no_tls = spec.certificate.host_certificate.is_none();
    c.security.no_tlsverify =
        !c.security.no_tls && spec.certificate.certificate_authorities.0.is_empty();
    super::certificates::restore(spec, &mut c);
    c.registry.insecure_registries = spec.registry.insecure_registries.clone();
    c.registry.whitelist_registries = spec
        .registry
        .whitelist_registries
        .iter()
        .filter(|r| !spec.registry.insecure_registries.contains(r))
        .cloned()
        .collect();
    c
}
