//! Standalone ESXi without the bridge port group (rule NV12): create makes a vSwitch and a port
//! group of that name for the bridge, delete removes them; pyvmomi reads the host's network
//! configuration independently before and after.

mod deploy_support;

use deploy_support::*;
use proxy::deploy::vch::Selector;
use proxy::deploy::{self, CreateOptions, ObjectKind, Progress};
use proxy::simulator::{Simulator, SimulatorOptions};
use proxy::vsphere::firewall::FirewallAction;
use proxy::vsphere::{Client, TargetSpec};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

fn host_network(sim: &Simulator) -> Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/python/host_network.py"
    );
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(sim.url().as_str())
        .arg(sim.username())
        .env("VCH_PASSWORD", sim.password())
        .output()
        .expect("run host_network.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "host_network.py: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn has_bridge(net: &Value, name: &str) -> (bool, bool, bool) {
    let listed = |key: &str| {
        net[key]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == name))
    };
    let portgroup = net["portgroups"]
        .as_array()
        .is_some_and(|a| a.iter().any(|p| p["name"] == name && p["vswitch"] == name));
    (listed("vswitches"), portgroup, listed("networks"))
}

#[tokio::test]
async fn esx_without_the_bridge_port_group_gets_a_vswitch_that_delete_removes() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(SimulatorOptions::esx())
        .await
        .expect("start the ESX simulator");
    let spec = TargetSpec::from_simulator(&sim);
    let client = Client::connect(&spec).await.expect("connect");
    let snapshot = client.inventory().await.expect("inventory");
    let compute = snapshot.datacenters[0].compute_resources[0].path.clone();
    client
        .update_firewall(&compute, FirewallAction::Allow)
        .await
        .expect("open the VCH port on the host");
    let isos = isos(VERSION_PUBLISHER);
    assert_eq!(
        has_bridge(&host_network(&sim), "vch-bridge"),
        (false, false, false)
    );
    let args: Vec<String> = [
        "--target",
        sim.url().as_str().trim_end_matches("/sdk"),
        "--user",
        sim.username(),
        "--name",
        "esx-vch",
        "--image-store",
        "LocalDS_0",
        "--bridge-network",
        "vch-bridge",
        "--public-network",
        "VM Network",
        "--no-tlsverify",
        "--appliance-iso",
        isos.appliance.to_str().expect("utf-8"),
        "--bootstrap-iso",
        isos.bootstrap.to_str().expect("utf-8"),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let config = config_from(&args);
    let mut options = CreateOptions::from_config(&config, spec);
    options.wait_for_ip = false;
    let created = deploy::create(
        &client,
        &config,
        &options,
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("create failed: {e}"));
    assert!(
        created
            .created
            .iter()
            .any(|o| o.kind == ObjectKind::VirtualSwitch && o.name == "vch-bridge"),
        "{:?}",
        created.created
    );
    assert_eq!(
        has_bridge(&host_network(&sim), "vch-bridge"),
        (true, true, true)
    );
    // The appliance's bridge NIC is on the new port group.
    let details = deploy::vch::inspect(&client, &Selector::Id(created.id.clone()))
        .await
        .expect("inspect");
    let bridge = details.endpoints.iter().find(|e| e.role == "bridge");
    assert_eq!(
        bridge.map(|e| e.port_group.as_str()),
        Some("vch-bridge"),
        "{:?}",
        details.endpoints
    );

    let report = deploy::delete::delete(
        &client,
        &Selector::Id(created.id.clone()),
        true,
        &Progress::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("delete failed: {e}"));
    assert!(
        report
            .removed
            .iter()
            .any(|o| o.kind == ObjectKind::VirtualSwitch && o.name == "vch-bridge"),
        "{:?}",
        report.removed
    );
    assert_eq!(
        has_bridge(&host_network(&sim), "vch-bridge"),
        (false, false, false)
    );
    sim.stop().await;
}
