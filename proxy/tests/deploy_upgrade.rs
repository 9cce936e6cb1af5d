//! The life cycle past create against the simulator (with our harness' snapshot reverts, which
//! restore the VM's configuration as vSphere does): a v1.5.7 VCH listed "Upgradeable to" the
//! installer's v1.5.8, upgraded (version keys and CD-ROM ISO read back with pyvmomi), then "Up to
//! date"; a second upgrade refused; `--rollback` back to v1.5.7; an upgrade whose power-on is cut
//! reverted and running its old version; a stale lock refused (by upgrade, configure and delete) and
//! cleared by `--reset-progress`.

mod deploy_support;

use std::time::{Duration, Instant};

use deploy_support::*;
use proxy::deploy::rollback::{RollbackOptions, rollback};
use proxy::deploy::upgrade::{UpgradeOptions, upgrade};
use proxy::deploy::vch::Selector;
use proxy::deploy::{self, CreateOptions, DeployError, Progress};
use proxy::vsphere::{Client, MoRef, TargetSpec};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub const OLD_PUBLISHER: &str = "VMware v1.5.7-12000-abcdef0";
const OLD: &str = "v1.5.7-12000-abcdef0";
const NEW: &str = "v1.5.8-12345-2c978fe";

/// `tests/python/read_lifecycle.py`: the appliance as pyvmomi sees it.
pub fn read_back(sim: &proxy::simulator::Simulator, vm_name: &str) -> Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/python/read_lifecycle.py"
    );
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(sim.url().as_str())
        .arg(sim.username())
        .arg(vm_name)
        .env("VCH_PASSWORD", sim.password())
        .output()
        .expect("run read_lifecycle.py");
    serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim()).unwrap_or_else(|_| {
        panic!(
            "read_lifecycle.py: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

async fn create(
    sim: &proxy::simulator::Simulator,
    client: &Client,
    isos: &Isos,
    name: &str,
) -> String {
    let config = config_from(&small_args(sim, isos, name));
    let options = CreateOptions::from_config(&config, TargetSpec::from_simulator(sim));
    let progress = Progress::new();
    let appliance = play_appliance(client.clone(), &progress, unique_loopback_ip());
    let created = deploy::create(
        client,
        &config,
        &options,
        &progress,
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("create failed: {e}"));
    appliance.abort();
    created.id
}

fn options(spec: &TargetSpec, isos: &Isos) -> UpgradeOptions {
    UpgradeOptions {
        target: spec.clone(),
        appliance_iso: isos.appliance.clone(),
        bootstrap_iso: isos.bootstrap.clone(),
        timeout: Duration::from_secs(30),
        force: false,
        reset_progress: false,
    }
}

async fn status(client: &Client, isos: &Isos, id: &str) -> (String, String, bool) {
    let installer = proxy::deploy::iso::read_iso(&isos.appliance)
        .await
        .expect("read ISO")
        .build();
    let rows = proxy::deploy::status::list(client, Some(&installer))
        .await
        .expect("ls");
    let row = rows
        .into_iter()
        .find(|r| r.summary.id == id)
        .expect("the VCH is listed");
    (
        row.summary.version,
        row.upgrade_status.expect("a status"),
        row.update_in_progress,
    )
}

fn assert_runs(py: &Value, version: &str, iso_version: &str) {
    let (v, rest) = version.split_once('-').expect("short version");
    let (build, commit) = rest.split_once('-').expect("short version");
    assert_eq!(py["version"]["Version"], v, "{py}");
    assert_eq!(py["version"]["BuildNumber"], build, "{py}");
    assert_eq!(py["version"]["GitCommit"], commit, "{py}");
    let isos = py["cdrom_isos"].as_array().expect("CD-ROMs");
    assert_eq!(isos.len(), 1, "{py}");
    // ISO 9660 publisher fields are upper case, and so the datastore file names.
    let ends = |v: &Value, suffix: &str| {
        v.as_str()
            .unwrap()
            .to_ascii_lowercase()
            .ends_with(&format!("{iso_version}-{suffix}.iso"))
    };
    assert!(ends(&isos[0], "appliance"), "{py}");
    assert!(ends(&py["bootstrap_image_path"], "bootstrap"), "{py}");
    assert_eq!(py["power_state"], "poweredOn", "{py}");
}

#[tokio::test]
async fn upgrade_then_up_to_date_then_refused_then_rolled_back() {
    let (sim, client, spec) = simulator().await;
    let old = isos(OLD_PUBLISHER);
    let new = isos(VERSION_PUBLISHER);
    let id = create(&sim, &client, &old, "up1").await;

    assert_eq!(
        status(&client, &new, &id).await,
        (OLD.to_owned(), format!("Upgradeable to {NEW}"), false)
    );
    assert_runs(&read_back(&sim, "up1"), OLD, OLD);
    // A configure first: its snapshot is kept until the next change succeeds.
    deploy::configure(
        &client,
        &Selector::Id(id.clone()),
        &config_from(&["--dns-server".to_owned(), "10.0.0.53".to_owned()]),
        &deploy::ConfigureOptions {
            target: spec.clone(),
        },
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("configure failed: {e}"));
    assert_eq!(
        read_back(&sim, "up1")["snapshots"],
        serde_json::json!([format!("reconfigure for {OLD}")])
    );

    let started = Instant::now();
    let trips_before = client.round_trips();
    let done = upgrade(
        &client,
        &Selector::Name("up1".into()),
        &options(&spec, &new),
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("upgrade failed: {e}"));
    println!(
        "upgrade on the simulator: {} SOAP round trips (uploads not counted), {:?} wall time",
        client.round_trips() - trips_before,
        started.elapsed()
    );
    assert_eq!(
        (done.from_version.as_str(), done.to_version.as_str()),
        (OLD, NEW)
    );
    let py = read_back(&sim, "up1");
    assert_runs(&py, NEW, "v1.5.8-12345-2c978fe");
    assert_eq!(
        py["snapshots"],
        serde_json::json!([format!("upgrade for {NEW}")])
    );
    assert_eq!(py["update_in_progress"], "false", "{py}");
    assert_eq!(
        status(&client, &new, &id).await,
        (NEW.to_owned(), "Up to date".to_owned(), false)
    );

    // Again: nothing to do, and nothing changes.
    let again = upgrade(
        &client,
        &Selector::Id(id.clone()),
        &options(&spec, &new),
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("a second upgrade is refused");
    assert!(matches!(again, DeployError::Refused(_)), "{again}");
    assert!(
        again.to_string().contains("no upgrade is available"),
        "{again}"
    );

    // Back to the snapshot: the old keys and ISO, and the snapshot is gone.
    let back = rollback(
        &client,
        &Selector::Id(id.clone()),
        &RollbackOptions {
            timeout: Duration::from_secs(30),
            reset_progress: false,
        },
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("rollback failed: {e}"));
    assert_eq!(
        (back.from_version.as_str(), back.to_version.as_str()),
        (NEW, OLD)
    );
    let py = read_back(&sim, "up1");
    assert_runs(&py, OLD, OLD);
    assert_eq!(py["snapshots"], serde_json::json!([]), "{py}");
    assert_eq!(
        status(&client, &new, &id).await,
        (OLD.to_owned(), format!("Upgradeable to {NEW}"), false)
    );
    let none = rollback(
        &client,
        &Selector::Id(id.clone()),
        &RollbackOptions {
            timeout: Duration::from_secs(30),
            reset_progress: false,
        },
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("nothing left to roll back to");
    assert!(
        none.to_string()
            .contains("no upgrade or configure snapshot"),
        "{none}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_cut_power_on_reverts_to_the_old_version() {
    let (sim, client, spec) = simulator().await;
    let old = isos(OLD_PUBLISHER);
    let new = isos(VERSION_PUBLISHER);
    let id = create(&sim, &client, &old, "up2").await;

    // Everything up to the snapshot, power-off and reconfigure goes through; the power-on never
    // reaches the server.
    let proxy = CuttingProxy::start_on(sim.addr(), "PowerOnVM_Task", false).await;
    let mut via = spec.clone();
    via.url.set_port(Some(proxy.port)).expect("proxy port");
    let cut = Client::connect(&via).await.expect("connect via the proxy");
    let err = upgrade(
        &cut,
        &Selector::Id(id.clone()),
        &options(&via, &new),
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("the power-on was cut");
    let message = err.to_string();
    println!("{message}");
    match &err {
        DeployError::ConfigureFailed {
            revert, rollback, ..
        } => {
            assert!(revert.is_clean(), "{message}");
            // The new ISOs this run uploaded went with the revert; the old ones stay in use.
            assert!(rollback.is_clean(), "{message}");
            assert_eq!(rollback.removed.len(), 2, "{message}");
            assert!(
                rollback
                    .removed
                    .iter()
                    .all(|o| o.id.starts_with("[LocalDS_0] up2/V1.5.8-12345-2C978FE-")),
                "{message}"
            );
            assert!(message.contains("reverted to snapshot"), "{message}");
            assert!(message.contains(&format!("runs {OLD} again")), "{message}");
        }
        other => panic!("expected a reverted upgrade, got {other}"),
    }
    let py = read_back(&sim, "up2");
    assert_runs(&py, OLD, OLD);
    assert_eq!(py["snapshots"], serde_json::json!([]), "{py}");
    assert_eq!(
        status(&client, &new, &id).await,
        (OLD.to_owned(), format!("Upgradeable to {NEW}"), false)
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_stale_lock_is_refused_until_reset() {
    let (sim, client, spec) = simulator().await;
    let old = isos(OLD_PUBLISHER);
    let new = isos(VERSION_PUBLISHER);
    let id = create(&sim, &client, &old, "up3").await;
    let vm = MoRef::new("VirtualMachine", &id);
    // What a run killed half-way leaves behind.
    proxy::deploy::lock::set_lock(&client, &vm, true)
        .await
        .expect("set the lock");
    assert_eq!(
        status(&client, &new, &id).await,
        (OLD.to_owned(), "Upgrade in progress".to_owned(), true)
    );
    let refused = upgrade(
        &client,
        &Selector::Id(id.clone()),
        &options(&spec, &new),
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("locked");
    assert!(
        refused.to_string().contains("--reset-progress"),
        "{refused}"
    );
    let deleted =
        deploy::delete::delete(&client, &Selector::Id(id.clone()), false, &Progress::new())
            .await
            .expect_err("delete honours the lock too");
    assert!(
        deleted.to_string().contains("UpdateInProgress"),
        "{deleted}"
    );
    let configured = deploy::configure(
        &client,
        &Selector::Id(id.clone()),
        &config_from(&["--dns-server".to_owned(), "10.0.0.53".to_owned()]),
        &deploy::ConfigureOptions {
            target: spec.clone(),
        },
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("configure honours the lock");
    assert!(
        configured.to_string().contains("--reset-progress"),
        "{configured}"
    );
    assert_runs(&read_back(&sim, "up3"), OLD, OLD);

    let mut reset = options(&spec, &new);
    reset.reset_progress = true;
    // Cancelled before it changes anything (as an API client's cancel would): the flag is
    // cleared, the VCH untouched.
    let cancel = CancellationToken::new();
    cancel.cancel();
    let cancelled = upgrade(
        &client,
        &Selector::Id(id.clone()),
        &reset,
        &Progress::new(),
        &cancel,
    )
    .await
    .expect_err("cancelled");
    assert!(
        matches!(cancelled, DeployError::Cancelled { .. }),
        "{cancelled}"
    );
    let py = read_back(&sim, "up3");
    assert_runs(&py, OLD, OLD);
    assert_eq!(py["update_in_progress"], "false", "{py}");
    upgrade(
        &client,
        &Selector::Id(id.clone()),
        &reset,
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("upgrade with --reset-progress failed: {e}"));
    assert_runs(&read_back(&sim, "up3"), NEW, "v1.5.8-12345-2c978fe");
    assert_eq!(
        status(&client, &new, &id).await,
        (NEW.to_owned(), "Up to date".to_owned(), false)
    );
    sim.stop().await;
}
