//! Properties of the codec on generated trees: what is encoded decodes to the same tree, and arbitrary
//! extraConfig from arbitrary VMs decodes to a value or an error, never a panic.

use proptest::prelude::*;
use shared::extraconfig::{
    Bytes, Cmd, Common, ContainerNetwork, GoIp, GoIpNet, GoUrl, NetworkEndpoint, SecretKey,
    Secrets, SessionConfig, SysLogConfig, TrustLevel, VirtualContainerHostConfigSpec,
    decode_extra_config, encode_extra_config,
};

// Separators inside data are not escaped by VIC (§1.10), so generated text avoids `|`, `@` and
// the `.`/`/` that key mangling rewrites inside map keys. Non-empty map keys: an empty key list is `<nil>`.
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 _:=,-]{0,12}"
}

fn map_key() -> impl Strategy<Value = String> {
    "[a-z0-9-]{1,8}"
}

fn ip() -> impl Strategy<Value = GoIp> {
    prop_oneof![
        Just(GoIp::default()),
        proptest::collection::vec(any::<u8>(), 4).prop_map(GoIp),
        proptest::collection::vec(any::<u8>(), 16).prop_map(GoIp),
    ]
}

fn net() -> impl Strategy<Value = GoIpNet> {
    (ip(), ip()).prop_map(|(ip, mask)| GoIpNet {
        ip,
        mask: shared::extraconfig::GoIpMask(mask.0),
    })
}

fn common() -> impl Strategy<Value = Common> {
    (text(), text(), text(), text()).prop_map(|(e, id, name, notes)| Common {
        execution_environment: e,
        id,
        name,
        notes,
    })
}

fn container_network() -> impl Strategy<Value = ContainerNetwork> {
    (
        common(),
        text(),
        proptest::collection::vec(net(), 0..3),
        net(),
        any::<bool>(),
        proptest::collection::vec(ip(), 0..3),
        0i64..8,
    )
        .prop_map(
            |(common, kind, destinations, gateway, default, dns, trust)| ContainerNetwork {
                common,
                kind,
                destinations,
                gateway,
                default,
                nameservers: dns,
                trust_level: TrustLevel::from_code(trust),
                ..ContainerNetwork::default()
            },
        )
}

fn session() -> impl Strategy<Value = SessionConfig> {
    (
        common(),
        text(),
        proptest::collection::vec("[A-Za-z0-9=/-]{0,10}", 1..4),
        any::<(bool, bool, bool)>(),
        text(),
        any::<i64>(),
    )
        .prop_map(
            |(common, path, args, (active, tty, restart), started, status)| SessionConfig {
                common,
                cmd: Cmd {
                    path,
                    args,
                    ..Cmd::default()
                },
                active,
                tty,
                restart,
                started,
                exit_status: status,
                ..SessionConfig::default()
            },
        )
}

fn spec() -> impl Strategy<Value = VirtualContainerHostConfigSpec> {
    (
        proptest::collection::btree_map(map_key(), session(), 0..3),
        proptest::collection::btree_map(
            map_key(),
            (
                common(),
                any::<bool>(),
                proptest::option::of(net()),
                container_network(),
            ),
            0..4,
        ),
        proptest::collection::btree_map(map_key(), container_network(), 0..3),
        (text(), text(), text(), any::<i64>()),
        proptest::option::of((text(), text())),
        proptest::collection::vec(any::<u8>(), 0..40),
        proptest::collection::vec(map_key(), 0..3),
    )
        .prop_map(
            |(sessions, endpoints, cnets, (target, user, token, quota), syslog, key, opts)| {
                let mut s = VirtualContainerHostConfigSpec::default();
                s.executor.sessions = sessions;
                s.executor.networks = endpoints
                    .into_iter()
                    .map(|(k, (common, st, ip, network))| {
                        // A set pointer with no keys reads back as nil, as in VIC.
                        let ip = ip.filter(|n| !n.is_empty());
                        (
                            k,
                            NetworkEndpoint {
                                common,
                                static_ip: st,
                                ip,
                                network,
                                ..NetworkEndpoint::default()
                            },
                        )
                    })
                    .collect();
                s.network.container_networks = cnets;
                s.connection.target = target;
                s.connection.username = user;
                s.connection.token = token;
                s.storage.storage_quota = quota;
                s.executor.diagnostics.syslog =
                    syslog.map(|(network, raddr)| SysLogConfig { network, raddr });
                s.certificate.host_certificate = Some(shared::extraconfig::RawCertificate {
                    key: Bytes(key),
                    cert: Bytes(b"cert".to_vec()),
                });
                s.storage.image_stores = vec![GoUrl {
                    scheme: "ds".into(),
                    host: "ds1".into(),
                    ..GoUrl::default()
                }];
                s.vic_machine_create_options = opts;
                s
            },
        )
}

proptest! {
    #[test]
    fn encoded_trees_decode_to_themselves(spec in spec(), key in any::<[u8; 32]>(), seed in any::<u8>()) {
        let key = SecretKey::from_bytes(key);
        let mut n = seed;
        let mut nonce = || { n = n.wrapping_add(1); [n; 24] };
        let pairs = encode_extra_config(&spec, &key, &mut nonce).unwrap();
        prop_assert!(pairs.iter().all(|(_, v)| !v.is_empty()), "empty values are sent as <nil>");
        let back: VirtualContainerHostConfigSpec =
            decode_extra_config(pairs, Secrets::FromOvfEnv).unwrap();
        prop_assert_eq!(back, spec);
    }

    #[test]
    fn arbitrary_extra_config_never_panics(
        pairs in proptest::collection::vec(
            (prop_oneof![
                "guestinfo\\.vice\\./init/[a-z|/~0-9]{0,20}",
                "guestinfo\\.vice\\./(network|storage|cert|connect)/[A-Za-z_|/~0-9@]{0,24}",
                "[a-z./|@]{0,16}",
            ], "[A-Za-z0-9+/=|<>-]{0,12}"),
            0..40,
        )
    ) {
        let _ = decode_extra_config::<_, _, _, VirtualContainerHostConfigSpec>(pairs.clone(), Secrets::Ignore);
        let _ = decode_extra_config::<_, _, _, VirtualContainerHostConfigSpec>(pairs, Secrets::FromOvfEnv);
    }
}

#[test]
fn decode_of_nothing_is_the_zero_tree() {
    let empty: Vec<(String, String)> = Vec::new();
    let spec: VirtualContainerHostConfigSpec = decode_extra_config(empty, Secrets::Ignore).unwrap();
    assert_eq!(spec, VirtualContainerHostConfigSpec::default());
}
