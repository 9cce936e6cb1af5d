//! Where a VCH goes: the datacenter, compute resource, parent pool, datastore and port groups the
//! (resolved) configuration names, looked up in an inventory snapshot. Pure: no I/O.

use std::collections::BTreeMap;

use shared::VchConfig;
use shared::extraconfig::MoRef as ExtraMoRef;
use shared::inventory::{ComputeKind, ComputeResource, Datacenter, InventorySnapshot, NetworkKind};

use crate::vsphere::MoRef;
use crate::vsphere::vm::NicBacking;

/// A name the configuration gives that the inventory cannot place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--{option}: {problem}. {hint}")]
pub struct PlacementError {
    /// The vic-machine option concerned, without dashes.
    pub option: &'static str,
    pub problem: String,
    pub hint: String,
}

fn placement(option: &'static str, problem: String, hint: String) -> PlacementError {
    PlacementError {
        option,
        problem,
        hint,
    }
}

/// A port group a role or container network uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortGroup {
    pub name: String,
    pub moref: MoRef,
    pub backing: NicBacking,
}

/// A `ds://` volume store: the directory to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeDir {
    pub label: String,
    pub datastore: String,
    /// `[ds] path`.
    pub datastore_path: String,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub datacenter: MoRef,
    pub datacenter_name: String,
    pub datacenter_path: String,
    pub is_vcenter: bool,
    pub compute_path: String,
    /// The cluster (`ClusterComputeResource`) or standalone host's `ComputeResource`: DRS VM
    /// groups and the ops user's cluster permission go there.
    pub compute: MoRef,
    /// `Some(false)`: DRS explicitly off, so no VCH pool (the original's rule).
    pub drs_enabled: Option<bool>,
    pub parent_pool: MoRef,
    pub parent_pool_path: String,
    /// For a cluster without DRS vCenter wants a host for `CreateVM_Task`.
    pub host: Option<MoRef>,
    pub datastore: String,
    /// Config port-group text (as given) → port group.
    pub port_groups: BTreeMap<String, PortGroup>,
    pub volume_dirs: Vec<VolumeDir>,
    /// Standalone ESXi without the bridge port group: the vSwitch and port group to create
    /// (named after it) and the host they go on (rule NV12).
    pub create_bridge: Option<(String, MoRef)>,
}

impl Plan {
    /// Whether the VCH gets its own resource pool.
    pub fn creates_pool(&self) -> bool {
        self.drs_enabled != Some(false)
    }

    /// Port group name → extraConfig moref, for `DeploymentFacts::port_groups`.
    pub fn extraconfig_port_groups(&self) -> BTreeMap<String, ExtraMoRef> {
        self.port_groups
            .iter()
            .map(|(k, pg)| (k.clone(), ExtraMoRef::new(&pg.moref.kind, &pg.moref.value)))
            .collect()
    }
}

fn pick_datacenter<'a>(
    config: &VchConfig,
    snapshot: &'a InventorySnapshot,
) -> Result<&'a Datacenter, PlacementError> {
    let names = || {
        snapshot
            .datacenters
            .iter()
            .map(|d| d.path.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match config
        .target
        .datacenter
        .as_deref()
        .filter(|d| !d.is_empty())
    {
        Some(dc) => snapshot.datacenter(dc).ok_or_else(|| {
            placement(
                "target",
                format!("datacenter {dc:?} not found"),
                format!("Name one of: {}", names()),
            )
        }),
        None => match snapshot.datacenters.as_slice() {
            [only] => Ok(only),
            [] => Err(placement(
                "target",
                "the target has no datacenter".into(),
                "Create a datacenter first".into(),
            )),
            _ => Err(placement(
                "target",
                "the target has several datacenters".into(),
                format!(
                    "Add one to --target, e.g. --target host/DC; there are: {}",
                    names()
                ),
            )),
        },
    }
}

/// `(compute resource, index of the parent pool in its pool list)`.
fn pick_compute<'a>(
    config: &VchConfig,
    dc: &'a Datacenter,
) -> Result<(&'a ComputeResource, usize), PlacementError> {
    // The rules' own resolution (C1–C3): every form that validates is a form we can place.
    match shared::validate::inventory::resolve_compute(config, dc) {
        Ok(placement) => {
            let pool = placement
                .pool
                .and_then(|p| {
                    placement
                        .resource
                        .resource_pools
                        .iter()
                        .position(|q| q.id == p.id)
                })
                .unwrap_or(0);
            Ok((placement.resource, pool))
        }
        Err(findings) => {
            let first = findings.first();
            let hint = first
                .filter(|f| !f.suggestions.is_empty())
                .map(|f| format!("Use one of: {}", f.suggestions.join(", ")))
                .unwrap_or_else(|| {
                    "Pass --compute-resource with a cluster, host or resource pool".into()
                });
            Err(placement(
                "compute-resource",
                first.map_or_else(
                    || format!("no compute resource of {} can be used", dc.path),
                    |f| f.message.clone(),
                ),
                hint,
            ))
        }
    }
}

/// `datastore[/path]` or `ds://datastore[/path]` → (datastore, path).
pub fn split_datastore_path(text: &str) -> (String, String) {
    let text = text.trim();
    let text = text.strip_prefix("ds://").unwrap_or(text);
    match text.split_once('/') {
        Some((ds, path)) => (ds.to_owned(), path.trim_matches('/').to_owned()),
        None => (text.to_owned(), String::new()),
    }
}

fn port_group(
    dc: &Datacenter,
    option: &'static str,
    name: &str,
) -> Result<PortGroup, PlacementError> {
    let found: Vec<_> = dc.networks_named(name).collect();
    let network = match found.as_slice() {
        [one] => *one,
        [] => {
            let names: Vec<&str> = dc.networks.iter().map(|n| n.name.as_str()).collect();
            return Err(placement(
                option,
                format!("network {name:?} not found in {}", dc.path),
                format!("Existing networks: {}", names.join(", ")),
            ));
        }
        _ => {
            return Err(placement(
                option,
                format!("several networks are called {name:?}"),
                "Give the network's inventory path instead".into(),
            ));
        }
    };
    let (moref, backing) = match network.kind {
        NetworkKind::Standard => {
            let moref = MoRef::new("Network", &network.id);
            (
                moref.clone(),
                NicBacking::Standard {
                    name: network.name.clone(),
                    network: moref,
                },
            )
        }
        NetworkKind::DistributedPortGroup => {
            let switch = network.switch.as_ref().ok_or_else(|| {
                placement(
                    option,
                    format!("the switch of distributed port group {name:?} could not be read"),
                    "Check the user's read permission on the distributed switch".into(),
                )
            })?;
            (
                MoRef::new("DistributedVirtualPortgroup", &network.id),
                NicBacking::Distributed {
                    switch_uuid: switch.uuid.clone(),
                    portgroup_key: network
                        .portgroup_key
                        .clone()
                        .unwrap_or_else(|| network.id.clone()),
                },
            )
        }
        NetworkKind::Opaque => {
            return Err(placement(
                option,
                format!("{name:?} is an NSX opaque network, which this version cannot attach yet"),
                "Use a distributed or standard port group".into(),
            ));
        }
    };
    Ok(PortGroup {
        name: network.name.clone(),
        moref,
        backing,
    })
}

/// Places a resolved configuration (see [`VchConfig::resolved`]).
pub fn resolve(config: &VchConfig, snapshot: &InventorySnapshot) -> Result<Plan, PlacementError> {
    let name = config.general.name.clone().unwrap_or_default();
    let dc = pick_datacenter(config, snapshot)?;
    let (compute, pool_index) = pick_compute(config, dc)?;
    let parent = compute.resource_pools.get(pool_index).ok_or_else(|| {
        placement(
            "compute-resource",
            format!("{} has no resource pool", compute.path),
            "Check the user's read permission on the cluster".into(),
        )
    })?;
    // Without DRS a host is chosen once the datastores and port groups are known.
    let needs_host = compute.kind == ComputeKind::Cluster && compute.drs_enabled != Some(true);

    let image_store = config.storage.image_store.clone().unwrap_or_default();
    let (datastore, _) = split_datastore_path(&image_store);
    if datastore.is_empty() {
        return Err(placement(
            "image-store",
            "no image store given".into(),
            "Pass --image-store with a datastore name".into(),
        ));
    }
    if dc.datastores_named(&datastore).next().is_none() {
        let names: Vec<&str> = dc.datastores.iter().map(|d| d.name.as_str()).collect();
        return Err(placement(
            "image-store",
            format!("datastore {datastore:?} not found in {}", dc.path),
            format!("Existing datastores: {}", names.join(", ")),
        ));
    }

    let net = &config.network;
    let mut port_groups = BTreeMap::new();
    let mut create_bridge = None;
    let roles: [(&'static str, Option<&String>); 4] = [
        ("bridge-network", net.bridge.port_group.as_ref()),
        ("public-network", net.public.port_group.as_ref()),
        ("client-network", net.client.port_group.as_ref()),
        ("management-network", net.management.port_group.as_ref()),
    ];
    for (option, pg) in roles {
        let Some(pg) = pg.filter(|p| !p.is_empty()) else {
            continue;
        };
        if option == "bridge-network"
            && !snapshot.is_vcenter()
            && dc.networks_named(pg).next().is_none()
            && let Some(host) = dc.hosts.first()
        {
            create_bridge = Some((pg.clone(), MoRef::new("HostSystem", &host.id)));
            continue;
        }
        if !port_groups.contains_key(pg) {
            let resolved = port_group(dc, option, pg).map_err(|mut e| {
                if option == "bridge-network" && snapshot.is_vcenter() {
                    e.hint = format!(
                        "The bridge network must already exist for vCenter environments (a distributed port group). {}",
                        e.hint
                    );
                }
                e
            })?;
            port_groups.insert(pg.clone(), resolved);
        }
    }
    for cn in &net.container_networks {
        if !port_groups.contains_key(&cn.port_group) {
            let resolved = port_group(dc, "container-network", &cn.port_group)?;
            port_groups.insert(cn.port_group.clone(), resolved);
        }
    }

    let mut volume_dirs = Vec::new();
    for store in &config.storage.volume_stores {
        let Some((location, label)) = store.rsplit_once(':') else {
            continue;
        };
        if location.starts_with("nfs://") {
            continue;
        }
        let (ds, path) = split_datastore_path(location);
        if dc.datastores_named(&ds).next().is_none() {
            return Err(placement(
                "volume-store",
                format!("datastore {ds:?} of volume store {label:?} not found"),
                "Name an existing datastore".into(),
            ));
        }
        let path = if path.is_empty() {
            "VIC".to_owned()
        } else {
            path
        };
        volume_dirs.push(VolumeDir {
            label: label.to_owned(),
            datastore_path: format!("[{ds}] {path}"),
            datastore: ds,
        });
    }

    let host = if needs_host {
        let mut datastores = vec![datastore.clone()];
        datastores.extend(volume_dirs.iter().map(|v| v.datastore.clone()));
        datastores.sort();
        datastores.dedup();
        let chosen: Vec<&PortGroup> = port_groups.values().collect();
        let host = super::placement_host::pick(dc, &compute.path, &datastores, &chosen)?;
        Some(MoRef::new("HostSystem", &host.id))
    } else {
        None
    };

    Ok(Plan {
        name,
        datacenter: MoRef::new("Datacenter", &dc.id),
        datacenter_name: dc.name.clone(),
        datacenter_path: dc.path.clone(),
        is_vcenter: snapshot.is_vcenter(),
        compute_path: compute.path.clone(),
        compute: MoRef::new(
            if compute.kind == ComputeKind::Cluster {
                "ClusterComputeResource"
            } else {
                "ComputeResource"
            },
            &compute.id,
        ),
        drs_enabled: compute.drs_enabled,
        parent_pool: MoRef::new(
            if parent.is_vapp {
                "VirtualApp"
            } else {
                "ResourcePool"
            },
            &parent.id,
        ),
        parent_pool_path: parent.path.clone(),
        host,
        datastore,
        port_groups,
        volume_dirs,
        create_bridge,
    })
}
