//! The inventory-aware rules against a snapshot the proxy really reads from the simulator (stock
//! VPX model, docs/vsphere-notes.md §2.1): what fails there fails for the reason a user would see, and
//! fixing it in vSphere (the firewall) makes the finding go away.

use proxy::simulator::{Simulator, SimulatorOptions};
use proxy::vsphere::firewall::FirewallAction;
use proxy::vsphere::{Client, TargetSpec};
use shared::inventory::InventorySnapshot;
use shared::{Finding, Report, VchConfig, validate};

async fn connect() -> (Simulator, Client) {
    let sim = Simulator::start(SimulatorOptions::vpx())
        .await
        .expect("start the simulator");
    let client = Client::connect(&TargetSpec::from_simulator(&sim))
        .await
        .expect("connect");
    (sim, client)
}

/// A config that fits the stock model: cluster DC0_C0, LocalDS_0, the DVS port group as bridge.
fn config() -> VchConfig {
    let mut c = VchConfig::default();
    c.target.server = Some("127.0.0.1".into());
    c.target.user = Some("user".into());
    c.target.compute_resource = Some("DC0_C0".into());
    c.general.name = Some("vch1".into());
    c.storage.image_store = Some("LocalDS_0/vch1".into());
    c.network.bridge.port_group = Some("DC0_DVPG0".into());
    c.network.public.port_group = Some("VM Network".into());
    c.operations.ops_user = Some("ops".into());
    c.security.no_tlsverify = true;
    c.security.tls_cname = Some("vch1.example.com".into());
    c
}

fn only<'a>(report: &'a Report, code: &str) -> &'a Finding {
    let found: Vec<&Finding> = report.findings.iter().filter(|f| f.code == code).collect();
    assert_eq!(found.len(), 1, "{code}: {:#?}", report.findings);
    found[0]
}

#[tokio::test]
async fn rules_fail_and_pass_against_a_real_snapshot() {
    let (sim, client) = connect().await;
    let snapshot = client.inventory().await.expect("inventory");

    // A fresh simulator has every host's firewall on and vSPC disabled (docs/vsphere-notes.md §1, §2.3).
    let report = validate(&config(), Some(&snapshot));
    let f1 = only(&report, "F1");
    for host in ["DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2"] {
        assert!(f1.message.contains(host), "{}", f1.message);
    }
    assert!(
        !f1.message.contains("DC0_H0"),
        "standalone hosts are not in the cluster"
    );
    assert_eq!(
        f1.suggestions,
        ["vch update firewall --allow --target 127.0.0.1 --compute-resource /DC0/host/DC0_C0"]
    );
    // "VM Network" is a standard port group: allowed for public on vCenter, with the vMotion warning.
    assert!(report.has_code("NV27"), "{:#?}", report.findings);
    assert_eq!(
        report.errors().map(|f| f.code.as_str()).collect::<Vec<_>>(),
        ["F1"],
        "{:#?}",
        report.findings
    );

    // The browser validates against the JSON copy: same answer.
    let json = serde_json::to_string(&snapshot).unwrap();
    let cached: InventorySnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(validate(&config(), Some(&cached)), report);

    // NV11: on vCenter a standard port group cannot be the bridge; the DVS port group is offered.
    let mut c = config();
    c.network.bridge.port_group = Some("VM Network".into());
    c.network.public.port_group = Some("DC0_DVPG0".into());
    let report = validate(&c, Some(&snapshot));
    let nv11 = only(&report, "NV11");
    assert_eq!(nv11.path, "network.bridge.port_group");
    assert!(
        nv11.suggestions.is_empty(),
        "the only DVS port group is taken by public: {:?}",
        nv11.suggestions
    );
    assert!(!validate(&config(), Some(&snapshot)).has_code("NV11"));

    // An unknown datastore, cluster and network get the simulator's real names suggested.
    let mut c = config();
    c.storage.image_store = Some("LocalDS_9/vch1".into());
    c.target.compute_resource = Some("DC0_C9".into());
    c.network.client.port_group = Some("VM Netwrk".into());
    let report = validate(&c, Some(&snapshot));
    assert_eq!(only(&report, "S7").suggestions, ["LocalDS_0/vch1"]);
    assert_eq!(only(&report, "C3").suggestions[0], "DC0_C0");
    assert_eq!(only(&report, "NV9").suggestions[0], "VM Network");

    // Resource pools resolve in every form vic-machine accepts.
    for compute in [
        "DC0_C0",
        "/DC0/host/DC0_C0",
        "DC0_C0/Resources",
        "/DC0/host/DC0_C0/Resources",
        "DC0_H0",
    ] {
        let mut c = config();
        c.target.compute_resource = Some(compute.into());
        let report = validate(&c, Some(&snapshot));
        for code in ["C1", "C2", "C3"] {
            assert!(!report.has_code(code), "{compute}: {:#?}", report.findings);
        }
    }

    // Fix the firewall the way the F1 suggestion says, read again: F1 is gone, the config is valid.
    let changes = client
        .update_firewall("/DC0/host/DC0_C0", FirewallAction::Allow)
        .await
        .expect("update firewall");
    assert!(changes.iter().all(|c| c.succeeded()), "{changes:?}");
    let snapshot = client.inventory().await.expect("inventory");
    let report = validate(&config(), Some(&snapshot));
    assert!(!report.has_code("F1"), "{:#?}", report.findings);
    assert!(report.is_valid(), "{:#?}", report.findings);

    client.logout().await.unwrap();
    sim.stop().await;
}
