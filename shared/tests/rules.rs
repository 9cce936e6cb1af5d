//! Table-driven rule tests: for every code, a command line that triggers it (with the expected
//! severity) and one that does not.

use shared::vic_machine::validate_command_line;
use shared::{Report, Severity};

const BASE: &str = "-t admin@vc.example.com/dc1 --ops-user ops --tls-cname vch.example.com \
                    --image-store ds1 --bridge-network br";

/// `!` at the start means "without the base arguments".
fn run(args: &str) -> Report {
    let line = match args.strip_prefix('!') {
        Some(own) => own.to_owned(),
        None => format!("{BASE} {args}"),
    };
    validate_command_line(&line, None).unwrap_or_else(|e| panic!("{line}: {e}"))
}

struct Case {
    code: &'static str,
    severity: Severity,
    fails: &'static str,
    passes: &'static str,
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;
const I: Severity = Severity::Info;

fn case(code: &'static str, severity: Severity, fails: &'static str, passes: &'static str) -> Case {
    Case {
        code,
        severity,
        fails,
        passes,
    }
}

fn cases() -> Vec<Case> {
    vec![
        case("T1", E, "!-u admin --ops-user o", ""),
        case("T2", E, "!-t vc --ops-user o", "!-t admin@vc --ops-user o"),
        case("T6", E, "!-t u@vc/dc/cluster --ops-user o", ""),
        case("T10", E, "!-t u@vc --ops-password x", "--ops-password x"),
        case("T11", E, "!-t u@vc --ops-grant-perms", "--ops-grant-perms"),
        case("T12", W, "!-t u@vc", ""),
        case(
            "T15",
            W,
            "--thumbprint zz",
            "--thumbprint 4F:D3:9B:50:00:31:D9:84:9D:DA:CF:57:21:D6:0D:11:89:78:97:26",
        ),
        case("T16", E, "--timeout 3", "--timeout 5m"),
        case(
            "T17",
            W,
            "!-t a@vc -u b --ops-user o",
            "!-t a@vc -u a --ops-user o",
        ),
        case("G1", E, "--name a/b", "--name 'vch-1 (x)'"),
        case(
            "G2",
            E,
            "--name aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "--name aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ),
        case("G3", E, "stray", ""),
        case("G6", E, "--cnc prefix-", "--cnc 'c-{name}'"),
        case(
            "G7",
            E,
            "--cnc '{id}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'",
            "--cnc '{id}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'",
        ),
        case(
            "G8",
            E,
            "--base-image-size eight",
            "--base-image-size 8000MB",
        ),
        case(
            "G9",
            E,
            "--syslog-address host:514",
            "--syslog-address udp://host:514",
        ),
        case(
            "G10",
            E,
            "--syslog-address ftp://host",
            "--syslog-address tcp://host",
        ),
        case(
            "G11",
            E,
            "--syslog-address tcp://",
            "--syslog-address tcp://10.0.0.1",
        ),
        case("G15", E, "--debug x", "--debug 3"),
        case("G16", E, "--name ''", "--name x"),
        case(
            "G17",
            E,
            "--syslog-address udp://h:99999",
            "--syslog-address udp://h:1514",
        ),
        case(
            "C12",
            E,
            "--cpu lots",
            "--cpu 0 --memory 4096 --containers 10",
        ),
        case(
            "C13",
            E,
            "--cpu-shares lots",
            "--cpu-shares HIGH --mems 2000",
        ),
        case("C14", E, "--endpoint-cpu 0", "--endpoint-cpu 2"),
        case(
            "S1",
            E,
            "--image-store 'ds1?'",
            "--image-store ds://ds1/folder",
        ),
        case(
            "S2",
            E,
            "--volume-store ds1/vols",
            "--volume-store ds1/vols:default",
        ),
        case("S3", E, "--vs http://x/y:lbl", "--vs nfs://host/export:lbl"),
        case(
            "S4",
            E,
            "--vs 'ds://ds1/v?x=1:lbl'",
            "--vs 'nfs://h/p?uid=1&gid=2:lbl'",
        ),
        case("S5", E, "--vs 'ds1/v#:lbl'", "--vs ds1/v:lbl"),
        case("S9", E, "--image-store nfs://h/p", "--image-store ds://ds1"),
        case(
            "S10",
            E,
            "--vs nfs:///export:lbl",
            "--vs nfs://h/export:lbl",
        ),
        case(
            "S11",
            E,
            "--vs nfs://host:lbl",
            "--vs nfs://host/export:lbl",
        ),
        case(
            "S16",
            E,
            "--vs ds1/a:x --vs ds1/b:x",
            "--vs ds1/a:x --vs ds1/b:y",
        ),
        case("S17", E, "--storage-quota lots", "--sq 100"),
        case("N1", E, "--bnr 172.16.0.0", "--bnr 10.0.0.0/12"),
        case("N2", E, "--bnw 31", "--bnw 24"),
        case(
            "N3",
            E,
            "--bnr 172.16.0.0/17 --bnw 16",
            "--bnr 172.16.0.0/16 --bnw 16",
        ),
        case(
            "N4",
            E,
            "--cln cl --client-network-gateway 10.0.0.0/8:10.1.1.1",
            "--cln cl --client-network-gateway 10.0.0.0/8:10.1.1.1 --client-network-ip 10.1.1.2/24",
        ),
        case(
            "N5",
            E,
            "--public-network-ip 10.0.1.2 --public-network-gateway 10.0.1.1",
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1",
        ),
        case(
            "N6",
            E,
            "--cln cl --client-network-ip 10.1.1.2/24 --client-network-gateway a:b:10.1.1.1",
            "--cln cl --client-network-ip 10.1.1.2/24 --client-network-gateway 10.0.0.0/8:10.1.1.1",
        ),
        case(
            "N7",
            E,
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.x",
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1",
        ),
        case(
            "N8",
            E,
            "--cln cl --client-network-ip 10.1.1.2/24 --client-network-gateway 10.0.0.0:10.1.1.1",
            "--cln cl --client-network-ip 10.1.1.2/24 --client-network-gateway 10.0.0.0/8,172.31.0.0/16:10.1.1.1",
        ),
        case(
            "N9",
            E,
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.2.1",
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.254",
        ),
        case("N10", E, "--dns-server 8.8.8", "--dns-server 8.8.8.8"),
        case(
            "N11",
            W,
            "--dns-server 1.1.1.1 --dns-server 1.0.0.1 --dns-server 8.8.8.8 --dns-server 8.8.4.4",
            "--dns-server 1.1.1.1 --dns-server 1.0.0.1 --dns-server 8.8.8.8",
        ),
        case("N12", E, "--cn a:b:c", "--cn a:b"),
        case(
            "N13",
            E,
            "--cn a --cng 192.168.1.1/24",
            "--cn a --cng a:192.168.1.1/24",
        ),
        case("N14", E, "--cn 'my net'", "--cn 'my net:mynet'"),
        case("N15", E, "--cn 'net:my alias'", "--cn net:myalias"),
        case("N16", E, "--cn a --cng a:gw", "--cn a --cng a:10.1.0.1/16"),
        case(
            "N17",
            E,
            "--cn a --cng a:10.1.0.1/16 --cng a:10.1.0.2/16",
            "--cn a --cng a:10.1.0.1/16",
        ),
        case(
            "N18",
            E,
            "--cn a --cng a:10.1.0.1/16 --cnr a:10.1.0.9-5",
            "--cn a --cng a:10.1.0.1/16 --cnr a:10.1.0.5-9 --cnr a:10.1.1.0/24",
        ),
        case("N19", E, "--cn a --cnd a:", "--cn a --cnd a:10.1.0.1"),
        case("N20", E, "--cn a --cnf a:wide", "--cn a --cnf a:OPEN"),
        case(
            "N21",
            E,
            "--cn a --cng b:10.1.0.1/16",
            "--cn b --cng b:10.1.0.1/16",
        ),
        case(
            "N22",
            E,
            "--http-proxy example.com:80",
            "--http-proxy http://proxy:3128",
        ),
        case(
            "N23",
            E,
            "--no-proxy 'a.com,b c'",
            "--no-proxy '*.local, 10.0.0.0/8,host:8080'",
        ),
        case(
            "N24",
            I,
            "--cn a --cng a:192.168.100.1 --cnr a:192.168.100.2-100",
            "--cn a --cng a:192.168.100.1/24 --cnr a:192.168.100.2-100",
        ),
        case(
            "NV1",
            E,
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1 --client-network-ip 10.0.1.3/24",
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1 --cln cl --client-network-ip 10.0.2.3/24",
        ),
        case(
            "NV2",
            E,
            "--cln x --mn x --client-network-ip 10.1.1.2/24 --management-network-ip 10.1.1.3/24",
            "--cln x --mn x --client-network-ip 10.1.1.2/24 --management-network-ip 10.1.1.2/24",
        ),
        case(
            "NV3",
            W,
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1 --cln c --client-network-ip 10.0.1.3/24",
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1 --cln c --client-network-ip 10.0.2.3/24",
        ),
        case(
            "NV4",
            I,
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1",
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1 --cln c --mn m",
        ),
        case(
            "NV5",
            E,
            "--cln c --client-network-ip 10.1.1.2/24 --client-network-gateway 10.1.1.1",
            "--cln c --client-network-ip 10.1.1.2/24 --client-network-gateway 192.168.0.0/16:10.1.1.1",
        ),
        case(
            "NV6",
            E,
            "--public-network-ip 10.0.1.2/24",
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1",
        ),
        case(
            "NV7",
            E,
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.0.0/8:10.0.1.1",
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1",
        ),
        case(
            "NV8",
            I,
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1 \
             --cln c --client-network-ip 10.0.2.2/24 --mn m --management-network-ip 10.0.3.2/24",
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1 \
             --cln c --client-network-ip 10.0.2.2/24 --mn m --management-network-ip 10.0.3.2/24 --dns-server 10.0.0.53",
        ),
        case("NV10", E, "--pn br", "--pn pub"),
        case("NV14", E, "--cn net:bridge", "--cn net:br2"),
        case(
            "NV15",
            E,
            "--cn a --cnr a:10.1.0.2-9",
            "--cn a --cng a:10.1.0.1/16 --cnr a:10.1.0.2-9",
        ),
        case(
            "NV16",
            E,
            "--cn a --cng a:10.1.0.0/16",
            "--cn a --cng a:10.1.0.1/16",
        ),
        case(
            "NV17",
            E,
            "--cn a --cng a:10.1.0.1/24 --cnr a:10.2.0.2-9",
            "--cn a --cng a:10.1.0.1/24 --cnr a:10.1.0.2-9",
        ),
        case(
            "NV18",
            E,
            "--cn a --cng a:10.1.0.1/16 --cnr a:10.1.0.2-9 --cnr a:10.1.0.9-20",
            "--cn a --cng a:10.1.0.1/16 --cnr a:10.1.0.2-9 --cnr a:10.1.0.10-20",
        ),
        case("NV20", E, "--cn br", "--cn other"),
        case(
            "NV21",
            E,
            "--cn a --cng a:172.16.5.1/24",
            "--cn a --cng a:172.32.5.1/24",
        ),
        case(
            "NV22",
            E,
            "--cn a --cng a:10.1.0.1/16 --cn b --cng b:10.1.5.1/24",
            "--cn a --cng a:10.1.0.1/16 --cn b --cng b:10.2.5.1/24",
        ),
        case(
            "NV23",
            E,
            "--public-network-ip 172.20.0.5/16 --public-network-gateway 172.20.0.1",
            "--public-network-ip 172.32.0.5/16 --public-network-gateway 172.32.0.1",
        ),
        case("NV24", E, "--cn a:x --cn b:x", "--cn a:x --cn b:y"),
        case(
            "NV25",
            W,
            "--cn a --cng a:10.1.0.1/16 --cnr a:10.1.0.1-9",
            "--cn a --cng a:10.1.0.1/16 --cnr a:10.1.0.2-9",
        ),
        case("NV26", E, "--cn a:x --cn a:y", "--cn a:x"),
        case("K1", W, "--no-tls", ""),
        case(
            "K2",
            E,
            "--tls-server-key k.pem",
            "--tls-server-key k.pem --tls-server-cert c.pem",
        ),
        case(
            "K3",
            W,
            "!-t u@vc --ops-user o",
            "!-t u@vc --ops-user o --cln c --client-network-ip 10.0.2.2/24",
        ),
        case("K7", W, "--no-tlsverify", "--no-tls"),
        case("K9", E, "--no-tls --tls-ca ca.pem", "--tls-ca ca.pem"),
        case(
            "K13",
            E,
            "--insecure-registry 'bad host'",
            "--insecure-registry registry.local:5000 --wr 10.0.0.0/8 --wr '*.corp'",
        ),
        case("K19", E, "--ksz big", "--ksz 4096"),
        case("CL1", W, "--pn 'VM Network", "--pn 'VM Network'"),
        case("CL2", W, "--name a --name b", "--name b"),
        case("CL3", I, "--external-network x", "--public-network x"),
        case(
            "SC3",
            E,
            leak(" --dns-server 10.0.0.1".repeat(shared::limits::MAX_DNS_SERVERS + 1)),
            leak(" --dns-server 10.0.0.1".repeat(shared::limits::MAX_DNS_SERVERS)),
        ),
        case(
            "SC4",
            E,
            leak(format!(
                "--name {}",
                "a".repeat(shared::limits::MAX_TEXT_BYTES + 1)
            )),
            leak(format!(
                "--tls-cname {}",
                "a".repeat(shared::limits::MAX_TEXT_BYTES)
            )),
        ),
        case("CL4", E, "--public-network=", "--public-network pub"),
        case("G18", E, "--name 'vch\t1'", "--name 'vch 1'"),
        case(
            "NV29",
            E,
            "--public-network-ip 10.0.1.255/24 --public-network-gateway 10.0.1.1",
            "--public-network-ip 10.0.1.254/24 --public-network-gateway 10.0.1.1",
        ),
        case(
            "NV30",
            E,
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.0",
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1",
        ),
        case(
            "NV30",
            E,
            "--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.2",
            "--public-network-ip 10.0.1.2/31 --public-network-gateway 10.0.1.3",
        ),
        case(
            "NV31",
            E,
            "--cn a --cng a:192.168.1.1/31",
            "--cn a --cng a:192.168.1.1/30",
        ),
    ]
}

/// Cases built from the limits are made once per test run.
fn leak(line: String) -> &'static str {
    Box::leak(line.into_boxed_str())
}

#[test]
fn an_explicitly_empty_proxy_means_none_and_other_empty_values_are_reported() {
    for line in ["--https-proxy ''", "--http-proxy=", "--no-proxy ''"] {
        let r = run(line);
        assert!(r.is_valid(), "{line}: {:#?}", r.findings);
        assert!(!r.has_code("N22") && !r.has_code("CL4"), "{line}");
    }
    for option in [
        "bridge-network",
        "image-store",
        "volume-store",
        "dns-server",
        "cpu",
    ] {
        let r = run(&format!("--{option} ''"));
        let f = r.findings.iter().find(|f| f.code == "CL4");
        assert_eq!(
            f.and_then(|f| f.option.as_deref()),
            Some(option),
            "{option}: {:#?}",
            r.findings
        );
    }
}

#[test]
fn a_control_character_anywhere_in_a_name_is_reported_with_the_cleaned_name() {
    let r = run("--cn 'pg\n1:alias' --vs 'ds1/v\x1b:lbl'");
    let paths: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.code == "G18")
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "storage.volume_stores[0]",
            "network.container_networks[0].port_group"
        ]
    );
    let r = run("--name 'a\tb'");
    let f = r.findings.iter().find(|f| f.code == "G18").unwrap();
    assert_eq!(f.suggestions, ["ab"]);
}

#[test]
fn every_rule_has_a_failing_and_a_passing_case() {
    let mut problems = Vec::new();
    for c in cases() {
        let bad = run(c.fails);
        match bad.findings.iter().find(|f| f.code == c.code) {
            None => problems.push(format!(
                "{}: not raised by `{}`: {:#?}",
                c.code, c.fails, bad.findings
            )),
            Some(f) if f.severity != c.severity => problems.push(format!(
                "{}: severity {:?}, expected {:?}",
                c.code, f.severity, c.severity
            )),
            Some(_) => {}
        }
        if c.severity == Severity::Error && bad.is_valid() {
            problems.push(format!("{}: report still valid", c.code));
        }
        let good = run(c.passes);
        if good.has_code(c.code) {
            problems.push(format!(
                "{}: raised by the passing case `{}`",
                c.code, c.passes
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_clean_config_is_valid_with_no_warnings() {
    let r = run(
        "--cln cl --client-network-ip 10.0.2.2/24 --client-network-gateway 10.0.0.0/8:10.0.2.1",
    );
    assert!(r.is_valid(), "{:#?}", r.findings);
    assert!(
        r.findings.iter().all(|f| f.severity == Severity::Info),
        "{:#?}",
        r.findings
    );
}

#[test]
fn findings_carry_path_and_option() {
    let r = run("--pn br");
    let f = r.findings.iter().find(|f| f.code == "NV10").unwrap();
    assert_eq!(f.path, "network.bridge.port_group");
    assert_eq!(f.option.as_deref(), Some("bridge-network"));

    let r = run("--cn a --cng a:10.1.0.1/16 --cn b --cng b:10.1.0.0/16");
    let f = r.findings.iter().find(|f| f.code == "NV16").unwrap();
    assert_eq!(f.path, "network.container_networks[1].gateway");
    assert_eq!(f.option.as_deref(), Some("container-network-gateway"));
}

#[test]
fn every_code_is_documented() {
    let doc = include_str!("../../docs/validation-rules.md");
    let missing: Vec<&str> = cases()
        .iter()
        .map(|c| c.code)
        .filter(|code| !doc.contains(&format!("| {code} |")))
        .collect();
    assert!(missing.is_empty(), "undocumented codes: {missing:?}");
}

#[test]
fn validation_collects_every_problem() {
    let r = run("--name 'a/b' --bnr nope --bnw 40 --cn 'x y' --dns-server z --syslog-address q");
    for code in ["G1", "N1", "N2", "N14", "N10", "G9"] {
        assert!(r.has_code(code), "{code} missing: {:#?}", r.findings);
    }
}

#[test]
fn bare_container_gateway_without_range_is_a_warning_with_24() {
    let r = run("--cn a --cng a:10.9.8.7");
    let f = r.findings.iter().find(|f| f.code == "N24").unwrap();
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.suggestions, ["a:10.9.8.7/24"]);
    assert!(r.is_valid());
}

#[test]
fn bare_container_gateway_widens_to_cover_the_range() {
    let r = run("--cn a --cng a:192.168.100.1 --cnr a:192.168.100.2-192.168.101.50");
    let f = r.findings.iter().find(|f| f.code == "N24").unwrap();
    assert_eq!(f.suggestions, ["a:192.168.100.1/23"]);
    assert!(!r.has_code("NV17"));
}

#[test]
fn role_gateway_with_matching_mask_is_normalised() {
    let r = run("--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1/24");
    let f = r.findings.iter().find(|f| f.code == "N24").unwrap();
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.suggestions, ["10.0.1.1"]);
    assert!(r.is_valid(), "{:#?}", r.findings);
    let r = run("--public-network-ip 10.0.1.2/24 --public-network-gateway 10.0.1.1/16");
    assert!(r.has_code("N7"));
}

#[test]
fn overlapping_ranges_are_reported_once_each_naming_the_first_and_the_rest() {
    let r = run(
        "--cn a --cng a:10.1.0.1/16 --cnr a:10.1.0.2-9 --cnr a:10.1.0.5-20 --cnr a:10.1.0.8-10.1.0.8 --cnr a:10.1.1.0/24",
    );
    let nv18: Vec<_> = r.findings.iter().filter(|f| f.code == "NV18").collect();
    assert_eq!(nv18.len(), 3, "{nv18:#?}");
    assert_eq!(nv18[0].path, "network.container_networks[0].ip_ranges[0]");
    assert!(
        nv18[0].message.contains("\"10.1.0.5-20\" and 1 more range"),
        "{}",
        nv18[0].message
    );
    assert!(nv18[2].message.contains("\"10.1.0.2-9\" and 1 more range"));
}

#[test]
fn thousands_of_overlapping_ranges_give_a_report_bounded_by_the_cap() {
    let ranges = " --cnr a:10.1.0.2-10.1.0.200".repeat(5000);
    let r = run(&format!("--cn a --cng a:10.1.0.1/16{ranges}"));
    let cap = shared::limits::MAX_IP_RANGES_PER_NETWORK;
    let sc3: Vec<_> = r.findings.iter().filter(|f| f.code == "SC3").collect();
    assert_eq!(sc3.len(), 1);
    assert!(sc3[0].message.contains(&cap.to_string()));
    assert_eq!(r.findings.iter().filter(|f| f.code == "NV18").count(), cap);
    assert!(r.findings.len() <= cap + 5, "{}", r.findings.len());
}
