//! The snapshot at vCenter scale: its JSON grows with the number of objects (hosts, port groups,
//! datastores), not with hosts times port groups; it survives a JSON round trip with host lists
//! shared again; the indexed lookups answer as a scan of the lists does; and the inventory rules
//! give the same findings whether host lists are shared or built one by one.

use shared::config::VchConfig;
use shared::inventory::{
    ComputeKind, ComputeResource, Datacenter, Datastore, DistributedSwitch, Host, HostList,
    InventorySnapshot, Network, NetworkKind, ResourcePool, TargetInfo, TargetKind,
};
use shared::validate;

/// `clusters` clusters of `per_cluster` hosts; `portgroups` distributed port groups on one switch
/// every host is a member of; one standard network per cluster; `datastores` datastores, each
/// mounted by one cluster's hosts. `shared`: lists built once and shared, as the proxy does;
/// otherwise one list per object (the serialiser must still write each distinct list once).
fn inventory(
    clusters: usize,
    per_cluster: usize,
    portgroups: usize,
    datastores: usize,
    shared: bool,
) -> InventorySnapshot {
    let mut dc = Datacenter {
        name: "DC0".into(),
        path: "/DC0".into(),
        id: "datacenter-2".into(),
        ..Datacenter::default()
    };
    let mut cluster_hosts: Vec<Vec<String>> = Vec::new();
    for c in 0..clusters {
        let cluster = format!("/DC0/host/C{c}");
        let hosts: Vec<String> = (0..per_cluster)
            .map(|h| format!("{cluster}/C{c}_H{h}"))
            .collect();
        for path in &hosts {
            dc.hosts.push(Host {
                name: path.rsplit('/').next().unwrap().into(),
                path: path.clone(),
                id: format!("host-{}", dc.hosts.len()),
                compute_resource: cluster.clone(),
                connection_state: "connected".into(),
                in_maintenance_mode: false,
                firewall: None,
            });
        }
        dc.compute_resources.push(ComputeResource {
            name: format!("C{c}"),
            path: cluster.clone(),
            id: format!("domain-c{c}"),
            kind: ComputeKind::Cluster,
            drs_enabled: Some(true),
            hosts: hosts.clone(),
            resource_pools: vec![ResourcePool {
                name: "Resources".into(),
                path: format!("{cluster}/Resources"),
                id: format!("resgroup-{c}"),
                is_vapp: false,
            }],
        });
        cluster_hosts.push(hosts);
    }
    let all: Vec<String> = cluster_hosts.concat();
    let switch_members = HostList::new(all.clone());
    let list = |paths: &[String]| -> HostList {
        if shared && paths.len() == all.len() {
            switch_members.clone()
        } else {
            HostList::new(paths.to_vec())
        }
    };
    for p in 0..portgroups {
        dc.networks.push(Network {
            name: format!("DC0_DVPG{p}"),
            path: format!("/DC0/network/DC0_DVPG{p}"),
            id: format!("dvportgroup-{p}"),
            kind: NetworkKind::DistributedPortGroup,
            switch: Some(DistributedSwitch {
                name: "DVS0".into(),
                uuid: "50 2f 1e 5a".into(),
                id: "dvs-1".into(),
            }),
            portgroup_key: Some(format!("dvportgroup-{p}")),
            hosts: list(&all),
        });
    }
    for (c, hosts) in cluster_hosts.iter().enumerate() {
        dc.networks.push(Network {
            name: "VM Network".into(),
            path: format!("/DC0/network/C{c}/VM Network"),
            id: format!("network-{c}"),
            kind: NetworkKind::Standard,
            switch: None,
            portgroup_key: None,
            hosts: list(hosts),
        });
    }
    for d in 0..datastores {
        dc.datastores.push(Datastore {
            name: format!("LocalDS_{d}"),
            path: format!("/DC0/datastore/LocalDS_{d}"),
            id: format!("datastore-{d}"),
            kind: "VMFS".into(),
            capacity_bytes: 1 << 40,
            free_bytes: 1 << 39,
            accessible: true,
            maintenance_mode: Some("normal".into()),
            hosts: list(&cluster_hosts[d % clusters]),
        });
    }
    InventorySnapshot {
        target: Some(TargetInfo {
            kind: TargetKind::VCenter,
            api_version: "6.7".into(),
            full_name: "VMware vCenter Server 6.7.0".into(),
            session_without_password: false,
        }),
        datacenters: vec![dc],
        ..InventorySnapshot::default()
    }
}

fn json_len(snapshot: &InventorySnapshot) -> usize {
    serde_json::to_vec(snapshot).unwrap().len()
}

#[test]
fn json_size_grows_with_objects_not_with_hosts_times_port_groups() {
    for shared in [true, false] {
        let small = json_len(&inventory(4, 5, 50, 8, shared));
        let more_hosts = json_len(&inventory(16, 5, 50, 8, shared));
        let more_groups = json_len(&inventory(4, 5, 200, 8, shared));
        let both = json_len(&inventory(16, 5, 200, 8, shared));
        // Linear: adding hosts and adding port groups add up. Hosts × port groups would make
        // `both` grow by (4×4 − 1) times the pairs of `small`, far past the sum.
        let sum = more_hosts + more_groups - small;
        assert!(
            both <= sum + sum / 10,
            "shared={shared}: {small} / {more_hosts} / {more_groups} / {both} bytes"
        );
        assert!(both < 4 * small, "shared={shared}: {small} → {both} bytes");
    }
}

#[test]
fn json_round_trip_keeps_every_host_list_and_shares_them_again() {
    let snapshot = inventory(3, 4, 20, 6, false);
    let json = serde_json::to_string(&snapshot).unwrap();
    assert!(json.contains("\"schema\":2"), "{}", &json[..80]);
    let back: InventorySnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, snapshot);
    let dc = &back.datacenters[0];
    let first = &dc.networks[0].hosts;
    assert_eq!(first.len(), 12);
    assert!(
        dc.networks[..20]
            .iter()
            .all(|n| n.hosts.identity() == first.identity()),
        "port groups of one switch share one list after reading"
    );
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

#[test]
fn another_schema_is_refused_with_a_clear_message() {
    let json = serde_json::to_string(&inventory(1, 1, 1, 1, true)).unwrap();
    let old = json.replace("\"schema\":2", "\"schema\":1");
    let err = serde_json::from_str::<InventorySnapshot>(&old).unwrap_err();
    assert!(err.to_string().contains("schema 1"), "{err}");
    let none = json.replace("\"schema\":2,", "");
    assert!(serde_json::from_str::<InventorySnapshot>(&none).is_err());
}

#[test]
fn indexed_lookups_answer_as_a_scan_does() {
    let snapshot = inventory(3, 4, 20, 6, true);
    let dc = &snapshot.datacenters[0];
    let mut keys: Vec<String> = Vec::new();
    for n in &dc.networks {
        keys.extend([n.name.clone(), n.path.clone()]);
    }
    for d in &dc.datastores {
        keys.extend([d.name.clone(), d.path.clone()]);
    }
    keys.extend(["nope".into(), "/DC0/network".into(), String::new()]);
    for key in &keys {
        let indexed: Vec<&str> = dc.networks_named(key).map(|n| n.id.as_str()).collect();
        let scanned: Vec<&str> = dc
            .networks
            .iter()
            .filter(|n| n.name == *key || n.path == *key)
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(indexed, scanned, "networks {key}");
        let indexed: Vec<&str> = dc.datastores_named(key).map(|d| d.id.as_str()).collect();
        let scanned: Vec<&str> = dc
            .datastores
            .iter()
            .filter(|d| d.name == *key || d.path == *key)
            .map(|d| d.id.as_str())
            .collect();
        assert_eq!(indexed, scanned, "datastores {key}");
    }
    // "VM Network" is the name of one standard network per cluster.
    assert_eq!(dc.networks_named("VM Network").count(), 3);
    for h in &dc.hosts {
        assert_eq!(dc.host(&h.path).map(|x| &x.id), Some(&h.id));
    }
    assert!(dc.host("/DC0/host/C9/C9_H0").is_none());
    for cr in &dc.compute_resources {
        assert_eq!(dc.compute_resource(&cr.path).map(|x| &x.id), Some(&cr.id));
    }
}

#[test]
fn rules_answer_alike_with_shared_and_separate_lists() {
    let mut config = VchConfig::default();
    config.target.datacenter = Some("DC0".into());
    config.target.compute_resource = Some("C1".into());
    config.general.name = Some("vch1".into());
    config.storage.image_store = Some("LocalDS_0".into());
    config.network.bridge.port_group = Some("DC0_DVPG1".into());
    config.network.public.port_group = Some("DC0_DVPG".into());
    let shared = validate(&config, Some(&inventory(3, 4, 40, 6, true)));
    let separate = validate(&config, Some(&inventory(3, 4, 40, 6, false)));
    assert_eq!(shared.findings, separate.findings);
    let codes: Vec<&str> = shared.findings.iter().map(|f| f.code.as_str()).collect();
    // LocalDS_0 is mounted by C0's hosts only; "DC0_DVPG" is no port group.
    assert!(codes.contains(&"S12"), "{codes:?}");
    let nv9 = shared.findings.iter().find(|f| f.code == "NV9").unwrap();
    assert_eq!(nv9.suggestions.len(), 10);
    assert!(nv9.suggestions[0].starts_with("DC0_DVPG"), "{nv9:?}");
    // The memo gives the same list on the next validation of the same snapshot.
    let snapshot = inventory(3, 4, 40, 6, true);
    let first = validate(&config, Some(&snapshot));
    let again = validate(&config, Some(&snapshot));
    assert_eq!(first.findings, again.findings);
}

/// A role's suggestions are memoised without the bridge (typing a bridge must not rank them
/// again) and still never offer the bridge: when the bridge is the closest port group, the next
/// one moves up and the list keeps its length.
#[test]
fn role_suggestions_leave_out_the_bridge_whatever_it_is() {
    let snapshot = inventory(2, 3, 30, 4, true);
    let mut config = VchConfig::default();
    config.target.datacenter = Some("DC0".into());
    config.target.compute_resource = Some("C0".into());
    config.general.name = Some("vch1".into());
    config.network.public.port_group = Some("DC0_DVPG".into());
    let nv9 = |config: &VchConfig| {
        let report = validate(config, Some(&snapshot));
        report
            .findings
            .into_iter()
            .find(|f| f.code == "NV9")
            .unwrap()
            .suggestions
    };
    config.network.bridge.port_group = Some("no-such-bridge".into());
    let free = nv9(&config);
    assert_eq!(free.len(), 10, "{free:?}");
    config.network.bridge.port_group = Some(free[0].clone());
    let without = nv9(&config);
    assert_eq!(without.len(), 10, "{without:?}");
    assert!(!without.contains(&free[0]), "{without:?}");
    assert_eq!(without[..9], free[1..], "the rest keep their order");
    config.network.bridge.port_group = Some("no-such-bridge".into());
    assert_eq!(nv9(&config), free);
}
