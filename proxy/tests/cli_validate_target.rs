//! `vch validate` with a target: it logs in and adds the inventory-aware rules; connection
//! problems become findings (T4/T5/T19 errors, T18 warning when the target cannot be reached).

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
    assert_eq!(output.status.code(), Some(1));
    assert!(codes(&report).contains(&"T19".to_owned()), "{report}");
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
    assert_eq!(output.status.code(), Some(1), "{report}");
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
