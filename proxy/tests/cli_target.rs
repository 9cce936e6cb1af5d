//! The target-facing CLI commands (`vch inventory`, `vch update firewall`) as a user runs them:
//! the real binary against the simulator.

use std::process::Output;

use proxy::simulator::{Simulator, SimulatorOptions, Tls};
use serde_json::Value;

async fn vch(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .args(args)
        .env_remove("VCH_PASSWORD")
        .env_remove("VCH_TARGET")
        .output()
        .await
        .expect("vch runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn inventory_json_and_firewall_allow_deny() {
    let sim = Simulator::start(SimulatorOptions::vpx().with_credentials("admin", "pw-123"))
        .await
        .unwrap();
    let target = sim.url().as_str();
    let auth = [
        "--target",
        target,
        "--user",
        "admin",
        "--password",
        "pw-123",
    ];

    let out = vch(&[&["inventory", "--format", "json"], &auth[..]].concat()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let snapshot: Value = serde_json::from_str(&stdout(&out)).expect("JSON snapshot");
    let dc = &snapshot["datacenters"][0];
    assert_eq!(dc["name"], "DC0");
    let networks: Vec<&str> = dc["networks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["name"].as_str())
        .collect();
    assert!(
        networks.contains(&"VM Network") && networks.contains(&"DC0_DVPG0"),
        "{networks:?}"
    );
    assert!(
        !networks.iter().any(|n| n.contains("DVUplinks")),
        "uplink port groups are not offered: {networks:?}"
    );

    let allow = vch(&[
        &["update", "firewall", "-r", "/DC0/host/DC0_C0", "--allow"],
        &auth[..],
    ]
    .concat())
    .await;
    assert!(allow.status.success(), "{}", stderr(&allow));
    assert_eq!(
        stdout(&allow).matches("allows outbound 2377/tcp").count(),
        3,
        "{}",
        stdout(&allow)
    );

    let after: Value = serde_json::from_str(&stdout(
        &vch(&[&["inventory", "--format", "json"], &auth[..]].concat()).await,
    ))
    .unwrap();
    let host = after["datacenters"][0]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "DC0_C0_H0")
        .expect("cluster host")
        .clone();
    let open = host["firewall"]["rulesets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["enabled"] == true && (r["key"] == "vSPC" || r["key"] == "vic-engine"));
    assert!(
        open,
        "a ruleset opening 2377/tcp is enabled after --allow: {host}"
    );

    let deny = vch(&[
        &["update", "firewall", "-r", "/DC0/host/DC0_C0", "--deny"],
        &auth[..],
    ]
    .concat())
    .await;
    assert!(deny.status.success(), "{}", stderr(&deny));

    let missing = vch(&[
        &["update", "firewall", "-r", "/DC0/host/nope", "--allow"],
        &auth[..],
    ]
    .concat())
    .await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("nope"), "{}", stderr(&missing));
}

#[tokio::test]
async fn wrong_password_and_untrusted_certificate_are_explained() {
    let sim = Simulator::start(
        SimulatorOptions::vpx()
            .with_credentials("admin", "right-pw")
            .with_tls(Tls::Generate),
    )
    .await
    .unwrap();
    let target = sim.url().as_str();

    let untrusted = vch(&[
        "inventory",
        "--target",
        target,
        "--user",
        "admin",
        "--password",
        "right-pw",
    ])
    .await;
    assert_eq!(untrusted.status.code(), Some(2));
    let message = stderr(&untrusted);
    assert!(
        message.contains("not trusted") && message.contains("--thumbprint"),
        "{message}"
    );
    let sha1 = message
        .split_whitespace()
        .find(|w| w.len() >= 59 && w.matches(':').count() == 19)
        .expect("the SHA-1 thumbprint is shown")
        .trim_end_matches([',', '.', ')', '('])
        .to_owned();

    let wrong = vch(&[
        "inventory",
        "--target",
        target,
        "--user",
        "admin",
        "--password",
        "wrong-pw",
        "--thumbprint",
        &sha1,
    ])
    .await;
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        !stderr(&wrong).contains("wrong-pw"),
        "no password in errors"
    );
    assert!(
        stderr(&wrong).to_lowercase().contains("login"),
        "{}",
        stderr(&wrong)
    );

    let pinned = vch(&[
        "inventory",
        "--target",
        target,
        "--user",
        "admin",
        "--password",
        "right-pw",
        "--thumbprint",
        &sha1,
    ])
    .await;
    assert!(pinned.status.success(), "{}", stderr(&pinned));

    let forced = vch(&[
        "inventory",
        "--target",
        target,
        "--user",
        "admin",
        "--password",
        "right-pw",
        "--force",
    ])
    .await;
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(
        stderr(&forced).contains("NOT verified"),
        "--force says so loudly"
    );
}
