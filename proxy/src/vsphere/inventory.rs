//! Reading the whole inventory into a [`InventorySnapshot`] in four round trips plus pages,
//! whatever its size: `CreateContainerView`; one `RetrievePropertiesEx` (paged) for every managed
//! entity's cheap properties; `DestroyView`; one `RetrievePropertiesEx` for what only some objects
//! need: the hosts' firewall systems (not managed entities, so not in the view), the hosts of
//! standard port groups and opaque networks, and the extraConfig of the VMs that can be VCHs.
//!
//! Each host relation is read from one side only, the cheaper one: a distributed port group's
//! hosts are its switch's members (`summary.hostMember`), a standard network's are `Network.host`,
//! a datastore's come from `HostSystem.datastore` (a list of references, where `Datastore.host`
//! carries mount details per host). Reading `HostSystem.network` or a distributed port group's
//! `host` would cost hosts × port groups. Inventory paths are rebuilt from each object's `parent`.
//!
//! Existing VCHs: vic-machine reads every VM's extraConfig. Here it is read only for VMs whose
//! guest OS is one a VCH appliance has (docs/differences.md), which on a large vCenter is most of
//! the bytes saved.

use std::collections::{BTreeSet, HashMap};

use shared::inventory::{
    AllowedHosts, ComputeKind, ComputeResource, Datacenter, Datastore, Direction,
    DistributedSwitch, FirewallRule, FirewallRuleset, Host, HostFirewall, HostList,
    InventorySnapshot, IpNetwork, Network, NetworkKind, PortType, ResourcePool, Schema, TargetInfo,
    TargetKind, VCH_PORT, Vch, VchPart,
};

use super::custom_fields;
use super::property_collector::{self, ObjectContent, Objects, PropertySpec};
use super::xml_tree::Node;
use super::{Client, MoRef, VsphereError};

/// The view's types; subtypes come along (clusters, vApps, port groups, opaque networks).
const VIEW_TYPES: &[&str] = &[
    "Folder",
    "Datacenter",
    "ComputeResource",
    "HostSystem",
    "ResourcePool",
    "Network",
    "DistributedVirtualSwitch",
    "Datastore",
    "VirtualMachine",
];

const ENTITY_PROPERTIES: &[PropertySpec<'static>] = &[
    PropertySpec {
        kind: "Folder",
        paths: &["name", "parent", "customValue"],
    },
    PropertySpec {
        kind: "Datacenter",
        paths: &["name", "parent"],
    },
    PropertySpec {
        kind: "ComputeResource",
        paths: &["name", "parent", "host"],
    },
    PropertySpec {
        kind: "ClusterComputeResource",
        paths: &["configurationEx"],
    },
    PropertySpec {
        kind: "HostSystem",
        paths: &[
            "name",
            "parent",
            "runtime.connectionState",
            "runtime.inMaintenanceMode",
            "configManager.firewallSystem",
            "datastore",
        ],
    },
    PropertySpec {
        kind: "ResourcePool",
        paths: &["name", "parent", "customValue"],
    },
    PropertySpec {
        kind: "Network",
        paths: &["name", "parent"],
    },
    PropertySpec {
        kind: "DistributedVirtualPortgroup",
        paths: &[
            "key",
            "config.distributedVirtualSwitch",
            "config.uplink",
            "tag",
        ],
    },
    PropertySpec {
        kind: "DistributedVirtualSwitch",
        paths: &[
            "name",
            "parent",
            "uuid",
            "summary.hostMember",
            "config.uplinkPortgroup",
        ],
    },
    PropertySpec {
        kind: "Datastore",
        paths: &["name", "parent", "summary"],
    },
    PropertySpec {
        kind: "VirtualMachine",
        paths: &["name", "parent", "resourcePool", "config.guestId"],
    },
];

/// The second read: per object kind, what only those objects need.
const DETAIL_PROPERTIES: &[PropertySpec<'static>] = &[
    PropertySpec {
        kind: "HostFirewallSystem",
        paths: &["firewallInfo"],
    },
    PropertySpec {
        kind: "Network",
        paths: &["host"],
    },
    PropertySpec {
        kind: "VirtualMachine",
        paths: &["network", "runtime.powerState", "config.extraConfig"],
    },
    PropertySpec {
        kind: "CustomFieldsManager",
        paths: &["field"],
    },
];

/// Guest OS ids a VCH appliance has: `otherGuest64` (vic-machine 1.5 and our create) and
/// `other3xLinux64Guest` (other VIC releases). Only these VMs' extraConfig is read.
const VCH_GUEST_IDS: &[&str] = &["otherGuest64", "other3xLinux64Guest"];

/// Parent chains longer than this are a server bug (or a cycle): stop walking.
const MAX_PATH_DEPTH: usize = 64;

impl Client {
    /// Reads the inventory snapshot: four round trips plus pages (three when there is nothing to
    /// read in detail), plus one re-login and a retry if the session had expired.
    pub async fn inventory(&self) -> Result<InventorySnapshot, VsphereError> {
        self.with_session(|| async {
            let transport = self.transport();
            let content = self.content();
            let view = property_collector::create_container_view(
                transport,
                content,
                &content.root_folder,
                VIEW_TYPES,
            )
            .await?;
            let entities = property_collector::retrieve(
                transport,
                content,
                ENTITY_PROPERTIES,
                Objects::View(&view),
            )
            .await;
            // The view would otherwise live as long as the session.
            let destroyed = property_collector::destroy_view(transport, &view).await;
            let entities = entities?;
            destroyed?;

            let (firewalls, networks, vms) = detail_objects(&entities);
            // The custom attribute definitions ride along, to read the create markers
            // (docs/crash-safety.md) without another round trip.
            let managers: Vec<MoRef> = content.custom_fields_manager.iter().cloned().collect();
            let details = if firewalls.is_empty() && networks.is_empty() && vms.is_empty() {
                Vec::new()
            } else {
                property_collector::retrieve(
                    transport,
                    content,
                    DETAIL_PROPERTIES,
                    Objects::Lists(&[&firewalls, &networks, &vms, &managers]),
                )
                .await?
            };
            let marker_key = details
                .iter()
                .filter(|o| o.obj.kind == "CustomFieldsManager")
                .find_map(|o| custom_fields::field_key(o.get("field")?, custom_fields::VCH_MARKER));
            self.remember_marker_key(marker_key);
            Ok(build_snapshot(self, entities, details, marker_key))
        })
        .await
    }
}

/// The objects of the second read: firewall systems, standard and opaque networks, and the VMs
/// that can be VCHs.
fn detail_objects(entities: &[ObjectContent]) -> (Vec<MoRef>, Vec<MoRef>, Vec<MoRef>) {
    let firewalls: BTreeSet<MoRef> = entities
        .iter()
        .filter(|o| o.obj.kind == "HostSystem")
        .filter_map(|o| o.moref("configManager.firewallSystem"))
        .collect();
    let networks = entities
        .iter()
        .filter(|o| matches!(o.obj.kind.as_str(), "Network" | "OpaqueNetwork"))
        .map(|o| o.obj.clone())
        .collect();
    let vms = entities
        .iter()
        .filter(|o| o.obj.kind == "VirtualMachine")
        .filter(|o| {
            o.text("config.guestId")
                .is_some_and(|g| VCH_GUEST_IDS.contains(&g.trim()))
        })
        .map(|o| o.obj.clone())
        .collect();
    (firewalls.into_iter().collect(), networks, vms)
}

/// The objects of one read, indexed by MoRef (which also de-duplicates them).
struct Index {
    objects: HashMap<MoRef, ObjectContent>,
    paths: HashMap<MoRef, String>,
}

impl Index {
    fn new(list: Vec<ObjectContent>) -> Index {
        let objects: HashMap<MoRef, ObjectContent> =
            list.into_iter().map(|o| (o.obj.clone(), o)).collect();
        let mut paths = HashMap::with_capacity(objects.len());
        for moref in objects.keys() {
            let mut names = Vec::new();
            let mut current = Some(moref.clone());
            while let Some(at) = current {
                // The root folder is the view's container, so it is not in the view: it ends
                // the walk, as it should (paths start below it).
                let Some(object) = objects.get(&at) else {
                    break;
                };
                if names.len() >= MAX_PATH_DEPTH {
                    break;
                }
                names.push(object.text("name").unwrap_or(&at.value).to_owned());
                current = object.moref("parent");
            }
            names.reverse();
            paths.insert(moref.clone(), format!("/{}", names.join("/")));
        }
        Index { objects, paths }
    }

    fn path(&self, moref: &MoRef) -> Option<String> {
        self.paths.get(moref).cloned()
    }

    fn name(&self, moref: &MoRef) -> Option<&str> {
        self.objects.get(moref).and_then(|o| o.text("name"))
    }

    /// The first ancestor (or the object itself) of one of `kinds`.
    fn ancestor(&self, moref: &MoRef, kinds: &[&str]) -> Option<MoRef> {
        let mut current = Some(moref.clone());
        for _ in 0..MAX_PATH_DEPTH {
            let at = current?;
            if kinds.contains(&at.kind.as_str()) {
                return Some(at);
            }
            current = self.objects.get(&at).and_then(|o| o.moref("parent"));
        }
        None
    }

    fn datacenter_of(&self, moref: &MoRef) -> Option<MoRef> {
        self.ancestor(moref, &["Datacenter"])
    }

    fn of_kinds<'a>(&'a self, kinds: &'a [&'a str]) -> impl Iterator<Item = &'a ObjectContent> {
        self.objects
            .values()
            .filter(move |o| kinds.contains(&o.obj.kind.as_str()))
    }

    fn sorted_paths(&self, morefs: impl IntoIterator<Item = MoRef>) -> Vec<String> {
        let set: BTreeSet<String> = morefs.into_iter().filter_map(|m| self.path(&m)).collect();
        set.into_iter().collect()
    }
}

const COMPUTE_KINDS: &[&str] = &["ComputeResource", "ClusterComputeResource"];
const POOL_KINDS: &[&str] = &["ResourcePool", "VirtualApp"];
const NETWORK_KINDS: &[&str] = &["Network", "DistributedVirtualPortgroup", "OpaqueNetwork"];
const SWITCH_KINDS: &[&str] = &["DistributedVirtualSwitch", "VmwareDistributedVirtualSwitch"];

/// Shares equal host lists (every port group of a switch, datastores mounted by the same hosts)
/// so the snapshot holds each once.
#[derive(Default)]
struct HostLists {
    by_content: HashMap<Vec<String>, HostList>,
}

impl HostLists {
    fn of(&mut self, index: &Index, morefs: impl IntoIterator<Item = MoRef>) -> HostList {
        let paths = index.sorted_paths(morefs);
        self.by_content
            .entry(paths)
            .or_insert_with_key(|paths| HostList::new(paths.clone()))
            .clone()
    }
}

fn build_snapshot(
    client: &Client,
    entities: Vec<ObjectContent>,
    details: Vec<ObjectContent>,
    marker_key: Option<i32>,
) -> InventorySnapshot {
    let index = Index::new(entities);
    let details: HashMap<MoRef, ObjectContent> =
        details.into_iter().map(|o| (o.obj.clone(), o)).collect();
    let mut lists = HostLists::default();

    // Datastores' hosts, from the host side (a list of references per host).
    let mut hosts_of: HashMap<MoRef, Vec<MoRef>> = HashMap::new();
    for host in index.of_kinds(&["HostSystem"]) {
        for ds in host.morefs("datastore") {
            hosts_of.entry(ds).or_default().push(host.obj.clone());
        }
    }

    let mut datacenters: Vec<Datacenter> = index
        .of_kinds(&["Datacenter"])
        .map(|dc| Datacenter {
            name: dc.text("name").unwrap_or_default().to_owned(),
            path: index.path(&dc.obj).unwrap_or_default(),
            id: dc.obj.value.clone(),
            ..Datacenter::default()
        })
        .collect();
    let dc_slot: HashMap<String, usize> = datacenters
        .iter()
        .enumerate()
        .map(|(i, dc)| (dc.id.clone(), i))
        .collect();
    let slot = |moref: &MoRef| {
        index
            .datacenter_of(moref)
            .and_then(|dc| dc_slot.get(&dc.value).copied())
    };

    // Every pool under its compute resource, in one pass.
    let mut pools_of: HashMap<MoRef, Vec<ResourcePool>> = HashMap::new();
    for p in index.of_kinds(POOL_KINDS) {
        if let Some(cr) = index.ancestor(&p.obj, COMPUTE_KINDS) {
            pools_of.entry(cr).or_default().push(ResourcePool {
                name: p.text("name").unwrap_or_default().to_owned(),
                path: index.path(&p.obj).unwrap_or_default(),
                id: p.obj.value.clone(),
                is_vapp: p.obj.kind == "VirtualApp",
            });
        }
    }
    for cr in index.of_kinds(COMPUTE_KINDS) {
        let Some(i) = slot(&cr.obj) else { continue };
        let path = index.path(&cr.obj).unwrap_or_default();
        let is_cluster = cr.obj.kind == "ClusterComputeResource";
        let drs_enabled = if is_cluster {
            cr.get("configurationEx")
                .and_then(|c| c.child("drsConfig"))
                .and_then(|d| d.child_bool("enabled"))
        } else {
            None
        };
        let mut pools = pools_of.remove(&cr.obj).unwrap_or_default();
        // The root pool (direct child of the compute resource) first, then by path.
        pools.sort_by(|a, b| {
            let depth = |p: &ResourcePool| p.path.matches('/').count();
            depth(a).cmp(&depth(b)).then_with(|| a.path.cmp(&b.path))
        });
        datacenters[i].compute_resources.push(ComputeResource {
            name: cr.text("name").unwrap_or_default().to_owned(),
            path,
            id: cr.obj.value.clone(),
            kind: if is_cluster {
                ComputeKind::Cluster
            } else {
                ComputeKind::StandaloneHost
            },
            drs_enabled,
            hosts: index.sorted_paths(cr.morefs("host")),
            resource_pools: pools,
        });
    }

    for host in index.of_kinds(&["HostSystem"]) {
        let Some(i) = slot(&host.obj) else { continue };
        let compute = host
            .moref("parent")
            .and_then(|p| index.path(&p))
            .unwrap_or_default();
        let firewall = host
            .moref("configManager.firewallSystem")
            .and_then(|fw| details.get(&fw))
            .and_then(|fw| fw.get("firewallInfo"))
            .map(parse_firewall);
        datacenters[i].hosts.push(Host {
            name: host.text("name").unwrap_or_default().to_owned(),
            path: index.path(&host.obj).unwrap_or_default(),
            id: host.obj.value.clone(),
            compute_resource: compute,
            connection_state: host
                .text("runtime.connectionState")
                .unwrap_or_default()
                .to_owned(),
            in_maintenance_mode: host.bool("runtime.inMaintenanceMode").unwrap_or(false),
            firewall,
        });
    }

    let uplinks: BTreeSet<MoRef> = index
        .of_kinds(SWITCH_KINDS)
        .flat_map(|s| s.morefs("config.uplinkPortgroup"))
        .collect();
    // A switch's members, once per switch: all its port groups share the list.
    let mut switch_hosts: HashMap<MoRef, HostList> = HashMap::new();
    for net in index.of_kinds(NETWORK_KINDS) {
        let Some(i) = slot(&net.obj) else { continue };
        let name = net.text("name").unwrap_or_default().to_owned();
        let (kind, switch, key, hosts) = match net.obj.kind.as_str() {
            "DistributedVirtualPortgroup" => {
                if uplinks.contains(&net.obj) || is_uplink_portgroup(net, &name) {
                    continue;
                }
                let switch_ref = net.moref("config.distributedVirtualSwitch");
                let switch = switch_ref.as_ref().and_then(|s| index.objects.get(s));
                let hosts = match (&switch_ref, switch) {
                    (Some(r), Some(s)) => switch_hosts
                        .entry(r.clone())
                        .or_insert_with(|| lists.of(&index, s.morefs("summary.hostMember")))
                        .clone(),
                    _ => HostList::default(),
                };
                let switch = switch_ref.map(|s| DistributedSwitch {
                    name: index.name(&s).unwrap_or_default().to_owned(),
                    uuid: switch
                        .and_then(|o| o.text("uuid"))
                        .unwrap_or_default()
                        .to_owned(),
                    id: s.value,
                });
                let key = net
                    .text("key")
                    .map(str::to_owned)
                    .unwrap_or_else(|| net.obj.value.clone());
                (NetworkKind::DistributedPortGroup, switch, Some(key), hosts)
            }
            other => {
                let kind = if other == "OpaqueNetwork" {
                    NetworkKind::Opaque
                } else {
                    NetworkKind::Standard
                };
                let hosts = details
                    .get(&net.obj)
                    .map(|d| d.morefs("host"))
                    .unwrap_or_default();
                (kind, None, None, lists.of(&index, hosts))
            }
        };
        datacenters[i].networks.push(Network {
            name,
            path: index.path(&net.obj).unwrap_or_default(),
            id: net.obj.value.clone(),
            kind,
            switch,
            portgroup_key: key,
            hosts,
        });
    }

    for ds in index.of_kinds(&["Datastore"]) {
        let Some(i) = slot(&ds.obj) else { continue };
        let summary = ds.get("summary");
        let number = |name: &str| {
            summary
                .and_then(|s| s.child_i64(name))
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0)
        };
        let hosts = hosts_of.remove(&ds.obj).unwrap_or_default();
        datacenters[i].datastores.push(Datastore {
            name: ds
                .text("name")
                .or_else(|| summary.and_then(|s| s.child_text("name")))
                .unwrap_or_default()
                .to_owned(),
            path: index.path(&ds.obj).unwrap_or_default(),
            id: ds.obj.value.clone(),
            kind: summary
                .and_then(|s| s.child_text("type"))
                .unwrap_or_default()
                .to_owned(),
            capacity_bytes: number("capacity"),
            free_bytes: number("freeSpace"),
            accessible: summary
                .and_then(|s| s.child_bool("accessible"))
                .unwrap_or(false),
            maintenance_mode: summary
                .and_then(|s| s.child_text("maintenanceMode"))
                .map(str::to_owned),
            hosts: lists.of(&index, hosts),
        });
    }

    // Pools and folders that hold a VCH's VM: that VCH stands for them.
    let mut held: BTreeSet<MoRef> = BTreeSet::new();
    for vm in index.of_kinds(&["VirtualMachine"]) {
        let Some(detail) = details.get(&vm.obj) else {
            continue;
        };
        let Some(vch) = recognise_vch(&index, vm, detail) else {
            continue;
        };
        held.extend(vm.moref("resourcePool"));
        held.extend(vm.moref("parent"));
        let dc = slot(&vm.obj).or_else(|| vm.moref("resourcePool").and_then(|p| slot(&p)));
        if let Some(i) = dc {
            datacenters[i].vchs.push(vch);
        }
    }
    if let Some(key) = marker_key {
        for (dc, vch) in recognise_leftovers(&index, key, &held) {
            if let Some(i) = dc_slot.get(&dc.value) {
                datacenters[*i].vchs.push(vch);
            }
        }
    }

    for dc in &mut datacenters {
        dc.compute_resources.sort_by(|a, b| a.path.cmp(&b.path));
        dc.hosts.sort_by(|a, b| a.path.cmp(&b.path));
        dc.networks
            .sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        dc.datastores
            .sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        dc.vchs
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    }
    datacenters.sort_by(|a, b| a.path.cmp(&b.path));

    let about = client.about();
    InventorySnapshot {
        schema: Schema,
        target: Some(TargetInfo {
            kind: if about.is_vcenter() {
                TargetKind::VCenter
            } else {
                TargetKind::Esxi
            },
            api_version: about.api_version.clone(),
            full_name: about.full_name.clone(),
            session_without_password: !client.has_password(),
        }),
        datacenters,
    }
}

/// Uplink port groups carry the switch's physical uplinks and can never host a VM NIC. Real
/// vCenter marks them (`config.uplink`, tag `SYSTEM/DVS.UPLINKPG`, the switch's
/// `config.uplinkPortgroup`); the simulator marks nothing but uses vCenter's default name
/// `<switch>-DVUplinks-<n>`.
fn is_uplink_portgroup(pg: &ObjectContent, name: &str) -> bool {
    if pg.bool("config.uplink") == Some(true) {
        return true;
    }
    let tagged = pg.get("tag").is_some_and(|tags| {
        tags.children
            .iter()
            .any(|t| t.child_text("key") == Some("SYSTEM/DVS.UPLINKPG"))
    });
    if tagged {
        return true;
    }
    name.rsplit_once('-').is_some_and(|(head, number)| {
        head.ends_with("-DVUplinks")
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
    })
}

fn parse_firewall(info: &Node) -> HostFirewall {
    let policy = info.child("defaultPolicy");
    let incoming_blocked = policy
        .and_then(|p| p.child_bool("incomingBlocked"))
        .unwrap_or(true);
    let outgoing_blocked = policy
        .and_then(|p| p.child_bool("outgoingBlocked"))
        .unwrap_or(true);
    // Only the rules that can open the VCH's port, and the rulesets that have one: the others
    // never change a finding, and a host has dozens of them.
    let rulesets = info
        .children_named("ruleset")
        .filter_map(|rs| {
            let rules: Vec<FirewallRule> = rs
                .children_named("rule")
                .filter_map(parse_rule)
                .filter(|r| r.allows_outbound_tcp(VCH_PORT))
                .collect();
            (!rules.is_empty()).then(|| FirewallRuleset {
                key: rs.child_text("key").unwrap_or_default().to_owned(),
                label: rs.child_text("label").unwrap_or_default().to_owned(),
                enabled: rs.child_bool("enabled").unwrap_or(false),
                rules,
                allowed_hosts: rs
                    .child("allowedHosts")
                    .map(parse_allowed_hosts)
                    // No allowedHosts element: the ruleset is not restricted.
                    .unwrap_or(AllowedHosts {
                        all_ip: true,
                        ..AllowedHosts::default()
                    }),
            })
        })
        .collect();
    HostFirewall {
        enabled: incoming_blocked || outgoing_blocked,
        incoming_blocked,
        outgoing_blocked,
        rulesets,
    }
}

fn parse_rule(rule: &Node) -> Option<FirewallRule> {
    let port = u32::try_from(rule.child_i64("port")?).ok()?;
    let end_port = rule
        .child_i64("endPort")
        .and_then(|p| u32::try_from(p).ok())
        .filter(|p| *p != 0);
    let direction = match rule.child_text("direction")? {
        "inbound" => Direction::Inbound,
        "outbound" => Direction::Outbound,
        _ => return None,
    };
    let port_type = match rule.child_text("portType") {
        Some("src") => Some(PortType::Src),
        Some("dst") => Some(PortType::Dst),
        _ => None,
    };
    Some(FirewallRule {
        port,
        end_port,
        direction,
        protocol: rule.child_text("protocol").unwrap_or("tcp").to_owned(),
        port_type,
    })
}

fn parse_allowed_hosts(node: &Node) -> AllowedHosts {
    AllowedHosts {
        all_ip: node.child_bool("allIp").unwrap_or(false),
        ip_addresses: node
            .children_named("ipAddress")
            .map(|a| a.text.trim().to_owned())
            .collect(),
        ip_networks: node
            .children_named("ipNetwork")
            .filter_map(|n| {
                Some(IpNetwork {
                    network: n.child_text("network")?.trim().to_owned(),
                    prefix_length: u8::try_from(n.child_i64("prefixLength")?).ok()?,
                })
            })
            .collect(),
    }
}

const COMMON_ID: &str = "guestinfo.vice./init/common/id";
const VCH_NAME: &str = "init/common/name";
const CREATING: &str = "CreatingVCH";

/// vic-machine's `isVCH`: `init/common/id` names this very VM (`VirtualMachine:vm-75`) or says a
/// create is in progress. A clone carries another VM's id and is not a VCH.
fn recognise_vch(index: &Index, vm: &ObjectContent, detail: &ObjectContent) -> Option<Vch> {
    let extra = extra_config(detail.get("config.extraConfig")?);
    let id = extra.get(COMMON_ID)?;
    let own = format!("VirtualMachine:{}", vm.obj.value);
    let creating = id == CREATING;
    if *id != own && !creating {
        return None;
    }
    let vm_name = vm.text("name").unwrap_or_default().to_owned();
    let name = extra
        .get(VCH_NAME)
        .filter(|n| !n.is_empty() && *n != "<nil>")
        .cloned()
        .unwrap_or_else(|| vm_name.clone());
    let version_key = |k: &str| {
        extra
            .get(&format!("guestinfo.vice./init/version/{k}"))
            .filter(|v| !v.is_empty() && *v != "<nil>")
            .cloned()
    };
    let version = version_key("Version").map(|v| {
        format!(
            "{v}-{}-{}",
            version_key("BuildNumber").unwrap_or_default(),
            version_key("GitCommit").unwrap_or_default()
        )
    });

    let mut networks: BTreeSet<String> = detail
        .morefs("network")
        .iter()
        .filter_map(|n| index.name(n).map(str::to_owned))
        .collect();
    for (key, value) in &extra {
        let role_network = key.starts_with("guestinfo.vice./init/networks|")
            && key.ends_with("/network/Common/id");
        let container_network = key.starts_with("guestinfo.vice./network/container_networks|")
            && key.ends_with("/Common/id");
        if !(role_network || container_network) {
            continue;
        }
        if let Some((kind, value)) = value.split_once(':')
            && let Some(name) = index.name(&MoRef::new(kind, value))
        {
            networks.insert(name.to_owned());
        }
    }

    let mut volume_stores: Vec<String> = extra
        .iter()
        .filter(|(k, v)| {
            k.starts_with("guestinfo.vice./storage/VolumeLocations|")
                && k.ends_with("/Path")
                && v.starts_with('[')
        })
        .map(|(_, v)| v.clone())
        .collect();
    volume_stores.sort();
    Some(Vch {
        name,
        vm_name,
        id: vm.obj.value.clone(),
        resource_pool: vm.moref("resourcePool").and_then(|p| index.path(&p)),
        version,
        power_state: detail.text("runtime.powerState").map(str::to_owned),
        creating,
        networks: networks.into_iter().collect(),
        leftovers: Vec::new(),
        volume_stores,
    })
}

/// A create that died before its VM existed: the pools and folders marked with the VCH's name
/// (docs/crash-safety.md) that hold no VCH VM, one incomplete VCH per datacenter and name. A
/// create that made a pool marks only the pool: its folder is the one named after the VCH in the
/// datacenter's VM folder, made after the marked pool.
fn recognise_leftovers(index: &Index, key: i32, held: &BTreeSet<MoRef>) -> Vec<(MoRef, Vch)> {
    let mut groups: std::collections::BTreeMap<(MoRef, String), Vec<VchPart>> =
        std::collections::BTreeMap::new();
    for object in index.of_kinds(&["ResourcePool", "VirtualApp", "Folder"]) {
        let Some(name) = object
            .get("customValue")
            .and_then(|v| custom_fields::value_of(v, key))
        else {
            continue;
        };
        let Some(dc) = index.datacenter_of(&object.obj) else {
            continue;
        };
        groups.entry((dc, name)).or_default().push(VchPart {
            kind: object.obj.kind.clone(),
            id: object.obj.value.clone(),
            path: index.path(&object.obj).unwrap_or_default(),
        });
    }
    for ((dc, name), parts) in &mut groups {
        if parts.iter().any(|p| p.kind == "Folder") {
            continue;
        }
        let expected = format!("{}/vm/{name}", index.path(dc).unwrap_or_default());
        if let Some(folder) = index
            .of_kinds(&["Folder"])
            .find(|f| index.path(&f.obj).as_deref() == Some(expected.as_str()))
        {
            parts.push(VchPart {
                kind: folder.obj.kind.clone(),
                id: folder.obj.value.clone(),
                path: expected,
            });
        }
    }
    groups
        .into_iter()
        .filter(|(_, parts)| {
            !parts
                .iter()
                .any(|p| held.contains(&MoRef::new(&p.kind, &p.id)))
        })
        .map(|((dc, name), mut parts)| {
            // The pool first: its id names the VCH, as the VM's does for a complete one.
            parts.sort_by_key(|p| (p.kind == "Folder", p.path.clone()));
            let vch = Vch {
                name,
                vm_name: String::new(),
                id: parts[0].id.clone(),
                resource_pool: parts
                    .iter()
                    .find(|p| p.kind != "Folder")
                    .map(|p| p.path.clone()),
                version: None,
                power_state: None,
                creating: true,
                networks: Vec::new(),
                leftovers: parts,
                volume_stores: Vec::new(),
            };
            (dc, vch)
        })
        .collect()
}

/// `ArrayOfOptionValue` → map; the last occurrence of a key wins (vcsim appends on reconfigure).
fn extra_config(node: &Node) -> HashMap<String, String> {
    node.children
        .iter()
        .filter_map(|o| {
            Some((
                o.child_text("key")?.to_owned(),
                o.child_text("value").unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}
