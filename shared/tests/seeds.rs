//! The example command lines of the original vic-machine's documentation, copied verbatim, parse and
//! validate as that documentation describes.

use shared::vic_machine::{ParseError, parse_command_line, validate_command_line};
use shared::{Report, Severity};

const SEED_000_NO_TLS: &str = "vic-machine-operating_system create
--target 'Administrator@vsphere.local':password@vcenter_server_address/dc1
--compute-resource cluster1
--image-store datastore1
--bridge-network vch1-bridge
--management-network 'network 1'
--client-network 'network 2'
--name vch1
--thumbprint certificate_thumbprint
--no-tls";

const SEED_000_ASYMMETRIC: &str = "vic-machine-operating_system create
--target 'Administrator@vsphere.local':password@vcenter_server_address/dc1
--compute-resource cluster1
--image-store datastore1
--bridge-network vch1-bridge
--management-network 'network 1'
--client-network 'network 2'
--name vch1
--thumbprint certificate_thumbprint
--no-tlsverify
--asymmetric-routes";

const SEED_004_DEFAULTS: &str = "root@photon-NaTv5i8IA [ /workspace/vic ]# ./vic-machine-linux create  \\
--bridge-network Bridge-DPG \\
--image-datastore isilion-nfs-01 \\
-t 'administrator@vsphere.local:zzzzzzz@10.27.51.103'  \\
--compute-resource Mgmt";

const SEED_004_STRAY_QUOTE: &str = "root@photon-NaTv5i8IA [ /workspace/vic ]# ./vic-machine-linux create \\
--bridge-network Bridge-DPG \\
--image-datastore isilion-nfs-01 \\
-t 'administrator@vsphere.local:zzzzz@10.27.51.103' \\
--compute-resource Mgmt \\
--external-network VMNW51\"";

const SEED_004_MANAGEMENT: &str = "root@photon-NaTv5i8IA [ /workspace/vic ]# ./vic-machine-linux create \\
--bridge-network Bridge-DPG \\
--image-datastore isilion-nfs-01 \\
-t 'administrator@vsphere.local:zzzzzzz@10.27.51.103' \\
--compute-resource Mgmt \\
--management-network \"VMNW51\" \\
--external-network \"VM Network\"";

const SEED_004_CONTAINER_NETWORK: &str = "./vic-machine-linux create --bridge-network Bridge-DPG \\
--image-datastore isilion-nfs-01 \\
-t 'administrator@vsphere.local:VMware123!@10.27.51.103' \\
--compute-resource Mgmt \\
--container-network con-nw:con-nw \\
--container-network-gateway con-nw:192.168.100.1/16 \\
--container-network-dns con-nw:192.168.100.1 \\
--container-network-ip-range con-nw:192.168.100.2-100";

const SEED_003_FIREWALL: &str = "./vic-machine-darwin update firewall \\
--target lab-vcsa67-001/Datacenter-South \\
--user administrator@jarvis.local \\
--compute-resource nested-vSAN \\
--thumbprint  4F:D3:9B:50:00:31:D9:84:9D:DA:CF:57:21:D6:0D:11:89:78:97:26 \\
--allow";

fn errors(r: &Report) -> Vec<&str> {
    r.errors().map(|f| f.code.as_str()).collect()
}

#[test]
fn seed_000_examples_are_valid() {
    for line in [SEED_000_NO_TLS, SEED_000_ASYMMETRIC] {
        let p = parse_command_line(line).unwrap();
        let t = &p.config.target;
        assert_eq!(t.user.as_deref(), Some("Administrator@vsphere.local"));
        assert_eq!(t.password.as_ref().map(|s| s.expose()), Some("password"));
        assert_eq!(t.server.as_deref(), Some("vcenter_server_address"));
        assert_eq!(t.datacenter.as_deref(), Some("dc1"));
        assert_eq!(
            p.config.network.management.port_group.as_deref(),
            Some("network 1")
        );
        assert_eq!(
            p.config.network.client.port_group.as_deref(),
            Some("network 2")
        );
        let r = validate_command_line(line, None).unwrap();
        assert!(r.is_valid(), "{:#?}", r.findings);
        assert!(r.has_code("T12"));
        // The thumbprint placeholder is not a real one.
        assert!(r.has_code("T15"));
    }
    let r = validate_command_line(SEED_000_NO_TLS, None).unwrap();
    assert!(r.has_code("K1") && !r.has_code("K7"));
    let p = parse_command_line(SEED_000_ASYMMETRIC).unwrap();
    assert!(p.config.network.asymmetric_routes && p.config.security.no_tlsverify);
}

#[test]
fn seed_004_roles_share_public_by_default() {
    let p = parse_command_line(SEED_004_DEFAULTS).unwrap();
    assert_eq!(
        p.config.target.user.as_deref(),
        Some("administrator@vsphere.local")
    );
    assert_eq!(p.config.target.server.as_deref(), Some("10.27.51.103"));
    assert_eq!(
        p.config.storage.image_store.as_deref(),
        Some("isilion-nfs-01")
    );
    let r = p.config.resolved();
    assert_eq!(r.network.client.port_group.as_deref(), Some("VM Network"));
    assert_eq!(
        r.network.management.port_group.as_deref(),
        Some("VM Network")
    );
    let report = validate_command_line(SEED_004_DEFAULTS, None).unwrap();
    assert!(report.is_valid(), "{:#?}", report.findings);
    assert!(report.has_code("CL3"), "--image-datastore is an old name");
}

#[test]
fn seed_004_stray_quote_is_repaired_with_a_warning() {
    let p = parse_command_line(SEED_004_STRAY_QUOTE).unwrap();
    assert_eq!(
        p.config.network.public.port_group.as_deref(),
        Some("VMNW51")
    );
    let f = p.findings.iter().find(|f| f.code == "CL1").unwrap();
    assert_eq!(f.severity, Severity::Warning);
    let r = validate_command_line(SEED_004_STRAY_QUOTE, None).unwrap();
    assert!(r.is_valid(), "{:#?}", r.findings);
}

#[test]
fn seed_004_management_on_its_own_network() {
    let p = parse_command_line(SEED_004_MANAGEMENT).unwrap();
    let r = p.config.resolved();
    assert_eq!(r.network.public.port_group.as_deref(), Some("VM Network"));
    assert_eq!(r.network.client.port_group.as_deref(), Some("VM Network"));
    assert_eq!(r.network.management.port_group.as_deref(), Some("VMNW51"));
    assert!(
        validate_command_line(SEED_004_MANAGEMENT, None)
            .unwrap()
            .is_valid()
    );
}

#[test]
fn seed_004_container_network_is_valid() {
    let p = parse_command_line(SEED_004_CONTAINER_NETWORK).unwrap();
    assert_eq!(
        p.config.target.password.as_ref().map(|s| s.expose()),
        Some("VMware123!")
    );
    let cn = &p.config.network.container_networks[0];
    assert_eq!(cn.port_group, "con-nw");
    assert_eq!(cn.alias.as_deref(), Some("con-nw"));
    assert_eq!(cn.gateway.as_deref(), Some("192.168.100.1/16"));
    assert_eq!(cn.ip_ranges, ["192.168.100.2-100"]);
    assert_eq!(cn.dns, ["192.168.100.1"]);
    let r = validate_command_line(SEED_004_CONTAINER_NETWORK, None).unwrap();
    assert!(r.is_valid(), "{:?}", errors(&r));
    assert!(
        !r.findings
            .iter()
            .any(|f| f.code.starts_with('N') && f.severity != Severity::Info)
    );
}

#[test]
fn seed_004_container_gateway_without_mask_is_accepted() {
    let line =
        SEED_004_CONTAINER_NETWORK.replace("con-nw:192.168.100.1/16", "con-nw:192.168.100.1");
    let r = validate_command_line(&line, None).unwrap();
    assert!(r.is_valid(), "{:?}", errors(&r));
    let f = r.findings.iter().find(|f| f.code == "N24").unwrap();
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.suggestions, ["con-nw:192.168.100.1/24"]);
    assert!(f.message.contains("192.168.100.0/24"));
}

#[test]
fn seed_003_other_subcommands_are_refused_clearly() {
    let err = parse_command_line(SEED_003_FIREWALL).unwrap_err();
    assert_eq!(
        err,
        ParseError::NotCreate {
            command: "update".into()
        }
    );
}

#[test]
fn schema_doc_example_reads_and_is_valid() {
    let doc = include_str!("../../docs/config-schema.md");
    let start = doc
        .find("```json\n{\n  \"schema_version\"")
        .expect("example block")
        + 8;
    let end = start + doc[start..].find("```").expect("end of block");
    let config: shared::VchConfig = serde_json::from_str(&doc[start..end]).unwrap();
    let r = shared::validate(&config, None);
    assert!(r.is_valid(), "{:#?}", r.findings);
    assert_eq!(
        config.network.container_networks[0].ip_ranges,
        ["192.168.100.2-100"]
    );
    let json = serde_json::to_string(&config).unwrap();
    assert_eq!(
        serde_json::from_str::<shared::VchConfig>(&json).unwrap(),
        config
    );
}
