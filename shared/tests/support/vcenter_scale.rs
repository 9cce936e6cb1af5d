//! The vCenter-scale inventory the benches measure against (the large size of issue 14), built
//! from `shared`'s own types so it is a valid schema-2 snapshot. Included with `#[path]` by
//! `benches/validate.rs` and `examples/big_snapshot.rs` (which prints it as JSON for the browser
//! bench).

use shared::inventory::{
    ComputeKind, ComputeResource, Datacenter, Datastore, DistributedSwitch, Host, HostList,
    InventorySnapshot, Network, NetworkKind, ResourcePool, TargetInfo, TargetKind, Vch,
};

/// 40 clusters x 25 hosts on one distributed switch with 2,000 port groups; 200 datastores, each
/// mounted by one cluster; "VM Network" on every host; `vchs` existing VCHs spread over the
/// clusters, bridged on the last 500 distributed port groups (so the others stay free to pick),
/// on "VM Network", with one volume store each.
pub fn vcenter_scale(vchs: usize) -> InventorySnapshot {
    let mut dc = Datacenter {
        name: "DC0".into(),
        path: "/DC0".into(),
        id: "datacenter-2".into(),
        ..Datacenter::default()
    };
    let mut clusters: Vec<HostList> = Vec::new();
    for c in 0..40 {
        let cluster = format!("/DC0/host/DC0_C{c}");
        let hosts: Vec<String> = (0..25)
            .map(|h| format!("{cluster}/DC0_C{c}_H{h}"))
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
            name: format!("DC0_C{c}"),
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
        clusters.push(HostList::new(hosts));
    }
    let all = HostList::new(dc.hosts.iter().map(|h| h.path.clone()).collect());
    dc.networks.push(Network {
        name: "VM Network".into(),
        path: "/DC0/network/VM Network".into(),
        id: "network-7".into(),
        kind: NetworkKind::Standard,
        switch: None,
        portgroup_key: None,
        hosts: all.clone(),
    });
    for p in 0..2000 {
        dc.networks.push(Network {
            name: format!("DC0_DVPG{p}"),
            path: format!("/DC0/network/DC0_DVPG{p}"),
            id: format!("dvportgroup-{p}"),
            kind: NetworkKind::DistributedPortGroup,
            switch: Some(DistributedSwitch {
                name: "DVS0".into(),
                uuid: "50 2f 1e 5a 8d 3c 41 7b-9e 0f 11 22 33 44 55 66".into(),
                id: "dvs-1".into(),
            }),
            portgroup_key: Some(format!("dvportgroup-{p}")),
            hosts: all.clone(),
        });
    }
    for d in 0..200 {
        dc.datastores.push(Datastore {
            name: format!("LocalDS_{d}"),
            path: format!("/DC0/datastore/LocalDS_{d}"),
            id: format!("datastore-{d}"),
            kind: "VMFS".into(),
            capacity_bytes: 1 << 42,
            free_bytes: 1 << 41,
            accessible: true,
            maintenance_mode: Some("normal".into()),
            hosts: clusters[d % 40].clone(),
        });
    }
    for v in 0..vchs {
        let c = v % 40;
        dc.vchs.push(Vch {
            name: format!("vch-existing-{v}"),
            vm_name: format!("vch-existing-{v}"),
            id: format!("vm-{}", 1000 + v),
            resource_pool: Some(format!("/DC0/host/DC0_C{c}/Resources/vch-existing-{v}")),
            version: Some("v1.5.8-21139-2ac2e6d".into()),
            power_state: Some("poweredOn".into()),
            creating: false,
            networks: vec![format!("DC0_DVPG{}", 1500 + v % 500), "VM Network".into()],
            leftovers: Vec::new(),
            volume_stores: vec![format!("[LocalDS_{}] vch-existing-{v}/volumes", v % 200)],
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
