//! The life-cycle commands as a user runs them, the real `vch` binary against the simulator:
//! `version`, `ls` with vic-machine's columns, `upgrade`, a refused second upgrade, `inspect`
//! with versions and the Docker environment, `inspect config --format raw|verbose`,
//! `upgrade --rollback`, `configure` then `configure --rollback`, and `debug` refused while VMware Tools is not running.

mod deploy_support;

use std::process::Output;

use deploy_support::*;
use proxy::deploy::{self, CreateOptions, Progress};
use proxy::vsphere::TargetSpec;
use tokio_util::sync::CancellationToken;

async fn vch(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .args(args)
        .env_remove("VCH_TARGET")
        .env_remove("VCH_ROOTPW")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("vch runs")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn version_ls_upgrade_inspect_rollback_and_debug() {
    let (sim, client, _) = simulator().await;
    let old = isos("VMware v1.5.7-12000-abcdef0");
    let new = isos(VERSION_PUBLISHER);
    let config = config_from(&small_args(&sim, &old, "cli-up"));
    let progress = Progress::new();
    let appliance = play_appliance(client.clone(), &progress, "127.0.0.25");
    let id = deploy::create(
        &client,
        &config,
        &CreateOptions::from_config(&config, TargetSpec::from_simulator(&sim)),
        &progress,
        &CancellationToken::new(),
    )
    .await
    .expect("create")
    .id;
    appliance.abort();

    let url = sim.url().as_str().to_owned();
    let appliance_iso = new.appliance.to_str().unwrap().to_owned();
    let bootstrap_iso = new.bootstrap.to_str().unwrap().to_owned();
    let with = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "--target",
            &url,
            "--user",
            sim.username(),
            "--password",
            sim.password(),
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        v
    };
    let run = |cmd: &'static str, args: Vec<String>| async move {
        let mut all = vec![cmd.to_owned()];
        all.extend(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        vch(&refs).await
    };

    let version = vch(&["version", "--appliance-iso", &appliance_iso]).await;
    assert!(version.status.success(), "{}", err(&version));
    assert!(
        out(&version).contains("appliance v1.5.8-12345-2c978fe"),
        "{}",
        out(&version)
    );

    let ls = run("ls", with(&["--appliance-iso", &appliance_iso])).await;
    assert!(ls.status.success(), "{}", err(&ls));
    let text = out(&ls);
    let header = text.lines().next().unwrap();
    for (a, b) in [
        ("ID", "PATH"),
        ("PATH", "NAME"),
        ("NAME", "VERSION"),
        ("VERSION", "UPGRADE STATUS"),
    ] {
        assert!(
            header.find(a).unwrap() < header.find(b).unwrap(),
            "{header}"
        );
    }
    let line = text
        .lines()
        .find(|l| l.starts_with(&id))
        .expect("the VCH's line");
    assert!(line.contains("/DC0/host/DC0_C0/Resources"), "{line}");
    assert!(line.contains("v1.5.7-12000-abcdef0"), "{line}");
    assert!(
        line.contains("Upgradeable to v1.5.8-12345-2c978fe"),
        "{line}"
    );

    let json = run(
        "ls",
        with(&["--appliance-iso", &appliance_iso, "--format", "json"]),
    )
    .await;
    let rows: serde_json::Value = serde_json::from_str(&out(&json)).expect("ls --format json");
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .expect("listed");
    assert_eq!(row["version"], "v1.5.7-12000-abcdef0", "{row}");
    assert_eq!(
        row["upgrade_status"], "Upgradeable to v1.5.8-12345-2c978fe",
        "{row}"
    );
    assert_eq!(row["incomplete"], false, "{row}");

    let up = run(
        "upgrade",
        with(&[
            "--id",
            &id,
            "--appliance-iso",
            &appliance_iso,
            "--bootstrap-iso",
            &bootstrap_iso,
            "--timeout",
            "30s",
        ]),
    )
    .await;
    assert!(up.status.success(), "{}", err(&up));
    assert!(
        out(&up).contains("upgraded from v1.5.7-12000-abcdef0 to v1.5.8-12345-2c978fe"),
        "{}",
        out(&up)
    );

    let again = run(
        "upgrade",
        with(&[
            "--name",
            "cli-up",
            "--appliance-iso",
            &appliance_iso,
            "--bootstrap-iso",
            &bootstrap_iso,
        ]),
    )
    .await;
    assert_eq!(again.status.code(), Some(1));
    assert!(
        err(&again).contains("no upgrade is available"),
        "{}",
        err(&again)
    );

    let inspect = run(
        "inspect",
        with(&["--id", &id, "--appliance-iso", &appliance_iso]),
    )
    .await;
    assert!(inspect.status.success(), "{}", err(&inspect));
    let text = out(&inspect);
    for want in [
        "Installer version: v1.5.8-12345-2c978fe",
        "VCH version: v1.5.8-12345-2c978fe",
        "Upgrade status: Up to date",
        "DOCKER_HOST=127.0.0.25:2376",
        "Published ports can be reached at: 127.0.0.25",
    ] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
    let raw = run("inspect", with(&["config", "--id", &id, "--format", "raw"])).await;
    assert!(raw.status.success(), "{}", err(&raw));
    assert_eq!(out(&raw).trim().lines().count(), 1, "{}", out(&raw));
    let verbose = run("inspect", with(&["config", "--id", &id])).await;
    let verbose = out(&verbose);
    assert!(verbose.lines().count() > 3, "{verbose}");
    assert!(
        verbose.lines().skip(1).all(|l| l.starts_with("    --")),
        "{verbose}"
    );

    let back = run(
        "upgrade",
        with(&["--id", &id, "--rollback", "--timeout", "30s"]),
    )
    .await;
    assert!(back.status.success(), "{}", err(&back));
    assert!(
        out(&back).contains("to v1.5.7-12000-abcdef0"),
        "{}",
        out(&back)
    );

    // configure, then configure --rollback: the previous configuration is back.
    let before = run("inspect", with(&["config", "--id", &id, "--format", "raw"])).await;
    let configured = run(
        "configure",
        with(&["--id", &id, "--dns-server", "10.0.0.53"]),
    )
    .await;
    assert!(configured.status.success(), "{}", err(&configured));
    let changed = run("inspect", with(&["config", "--id", &id, "--format", "raw"])).await;
    assert!(
        out(&changed).contains("--dns-server 10.0.0.53"),
        "{}",
        out(&changed)
    );
    let undone = run(
        "configure",
        with(&["--id", &id, "--rollback", "--timeout", "30s"]),
    )
    .await;
    assert!(undone.status.success(), "{}", err(&undone));
    let after = run("inspect", with(&["config", "--id", &id, "--format", "raw"])).await;
    assert_eq!(out(&after), out(&before));

    let debug = run(
        "debug",
        with(&["--id", &id, "--enable-ssh", "--rootpw", "pw"]),
    )
    .await;
    assert_eq!(debug.status.code(), Some(1));
    assert!(
        err(&debug).contains("VMware Tools is not running"),
        "{}",
        err(&debug)
    );
    sim.stop().await;
}
