//! `vch validate` with a target: it logs in and adds the inventory-aware rules; connection
//! problems become warnings that say the inventory rules were skipped (T4 untrusted certificate,
//! T5 thumbprint mismatch, T19 refused login, T18 unreachable), leaving the static verdict.

use std::process::Output;

use proxy::simulator::{Simulator, SimulatorOptions, Tls};
use serde_json::Value;

async fn validate(args: &[&str]) -> (Output, Value) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .arg("validate")
        .args(args)
        .args(["--format", "json"])
        .env_remove("VCH_PASSWORD")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("vch runs");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON report ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output, report)
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

fn vch_flags<'a>(target: &'a str, bridge: &'a str) -> Vec<&'a str> {
    vec![
        "--target",
        target,
        "--user",
        "admin",
        "--compute-resource",
        "DC0_C0",
        "--image-store",
        "LocalDS_0",
        "--bridge-network",
        bridge,
        "--public-network",
        "VM Network",
        "--no-tlsverify",
        "--name",
        "vch-check",
    ]
}

#[tokio::test]
async fn inventory_rules_run_against_the_target() {
    let sim = Simulator::start(SimulatorOptions::vpx().with_credentials("admin", "pw"))
        .await
        .unwrap();
    let target = format!("{}/DC0", sim.url().as_str().trim_end_matches("/sdk"));

    let mut good = vch_flags(&target, "DC0_DVPG0");
    good.extend(["--password", "pw"]);
    let (_, report) = validate(&good).await;
    let found = codes(&report);
    for connection in ["T4", "T5", "T18", "T19"] {
        assert!(!found.contains(&connection.to_owned()), "{report}");
    }

    // A standard port group cannot be the bridge on vCenter: only the inventory knows its kind.
    let mut standard_bridge = vch_flags(&target, "VM Network");
    standard_bridge.extend(["--public-network", "DC0_DVPG0", "--password", "pw"]);
    let (output, report) = validate(&standard_bridge).await;
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(codes(&report).contains(&"NV11".to_owned()), "{report}");

    let mut wrong = vch_flags(&target, "DC0_DVPG0");
    wrong.extend(["--password", "nope"]);
    let (output, report) = validate(&wrong).await;
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(codes(&report).contains(&"T19".to_owned()), "{report}");
    assert!(!codes(&report).contains(&"NV11".to_owned()), "{report}");
    assert!(
        !report.to_string().contains("nope"),
        "no password in the report"
    );

    let mut offline = vch_flags(&target, "VM Network");
    offline.extend([
        "--public-network",
        "DC0_DVPG0",
        "--password",
        "pw",
        "--offline",
    ]);
    let (_, report) = validate(&offline).await;
    assert!(
        !codes(&report).contains(&"NV11".to_owned()),
        "--offline runs static rules only: {report}"
    );
}

#[tokio::test]
async fn connection_problems_become_findings() {
    // Nothing listens on port 1: the inventory rules are skipped with a warning, the static
    // verdict stands.
    let mut unreachable = vch_flags("127.0.0.1:1/DC0", "DC0_DVPG0");
    unreachable.extend(["--password", "pw"]);
    let (output, report) = validate(&unreachable).await;
    assert!(codes(&report).contains(&"T18".to_owned()), "{report}");
    assert_eq!(output.status.code(), Some(0), "{report}");

    // Without a password (and no terminal to ask on) the inventory rules are skipped, not fatal.
    let (_, report) = validate(&vch_flags("127.0.0.1:1/DC0", "DC0_DVPG0")).await;
    assert!(codes(&report).contains(&"T18".to_owned()), "{report}");

    let sim = Simulator::start(SimulatorOptions::vpx().with_tls(Tls::Generate))
        .await
        .unwrap();
    let target = format!("{}/DC0", sim.url().as_str().trim_end_matches("/sdk"));
    let mut untrusted = vch_flags(&target, "DC0_DVPG0");
    untrusted.extend(["--password", "pw"]);
    let (output, report) = validate(&untrusted).await;
    assert_eq!(output.status.code(), Some(0), "{report}");
    let t4 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "T4")
        .unwrap_or_else(|| panic!("T4 expected: {report}"));
    let suggestion = t4["suggestions"][0].as_str().unwrap();
    assert!(suggestion.starts_with("--thumbprint "), "{t4}");

    let thumbprint = suggestion.trim_start_matches("--thumbprint ").to_owned();
    let mut pinned = vch_flags(&target, "DC0_DVPG0");
    pinned.extend(["--password", "pw", "--thumbprint", &thumbprint]);
    let (_, report) = validate(&pinned).await;
    assert!(
        !codes(&report).iter().any(|c| c == "T4" || c == "T5"),
        "{report}"
    );
}

/// Seed command lines name targets this machine cannot log in to (placeholder names, lab IPs
/// that may answer with some other TLS server): their verdict is the static rules', as the
/// documents describe them succeeding.
#[tokio::test]
async fn seed_command_lines_keep_their_static_verdict_whatever_the_network_says() {
    let seeds = [
        "./vic-machine-linux create \\\n--bridge-network Bridge-DPG \\\n--image-datastore isilion-nfs-01 \\\n-t 'administrator@vsphere.local:zzzzzzz@10.27.51.103' \\\n--compute-resource Mgmt \\\n--management-network \"VMNW51\" \\\n--external-network \"VM Network\"",
        "vic-machine-operating_system create\n--target 'Administrator@vsphere.local':password@vcenter_server_address/dc1\n--compute-resource cluster1\n--image-store datastore1\n--bridge-network vch1-bridge\n--management-network 'network 1'\n--client-network 'network 2'\n--name vch1\n--thumbprint certificate_thumbprint\n--no-tlsverify\n--asymmetric-routes",
    ];
    for seed in seeds {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
            .args(["validate", "--from-vic-machine", "-", "--format", "json"])
            .env_remove("VCH_PASSWORD")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("vch runs");
        let mut stdin = child.stdin.take().unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut stdin, seed.as_bytes())
            .await
            .unwrap();
        drop(stdin);
        let output = child.wait_with_output().await.unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
        assert_eq!(report["valid"], true, "{seed}\n{report}");
        assert_eq!(output.status.code(), Some(0));
    }
}
