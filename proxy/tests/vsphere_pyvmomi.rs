//! Independent check: `tests/python/list_inventory.py` (pyvmomi) lists the hosts, port groups and
//! datastores of the same simulator, and our snapshot must agree with it.
//!
//! Skipped (with a message) when python3 cannot import pyVmomi, unless `VCH_REQUIRE_PYVMOMI=1`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use proxy::simulator::{Inventory, Simulator, SimulatorOptions, Tls};
use proxy::vsphere::{Client, TargetSpec};
use serde_json::Value;
use shared::inventory::InventorySnapshot;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/python/list_inventory.py"
);

fn pyvmomi_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pyVmomi"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("VCH_REQUIRE_PYVMOMI").is_none(),
            "pyvmomi is required: pip install pyvmomi"
        );
        eprintln!("skipping: python3 cannot import pyVmomi (pip install pyvmomi)");
    }
    ok
}

fn pyvmomi_listing(sim: &Simulator) -> Value {
    let output = Command::new("python3")
        .arg(SCRIPT)
        .arg(sim.url().as_str())
        .arg(sim.username())
        .arg("--insecure")
        .env("VCH_PASSWORD", sim.password())
        .output()
        .expect("run list_inventory.py");
    assert!(
        output.status.success(),
        "list_inventory.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON from list_inventory.py")
}

/// Uplink port groups are in pyvmomi's raw listing but deliberately not in our snapshot.
fn is_uplink(name: &str) -> bool {
    name.contains("-DVUplinks-")
}

fn names(values: &Value, key: &str) -> BTreeSet<String> {
    values[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_owned())
        .collect()
}

fn compare(snapshot: &InventorySnapshot, py: &Value) {
    let dcs = &snapshot.datacenters;
    let our_networks: BTreeSet<String> = dcs
        .iter()
        .flat_map(|dc| dc.networks.iter().map(|n| n.name.clone()))
        .collect();
    let py_networks: BTreeSet<String> = names(py, "networks")
        .into_iter()
        .filter(|n| !is_uplink(n))
        .collect();
    assert_eq!(our_networks, py_networks, "port groups");

    let our_datastores: BTreeMap<String, u64> = dcs
        .iter()
        .flat_map(|dc| {
            dc.datastores
                .iter()
                .map(|d| (d.name.clone(), d.capacity_bytes))
        })
        .collect();
    let py_datastores: BTreeMap<String, u64> = py["datastores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["capacity"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(our_datastores, py_datastores, "datastores and capacities");

    // Per host: what it mounts and sees, from pyvmomi's host side vs our network/datastore side.
    let py_hosts = py["hosts"].as_object().unwrap();
    let our_hosts: BTreeSet<&str> = dcs
        .iter()
        .flat_map(|dc| dc.hosts.iter().map(|h| h.name.as_str()))
        .collect();
    assert_eq!(
        our_hosts,
        py_hosts.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        "hosts"
    );
    for dc in dcs {
        for host in &dc.hosts {
            let py_host = &py_hosts[&host.name];
            let list = |key: &str| -> BTreeSet<String> {
                py_host[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned())
                    .filter(|n| !is_uplink(n))
                    .collect()
            };
            let sees: BTreeSet<String> = dc
                .networks
                .iter()
                .filter(|n| n.hosts.contains(&host.path))
                .map(|n| n.name.clone())
                .collect();
            let mounts: BTreeSet<String> = dc
                .datastores
                .iter()
                .filter(|d| d.hosts.contains(&host.path))
                .map(|d| d.name.clone())
                .collect();
            assert_eq!(sees, list("networks"), "networks seen by {}", host.name);
            assert_eq!(mounts, list("datastores"), "datastores of {}", host.name);
        }
    }
}

async fn check(options: SimulatorOptions) {
    if !pyvmomi_available() {
        return;
    }
    let sim = Simulator::start(options)
        .await
        .expect("start the simulator");
    let client = Client::connect(&TargetSpec::from_simulator(&sim))
        .await
        .unwrap();
    let snapshot = client.inventory().await.unwrap();
    client.logout().await.unwrap();
    let py = pyvmomi_listing(&sim);
    assert!(!py["hosts"].as_object().unwrap().is_empty());
    compare(&snapshot, &py);
    sim.stop().await;
}

#[tokio::test]
async fn vpx_snapshot_agrees_with_pyvmomi() {
    check(SimulatorOptions::vpx().with_inventory(Inventory {
        hosts: Some(2),
        cluster_hosts: Some(4),
        portgroups: Some(3),
        opaque_networks: Some(1),
        datastores: Some(3),
        ..Inventory::default()
    }))
    .await;
}

#[tokio::test]
async fn esx_snapshot_over_tls_agrees_with_pyvmomi() {
    check(SimulatorOptions::esx().with_tls(Tls::Generate)).await;
}
