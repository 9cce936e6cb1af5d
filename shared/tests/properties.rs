//! Property tests: the generated command line reads back as the same config, and neither the
//! parser nor the validator panics on anything.

use proptest::prelude::*;
use shared::config::{ContainerNetwork, PemFile, VchConfig};
use shared::validate;
use shared::vic_machine::{OPTIONS, Os, generate, parse_args, parse_command_line};

/// Free text that may need quoting: spaces, quotes, `$`, backslashes, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "[ -~äé€]{0,12}"
}

/// Text for `network:value` pieces, which cannot hold ':'.
fn no_colon() -> impl Strategy<Value = String> {
    "[!-9;-~][ -9;-~]{0,11}"
}

fn opt(s: impl Strategy<Value = String>) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(s)
}

fn container_network() -> impl Strategy<Value = ContainerNetwork> {
    (
        no_colon(),
        opt("[ -9;-~]{0,8}"),
        opt(no_colon()),
        proptest::collection::vec(no_colon(), 0..3),
        proptest::collection::vec("[ -9;-~]{0,8}", 0..3),
        opt(no_colon()),
    )
        .prop_map(
            |(port_group, alias, gateway, ip_ranges, dns, firewall)| ContainerNetwork {
                port_group,
                alias,
                gateway,
                ip_ranges,
                dns,
                firewall,
            },
        )
}

/// Configs whose every value a command line can carry (no passwords, PEM contents, ':' in
/// container-network pieces, or one port group mapped twice).
fn representable_config() -> impl Strategy<Value = VchConfig> {
    let strings = proptest::collection::vec(opt(text()), 40);
    let lists = proptest::collection::vec(proptest::collection::vec(text(), 0..3), 9);
    let flags = proptest::collection::vec(any::<bool>(), 6);
    let target = (
        opt("(https://)?[a-z0-9.-]{1,15}"),
        opt("[A-Za-z0-9 _-]{1,10}"),
    );
    let nets = proptest::collection::vec(container_network(), 0..4);
    (strings, lists, flags, target, nets).prop_map(|(s, l, f, (server, dc), mut nets)| {
        let mut seen = Vec::new();
        nets.retain(|n| {
            let fresh = !seen.contains(&n.port_group);
            seen.push(n.port_group.clone());
            fresh
        });
        let mut c = VchConfig::default();
        let mut s = s.into_iter();
        let mut next = || s.next().flatten();
        c.target.server = server;
        c.target.datacenter = dc;
        c.target.user = next();
        c.target.thumbprint = next();
        c.target.compute_resource = next();
        c.target.timeout = next();
        c.target.appliance_iso = next();
        c.target.bootstrap_iso = next();
        c.general.name = next();
        c.general.container_name_convention = next();
        c.general.debug = next();
        c.general.syslog_address = next();
        c.compute.cpu_limit = next();
        c.compute.cpu_reservation = next();
        c.compute.cpu_shares = next();
        c.compute.memory_limit = next();
        c.compute.memory_reservation = next();
        c.compute.memory_shares = next();
        c.compute.endpoint_cpu = next();
        c.compute.endpoint_memory = next();
        c.storage.image_store = next();
        c.storage.base_image_size = next();
        c.storage.storage_quota = next();
        c.storage.containers = next();
        let n = &mut c.network;
        n.bridge.port_group = next();
        n.bridge.ip_range = next();
        n.bridge.width = next();
        for role in [&mut n.public, &mut n.client, &mut n.management] {
            role.port_group = next();
            role.ip = next();
            role.gateway = next();
        }
        n.proxy.http_proxy = next();
        n.proxy.https_proxy = next();
        n.proxy.no_proxy = next();
        c.security.tls_cname = next();
        c.security.certificate_key_size = next();
        c.security.tls_cert_path = next();
        c.security.tls_server_cert = next().map(PemFile::from_path);
        c.operations.ops_user = next();
        let mut l = l.into_iter();
        let mut list = || l.next().unwrap_or_default();
        c.storage.volume_stores = list();
        n.dns_servers = list();
        c.security.tls_ca = list().into_iter().map(PemFile::from_path).collect();
        c.security.organization = list();
        c.registry.registry_ca = list().into_iter().map(PemFile::from_path).collect();
        c.registry.insecure_registries = list();
        c.registry.whitelist_registries = list();
        n.container_networks = nets;
        c.target.force = f[0];
        c.compute.affinity_vm_group = f[1];
        n.asymmetric_routes = f[2];
        c.security.no_tls = f[3];
        c.security.no_tlsverify = f[4];
        c.operations.ops_grant_perms = f[5];
        c
    })
}

/// Values that reach deep into the rules: addresses, CIDRs, gateway specs, ranges, URLs, edge
/// numbers, plus arbitrary text. A fixed pool keeps 10,000 cases fast in debug builds.
const POOL: &[&str] = &[
    "",
    " ",
    "a",
    "b",
    "bridge",
    "VM Network",
    "0",
    "1",
    "16",
    "30",
    "31",
    "-1",
    "high",
    "8GB",
    "10.0.0.1",
    "10.0.0.0",
    "10.0.0.255",
    "10.0.0.1/24",
    "10.0.0.2/24",
    "10.0.0.0/8",
    "10.0.1.1/16",
    "172.16.0.0/12",
    "172.16.0.0/17",
    "172.16.5.1/24",
    "192.168.100.1",
    "192.168.100.2-100",
    "192.168.100.100-2",
    "10.0.0.5-10.0.0.1",
    "10.0.0.1-255",
    "10.0.0.0/8:10.0.0.1",
    "10.0.0.0/8,192.168.0.0/16:10.0.0.254",
    "a:b",
    "a:b:c",
    ":",
    "1.2.3.4/33",
    "999.1.1.1",
    "ds://ds1/x:lbl",
    "nfs://h/p:lbl",
    "nfs://:lbl",
    "tcp://h:514",
    "udp://",
    "http://p:3128",
    "*",
    "*.corp,10.0.0.0/8",
    "{id}",
    "{name}-x",
    "closed",
    "OPEN",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(POOL).prop_map(String::from),
        1 => proptest::collection::vec(proptest::sample::select(&b"0123456789./:,-"[..]), 0..18)
            .prop_map(|b| b.into_iter().map(char::from).collect::<String>()),
        1 => proptest::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
    ]
}

fn arbitrary_config() -> impl Strategy<Value = VchConfig> {
    (
        proptest::collection::vec(opt(value()), 40),
        proptest::collection::vec(
            (
                value(),
                opt(value()),
                opt(value()),
                proptest::collection::vec(value(), 0..3),
                proptest::collection::vec(value(), 0..2),
            ),
            0..4,
        ),
        any::<u64>(),
    )
        .prop_map(|(v, cns, bits)| {
            let mut c = VchConfig::default();
            let mut v = v.into_iter();
            let mut next = || v.next().flatten();
            c.target.server = next();
            c.target.datacenter = next();
            c.target.user = next();
            c.target.thumbprint = next();
            c.target.timeout = next();
            c.general.name = next();
            c.general.container_name_convention = next();
            c.general.debug = next();
            c.general.syslog_address = next();
            c.compute.cpu_limit = next();
            c.compute.cpu_shares = next();
            c.compute.endpoint_cpu = next();
            c.storage.image_store = next();
            c.storage.base_image_size = next();
            c.storage.storage_quota = next();
            c.storage.volume_stores = next().into_iter().chain(next()).collect();
            let n = &mut c.network;
            n.bridge.port_group = next();
            n.bridge.ip_range = next();
            n.bridge.width = next();
            for role in [&mut n.public, &mut n.client, &mut n.management] {
                role.port_group = next();
                role.ip = next();
                role.gateway = next();
            }
            n.dns_servers = next().into_iter().chain(next()).collect();
            n.proxy.http_proxy = next();
            n.proxy.no_proxy = next();
            c.security.tls_cname = next();
            c.security.certificate_key_size = next();
            c.security.tls_ca = next()
                .map(|p| PemFile {
                    path: "ca".into(),
                    pem: Some(p),
                })
                .into_iter()
                .collect();
            c.security.tls_server_key = next().map(|p| PemFile {
                path: "k".into(),
                pem: Some(p),
            });
            c.registry.insecure_registries = next().into_iter().collect();
            c.operations.ops_user = next();
            for (port_group, alias, gateway, ip_ranges, dns) in cns {
                n.container_networks.push(ContainerNetwork {
                    port_group,
                    alias,
                    gateway,
                    ip_ranges,
                    dns,
                    firewall: None,
                });
            }
            c.schema_version = if bits % 11 == 0 {
                (bits >> 8) as u32
            } else {
                1
            };
            c.security.no_tls = bits & 2 != 0;
            c.security.no_tlsverify = bits & 4 != 0;
            c.operations.ops_grant_perms = bits & 8 != 0;
            c
        })
}

fn argv() -> impl Strategy<Value = Vec<String>> {
    let names: Vec<String> = OPTIONS
        .iter()
        .flat_map(|o| {
            std::iter::once(o.long)
                .chain(o.short.iter().copied())
                .chain(o.old.iter().copied())
        })
        .flat_map(|n| [format!("--{n}"), format!("-{n}")])
        .collect();
    let word = prop_oneof![
        3 => proptest::sample::select(names),
        3 => value(),
    ];
    proptest::collection::vec(word, 0..16)
}

proptest! {
    // Fewer cases here: each builds a ~100-field config; the never-panic properties run 10,000.
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn command_line_round_trips(c in representable_config(), os_pick in 0u8..3) {
        let os = [Os::Linux, Os::Darwin, Os::Windows][os_pick as usize];
        let line = generate(&c, os);
        let parsed = parse_command_line(&line).map_err(|e| TestCaseError::fail(format!("{e}\n{line}")))?;
        prop_assert_eq!(&parsed.config, &c, "{}", line);
    }

    #[test]
    fn parsing_never_panics_on_any_line(line in "(\\PC|[\"'\\\\\n ]){0,80}") {
        let _ = parse_command_line(&line);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn validation_never_panics_on_any_config(c in arbitrary_config()) {
        let report = validate(&c, None);
        prop_assert_eq!(report.is_valid(), report.errors().next().is_none());
    }

    #[test]
    fn parsing_and_validating_never_panic_on_any_argv(words in argv()) {
        if let Ok(parsed) = parse_args(&words) {
            let _ = validate(&parsed.config, None);
        }
    }

}

#[test]
fn generated_lines_never_carry_passwords() {
    let mut c = VchConfig::default();
    c.target.server = Some("vc".into());
    c.target.password = Some(shared::secret::Secret::new("s3cret"));
    c.operations.ops_user = Some("ops".into());
    c.operations.ops_password = Some(shared::secret::Secret::new("0ps"));
    for os in [Os::Linux, Os::Darwin, Os::Windows] {
        let line = generate(&c, os);
        assert!(!line.contains("s3cret") && !line.contains("0ps"), "{line}");
        assert_eq!(
            parse_command_line(&line).unwrap().config,
            c.without_secrets()
        );
    }
}
