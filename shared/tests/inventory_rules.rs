//! Inventory-aware rules against snapshots built in code: for every code, a change to a clean
//! config or inventory that raises it (with its severity) and a close variant that does not; then
//! the suggestion lists and the rules that must stay quiet when a static rule already spoke.

use shared::config::ContainerNetwork;
use shared::inventory::{
    AllowedHosts, ComputeKind, ComputeResource, Datacenter, Datastore, Direction,
    DistributedSwitch, FirewallRule, FirewallRuleset, Host, HostFirewall, InventorySnapshot,
    IpNetwork, Network, NetworkKind, PortType, ResourcePool, TargetInfo, TargetKind, Vch,
};
use shared::{Finding, Report, Severity, VchConfig, validate};

const GIB: u64 = 1 << 30;
const CLUSTER: &str = "/DC0/host/C0";
const H0: &str = "/DC0/host/C0/H0";
const H1: &str = "/DC0/host/C0/H1";
const H2: &str = "/DC0/host/C0/H2";
const S0: &str = "/DC0/host/S0/S0";

/// Every code the inventory rules emit; a clean config raises none of them.
const INVENTORY_CODES: &[&str] = &[
    "T7", "T8", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "S6", "S7", "S8", "S12", "S13", "S14",
    "S15", "S18", "NV9", "NV11", "NV12", "NV13", "NV19", "NV27", "NV28", "NV32", "F1", "F2", "F4",
    "F5", "F6", "F7", "G12",
];

// ---------------------------------------------------------------- snapshot builder

/// A vCenter with datacenter DC0: DRS cluster C0 (hosts H0–H2), standalone host S0, and
/// networks, datastores and firewalls that a clean config is happy with.
struct Inventory(InventorySnapshot);

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn pool(path: &str) -> ResourcePool {
    ResourcePool {
        name: path.rsplit('/').next().unwrap_or_default().into(),
        path: path.into(),
        id: format!("rp:{path}"),
        is_vapp: false,
    }
}

/// The `vic-engine` ruleset as vSphere 6.7 ships it: outbound 2377/tcp.
fn vic_engine(enabled: bool, allowed: AllowedHosts) -> FirewallRuleset {
    FirewallRuleset {
        key: "vic-engine".into(),
        label: "VIC engine".into(),
        enabled,
        rules: vec![FirewallRule {
            port: 2377,
            end_port: None,
            direction: Direction::Outbound,
            protocol: "tcp".into(),
            port_type: Some(PortType::Dst),
        }],
        allowed_hosts: allowed,
    }
}

fn all_ips() -> AllowedHosts {
    AllowedHosts {
        all_ip: true,
        ..AllowedHosts::default()
    }
}

fn only(addresses: &[&str], networks: &[(&str, u8)]) -> AllowedHosts {
    AllowedHosts {
        all_ip: false,
        ip_addresses: strings(addresses),
        ip_networks: networks
            .iter()
            .map(|(n, p)| IpNetwork {
                network: (*n).into(),
                prefix_length: *p,
            })
            .collect(),
    }
}

fn firewall(enabled: bool, rulesets: Vec<FirewallRuleset>) -> Option<HostFirewall> {
    Some(HostFirewall {
        enabled,
        incoming_blocked: enabled,
        outgoing_blocked: enabled,
        rulesets,
    })
}

fn host(path: &str, compute: &str) -> Host {
    Host {
        name: path.rsplit('/').next().unwrap_or_default().into(),
        path: path.into(),
        id: format!("host:{path}"),
        compute_resource: compute.into(),
        connection_state: "connected".into(),
        in_maintenance_mode: false,
        firewall: firewall(true, vec![vic_engine(true, all_ips())]),
    }
}

fn network(name: &str, kind: NetworkKind, hosts: &[&str]) -> Network {
    let distributed = kind == NetworkKind::DistributedPortGroup;
    Network {
        name: name.into(),
        path: format!("/DC0/network/{name}"),
        id: format!("net:{name}"),
        kind,
        switch: distributed.then(|| DistributedSwitch {
            name: "DVS0".into(),
            uuid: "uuid-dvs0".into(),
            id: "dvs-1".into(),
        }),
        portgroup_key: distributed.then(|| format!("net:{name}")),
        hosts: strings(hosts).into(),
    }
}

fn datastore(name: &str, free_gib: u64, hosts: &[&str]) -> Datastore {
    Datastore {
        name: name.into(),
        path: format!("/DC0/datastore/{name}"),
        id: format!("ds:{name}"),
        kind: "VMFS".into(),
        capacity_bytes: 4 * free_gib * GIB,
        free_bytes: free_gib * GIB,
        accessible: true,
        maintenance_mode: Some("normal".into()),
        hosts: strings(hosts).into(),
    }
}

impl Inventory {
    fn vcenter() -> Self {
        use NetworkKind::*;
        let cluster_hosts = [H0, H1, H2];
        let every_host = [H0, H1, H2, S0];
        let dc = Datacenter {
            name: "DC0".into(),
            path: "/DC0".into(),
            id: "datacenter-2".into(),
            compute_resources: vec![
                ComputeResource {
                    name: "C0".into(),
                    path: CLUSTER.into(),
                    id: "cluster-1".into(),
                    kind: ComputeKind::Cluster,
                    drs_enabled: Some(true),
                    hosts: strings(&cluster_hosts),
                    resource_pools: vec![
                        pool("/DC0/host/C0/Resources"),
                        pool("/DC0/host/C0/Resources/RP1"),
                        pool("/DC0/host/C0/Resources/RP1/inner"),
                    ],
                },
                ComputeResource {
                    name: "S0".into(),
                    path: "/DC0/host/S0".into(),
                    id: "cr-s0".into(),
                    kind: ComputeKind::StandaloneHost,
                    drs_enabled: None,
                    hosts: strings(&[S0]),
                    resource_pools: vec![pool("/DC0/host/S0/Resources")],
                },
            ],
            hosts: vec![
                host(H0, CLUSTER),
                host(H1, CLUSTER),
                host(H2, CLUSTER),
                host(S0, "/DC0/host/S0"),
            ],
            networks: vec![
                network("VM Network", Standard, &every_host),
                network("bridge-pg", DistributedPortGroup, &every_host),
                network("spare-pg", DistributedPortGroup, &every_host),
                network("public-pg", DistributedPortGroup, &every_host),
                network("partial-pg", DistributedPortGroup, &[H0]),
                network("nsx", Opaque, &every_host),
                network("s0-only", Standard, &[S0]),
            ],
            datastores: vec![
                datastore("shared", 100, &every_host),
                datastore("local-h0", 50, &[H0]),
                datastore("local-h1", 50, &[H1]),
                datastore("h0-h1", 50, &[H0, H1]),
                datastore("s0-disk", 50, &[S0]),
            ],
            vchs: Vec::new(),
            index: Default::default(),
        };
        Self(InventorySnapshot {
            schema: Default::default(),
            target: Some(TargetInfo {
                kind: TargetKind::VCenter,
                api_version: "6.7".into(),
                full_name: "VMware vCenter Server 6.7.0".into(),
                session_without_password: false,
            }),
            datacenters: vec![dc],
        })
    }

    /// A host managed directly: `ha-datacenter` with one standalone host.
    fn esxi() -> Self {
        let h = "/ha-datacenter/host/esx1/esx1";
        let dc = Datacenter {
            name: "ha-datacenter".into(),
            path: "/ha-datacenter".into(),
            id: "ha-datacenter".into(),
            compute_resources: vec![ComputeResource {
                name: "esx1".into(),
                path: "/ha-datacenter/host/esx1".into(),
                id: "ha-compute-res".into(),
                kind: ComputeKind::StandaloneHost,
                drs_enabled: None,
                hosts: strings(&[h]),
                resource_pools: vec![pool("/ha-datacenter/host/esx1/Resources")],
            }],
            hosts: vec![host(h, "/ha-datacenter/host/esx1")],
            networks: vec![Network {
                path: "/ha-datacenter/network/VM Network".into(),
                ..network("VM Network", NetworkKind::Standard, &[h])
            }],
            datastores: vec![Datastore {
                path: "/ha-datacenter/datastore/shared".into(),
                ..datastore("shared", 100, &[h])
            }],
            vchs: Vec::new(),
            index: Default::default(),
        };
        Self(InventorySnapshot {
            schema: Default::default(),
            target: Some(TargetInfo {
                kind: TargetKind::Esxi,
                api_version: "6.7".into(),
                full_name: "VMware ESXi 6.7.0".into(),
                session_without_password: false,
            }),
            datacenters: vec![dc],
        })
    }

    /// The datacenter to change; its index is dropped, as changes made through it may not alter
    /// the number of objects, which is all the index notices by itself.
    fn dc(&mut self) -> &mut Datacenter {
        let dc = &mut self.0.datacenters[0];
        dc.index.reset();
        dc
    }

    fn host(&mut self, path: &str) -> &mut Host {
        self.dc()
            .hosts
            .iter_mut()
            .find(|h| h.path == path)
            .expect("host in the builder")
    }

    fn cluster(&mut self) -> &mut ComputeResource {
        &mut self.dc().compute_resources[0]
    }

    fn second_datacenter(&mut self) {
        let mut other = self.0.datacenters[0].clone();
        other.name = "DC1".into();
        other.path = "/DC1".into();
        other.id = "datacenter-99".into();
        self.0.datacenters.push(other);
    }

    fn add_vch(&mut self, name: &str, networks: &[&str]) {
        self.dc().vchs.push(Vch {
            name: name.into(),
            vm_name: name.into(),
            id: format!("vm:{name}"),
            resource_pool: Some(format!("/DC0/host/C0/Resources/{name}")),
            version: Some("v1.5.8-12345-2c978fe".into()),
            power_state: Some("poweredOn".into()),
            creating: false,
            networks: strings(networks),
            leftovers: Vec::new(),
            volume_stores: Vec::new(),
        });
    }

    /// The same name in another network folder, so the short name is ambiguous.
    fn duplicate_network(&mut self, name: &str) {
        let mut copy = self
            .dc()
            .networks
            .iter()
            .find(|n| n.name == name)
            .cloned()
            .expect("network in the builder");
        copy.path = format!("/DC0/network/other/{name}");
        copy.id = format!("net:other/{name}");
        self.dc().networks.push(copy);
    }
}

/// A config the vCenter inventory accepts without any inventory finding.
fn clean_config() -> VchConfig {
    let mut c = VchConfig::default();
    c.target.server = Some("vc.example.com".into());
    c.target.datacenter = Some("DC0".into());
    c.target.user = Some("admin".into());
    c.target.compute_resource = Some("C0".into());
    c.general.name = Some("vch1".into());
    c.storage.image_store = Some("shared/vch1".into());
    c.network.bridge.port_group = Some("bridge-pg".into());
    c.network.public.port_group = Some("public-pg".into());
    c.operations.ops_user = Some("ops".into());
    c
}

fn esxi_config() -> VchConfig {
    let mut c = clean_config();
    c.target.datacenter = None;
    c.target.compute_resource = None;
    c.network.bridge.port_group = Some("vch1-bridge".into());
    c.network.public.port_group = Some("VM Network".into());
    c
}

fn inventory_findings(report: &Report) -> Vec<&Finding> {
    report
        .findings
        .iter()
        .filter(|f| INVENTORY_CODES.contains(&f.code.as_str()))
        .collect()
}

// ---------------------------------------------------------------- the table

type Change = fn(&mut VchConfig, &mut Inventory);

struct Case {
    code: &'static str,
    severity: Severity,
    /// Where the finding must point.
    path: &'static str,
    /// Starting from vCenter (`false`) or ESXi (`true`).
    esxi: bool,
    fails: Change,
    passes: Change,
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;
const I: Severity = Severity::Info;

fn vc(
    code: &'static str,
    severity: Severity,
    path: &'static str,
    fails: Change,
    passes: Change,
) -> Case {
    Case {
        code,
        severity,
        path,
        esxi: false,
        fails,
        passes,
    }
}

fn esx(
    code: &'static str,
    severity: Severity,
    path: &'static str,
    fails: Change,
    passes: Change,
) -> Case {
    Case {
        esxi: true,
        ..vc(code, severity, path, fails, passes)
    }
}

fn cases() -> Vec<Case> {
    vec![
        // Datacenter.
        vc(
            "T7",
            E,
            "target.datacenter",
            |c, _| c.target.datacenter = Some("DC9".into()),
            |c, _| c.target.datacenter = Some("/DC0".into()),
        ),
        vc(
            "T8",
            E,
            "target.datacenter",
            |c, inv| {
                inv.second_datacenter();
                c.target.datacenter = None;
            },
            |c, inv| {
                // A full compute path names its datacenter.
                inv.second_datacenter();
                c.target.datacenter = None;
                c.target.compute_resource = Some("/DC0/host/C0".into());
            },
        ),
        // Compute.
        vc(
            "C1",
            E,
            "target.compute_resource",
            |c, _| c.target.compute_resource = None,
            |c, inv| {
                c.target.compute_resource = None;
                inv.dc().compute_resources.truncate(1);
            },
        ),
        vc(
            "C2",
            E,
            "target.compute_resource",
            |c, _| c.target.compute_resource = Some("Resources".into()),
            |c, _| c.target.compute_resource = Some("C0/Resources".into()),
        ),
        vc(
            "C3",
            E,
            "target.compute_resource",
            |c, _| c.target.compute_resource = Some("C9".into()),
            |c, _| c.target.compute_resource = Some("C0/RP1".into()),
        ),
        vc(
            "C4",
            W,
            "target.compute_resource",
            |_, inv| inv.cluster().drs_enabled = Some(false),
            |c, inv| {
                inv.cluster().drs_enabled = Some(false);
                c.target.compute_resource = Some("S0".into());
                c.storage.image_store = Some("s0-disk".into());
                c.network.bridge.port_group = Some("bridge-pg".into());
            },
        ),
        vc(
            "C5",
            W,
            "target.compute_resource",
            |_, inv| inv.cluster().drs_enabled = None,
            |_, _| {},
        ),
        esx(
            "C6",
            E,
            "compute.affinity_vm_group",
            |c, _| c.compute.affinity_vm_group = true,
            |_, _| {},
        ),
        vc(
            "C7",
            E,
            "compute.affinity_vm_group",
            |c, inv| {
                c.compute.affinity_vm_group = true;
                inv.cluster().drs_enabled = Some(false);
            },
            |c, _| c.compute.affinity_vm_group = true,
        ),
        // Datastores.
        vc(
            "S6",
            E,
            "storage.image_store",
            |c, _| c.storage.image_store = None,
            |c, _| c.storage.image_store = Some("ds://shared".into()),
        ),
        vc(
            "S7",
            E,
            "storage.volume_stores[0]",
            |c, _| c.storage.volume_stores = vec!["nowhere/vols:default".into()],
            |c, _| {
                c.storage.volume_stores =
                    vec!["shared/vols:default".into(), "nfs://nas/export:nfs".into()]
            },
        ),
        vc(
            "S8",
            E,
            "storage.image_store",
            |_, inv| {
                let mut twin = inv.dc().datastores[0].clone();
                twin.path = "/DC0/datastore/folder/shared".into();
                twin.id = "ds:twin".into();
                inv.dc().datastores.push(twin);
            },
            |_, _| {},
        ),
        vc(
            "S12",
            E,
            "storage.image_store",
            |c, _| c.storage.image_store = Some("s0-disk".into()),
            |c, _| c.storage.image_store = Some("h0-h1".into()),
        ),
        vc(
            "S13",
            E,
            "storage.image_store",
            |c, _| {
                c.storage.image_store = Some("local-h0".into());
                c.storage.volume_stores = vec!["local-h1/vols:default".into()];
            },
            |c, _| {
                c.storage.image_store = Some("h0-h1".into());
                c.storage.volume_stores = vec!["local-h1/vols:default".into()];
            },
        ),
        vc(
            "S14",
            W,
            "storage.image_store",
            |c, _| c.storage.image_store = Some("local-h0".into()),
            |c, _| c.storage.image_store = Some("h0-h1".into()),
        ),
        vc(
            "S15",
            E,
            "storage.storage_quota",
            |c, _| c.storage.storage_quota = Some("101".into()),
            |c, _| c.storage.storage_quota = Some("100".into()),
        ),
        // Networks.
        vc(
            "NV9",
            E,
            "network.client.port_group",
            |c, _| c.network.client.port_group = Some("nope".into()),
            |c, _| c.network.client.port_group = Some("/DC0/network/VM Network".into()),
        ),
        vc(
            "NV11",
            E,
            "network.bridge.port_group",
            |c, _| c.network.bridge.port_group = Some("VM Network".into()),
            |c, _| c.network.bridge.port_group = Some("nsx".into()),
        ),
        esx(
            "NV12",
            I,
            "network.bridge.port_group",
            |_, _| {},
            |c, inv| {
                let h = inv.dc().hosts[0].path.clone();
                let mut pg = network("vch1-bridge", NetworkKind::Standard, &[&h]);
                pg.path = "/ha-datacenter/network/vch1-bridge".into();
                inv.dc().networks.push(pg);
                c.general.name = Some("vch1".into());
            },
        ),
        vc(
            "NV13",
            E,
            "network.container_networks[0].port_group",
            |c, _| {
                c.network.container_networks = vec![ContainerNetwork {
                    port_group: "partial-pg".into(),
                    ..ContainerNetwork::default()
                }]
            },
            |c, inv| {
                // Hosts outside the compute resource need not see it.
                c.network.container_networks = vec![ContainerNetwork {
                    port_group: "partial-pg".into(),
                    ..ContainerNetwork::default()
                }];
                inv.dc().networks[4].hosts = strings(&[H0, H1, H2]).into();
            },
        ),
        vc(
            "NV19",
            E,
            "network.container_networks[0].port_group",
            |c, _| {
                c.network.container_networks = vec![ContainerNetwork {
                    port_group: "VM Network".into(),
                    alias: Some("vmnet".into()),
                    ..ContainerNetwork::default()
                }]
            },
            |c, _| {
                c.network.container_networks = vec![ContainerNetwork {
                    port_group: "spare-pg".into(),
                    ..ContainerNetwork::default()
                }]
            },
        ),
        vc(
            "NV27",
            W,
            "network.management.port_group",
            |c, _| c.network.management.port_group = Some("VM Network".into()),
            |c, _| c.network.management.port_group = Some("spare-pg".into()),
        ),
        vc(
            "NV32",
            E,
            "network.container_networks[0].port_group",
            |c, _| {
                c.network.container_networks = vec![ContainerNetwork {
                    port_group: "nsx".into(),
                    ..ContainerNetwork::default()
                }]
            },
            |c, _| {
                c.network.container_networks = vec![ContainerNetwork {
                    port_group: "spare-pg".into(),
                    ..ContainerNetwork::default()
                }]
            },
        ),
        vc(
            "S18",
            E,
            "storage.volume_stores[0]",
            |c, inv| {
                c.storage.volume_stores = vec!["shared/vols:default".into()];
                inv.add_vch("other", &["spare-pg"]);
                inv.dc().vchs[0].volume_stores = vec!["[shared] vols".into()];
            },
            |c, inv| {
                c.storage.volume_stores = vec!["shared/vols-mine:default".into()];
                inv.add_vch("other", &["spare-pg"]);
                inv.dc().vchs[0].volume_stores = vec!["[shared] vols".into()];
            },
        ),
        vc(
            "NV28",
            E,
            "network.bridge.port_group",
            |_, inv| inv.add_vch("other", &["bridge-pg", "public-pg"]),
            |_, inv| inv.add_vch("other", &["spare-pg", "public-pg"]),
        ),
        // Firewall.
        vc(
            "F1",
            E,
            "target.compute_resource",
            |_, inv| inv.host(H1).firewall = firewall(true, vec![vic_engine(false, all_ips())]),
            |_, inv| {
                // A disabled ruleset elsewhere does not matter when vSPC allows every port.
                let mut vspc = vic_engine(true, all_ips());
                vspc.key = "vSPC".into();
                vspc.rules[0].port = 0;
                vspc.rules[0].end_port = Some(65535);
                inv.host(H1).firewall = firewall(true, vec![vic_engine(false, all_ips()), vspc]);
            },
        ),
        vc(
            "F2",
            W,
            "target.compute_resource",
            |_, inv| inv.host(H1).firewall = firewall(false, Vec::new()),
            |_, inv| inv.host(H1).firewall = firewall(false, vec![vic_engine(true, all_ips())]),
        ),
        vc(
            "F4",
            E,
            "network.management.ip",
            |c, inv| {
                static_management(c);
                inv.host(H0).firewall =
                    firewall(true, vec![vic_engine(true, only(&["10.9.9.9"], &[]))]);
            },
            |c, inv| {
                static_management(c);
                inv.host(H0).firewall = firewall(
                    true,
                    vec![vic_engine(true, only(&["10.9.9.9"], &[("10.0.5.0", 24)]))],
                );
            },
        ),
        vc(
            "F5",
            W,
            "network.management.ip",
            |c, inv| {
                static_management(c);
                inv.host(H0).firewall = firewall(
                    false,
                    vec![vic_engine(true, only(&[], &[("10.1.0.0", 16)]))],
                );
            },
            |c, inv| {
                static_management(c);
                inv.host(H0).firewall =
                    firewall(false, vec![vic_engine(true, only(&["10.0.5.10"], &[]))]);
            },
        ),
        vc(
            "F6",
            W,
            "network.management.ip",
            |_, inv| {
                inv.host(H2).firewall =
                    firewall(true, vec![vic_engine(true, only(&["10.9.9.9"], &[]))])
            },
            |c, inv| {
                static_management(c);
                inv.host(H2).firewall =
                    firewall(true, vec![vic_engine(true, only(&["10.0.5.10"], &[]))]);
            },
        ),
        vc(
            "F7",
            W,
            "target.compute_resource",
            |_, inv| inv.host(H2).firewall = None,
            |_, inv| {
                // A disconnected host is not a place the VCH can run.
                inv.host(H2).firewall = None;
                inv.host(H2).connection_state = "disconnected".into();
            },
        ),
        // Existing VCHs.
        vc(
            "G12",
            E,
            "general.name",
            |_, inv| inv.add_vch("vch1", &["spare-pg"]),
            |_, inv| inv.add_vch("vch2", &["spare-pg"]),
        ),
    ]
}

/// Management on its own port group with a static address in 10.0.5.0/24.
fn static_management(c: &mut VchConfig) {
    c.network.management.port_group = Some("spare-pg".into());
    c.network.management.ip = Some("10.0.5.10/24".into());
    c.network.management.gateway = Some("10.0.0.0/8:10.0.5.1".into());
}

fn run(case: &Case, change: Change) -> Report {
    let (mut config, mut inventory) = if case.esxi {
        (esxi_config(), Inventory::esxi())
    } else {
        (clean_config(), Inventory::vcenter())
    };
    change(&mut config, &mut inventory);
    validate(&config, Some(&inventory.0))
}

#[test]
fn clean_configs_raise_no_inventory_finding() {
    for (config, inventory) in [
        (clean_config(), Inventory::vcenter()),
        (esxi_config(), Inventory::esxi()),
    ] {
        let report = validate(&config, Some(&inventory.0));
        let mut found = inventory_findings(&report);
        // ESXi creates its bridge: that note is expected, nothing else.
        found.retain(|f| f.code != "NV12");
        assert!(found.is_empty(), "{found:#?}");
        assert!(report.is_valid(), "{:#?}", report.findings);
    }
}

#[test]
fn every_inventory_rule_has_a_failing_and_a_passing_case() {
    let mut problems = Vec::new();
    let table = cases();
    for case in &table {
        let bad = run(case, case.fails);
        match bad.findings.iter().find(|f| f.code == case.code) {
            None => problems.push(format!("{}: not raised: {:#?}", case.code, bad.findings)),
            Some(f) => {
                if f.severity != case.severity {
                    problems.push(format!("{}: severity {:?}", case.code, f.severity));
                }
                if f.path != case.path {
                    problems.push(format!("{}: path {}", case.code, f.path));
                }
                if f.option.is_none() || f.message.is_empty() {
                    problems.push(format!("{}: no option or message", case.code));
                }
            }
        }
        if case.severity == Severity::Error && bad.is_valid() {
            problems.push(format!("{}: report still valid", case.code));
        }
        let good = run(case, case.passes);
        if good.has_code(case.code) {
            problems.push(format!(
                "{}: raised by the passing case: {:#?}",
                case.code,
                good.findings
                    .iter()
                    .filter(|f| f.code == case.code)
                    .collect::<Vec<_>>()
            ));
        }
    }
    let covered: Vec<&str> = table.iter().map(|c| c.code).collect();
    for code in INVENTORY_CODES {
        if !covered.contains(code) {
            problems.push(format!("{code}: no case"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_inventory_code_is_documented() {
    let doc = include_str!("../../docs/validation-rules-inventory.md");
    let missing: Vec<&&str> = INVENTORY_CODES
        .iter()
        .filter(|code| !doc.contains(&format!("| {code} |")))
        .collect();
    assert!(missing.is_empty(), "undocumented codes: {missing:?}");
}

// ---------------------------------------------------------------- details

fn findings(config: &VchConfig, inventory: &Inventory, code: &str) -> Vec<Finding> {
    validate(config, Some(&inventory.0))
        .findings
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}

fn one(config: &VchConfig, inventory: &Inventory, code: &str) -> Finding {
    let mut all = findings(config, inventory, code);
    assert_eq!(all.len(), 1, "{code}: {all:#?}");
    all.remove(0)
}

#[test]
fn unknown_names_get_the_visible_objects_closest_first() {
    let inv = Inventory::vcenter();
    let mut c = clean_config();
    c.target.datacenter = Some("DC".into());
    assert_eq!(one(&c, &inv, "T7").suggestions, ["DC0"]);

    let mut c = clean_config();
    c.target.compute_resource = Some("S1".into());
    assert_eq!(one(&c, &inv, "C3").suggestions, ["S0", "C0"]);

    // Only datastores the cluster's hosts mount, with the folder kept.
    let mut c = clean_config();
    c.storage.image_store = Some("ds://local-h2/vch1".into());
    let s7 = one(&c, &inv, "S7");
    assert_eq!(
        s7.suggestions,
        [
            "ds://local-h0/vch1",
            "ds://local-h1/vch1",
            "ds://h0-h1/vch1",
            "ds://shared/vch1"
        ]
    );
    assert!(s7.message.contains("local-h2"), "{}", s7.message);
}

#[test]
fn ambiguous_names_suggest_full_paths() {
    let mut inv = Inventory::vcenter();
    inv.duplicate_network("public-pg");
    let c = clean_config();
    let f = one(&c, &inv, "NV9");
    assert_eq!(f.path, "network.public.port_group");
    assert_eq!(
        f.suggestions,
        ["/DC0/network/public-pg", "/DC0/network/other/public-pg"]
    );
    // The full path resolves it.
    let mut c = clean_config();
    c.network.public.port_group = Some("/DC0/network/other/public-pg".into());
    assert!(findings(&c, &inv, "NV9").is_empty());

    let mut c = clean_config();
    c.target.compute_resource = Some("Resources".into());
    assert_eq!(
        one(&c, &inv, "C2").suggestions,
        ["/DC0/host/C0/Resources", "/DC0/host/S0/Resources"]
    );

    // In an unknown-network list a duplicated name is offered by path.
    let mut c = clean_config();
    c.network.public.port_group = Some("/DC0/network/public-pg".into());
    c.network.client.port_group = Some("publc-pg".into());
    let nv9 = one(&c, &inv, "NV9");
    assert_eq!(nv9.path, "network.client.port_group");
    assert!(
        nv9.message.contains("the client and management networks"),
        "{}",
        nv9.message
    );
    assert_eq!(
        nv9.suggestions[..2],
        ["/DC0/network/public-pg", "/DC0/network/other/public-pg"]
    );
}

#[test]
fn role_findings_are_reported_once_per_port_group_on_the_field_that_names_it() {
    let inv = Inventory::vcenter();
    let mut c = clean_config();
    c.network.public.port_group = None;
    c.network.client.port_group = Some("VM Network".into());
    // Public defaults to "VM Network" and management follows client: one port group, one warning.
    let f = one(&c, &inv, "NV27");
    assert_eq!(f.path, "network.client.port_group");
    assert!(
        f.message
            .contains("The public, client and management networks use"),
        "{}",
        f.message
    );
    // Standard port groups are fine on ESXi.
    assert!(findings(&esxi_config(), &Inventory::esxi(), "NV27").is_empty());
}

#[test]
fn a_defaulted_public_network_that_does_not_exist_says_so() {
    let mut inv = Inventory::vcenter();
    inv.dc().networks.retain(|n| n.name != "VM Network");
    let mut c = clean_config();
    c.network.public.port_group = None;
    let f = one(&c, &inv, "NV9");
    assert!(
        f.message.contains("No public network is given"),
        "{}",
        f.message
    );
    assert!(f.suggestions.contains(&"public-pg".to_owned()));
    assert!(
        !f.suggestions.contains(&"bridge-pg".to_owned()),
        "the bridge is never offered"
    );
}

#[test]
fn bridge_on_vcenter_suggests_only_unused_distributed_networks() {
    let mut inv = Inventory::vcenter();
    inv.add_vch("other", &["spare-pg"]);
    let mut c = clean_config();
    c.network.bridge.port_group = None;
    let f = one(&c, &inv, "NV11");
    assert!(
        f.message.contains("No bridge network is given"),
        "{}",
        f.message
    );
    assert_eq!(f.suggestions, ["bridge-pg", "partial-pg"]);
}

#[test]
fn bridge_missing_hosts_are_listed_by_name() {
    let mut inv = Inventory::vcenter();
    inv.dc().networks[1].hosts = strings(&[H0, S0]).into();
    let f = one(&clean_config(), &inv, "NV13");
    assert_eq!(f.path, "network.bridge.port_group");
    assert!(f.message.contains("\"H1\", \"H2\""), "{}", f.message);
    assert!(f.message.contains("DVS0"), "{}", f.message);
}

#[test]
fn static_rules_are_not_repeated() {
    let mut inv = Inventory::vcenter();
    inv.add_vch("other", &["public-pg"]);
    // Bridge = public: NV10 says it; no bridge lookup, no reuse finding.
    let mut c = clean_config();
    c.network.bridge.port_group = Some("public-pg".into());
    let r = validate(&c, Some(&inv.0));
    assert!(r.has_code("NV10"));
    for code in ["NV11", "NV13", "NV28"] {
        assert!(!r.has_code(code), "{code}: {:#?}", r.findings);
    }
    // A container network on the bridge (NV20) or mapped twice (NV26) is looked up once at most.
    let mut c = clean_config();
    let cn = |pg: &str| ContainerNetwork {
        port_group: pg.into(),
        ..ContainerNetwork::default()
    };
    c.network.container_networks = vec![cn("bridge-pg"), cn("VM Network"), cn("VM Network")];
    let r = validate(&c, Some(&inv.0));
    assert!(r.has_code("NV20") && r.has_code("NV26"));
    let nv19: Vec<_> = r.findings.iter().filter(|f| f.code == "NV19").collect();
    assert_eq!(nv19.len(), 1, "{nv19:#?}");
    assert_eq!(nv19[0].path, "network.container_networks[1].port_group");
    // A datastore with a bad scheme (S9) is not also "not found".
    let mut c = clean_config();
    c.storage.image_store = Some("nfs://shared/x".into());
    let r = validate(&c, Some(&inv.0));
    assert!(r.has_code("S9") && !r.has_code("S7"), "{:#?}", r.findings);
    // An unknown datacenter stops the other lookups instead of reporting everything as missing.
    let mut c = clean_config();
    c.target.datacenter = Some("nowhere".into());
    let r = validate(&c, Some(&inv.0));
    assert_eq!(
        inventory_findings(&r)
            .iter()
            .map(|f| f.code.as_str())
            .collect::<Vec<_>>(),
        ["T7"]
    );
}

#[test]
fn t6_still_resolves_the_datacenter_it_starts_with() {
    let inv = Inventory::vcenter();
    let mut c = clean_config();
    c.target.datacenter = Some("DC0/C0".into());
    let r = validate(&c, Some(&inv.0));
    assert!(r.has_code("T6"));
    assert!(!r.has_code("T7"), "{:#?}", r.findings);
}

#[test]
fn firewall_findings_list_hosts_and_offer_the_fix() {
    let mut inv = Inventory::vcenter();
    for h in [H0, H2] {
        inv.host(h).firewall = firewall(true, Vec::new());
    }
    let f = one(&clean_config(), &inv, "F1");
    assert!(f.message.contains("\"H0\", \"H2\""), "{}", f.message);
    assert!(!f.message.contains("H1"), "{}", f.message);
    assert_eq!(
        f.suggestions,
        ["vch update firewall --allow --target vc.example.com --compute-resource /DC0/host/C0"]
    );

    // Only hosts that mount the image datastore are checked.
    let mut c = clean_config();
    c.storage.image_store = Some("local-h1".into());
    assert!(findings(&c, &inv, "F1").is_empty());

    // A source-port rule or an inbound rule does not open the way out.
    let mut inv = Inventory::vcenter();
    let mut wrong = vic_engine(true, all_ips());
    wrong.rules[0].port_type = Some(PortType::Src);
    let mut inbound = vic_engine(true, all_ips());
    inbound.rules[0].direction = Direction::Inbound;
    inv.host(H0).firewall = firewall(true, vec![wrong, inbound]);
    assert_eq!(findings(&clean_config(), &inv, "F1").len(), 1);
}

#[test]
fn management_address_copied_from_public_is_the_one_checked() {
    // Management shares the public port group, so it uses the public static address.
    let mut inv = Inventory::vcenter();
    inv.host(H0).firewall = firewall(true, vec![vic_engine(true, only(&["10.0.7.7"], &[]))]);
    let mut c = clean_config();
    c.network.public.ip = Some("10.0.7.7/24".into());
    c.network.public.gateway = Some("10.0.7.1".into());
    let r = validate(&c, Some(&inv.0));
    for code in ["F4", "F6"] {
        assert!(!r.has_code(code), "{code}: {:#?}", r.findings);
    }
    c.network.public.ip = Some("10.0.7.8/24".into());
    let f = one(&c, &inv, "F4");
    assert!(
        f.message.contains("10.0.7.8") && f.message.contains("10.0.7.7"),
        "{}",
        f.message
    );
}

#[test]
fn dhcp_warning_speaks_to_a_person() {
    let mut inv = Inventory::vcenter();
    inv.host(H0).firewall = firewall(true, vec![vic_engine(true, only(&["10.9.9.9"], &[]))]);
    let f = one(&clean_config(), &inv, "F6");
    assert!(f.message.contains("DHCP"), "{}", f.message);
    assert!(f.message.contains("cannot tell yet"), "{}", f.message);
    assert!(f.message.contains("static address"), "{}", f.message);
}

#[test]
fn drs_off_names_the_ignored_limits() {
    let mut inv = Inventory::vcenter();
    inv.cluster().drs_enabled = Some(false);
    let mut c = clean_config();
    c.compute.cpu_limit = Some("2000".into());
    c.compute.memory_shares = Some("high".into());
    let f = one(&c, &inv, "C4");
    assert!(
        f.message.contains("--cpu, --memory-shares will be ignored"),
        "{}",
        f.message
    );
}

#[test]
fn a_taken_name_suggests_a_free_one() {
    let mut inv = Inventory::vcenter();
    inv.add_vch("vch1", &[]);
    inv.add_vch("vch1-2", &[]);
    inv.dc().vchs[0].creating = true;
    let f = one(&clean_config(), &inv, "G12");
    assert_eq!(f.suggestions, ["vch1-3"]);
    assert!(f.message.contains("never finished"), "{}", f.message);
}

#[test]
fn storage_quota_suggests_the_free_space() {
    let inv = Inventory::vcenter();
    let mut c = clean_config();
    c.storage.storage_quota = Some("500".into());
    assert_eq!(one(&c, &inv, "S15").suggestions, ["100"]);
    c.storage.storage_quota = Some("0".into());
    assert!(findings(&c, &inv, "S15").is_empty(), "0 means no quota");
}

#[test]
fn hand_built_snapshots_without_a_target_kind_skip_kind_rules() {
    let mut inv = Inventory::vcenter();
    inv.0.target = None;
    let mut c = clean_config();
    c.network.client.port_group = Some("VM Network".into());
    c.network.bridge.port_group = Some("absent".into());
    let r = validate(&c, Some(&inv.0));
    for code in ["NV11", "NV12", "NV27"] {
        assert!(!r.has_code(code), "{code}: {:#?}", r.findings);
    }
}

#[test]
fn a_bridge_many_vchs_use_names_the_first_few_and_counts_the_rest() {
    let mut inv = Inventory::vcenter();
    for i in 0..8 {
        inv.add_vch(&format!("other{i}"), &["bridge-pg"]);
    }
    let f = one(&clean_config(), &inv, "NV28");
    assert!(
        f.message.contains(
            "used by VCH \"other0\", \"other1\", \"other2\", \"other3\", \"other4\" and 3 more."
        ),
        "{}",
        f.message
    );
    assert!(!f.message.contains("other5"), "{}", f.message);
}
