//! Create, read back (independently with pyvmomi), ls, inspect, inspect config and delete a full
//! VCH against the simulator; the timeout path; refusals that touch nothing.

mod deploy_support;

use deploy_support::*;
use proxy::deploy::vch::Selector;
use proxy::deploy::{self, CreateOptions, DeployError, Progress};
use proxy::vsphere::Client;
use serde_json::json;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn full_vch_round_trip() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let args = full_args(&sim, &isos, "vch1");
    let config = config_from(&args);
    let options = CreateOptions::from_config(&config, spec.clone());
    let progress = Progress::new();
    let appliance = play_appliance(
        Client::connect(&spec).await.expect("second session"),
        &progress,
        "127.0.2.10",
    );
    let created = deploy::create(
        &client,
        &config,
        &options,
        &progress,
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("create failed: {e}"));
    let docker = appliance
        .await
        .expect("appliance stand-in")
        .expect("the appliance booted");
    // Readiness asked the stub Docker API over TLS with the client certificate, and it passed.
    assert!(docker.answered.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    assert!(
        !created.warnings.iter().any(|w| w.contains("/info")),
        "{:?}",
        created.warnings
    );

    assert_eq!(created.name, "vch1");
    assert_eq!(
        created.client_ip.map(|ip| ip.to_string()).as_deref(),
        Some("127.0.2.10")
    );
    assert_eq!(created.docker_host.as_deref(), Some("127.0.2.10:2376"));
    assert!(created.tls.client_cert_pem.is_some() && created.tls.verifies_clients());
    assert_eq!(created.version, "v1.5.8-12345-2c978fe");
    println!(
        "create: {} SOAP round trips, {} objects",
        created.round_trips,
        created.created.len()
    );
    assert!(
        // 3 of them wait for the components to report started (readiness).
        created.round_trips <= 33,
        "{} round trips",
        created.round_trips
    );
    // Every step reported, in order, with non-decreasing percentages ending at 100.
    let history = progress.history();
    assert!(
        history
            .windows(2)
            .all(|w| w[0].percent <= w[1].percent && w[0].seq + 1 == w[1].seq)
    );
    assert_eq!(history.last().map(|e| e.percent), Some(100));

    // Independent read-back with pyvmomi.
    let iso_dir = "vch1";
    let verdict = verify(
        &sim,
        &json!({
            "name": "vch1",
            "present": true,
            "cpus": 2,
            "memory_mb": 4096,
            "pool": {"cpu_limit": 2000, "cpu_reservation": 500, "cpu_shares": "high",
                     "memory_limit": 4096, "memory_reservation": 0, "memory_shares": "low"},
            // Sorted roles: bridge 1184, client 1216, management 1248, public 1280.
            "nics": {"DC0_DVPG0": 1184, "DC0_DVPG2": 1216, "DC0_DVPG3": 1248, "DC0_DVPG1": 1280},
            "extra_config": {
                "guestinfo.vice./init/common/id": format!("VirtualMachine:{}", created.id),
                "init/common/name": "vch1",
                "guestinfo.vice./init/networks|bridge/Common/id": "1184",
                "guestinfo.vice./init/networks|client/Common/id": "1216",
                "guestinfo.vice./init/networks|management/Common/id": "1248",
                "guestinfo.vice./init/networks|public/Common/id": "1280",
                "guestinfo.vice./init/version/Version": "v1.5.8",
                "guestinfo.vice./storage/VolumeLocations|default/Path": "[LocalDS_0] volumes/a",
                "guestinfo.vice./storage/VolumeLocations|second/Path": "[LocalDS_0] vols-b",
                "guestinfo.vice./container/bootstrap_image_path":
                    format!("[LocalDS_0] {iso_dir}/V1.5.8-12345-2C978FE-bootstrap.iso"),
            },
            "extra_config_present": [
                "guestinfo.ovfEnv",
                "guestinfo.vice./network/container_networks|net1/Common/id",
                "guestinfo.vice./network/container_networks|net2/Common/id",
                "guestinfo.vice./connect/token@secret",
            ],
            "datastore": "LocalDS_0",
            "serial_file": format!("[LocalDS_0] {iso_dir}/tether.debug"),
            "paths": [
                format!("{iso_dir}/V1.5.8-12345-2C978FE-appliance.iso"),
                format!("{iso_dir}/V1.5.8-12345-2C978FE-bootstrap.iso"),
                "volumes/a",
                "vols-b",
            ],
        }),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi: {verdict}");

    // ls
    let list = deploy::vch::list(&client).await.expect("ls");
    let vch = list.iter().find(|v| v.name == "vch1").expect("vch1 listed");
    assert_eq!(vch.id, created.id);
    assert_eq!(vch.path, "/DC0/host/DC0_C0/Resources");
    assert_eq!(vch.version, "v1.5.8-12345-2c978fe");
    assert_eq!(vch.status, "running");

    // inspect
    let details = deploy::vch::inspect(&client, &Selector::Name("vch1".into()))
        .await
        .expect("inspect");
    assert_eq!(details.docker_host.as_deref(), Some("127.0.2.10:2376"));
    assert!(details.tls && details.tls_verify);
    let roles: Vec<(String, String, Option<u32>)> = details
        .endpoints
        .iter()
        .map(|e| (e.role.clone(), e.port_group.clone(), e.pci_slot))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("bridge".into(), "DC0_DVPG0".into(), Some(1184)),
            ("client".into(), "DC0_DVPG2".into(), Some(1216)),
            ("management".into(), "DC0_DVPG3".into(), Some(1248)),
            ("public".into(), "DC0_DVPG1".into(), Some(1280)),
        ]
    );
    assert_eq!(
        details.container_networks.get("net1").map(String::as_str),
        Some("DC0_DVPG4")
    );
    assert_eq!(
        details.container_networks.get("net2").map(String::as_str),
        Some("DC0_DVPG5")
    );
    assert_eq!(details.volume_stores.len(), 2);

    // inspect config: re-validates and matches the input.
    let (back, line) = deploy::vch::inspect_config(&client, &Selector::Id(created.id.clone()))
        .await
        .expect("inspect config");
    // Credentials are never stored: the user adds them, as with vic-machine's inspect config.
    let with_user = format!("{line} --user {}", sim.username());
    let reparsed =
        shared::vic_machine::parse_command_line(&with_user).expect("parse the generated line");
    let report = shared::validate(&reparsed.config, None);
    assert!(report.is_valid(), "{line}\n{report:?}");
    let (want, got) = (config.resolved(), reparsed.config.resolved());
    assert_eq!(got.general.name, want.general.name);
    assert_eq!(got.target.compute_resource, want.target.compute_resource);
    // The image store gains the VCH folder as its path, as in vic-machine.
    assert_eq!(
        got.storage.image_store.as_deref(),
        Some("LocalDS_0/vch1"),
        "{line}"
    );
    let mut stores = got.storage.volume_stores.clone();
    stores.sort();
    let mut want_stores = want.storage.volume_stores.clone();
    want_stores.sort();
    assert_eq!(stores, want_stores);
    assert_eq!(got.network.bridge, want.network.bridge);
    assert_eq!(got.network.public, want.network.public);
    assert_eq!(got.network.client, want.network.client);
    assert_eq!(got.network.management, want.network.management);
    assert_eq!(got.network.dns_servers, want.network.dns_servers);
    assert_eq!(
        got.network.container_networks,
        want.network.container_networks
    );
    assert_eq!(got.compute, want.compute, "{line}");
    assert_eq!(back.general.name.as_deref(), Some("vch1"));

    // delete: with --force the volume stores go too; pyvmomi then finds nothing left.
    let report = deploy::delete::delete(
        &client,
        &Selector::Name("vch1".into()),
        true,
        &Progress::new(),
    )
    .await
    .expect("delete");
    assert!(report.kept_volume_stores.is_empty());
    let verdict = verify(
        &sim,
        &json!({"name": "vch1", "present": false, "datastore": "LocalDS_0",
                "paths": [iso_dir, "volumes/a", "vols-b"]}),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi after delete: {verdict}");
    assert!(leftovers(&client, "vch1").await.is_empty());
    sim.stop().await;
}

#[tokio::test]
async fn nobody_answers_times_out_and_leaves_the_vch_for_inspection() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let mut args = small_args(&sim, &isos, "quiet");
    args.extend(["--timeout".to_owned(), "3s".to_owned()]);
    let config = config_from(&args);
    let options = CreateOptions::from_config(&config, spec);
    let started = std::time::Instant::now();
    let err = deploy::create(
        &client,
        &config,
        &options,
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("nobody sets an IP");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    match &err {
        DeployError::ApplianceTimeout { name, seconds, .. } => {
            assert_eq!(name, "quiet");
            assert_eq!(*seconds, 3);
        }
        other => panic!("expected a timeout, got {other}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("\"quiet\"") && message.contains("timed out"),
        "{message}"
    );
    let list = deploy::vch::list(&client).await.expect("ls");
    assert!(
        list.iter().any(|v| v.name == "quiet" && !v.incomplete),
        "{list:?}"
    );
    // Without --force the volume store stays.
    let report = deploy::delete::delete(
        &client,
        &Selector::Name("quiet".into()),
        false,
        &Progress::new(),
    )
    .await
    .expect("delete");
    assert_eq!(
        report.kept_volume_stores,
        vec!["[LocalDS_0] quiet-vols".to_owned()]
    );
    assert!(leftovers(&client, "quiet").await.is_empty());
    sim.stop().await;
}

#[tokio::test]
async fn refusals_touch_nothing() {
    let (sim, client, spec) = simulator().await;
    let good = isos(VERSION_PUBLISHER);

    // Unknown port group: placement error before anything is created.
    let mut args = small_args(&sim, &good, "nope");
    args.extend(["--client-network".to_owned(), "NoSuchNetwork".to_owned()]);
    let config = config_from(&args);
    let before = client.round_trips();
    let err = deploy::create(
        &client,
        &config,
        &CreateOptions::from_config(&config, spec.clone()),
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("unknown network");
    let message = err.to_string();
    assert!(
        message.contains("NoSuchNetwork") && message.contains("nothing was created"),
        "{message}"
    );
    // Only the inventory read.
    assert!(client.round_trips() - before <= 5);
    assert!(leftovers(&client, "nope").await.is_empty());

    // An ISO from another VIC series is refused unless --force.
    let old = isos("VMware v1.4.3-999-abcdef0");
    let config = config_from(&small_args(&sim, &old, "old"));
    let err = deploy::create(
        &client,
        &config,
        &CreateOptions::from_config(&config, spec.clone()),
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("unsupported ISO");
    assert!(matches!(err, DeployError::UnsupportedIso { .. }), "{err}");
    assert!(err.to_string().contains("--force"));
    assert!(leftovers(&client, "old").await.is_empty());
    sim.stop().await;
}
