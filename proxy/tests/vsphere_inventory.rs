//! The inventory snapshot against what the simulator holds (names from docs/vsphere-notes.md §2;
//! ids are looked up, never hard-coded), the round-trip budget, VCH recognition and the firewall fix.

use proxy::simulator::{Inventory, Simulator, SimulatorOptions};
use proxy::vsphere::firewall::{FirewallAction, VIC_ENGINE_RULESET, VSPC_RULESET};
use proxy::vsphere::vm::{NicBacking, NicSpec, VmSpec};
use proxy::vsphere::{Client, MoRef, TargetSpec};
use shared::inventory::{
    ComputeKind, Datacenter, Direction, InventorySnapshot, NetworkKind, PortType, TargetKind,
};

/// At most this many SOAP round trips for reading an inventory of any size.
const INVENTORY_ROUND_TRIP_BUDGET: u64 = 5;

async fn connect(options: SimulatorOptions) -> (Simulator, Client) {
    let sim = Simulator::start(options)
        .await
        .expect("start the simulator");
    let client = Client::connect(&TargetSpec::from_simulator(&sim))
        .await
        .expect("connect");
    (sim, client)
}

async fn read(client: &Client) -> InventorySnapshot {
    let before = client.round_trips();
    let snapshot = client.inventory().await.expect("inventory");
    let used = client.round_trips() - before;
    assert!(
        used <= INVENTORY_ROUND_TRIP_BUDGET,
        "inventory used {used} round trips"
    );
    snapshot
}

fn dc0(snapshot: &InventorySnapshot) -> &Datacenter {
    snapshot.datacenter("DC0").expect("DC0")
}

fn vpx_options() -> SimulatorOptions {
    SimulatorOptions::vpx().with_inventory(Inventory {
        hosts: Some(2),
        pools: Some(2),
        apps: Some(1),
        portgroups: Some(2),
        opaque_networks: Some(1),
        datastores: Some(2),
        ..Inventory::default()
    })
}

#[tokio::test]
async fn vpx_inventory_matches_the_simulator() {
    let (sim, client) = connect(vpx_options()).await;
    let snapshot = read(&client).await;

    let target = snapshot.target.as_ref().unwrap();
    assert_eq!(target.kind, TargetKind::VCenter);
    assert_eq!(target.api_version, "6.5");
    assert_eq!(snapshot.datacenters.len(), 1);
    let dc = dc0(&snapshot);
    assert_eq!(dc.path, "/DC0");

    // Compute: one DRS cluster with three hosts, two standalone hosts.
    let paths: Vec<&str> = dc
        .compute_resources
        .iter()
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(
        paths,
        ["/DC0/host/DC0_C0", "/DC0/host/DC0_H0", "/DC0/host/DC0_H1"]
    );
    let cluster = &dc.compute_resources[0];
    assert_eq!(cluster.kind, ComputeKind::Cluster);
    assert_eq!(cluster.drs_enabled, Some(true));
    assert_eq!(
        cluster.hosts,
        [
            "/DC0/host/DC0_C0/DC0_C0_H0",
            "/DC0/host/DC0_C0/DC0_C0_H1",
            "/DC0/host/DC0_C0/DC0_C0_H2"
        ]
    );
    assert_eq!(cluster.resource_pools[0].path, "/DC0/host/DC0_C0/Resources");
    let pool_names: Vec<(&str, bool)> = cluster
        .resource_pools
        .iter()
        .map(|p| (p.name.as_str(), p.is_vapp))
        .collect();
    assert!(
        pool_names.contains(&("DC0_C0_RP1", false)),
        "{pool_names:?}"
    );
    assert!(
        pool_names.contains(&("DC0_C0_APP0", true)),
        "{pool_names:?}"
    );
    let standalone = &dc.compute_resources[1];
    assert_eq!(standalone.kind, ComputeKind::StandaloneHost);
    assert_eq!(standalone.drs_enabled, None);
    assert_eq!(standalone.hosts, ["/DC0/host/DC0_H0/DC0_H0"]);

    // Hosts, each with its firewall read from HostFirewallSystem.
    assert_eq!(dc.hosts.len(), 5);
    let all_hosts: Vec<String> = dc.hosts.iter().map(|h| h.path.clone()).collect();
    for host in &dc.hosts {
        assert_eq!(host.connection_state, "connected");
        let firewall = host.firewall.as_ref().expect("firewall info");
        assert!(firewall.enabled);
        let vspc = firewall
            .rulesets
            .iter()
            .find(|r| r.key == VSPC_RULESET)
            .expect("vSPC ruleset");
        assert!(!vspc.enabled, "vSPC is disabled in a fresh simulator");
        assert!(vspc.allowed_hosts.all_ip);
        let rule = &vspc.rules[0];
        assert_eq!((rule.port, rule.end_port), (0, Some(65535)));
        assert_eq!(rule.direction, Direction::Outbound);
        assert_eq!(rule.port_type, Some(PortType::Dst));
        assert_eq!(rule.protocol, "tcp");
        // Of the dozens of default rulesets only those that can open outbound 2377/tcp are kept.
        assert!(!firewall.rulesets.is_empty());
        assert!(
            firewall
                .rulesets
                .iter()
                .all(|r| !r.rules.is_empty() && r.rules.iter().all(|x| x.allows_outbound_tcp(2377))),
            "{:#?}",
            firewall.rulesets
        );
        assert!(
            !firewall
                .rulesets
                .iter()
                .any(|r| r.key == VIC_ENGINE_RULESET)
        );
    }
    assert!(
        dc.hosts
            .iter()
            .any(|h| h.compute_resource == "/DC0/host/DC0_C0")
    );

    // Networks: standard, distributed (with switch and members), opaque; no uplink port group.
    let vm_network = dc.networks_named("VM Network").next().expect("VM Network");
    assert_eq!(vm_network.kind, NetworkKind::Standard);
    assert_eq!(vm_network.path, "/DC0/network/VM Network");
    assert_eq!(vm_network.hosts, all_hosts);
    for name in ["DC0_DVPG0", "DC0_DVPG1"] {
        let pg = dc.networks_named(name).next().expect(name);
        assert_eq!(pg.kind, NetworkKind::DistributedPortGroup);
        let switch = pg.switch.as_ref().expect("switch");
        assert_eq!(switch.name, "DVS0");
        assert!(!switch.uuid.is_empty());
        assert_eq!(pg.portgroup_key.as_deref(), Some(pg.id.as_str()));
        assert_eq!(pg.hosts, all_hosts, "every host is a DVS0 member");
    }
    let opaque = dc
        .networks_named("DC0_NSX0")
        .next()
        .expect("opaque network");
    assert_eq!(opaque.kind, NetworkKind::Opaque);
    assert!(
        !dc.networks.iter().any(|n| n.name.contains("DVUplinks")),
        "uplink port groups are excluded: {:?}",
        dc.networks.iter().map(|n| &n.name).collect::<Vec<_>>()
    );

    // Datastores with capacity and the hosts that mount them.
    let names: Vec<&str> = dc.datastores.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["LocalDS_0", "LocalDS_1"]);
    for ds in &dc.datastores {
        assert_eq!(ds.path, format!("/DC0/datastore/{}", ds.name));
        assert!(ds.capacity_bytes > 0 && ds.free_bytes <= ds.capacity_bytes);
        assert!(ds.accessible);
        assert_eq!(ds.hosts, all_hosts);
    }
    assert!(dc.vchs.is_empty(), "no VCH in a fresh simulator");

    // Serialises, and a second read gives the same snapshot.
    let json = serde_json::to_string(&snapshot).unwrap();
    let back: InventorySnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, snapshot);
    assert_eq!(read(&client).await, snapshot);

    client.logout().await.unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn esx_inventory_is_one_host() {
    let (sim, client) = connect(SimulatorOptions::esx()).await;
    let snapshot = read(&client).await;
    assert_eq!(snapshot.target.as_ref().unwrap().kind, TargetKind::Esxi);
    let dc = snapshot.datacenter("ha-datacenter").expect("ha-datacenter");
    assert_eq!(dc.compute_resources.len(), 1);
    assert_eq!(dc.compute_resources[0].kind, ComputeKind::StandaloneHost);
    assert_eq!(dc.hosts.len(), 1);
    assert!(dc.hosts[0].firewall.is_some());
    let vm_network = dc.networks_named("VM Network").next().expect("VM Network");
    assert_eq!(vm_network.kind, NetworkKind::Standard);
    assert_eq!(vm_network.hosts, [dc.hosts[0].path.clone()]);
    assert_eq!(dc.datastores[0].name, "LocalDS_0");
    assert_eq!(dc.datastores[0].hosts, [dc.hosts[0].path.clone()]);
    client.logout().await.unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn vchs_are_recognised_from_extra_config_like_vic_machine_does() {
    let (sim, client) = connect(vpx_options()).await;
    // Appliance-like VMs (the guest OS vic-machine gives a VCH, which is what the read filters
    // on before it reads extraConfig), one NIC on DC0_DVPG0.
    let before = read(&client).await;
    let dvpg0 = dc0(&before)
        .networks_named("DC0_DVPG0")
        .next()
        .unwrap()
        .clone();
    let folder = client
        .find_by_inventory_path("DC0/vm")
        .await
        .unwrap()
        .expect("DC0/vm");
    let pool = MoRef::new(
        "ResourcePool",
        &dc0(&before).compute_resources[0].resource_pools[0].id,
    );
    let mut vms = Vec::new();
    for name in ["vch1-vm", "clone-vm", "half-vm"] {
        let spec = VmSpec {
            name: name.into(),
            guest_id: "otherGuest64".into(),
            vm_path_name: "[LocalDS_0]".into(),
            num_cpus: 1,
            memory_mb: 64,
            nics: vec![NicSpec {
                backing: NicBacking::Distributed {
                    switch_uuid: dvpg0.switch.clone().unwrap().uuid,
                    portgroup_key: dvpg0.portgroup_key.clone().unwrap(),
                },
                pci_slot: 192,
            }],
            ..VmSpec::default()
        };
        vms.push(client.create_vm(&folder, &pool, None, &spec).await.unwrap());
    }
    let (vm, clone, creating) = (vms[0].clone(), vms[1].clone(), vms[2].clone());
    client.power_on_vm(&vm).await.unwrap();
    let pg1 = client
        .find_by_inventory_path("DC0/network/DC0_DVPG1")
        .await
        .unwrap()
        .expect("DC0_DVPG1");
    let own_id = format!("VirtualMachine:{}", vm.value);
    let pg1_id = format!("DistributedVirtualPortgroup:{}", pg1.value);
    // As vic-machine 1.5 writes it (docs/appliance-extraconfig.md §6, F4), trimmed to what recognition reads.
    client
        .reconfigure_extra_config(
            &vm,
            &[
                ("guestinfo.vice./init/common/id", "CreatingVCH"),
                ("init/common/name", "vch1"),
                ("guestinfo.vice./init/version/Version", "v1.5.8"),
                ("guestinfo.vice./init/version/BuildNumber", "12345"),
                ("guestinfo.vice./init/version/GitCommit", "2c978fe"),
                (
                    "guestinfo.vice./network/container_networks|con-nw/Common/id",
                    &pg1_id,
                ),
            ],
        )
        .await
        .unwrap();
    // The post-create reconfigure: vcsim appends, so the last occurrence must win.
    client
        .reconfigure_extra_config(&vm, &[("guestinfo.vice./init/common/id", &own_id)])
        .await
        .unwrap();
    // A clone carries another VM's id: not a VCH.
    client
        .reconfigure_extra_config(&clone, &[("guestinfo.vice./init/common/id", &own_id)])
        .await
        .unwrap();
    // A create that died half-way.
    client
        .reconfigure_extra_config(
            &creating,
            &[("guestinfo.vice./init/common/id", "CreatingVCH")],
        )
        .await
        .unwrap();

    let snapshot = read(&client).await;
    let dc = dc0(&snapshot);
    assert_eq!(dc.vchs.len(), 2, "{:#?}", dc.vchs);
    let vch = dc.vchs.iter().find(|v| v.name == "vch1").expect("vch1");
    assert_eq!(vch.vm_name, "vch1-vm");
    assert_eq!(vch.id, vm.value);
    assert!(!vch.creating);
    assert_eq!(vch.version.as_deref(), Some("v1.5.8-12345-2c978fe"));
    assert_eq!(
        vch.resource_pool.as_deref(),
        Some("/DC0/host/DC0_C0/Resources")
    );
    assert_eq!(vch.power_state.as_deref(), Some("poweredOn"));
    // Its NIC is on DC0_DVPG0; DC0_DVPG1 is a configured container network.
    assert_eq!(vch.networks, ["DC0_DVPG0", "DC0_DVPG1"]);
    let half = dc.vchs.iter().find(|v| v.vm_name == "half-vm").unwrap();
    assert!(half.creating);
    assert_eq!(half.name, "half-vm", "no VCH name recorded: the VM name");

    client.logout().await.unwrap();
    sim.stop().await;
}

/// vic-machine's rule F1: an enabled ruleset with an outbound tcp rule covering dst port 2377.
fn allows_2377_out(snapshot: &InventorySnapshot, host_path: &str) -> bool {
    let host = dc0(snapshot).host(host_path).expect("host");
    host.firewall.as_ref().unwrap().rulesets.iter().any(|r| {
        r.enabled
            && r.rules.iter().any(|rule| {
                rule.direction == Direction::Outbound
                    && rule.protocol == "tcp"
                    && rule.port_type != Some(PortType::Src)
                    && rule.covers_port(2377)
            })
    })
}

#[tokio::test]
async fn firewall_allow_enables_2377_then_deny_disables_it() {
    let (sim, client) = connect(vpx_options()).await;
    let host = "/DC0/host/DC0_C0/DC0_C0_H1";
    assert!(!allows_2377_out(&read(&client).await, host));

    let changes = client
        .update_firewall("/DC0/host/DC0_C0", FirewallAction::Allow)
        .await
        .unwrap();
    let hosts: Vec<&str> = changes.iter().map(|c| c.host.as_str()).collect();
    assert_eq!(hosts, ["DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2"]);
    for change in &changes {
        assert!(change.succeeded(), "{change:?}");
        // The simulator has no vic-engine ruleset: the fallback is used.
        assert_eq!(change.ruleset.as_deref(), Some(VSPC_RULESET));
    }
    assert!(allows_2377_out(&read(&client).await, host));

    let changes = client
        .update_firewall("DC0/host/DC0_C0", FirewallAction::Deny)
        .await
        .unwrap();
    assert!(changes.iter().all(|c| c.succeeded()));
    assert!(!allows_2377_out(&read(&client).await, host));

    let missing = client
        .update_firewall("/DC0/host/NoSuchCluster", FirewallAction::Allow)
        .await
        .unwrap_err();
    assert!(missing.to_string().contains("NoSuchCluster"), "{missing}");

    client.logout().await.unwrap();
    sim.stop().await;
}
