//! Finding and describing existing VCHs (`ls`, `inspect`, `inspect config`), from the appliance
//! VMs' extraConfig, the way vic-machine recognises them (docs/appliance-extraconfig.md §4.1).

use std::collections::BTreeMap;
use std::net::IpAddr;

use base64::Engine as _;
use serde::Serialize;
use shared::VchConfig;
use shared::extraconfig::{self, Secrets, VirtualContainerHostConfigSpec};
use shared::inventory::{InventorySnapshot, NetworkKind};

use crate::vsphere::resource_pool::{Allocation, PoolInfo, Shares};
use crate::vsphere::vm::VmInfo;
use crate::vsphere::{Client, MoRef};

use super::DeployError;

/// How the user names a VCH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The appliance VM's id (`vm-75`).
    Id(String),
    /// The VCH name (or the appliance VM's name).
    Name(String),
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selector::Id(id) => write!(f, "--id {id}"),
            Selector::Name(name) => write!(f, "--name {name:?}"),
        }
    }
}

/// One line of `vch ls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VchSummary {
    /// The appliance VM's id (`vm-75`).
    pub id: String,
    /// Inventory path of the parent of the VCH's pool (`/DC0/host/DC0_C0/Resources`).
    pub path: String,
    pub name: String,
    pub vm_name: String,
    pub datacenter: String,
    /// Path of the pool the appliance runs in.
    pub resource_pool: Option<String>,
    pub version: String,
    /// `running`, `powered off`, or `incomplete` when a create never finished.
    pub status: String,
    pub power_state: Option<String>,
    pub incomplete: bool,
    /// For a create that died before its appliance VM existed: the pool and folder it left
    /// (docs/crash-safety.md); `vm_name` is then empty and `id` is the pool's (or folder's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leftovers: Vec<shared::inventory::VchPart>,
}

fn summaries(snapshot: &InventorySnapshot) -> Vec<VchSummary> {
    let mut out = Vec::new();
    for dc in &snapshot.datacenters {
        for vch in &dc.vchs {
            let pool = vch.resource_pool.clone();
            let own_name = if vch.vm_name.is_empty() {
                vch.name.as_str()
            } else {
                vch.vm_name.as_str()
            };
            let path = match &pool {
                // The VCH's own pool is named after it; show where it sits.
                Some(p) if p.rsplit('/').next() == Some(own_name) => p
                    .rsplit_once('/')
                    .map_or_else(|| p.clone(), |(parent, _)| parent.to_owned()),
                Some(p) => p.clone(),
                // Only a folder left (DRS off): where it sits.
                None => vch.leftovers.first().map_or_else(String::new, |f| {
                    f.path
                        .rsplit_once('/')
                        .map_or_else(|| f.path.clone(), |(parent, _)| parent.to_owned())
                }),
            };
            let status = if vch.creating {
                "incomplete".to_owned()
            } else {
                match vch.power_state.as_deref() {
                    Some("poweredOn") => "running".to_owned(),
                    Some("poweredOff") => "powered off".to_owned(),
                    Some(other) => other.to_owned(),
                    None => "unknown".to_owned(),
                }
            };
            out.push(VchSummary {
                id: vch.id.clone(),
                path,
                name: vch.name.clone(),
                vm_name: vch.vm_name.clone(),
                datacenter: dc.path.clone(),
                resource_pool: pool,
                version: vch.version.clone().unwrap_or_else(|| "unknown".into()),
                status,
                power_state: vch.power_state.clone(),
                incomplete: vch.creating,
                leftovers: vch.leftovers.clone(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    out
}

/// Every VCH on the target (one inventory read: four round trips).
pub async fn list(client: &Client) -> Result<Vec<VchSummary>, DeployError> {
    Ok(summaries(&client.inventory().await?))
}

/// The one VCH the selector names, with the snapshot it was found in.
pub(crate) async fn find(
    client: &Client,
    selector: &Selector,
) -> Result<(VchSummary, InventorySnapshot), DeployError> {
    let snapshot = client.inventory().await?;
    let matches: Vec<VchSummary> = summaries(&snapshot)
        .into_iter()
        .filter(|v| match selector {
            Selector::Id(id) => v.id == *id,
            Selector::Name(name) => v.name == *name || v.vm_name == *name,
        })
        .collect();
    let ids = matches
        .iter()
        .map(|v| v.id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut iter = matches.into_iter();
    match (iter.next(), iter.next()) {
        (None, _) => Err(DeployError::NotFound(selector.to_string())),
        (Some(one), None) => Ok((one, snapshot)),
        (Some(_), Some(_)) => Err(DeployError::Ambiguous {
            what: selector.to_string(),
            ids,
        }),
    }
}

/// A create killed before its appliance VM existed left only a pool and folder: nothing to inspect
/// or configure, only to delete (docs/crash-safety.md).
fn require_appliance(summary: &VchSummary) -> Result<(), String> {
    if !summary.vm_name.is_empty() || summary.leftovers.is_empty() {
        return Ok(());
    }
    let what: Vec<String> = summary
        .leftovers
        .iter()
        .map(|p| format!("{} {}", p.kind, p.path))
        .collect();
    Err(format!(
        "VCH {:?} is incomplete: its create stopped before the appliance VM existed and left only {}; remove it with `vch delete --name {}`",
        summary.name,
        what.join(", "),
        summary.name
    ))
}

/// The appliance VM of a VCH and its decoded configuration (secrets left out).
pub(crate) struct Appliance {
    pub vm: VmInfo,
    pub tree: VirtualContainerHostConfigSpec,
}

pub(crate) async fn appliance(client: &Client, id: &str) -> Result<Appliance, DeployError> {
    let moref = MoRef::new("VirtualMachine", id);
    let vm = client
        .vm_info(std::slice::from_ref(&moref))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| DeployError::NotFound(format!("--id {id}")))?;
    let tree: VirtualContainerHostConfigSpec =
        extraconfig::decode_extra_config(vm.extra_config.clone(), Secrets::Ignore).map_err(
            |e| {
                DeployError::Vsphere(crate::vsphere::VsphereError::NotFound(format!(
                    "a readable VCH configuration on {id} ({e})"
                )))
            },
        )?;
    Ok(Appliance { vm, tree })
}

/// One appliance interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// `bridge`, `client`, `management`, `public`.
    pub role: String,
    pub port_group: String,
    /// The NIC's PCI slot (the appliance finds the role by it).
    pub pci_slot: Option<u32>,
    /// The configured static address (CIDR), if any.
    pub static_ip: Option<String>,
    /// What the appliance reports it configured.
    pub assigned_ip: Option<IpAddr>,
}

/// `vch inspect`.
#[derive(Debug, Clone, Serialize)]
pub struct VchDetails {
    pub summary: VchSummary,
    pub client_ip: Option<IpAddr>,
    pub public_ip: Option<IpAddr>,
    pub management_ip: Option<IpAddr>,
    pub tls: bool,
    pub tls_verify: bool,
    pub docker_port: u16,
    /// `ip:port` when the client IP is known.
    pub docker_host: Option<String>,
    /// `https://ip:2378`.
    pub admin_portal: Option<String>,
    pub endpoints: Vec<Endpoint>,
    /// Alias → port group.
    pub container_networks: BTreeMap<String, String>,
    /// Label → location.
    pub volume_stores: BTreeMap<String, String>,
    pub bridge_range: Option<String>,
    pub num_cpus: Option<i64>,
    pub memory_mb: Option<i64>,
    pub datastore_path: Option<String>,
    /// When the server certificate and the CAs the VCH holds expire.
    pub certificates: Vec<super::certs::CertificateExpiry>,
}

fn decode_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if text.is_empty() || text == extraconfig::NIL {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    let ip = match bytes.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(bytes.as_slice()).ok()?),
        16 => {
            let v6 = std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes.as_slice()).ok()?);
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        }
        _ => return None,
    };
    (!ip.is_unspecified()).then_some(ip)
}

pub(crate) fn port_group_names(snapshot: &InventorySnapshot) -> BTreeMap<String, String> {
    snapshot
        .datacenters
        .iter()
        .flat_map(|dc| dc.networks.iter())
        .map(|n| {
            let kind = match n.kind {
                NetworkKind::Standard => "Network",
                NetworkKind::DistributedPortGroup => "DistributedVirtualPortgroup",
                NetworkKind::Opaque => "OpaqueNetwork",
            };
            (format!("{kind}:{}", n.id), n.name.clone())
        })
        .collect()
}

/// `vch inspect`: endpoints, networks and addresses.
pub async fn inspect(client: &Client, selector: &Selector) -> Result<VchDetails, DeployError> {
    let (summary, snapshot) = find(client, selector).await?;
    require_appliance(&summary).map_err(DeployError::Refused)?;
    let Appliance { vm, tree } = appliance(client, &summary.id).await?;
    let names = port_group_names(&snapshot);
    let extra = extraconfig::collect_extra_config(vm.extra_config.clone());
    let assigned = |role: &str| {
        extra
            .get(&format!("guestinfo.vice..init.networks|{role}.assigned.IP"))
            .and_then(|v| decode_ip(v))
    };
    let mut endpoints = Vec::new();
    for (role, endpoint) in &tree.executor.networks {
        let id = &endpoint.network.common.id;
        endpoints.push(Endpoint {
            role: role.clone(),
            port_group: names.get(id).cloned().unwrap_or_else(|| id.clone()),
            pci_slot: endpoint.common.id.parse().ok(),
            static_ip: endpoint
                .ip
                .as_ref()
                .filter(|_| endpoint.static_ip)
                .and_then(|n| {
                    let addr = n.ip.addr()?;
                    (!addr.is_unspecified())
                        .then(|| format!("{addr}/{}", n.mask.prefix_len().unwrap_or(32)))
                }),
            assigned_ip: assigned(role),
        });
    }
    let static_of = |role: &str| {
        endpoints
            .iter()
            .find(|e| e.role == role)
            .and_then(|e| e.static_ip.as_deref())
            .and_then(|cidr| cidr.split('/').next())
            .and_then(|ip| ip.parse::<IpAddr>().ok())
    };
    let client_ip = assigned("client")
        .or_else(|| static_of("client"))
        .or_else(|| vm.ip_address.as_deref().and_then(|ip| ip.parse().ok()));
    let tls = tree.certificate.host_certificate.is_some();
    let docker_port = if tls { 2376 } else { 2375 };
    let container_networks = tree
        .network
        .container_networks
        .iter()
        .filter(|(alias, _)| alias.as_str() != "bridge")
        .map(|(alias, cn)| {
            (
                alias.clone(),
                names
                    .get(&cn.common.id)
                    .cloned()
                    .unwrap_or_else(|| cn.common.id.clone()),
            )
        })
        .collect();
    let volume_stores = tree
        .storage
        .volume_locations
        .iter()
        .map(|(label, url)| (label.clone(), url.to_url_string()))
        .collect();
    Ok(VchDetails {
        client_ip,
        public_ip: assigned("public")
            .or_else(|| static_of("public"))
            .or(client_ip),
        management_ip: assigned("management")
            .or_else(|| static_of("management"))
            .or(client_ip),
        tls,
        tls_verify: !tree.certificate.certificate_authorities.0.is_empty(),
        docker_port,
        docker_host: client_ip.map(|ip| format!("{ip}:{docker_port}")),
        admin_portal: client_ip.map(|ip| format!("https://{ip}:2378")),
        endpoints,
        container_networks,
        volume_stores,
        bridge_range: tree
            .network
            .bridge_ip_range
            .as_ref()
            .and_then(|n| Some(format!("{}/{}", n.ip.addr()?, n.mask.prefix_len()?))),
        num_cpus: vm.num_cpus,
        memory_mb: vm.memory_mb,
        datastore_path: vm.vm_path_name.clone(),
        certificates: certificate_expiries(&tree),
        summary,
    })
}

fn certificate_expiries(
    tree: &VirtualContainerHostConfigSpec,
) -> Vec<super::certs::CertificateExpiry> {
    let c = &tree.certificate;
    let mut out = c
        .host_certificate
        .as_ref()
        .map(|h| super::certs::expiries("server", &h.cert.0))
        .unwrap_or_default();
    out.extend(super::certs::expiries(
        "client CA",
        &c.certificate_authorities.0,
    ));
    out.extend(super::certs::expiries(
        "registry CA",
        &c.registry_certificate_authorities.0,
    ));
    out
}

fn allocation_options(allocation: &Allocation) -> (Option<String>, Option<String>, Option<String>) {
    let limit = (allocation.limit > 0).then(|| allocation.limit.to_string());
    let reservation = (allocation.reservation > 0).then(|| allocation.reservation.to_string());
    let shares = match allocation.shares {
        Shares::Normal => None,
        Shares::Low => Some("low".to_owned()),
        Shares::High => Some("high".to_owned()),
        Shares::Custom(n) => Some(n.to_string()),
    };
    (limit, reservation, shares)
}

/// `vch inspect config`: the configuration the VCH runs with, as a [`VchConfig`] and as the
/// equivalent `vic-machine create` command line. Passwords and file contents cannot be recovered.
pub async fn inspect_config(
    client: &Client,
    selector: &Selector,
) -> Result<(VchConfig, String), DeployError> {
    let (summary, snapshot) = find(client, selector).await?;
    require_appliance(&summary).map_err(DeployError::Refused)?;
    let Appliance { vm, tree } = appliance(client, &summary.id).await?;
    let mut config = extraconfig::to_vch_config(&tree, &port_group_names(&snapshot));

    // Where it runs: the parent of its own pool, relative to the datacenter's host folder.
    let host_prefix = format!("{}/host/", summary.datacenter);
    let parent = summary
        .path
        .strip_prefix(&host_prefix)
        .unwrap_or(&summary.path);
    let parent = parent.strip_suffix("/Resources").unwrap_or(parent);
    if !parent.is_empty() {
        config.target.compute_resource = Some(parent.to_owned());
    }
    if config.target.datacenter.is_none() {
        config.target.datacenter = Some(summary.datacenter.trim_start_matches('/').to_owned());
    }

    // Pool limits live on the pool, the endpoint size on the VM: not in extraConfig.
    let own_pool = vm
        .resource_pool
        .as_ref()
        .filter(|p| p.kind == "ResourcePool");
    if let Some(pool) = own_pool
        && let Some(PoolInfo { name, spec, .. }) = client.resource_pool_info(pool).await?
        && name == vm.name
    {
        let (limit, reservation, shares) = allocation_options(&spec.cpu);
        config.compute.cpu_limit = limit;
        config.compute.cpu_reservation = reservation;
        config.compute.cpu_shares = shares;
        let (limit, reservation, shares) = allocation_options(&spec.memory);
        config.compute.memory_limit = limit;
        config.compute.memory_reservation = reservation;
        config.compute.memory_shares = shares;
    }
    config.compute.endpoint_cpu = vm.num_cpus.map(|n| n.to_string());
    config.compute.endpoint_memory = vm.memory_mb.map(|n| n.to_string());
    // vic-machine records these as explicit defaults; drop the ones equal to the defaults so the
    // command line stays what a user would type.
    let defaults = VchConfig::default().resolved();
    if config.compute.endpoint_cpu == defaults.compute.endpoint_cpu {
        config.compute.endpoint_cpu = None;
    }
    if config.compute.endpoint_memory == defaults.compute.endpoint_memory {
        config.compute.endpoint_memory = None;
    }
    let line = shared::vic_machine::generate(&config, shared::vic_machine::Os::Linux);
    Ok((config, line))
}
