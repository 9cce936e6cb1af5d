//! T20: a session without a password (the plugin's clone of the vSphere Client session) cannot
//! give the appliance credentials, so the rules ask for an operations user, live in the wizard as
//! in the proxy.

use shared::inventory::{InventorySnapshot, TargetInfo, TargetKind};
use shared::vic_machine::parse_args;

fn snapshot(without_password: bool) -> InventorySnapshot {
    InventorySnapshot {
        target: Some(TargetInfo {
            kind: TargetKind::VCenter,
            api_version: "6.7".into(),
            full_name: "VMware vCenter Server 6.7.0".into(),
            session_without_password: without_password,
        }),
        datacenters: Vec::new(),
        ..InventorySnapshot::default()
    }
}

fn t20(flags: &[&str], without_password: bool) -> Vec<shared::Finding> {
    let words: Vec<String> = flags.iter().map(|f| (*f).to_owned()).collect();
    let config = parse_args(&words).unwrap().config;
    shared::validate(&config, Some(&snapshot(without_password)))
        .findings
        .into_iter()
        .filter(|f| f.code == "T20")
        .collect()
}

#[test]
fn a_password_less_session_needs_an_operations_user() {
    let found = t20(&["--name", "v"], true);
    assert_eq!(found.len(), 1);
    assert!(found[0].is_error());
    assert_eq!(found[0].path, "operations.ops_user");
    assert_eq!(found[0].option.as_deref(), Some("ops-user"));
    assert!(
        t20(
            &["--name", "v", "--ops-user", "ops", "--ops-password", "x"],
            true
        )
        .is_empty()
    );
    assert!(t20(&["--name", "v"], false).is_empty());
}

#[test]
fn older_snapshots_without_the_field_mean_a_session_with_a_password() {
    let json =
        r#"{"schema": 2, "target": {"kind": "vcenter", "api_version": "6.7", "full_name": "vc"}}"#;
    let snapshot: InventorySnapshot = serde_json::from_str(json).unwrap();
    assert!(!snapshot.target.unwrap().session_without_password);
}
