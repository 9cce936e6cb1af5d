//! Pure helpers the wizard needs to place findings and fill its pickers. They hold no rules: which
//! fields a finding concerns is derived from the config's values, and what a compute resource can
//! see is read from the snapshot, so the browser and any other front end answer alike.

use crate::config::VchConfig;
use crate::finding::Finding;
use std::collections::{HashMap, HashSet};

use crate::inventory::{
    ComputeResource, Datacenter, Datastore, HostList, InventorySnapshot, Network,
};

/// The four appliance roles' port-group fields, in the order a person fills them in.
const ROLE_PORT_GROUPS: [&str; 4] = [
    "network.bridge.port_group",
    "network.public.port_group",
    "network.client.port_group",
    "network.management.port_group",
];

/// Paths, besides the finding's own, that a person must see the finding on. A finding on a port
/// group field concerns every other port group field the user set to the same name (the bridge
/// shared with the public network, one port group mapped twice as a container network, a container
/// network on the bridge port group): fixing either field fixes it, so both must say so.
pub fn related_paths(finding: &Finding, config: &VchConfig) -> Vec<String> {
    if !finding.path.ends_with(".port_group") {
        return Vec::new();
    }
    let resolved = config.resolved();
    let Some(value) = port_group_at(&resolved, &finding.path) else {
        return Vec::new();
    };
    explicit_port_groups(config)
        .filter(|(path, pg)| *pg == value && *path != finding.path)
        .map(|(path, _)| path)
        .collect()
}

fn port_group_at(config: &VchConfig, path: &str) -> Option<String> {
    explicit_port_groups(config)
        .find(|(p, _)| p == path)
        .map(|(_, pg)| pg)
}

/// Port group fields that hold a value, with their paths.
fn explicit_port_groups(config: &VchConfig) -> impl Iterator<Item = (String, String)> + '_ {
    let n = &config.network;
    let roles = [
        &n.bridge.port_group,
        &n.public.port_group,
        &n.client.port_group,
        &n.management.port_group,
    ];
    let roles = ROLE_PORT_GROUPS
        .into_iter()
        .zip(roles)
        .filter_map(|(path, pg)| pg.clone().map(|pg| (path.to_owned(), pg)));
    let containers = n
        .container_networks
        .iter()
        .enumerate()
        .filter(|(_, cn)| !cn.port_group.is_empty())
        .map(|(i, cn)| {
            (
                format!("network.container_networks[{i}].port_group"),
                cn.port_group.clone(),
            )
        });
    roles.chain(containers)
}

/// Where a compute path (cluster, standalone host, host or resource pool, by inventory path)
/// lives in the snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub datacenter: &'a Datacenter,
    pub compute_resource: &'a ComputeResource,
}

/// Finds the cluster or standalone host a compute path belongs to. `None` for a path the snapshot
/// does not know (a name typed or imported from a command line).
pub fn placement<'a>(snapshot: &'a InventorySnapshot, compute: &str) -> Option<Placement<'a>> {
    snapshot.datacenters.iter().find_map(|dc| {
        dc.compute_resources
            .iter()
            .find(|cr| {
                cr.path == compute
                    || compute
                        .strip_prefix(cr.path.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
                    || cr.resource_pools.iter().any(|rp| rp.path == compute)
            })
            .map(|cr| Placement {
                datacenter: dc,
                compute_resource: cr,
            })
    })
}

/// The datacenters a picker should offer from: the one the compute path is in, else the one the
/// config names, else all of them.
fn scope<'a>(snapshot: &'a InventorySnapshot, config: &VchConfig) -> Vec<&'a Datacenter> {
    if let Some(p) = config
        .target
        .compute_resource
        .as_deref()
        .and_then(|c| placement(snapshot, c))
    {
        return vec![p.datacenter];
    }
    if let Some(dc) = config
        .target
        .datacenter
        .as_deref()
        .and_then(|d| snapshot.datacenter(d))
    {
        return vec![dc];
    }
    snapshot.datacenters.iter().collect()
}

/// Hosts the chosen compute resource can place the appliance on; `None` when no compute resource
/// is chosen or it is unknown, meaning "no host filter".
fn hosts<'a>(snapshot: &'a InventorySnapshot, config: &VchConfig) -> Option<&'a [String]> {
    let compute = config.target.compute_resource.as_deref()?;
    placement(snapshot, compute).map(|p| p.compute_resource.hosts.as_slice())
}

/// Whether objects seen by a host list are visible from `hosts`, worked out once per shared list
/// (port groups of one switch share theirs), so a picker's list costs O(objects).
struct Visibility<'a> {
    hosts: Option<HashSet<&'a str>>,
    known: HashMap<usize, bool>,
}

impl<'a> Visibility<'a> {
    fn new(hosts: Option<&'a [String]>) -> Self {
        Visibility {
            hosts: hosts
                .filter(|hs| !hs.is_empty())
                .map(|hs| hs.iter().map(String::as_str).collect()),
            known: HashMap::new(),
        }
    }

    fn sees(&mut self, item_hosts: &HostList) -> bool {
        let Some(mine) = &self.hosts else {
            return true;
        };
        *self
            .known
            .entry(item_hosts.identity())
            .or_insert_with(|| item_hosts.iter().any(|h| mine.contains(h.as_str())))
    }
}

/// The part of a config the pickers depend on (datacenter and compute resource), so a front end
/// can recompute its lists only when that changes, not on every keystroke elsewhere.
pub fn picker_scope(config: &VchConfig) -> VchConfig {
    let mut scope = VchConfig::default();
    scope.target.datacenter = config.target.datacenter.clone();
    scope.target.compute_resource = config.target.compute_resource.clone();
    scope
}

/// Port groups (standard, distributed and opaque; uplinks are never in a snapshot) that the hosts
/// of the chosen compute resource see, in snapshot order, without repeating a name.
pub fn usable_networks<'a>(
    snapshot: &'a InventorySnapshot,
    config: &VchConfig,
) -> Vec<&'a Network> {
    let mut visibility = Visibility::new(hosts(snapshot, config));
    let mut names: HashSet<&str> = HashSet::new();
    let mut out: Vec<&Network> = Vec::new();
    for dc in scope(snapshot, config) {
        for n in &dc.networks {
            if visibility.sees(&n.hosts) && names.insert(&n.name) {
                out.push(n);
            }
        }
    }
    out
}

/// Datastores the chosen compute resource's hosts mount.
pub fn usable_datastores<'a>(
    snapshot: &'a InventorySnapshot,
    config: &VchConfig,
) -> Vec<&'a Datastore> {
    let mut visibility = Visibility::new(hosts(snapshot, config));
    let mut names: HashSet<&str> = HashSet::new();
    let mut out: Vec<&Datastore> = Vec::new();
    for dc in scope(snapshot, config) {
        for d in &dc.datastores {
            if visibility.sees(&d.hosts) && names.insert(&d.name) {
                out.push(d);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ContainerNetwork;
    use crate::inventory::{ComputeKind, NetworkKind, ResourcePool};

    fn finding(path: &str) -> Finding {
        Finding::error("X", "x", path, "m")
    }

    #[test]
    fn bridge_shared_with_public_concerns_both() {
        let mut c = VchConfig::default();
        c.network.bridge.port_group = Some("pg".into());
        c.network.public.port_group = Some("pg".into());
        assert_eq!(
            related_paths(&finding("network.bridge.port_group"), &c),
            ["network.public.port_group"]
        );
    }

    #[test]
    fn a_defaulted_bridge_still_concerns_the_public_field() {
        let mut c = VchConfig::default();
        c.general.name = Some("vch1".into());
        c.network.public.port_group = Some("vch1".into());
        assert_eq!(
            related_paths(&finding("network.bridge.port_group"), &c),
            ["network.public.port_group"]
        );
        c.network.container_networks.push(ContainerNetwork {
            port_group: "vch1".into(),
            ..ContainerNetwork::default()
        });
        assert_eq!(
            related_paths(&finding("network.container_networks[0].port_group"), &c),
            ["network.public.port_group"]
        );
    }

    #[test]
    fn other_fields_have_no_relations() {
        let c = VchConfig::default();
        assert!(related_paths(&finding("network.bridge.ip_range"), &c).is_empty());
    }

    fn snapshot() -> InventorySnapshot {
        let net = |name: &str, hosts: &[&str]| Network {
            name: name.into(),
            path: format!("/DC0/network/{name}"),
            id: name.into(),
            kind: NetworkKind::Standard,
            switch: None,
            portgroup_key: None,
            hosts: hosts
                .iter()
                .map(|h| (*h).to_owned())
                .collect::<Vec<_>>()
                .into(),
        };
        InventorySnapshot {
            target: None,
            schema: Default::default(),
            datacenters: vec![Datacenter {
                name: "DC0".into(),
                path: "/DC0".into(),
                id: "dc".into(),
                compute_resources: vec![ComputeResource {
                    name: "C0".into(),
                    path: "/DC0/host/C0".into(),
                    id: "c0".into(),
                    kind: ComputeKind::Cluster,
                    drs_enabled: Some(true),
                    hosts: vec!["/DC0/host/C0/H0".into()],
                    resource_pools: vec![ResourcePool {
                        name: "Resources".into(),
                        path: "/DC0/host/C0/Resources".into(),
                        id: "rp".into(),
                        is_vapp: false,
                    }],
                }],
                networks: vec![
                    net("seen", &["/DC0/host/C0/H0"]),
                    net("elsewhere", &["/DC0/host/H9/H9"]),
                ],
                ..Datacenter::default()
            }],
        }
    }

    #[test]
    fn networks_follow_the_compute_resource() {
        let s = snapshot();
        let mut c = VchConfig::default();
        assert_eq!(usable_networks(&s, &c).len(), 2);
        c.target.compute_resource = Some("/DC0/host/C0/Resources".into());
        let names: Vec<_> = usable_networks(&s, &c)
            .iter()
            .map(|n| n.name.as_str())
            .collect();
        assert_eq!(names, ["seen"]);
        assert_eq!(
            placement(&s, "/DC0/host/C0/H0")
                .unwrap()
                .compute_resource
                .name,
            "C0"
        );
        assert!(placement(&s, "cluster1").is_none());
    }
}
