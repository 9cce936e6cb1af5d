//! Table cases for the rules that run outside `shared::validate` on a configuration alone: the
//! file options whose contents never arrived (`extraconfig::certificates::unread_files`, run by the
//! proxy before it builds the appliance configuration), the operations password a front end that
//! cannot prompt must ask for (`missing_ops_password`, run live by the wizard), and the inventory
//! rule for sessions without a password (T20, which needs a snapshot of such a session). Each case
//! has a configuration that fails and one that passes, and names the field the finding points at.

use shared::config::PemFile;
use shared::inventory::{InventorySnapshot, TargetInfo, TargetKind};
use shared::secret::Secret;
use shared::{Finding, VchConfig};

const CERT: &str = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";

struct EdgeCase {
    code: &'static str,
    path: &'static str,
    fails: VchConfig,
    passes: VchConfig,
    rule: fn(&VchConfig) -> Vec<Finding>,
}

fn edge_case(
    code: &'static str,
    path: &'static str,
    fails: VchConfig,
    passes: VchConfig,
    rule: fn(&VchConfig) -> Vec<Finding>,
) -> EdgeCase {
    EdgeCase {
        code,
        path,
        fails,
        passes,
        rule,
    }
}

fn with(change: impl FnOnce(&mut VchConfig)) -> VchConfig {
    let mut c = VchConfig::default();
    change(&mut c);
    c
}

fn read(path: &str) -> PemFile {
    PemFile {
        path: path.into(),
        pem: Some(CERT.into()),
    }
}

fn unread_files(c: &VchConfig) -> Vec<Finding> {
    shared::extraconfig::certificates::unread_files(c)
}

fn ops_password(c: &VchConfig) -> Vec<Finding> {
    shared::validate::missing_ops_password(c)
        .into_iter()
        .collect()
}

/// The inventory rules against a vCenter session cloned from the vSphere Client (no password).
fn cloned_session(c: &VchConfig) -> Vec<Finding> {
    let snapshot = InventorySnapshot {
        target: Some(TargetInfo {
            kind: TargetKind::VCenter,
            api_version: "6.7".into(),
            full_name: "VMware vCenter Server 6.7.0".into(),
            session_without_password: true,
        }),
        datacenters: Vec::new(),
        ..InventorySnapshot::default()
    };
    shared::validate(c, Some(&snapshot)).findings
}

fn cases() -> Vec<EdgeCase> {
    vec![
        edge_case(
            "K6",
            "security.tls_ca[0]",
            with(|c| c.security.tls_ca.push(PemFile::from_path("ca.pem"))),
            with(|c| c.security.tls_ca.push(read("ca.pem"))),
            unread_files,
        ),
        edge_case(
            "K12",
            "registry.registry_ca[0]",
            with(|c| c.registry.registry_ca.push(PemFile::from_path("reg.pem"))),
            with(|c| c.registry.registry_ca.push(read("reg.pem"))),
            unread_files,
        ),
        edge_case(
            "K18",
            "security.tls_server_cert",
            with(|c| c.security.tls_server_cert = Some(PemFile::from_path("cert.pem"))),
            with(|c| c.security.tls_server_cert = Some(read("cert.pem"))),
            unread_files,
        ),
        edge_case(
            "T14",
            "operations.ops_password",
            with(|c| c.operations.ops_user = Some("ops@vsphere.local".into())),
            with(|c| {
                c.operations.ops_user = Some("ops@vsphere.local".into());
                c.operations.ops_password = Some(Secret::new("s3cret".to_owned()));
            }),
            ops_password,
        ),
        edge_case(
            "T20",
            "operations.ops_user",
            with(|_| {}),
            with(|c| {
                c.operations.ops_user = Some("ops@vsphere.local".into());
                c.operations.ops_password = Some(Secret::new("s3cret".to_owned()));
            }),
            cloned_session,
        ),
    ]
}

#[test]
fn every_edge_rule_fails_and_passes_where_it_should() {
    for case in cases() {
        let found: Vec<Finding> = (case.rule)(&case.fails)
            .into_iter()
            .filter(|f| f.code == case.code)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{}: expected one finding, got {found:?}",
            case.code
        );
        assert!(found[0].is_error(), "{}: {:?}", case.code, found[0]);
        assert_eq!(found[0].path, case.path, "{}", case.code);
        let passing: Vec<Finding> = (case.rule)(&case.passes)
            .into_iter()
            .filter(|f| f.code == case.code)
            .collect();
        assert!(
            passing.is_empty(),
            "{}: the passing case gave {passing:?}",
            case.code
        );
    }
}
