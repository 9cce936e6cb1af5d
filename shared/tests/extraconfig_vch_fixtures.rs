//! The representative VCH of docs/appliance-extraconfig.md §6 (bare `§N` below: that document): fixtures F4–F14, built as the tree vic-machine would
//! build and compared key for key with the expected values, plus VCH recognition and the `ls` columns (§4).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use shared::config::VchConfig;
use shared::extraconfig::from_vch_config::nic_slots;
use shared::extraconfig::vch::{UPDATE_IN_PROGRESS_KEY, update_in_progress};
use shared::extraconfig::{
    Build, Bytes, Cmd, Common, ContainerNetwork, DecodeError, ExecutorCommon, GoIp, GoIpMask,
    GoIpNet, GoUrl, IpRange, MoRef, NONCE_LEN, NetworkEndpoint, OVF_ENV_KEY, RawCertificate,
    SecretError, SecretKey, Secrets, SessionConfig, SysLogConfig, TrustLevel, UpgradeStatus,
    VirtualContainerHostConfigSpec, collect_extra_config, decode_extra_config, decode_values,
    encode_extra_config, is_vch, parse_create_options, record_create_options, upgrade_status,
    version_column,
};
use shared::extraconfig::{
    CertificatePair, DeploymentFacts, MappingError, Phase, build_appliance_config, to_vch_config,
};
use shared::vic_machine::parse_command_line;

// ---- deterministic stand-ins for F4's environment-dependent values (F6, §2.1) ----

fn vector_key() -> SecretKey {
    SecretKey::from_bytes(std::array::from_fn(|i| i as u8))
}

fn vector_nonce() -> [u8; NONCE_LEN] {
    std::array::from_fn(|i| 0xa0 + i as u8)
}

const KEY_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\nKEY\n-----END RSA PRIVATE KEY-----\n";
const KEY_SEALED: &str = "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3NBFPHR9GXPRZwlzlQk6bu3rGh27ONdbtJX5fAaLBNJUBq5XJbM1CdWYgFYEYMK1Knbwg0GIXUVGzGhB6Xb1iuyxI6jHA4WVXa4eYS0lU5TVVxw39BdStWW6aWWfS8Vm+QKVX/3Ko+f0=";
const TOKEN_SEALED: &str = "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3eJWjaYiyKhPw1SEBPkR0z3fx2nPsR9Wd";
const OVF_ENV: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const CERT_PEM: &str = "-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n";

/// F4 as listed in the spec, with ⟨…⟩ values kept as they are.
fn f4_raw() -> Vec<(String, String)> {
    include_str!("fixtures/extraconfig/f4-after-create.tsv")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('\t').expect("fixture lines are key TAB value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// F4 with its environment-dependent values replaced by the deterministic ones of F6/§2.1.
fn f4_deterministic() -> BTreeMap<String, String> {
    f4_raw()
        .into_iter()
        .map(|(k, v)| {
            let v = match k.as_str() {
                OVF_ENV_KEY => OVF_ENV.to_string(),
                "guestinfo.vice./connect/token@secret" => TOKEN_SEALED.to_string(),
                "guestinfo.vice./cert/HostCertificate/Key@secret" => KEY_SEALED.to_string(),
                "guestinfo.vice./cert/HostCertificate/Cert" => STANDARD.encode(CERT_PEM),
                _ => {
                    assert!(!v.contains('⟨'), "unhandled placeholder in {k}");
                    v
                }
            };
            (k, v)
        })
        .collect()
}

// ---- the tree vic-machine builds for the §6 command ----

fn ip16(a: u8, b: u8, c: u8, d: u8) -> GoIp {
    GoIp::parsed(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
}

fn ip4(a: u8, b: u8, c: u8, d: u8) -> GoIp {
    GoIp::four(Ipv4Addr::new(a, b, c, d))
}

fn mask(ones: u8) -> GoIpMask {
    GoIpMask::v4_prefix(ones).unwrap()
}

fn common(id: &str, name: &str) -> Common {
    Common {
        id: id.into(),
        name: name.into(),
        ..Common::default()
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn session(id: &str, path: &str, args: &[&str], env: &[&str]) -> SessionConfig {
    let mut all_args = vec![path];
    all_args.extend_from_slice(args);
    SessionConfig {
        common: common(id, id),
        cmd: Cmd {
            path: path.into(),
            args: strings(&all_args),
            env: strings(env),
            dir: String::new(),
        },
        active: true,
        restart: true,
        ..SessionConfig::default()
    }
}

fn f4_sessions() -> BTreeMap<String, SessionConfig> {
    let mut vicadmin = session(
        "vicadmin",
        "/sbin/vicadmin",
        &[
            "--dc=DC0",
            "--pool=/DC0/host/DC0_C0/Resources",
            "--cluster=/DC0/host/DC0_C0",
        ],
        &["PATH=/sbin:/bin", "GOTRACEBACK=all"],
    );
    vicadmin.cmd.dir = "/home/vicadmin".into();
    vicadmin.user = "vicadmin".into();
    vicadmin.group = "vicadmin".into();
    let docker = session(
        "docker-personality",
        "/sbin/docker-engine-server",
        &["-port=2376", "-port-layer-port=2377"],
        &["PATH=/sbin", "GOTRACEBACK=all"],
    );
    let port_layer = session(
        "port-layer",
        "/sbin/port-layer-server",
        &["--host=localhost", "--port=2377"],
        &[
            "VC_URL=https://vc.example.com",
            "DC_PATH=DC0",
            "CS_PATH=/DC0/host/DC0_C0",
            "POOL_PATH=/DC0/host/DC0_C0/Resources",
            "DS_PATH=LocalDS_0",
        ],
    );
    BTreeMap::from([
        ("vicadmin".into(), vicadmin),
        ("docker-personality".into(), docker),
        ("port-layer".into(), port_layer),
    ])
}

fn f4_networks() -> BTreeMap<String, NetworkEndpoint> {
    let bridge = NetworkEndpoint {
        common: common("1184", "bridge"),
        static_ip: true,
        ip: Some(GoIpNet {
            ip: ip16(0, 0, 0, 0),
            mask: GoIpMask::default(),
        }),
        network: ContainerNetwork {
            common: common("DistributedVirtualPortgroup:dvportgroup-13", "bridge"),
            kind: "bridge".into(),
            ..ContainerNetwork::default()
        },
        ..NetworkEndpoint::default()
    };
    let client = NetworkEndpoint {
        common: common("1216", "client"),
        network: ContainerNetwork {
            common: common("Network:network-7", "client"),
            ..ContainerNetwork::default()
        },
        ..NetworkEndpoint::default()
    };
    let public = NetworkEndpoint {
        common: common("1216", "public"),
        network: ContainerNetwork {
            common: common("Network:network-7", "public"),
            default: true,
            ..ContainerNetwork::default()
        },
        ..NetworkEndpoint::default()
    };
    let management = NetworkEndpoint {
        common: common("1248", ""),
        static_ip: true,
        ip: Some(GoIpNet {
            ip: ip16(10, 0, 0, 5),
            mask: mask(24),
        }),
        network: ContainerNetwork {
            common: common("DistributedVirtualPortgroup:dvportgroup-15", "management"),
            destinations: vec![GoIpNet {
                ip: ip4(10, 1, 0, 0),
                mask: mask(16),
            }],
            gateway: GoIpNet {
                ip: ip16(10, 0, 0, 1),
                mask: mask(24),
            },
            ..ContainerNetwork::default()
        },
        ..NetworkEndpoint::default()
    };
    BTreeMap::from([
        ("bridge".into(), bridge),
        ("client".into(), client),
        ("management".into(), management),
        ("public".into(), public),
    ])
}

fn ds_url(host: &str, path: &str) -> GoUrl {
    GoUrl {
        scheme: "ds".into(),
        host: host.into(),
        path: path.into(),
        ..GoUrl::default()
    }
}

const F4_COMMAND_LINE: &[(&str, &str)] = &[
    ("target", "https://vc.example.com/DC0"),
    ("user", "administrator@vsphere.local"),
    ("password", "Admin!23"),
    (
        "thumbprint",
        "9F:F0:DF:BA:7F:E2:89:F0:98:E4:A6:D1:58:24:68:74:8A:9B:25:6F",
    ),
    ("name", "vch1"),
    ("compute-resource", "DC0_C0"),
    ("image-store", "LocalDS_0"),
    ("volume-store", "LocalDS_0/volumes/default:default"),
    ("bridge-network", "DC0_DVPG0"),
    ("bridge-network-range", "172.16.0.0/12"),
    ("public-network", "VM Network"),
    ("management-network", "DC0_DVPG1"),
    ("management-network-ip", "10.0.0.5/24"),
    ("management-network-gateway", "10.1.0.0/16:10.0.0.1"),
    ("container-network", "DC0_DVPG2:con-nw"),
    ("container-network-gateway", "DC0_DVPG2:192.168.100.1/16"),
    (
        "container-network-ip-range",
        "DC0_DVPG2:192.168.100.2-192.168.100.100",
    ),
    ("container-network-dns", "DC0_DVPG2:192.168.100.1"),
    ("container-network-firewall", "DC0_DVPG2:published"),
    ("no-tlsverify", "true"),
];

/// The tree after the post-create reconfigure (F4).
fn f4_tree() -> VirtualContainerHostConfigSpec {
    let mut spec = VirtualContainerHostConfigSpec::default();
    let exec = &mut spec.executor;
    exec.common = ExecutorCommon {
        id: "VirtualMachine:vm-75".into(),
        name: "vch1".into(),
        ..ExecutorCommon::default()
    };
    exec.sessions = f4_sessions();
    exec.networks = f4_networks();
    exec.version = Some(Build {
        version: "v1.5.8".into(),
        git_commit: "2c978fe".into(),
        build_date: "2021/06/15@03:07:29".into(),
        build_number: "12345".into(),
        state: String::new(),
        plugin_version: 10,
    });

    spec.connection.target = "https://vc.example.com".into();
    spec.connection.username = "administrator@vsphere.local".into();
    spec.connection.token = "Admin!23".into();
    spec.connection.target_thumbprint =
        "9F:F0:DF:BA:7F:E2:89:F0:98:E4:A6:D1:58:24:68:74:8A:9B:25:6F".into();

    spec.certificate.host_certificate = Some(RawCertificate {
        key: Bytes(KEY_PEM.as_bytes().to_vec()),
        cert: Bytes(CERT_PEM.as_bytes().to_vec()),
    });

    spec.storage.image_stores = vec![ds_url("LocalDS_0", "vch1")];
    spec.storage.volume_locations = BTreeMap::from([(
        "default".into(),
        ds_url("LocalDS_0", "[LocalDS_0] volumes/default"),
    )]);
    spec.storage.scratch_size = 8_000_000;

    spec.network.bridge_network = "bridge".into();
    spec.network.container_networks = BTreeMap::from([
        (
            "bridge".into(),
            ContainerNetwork {
                common: common("DistributedVirtualPortgroup:dvportgroup-13", "bridge"),
                kind: "bridge".into(),
                ..ContainerNetwork::default()
            },
        ),
        (
            "con-nw".into(),
            ContainerNetwork {
                common: common("DistributedVirtualPortgroup:dvportgroup-17", "con-nw"),
                kind: "external".into(),
                gateway: GoIpNet {
                    ip: ip16(192, 168, 100, 1),
                    mask: mask(16),
                },
                nameservers: vec![ip16(192, 168, 100, 1)],
                pools: vec![IpRange {
                    first: ip16(192, 168, 100, 2),
                    last: ip16(192, 168, 100, 100),
                }],
                trust_level: TrustLevel::Published,
                ..ContainerNetwork::default()
            },
        ),
    ]);
    spec.network.bridge_ip_range = Some(GoIpNet {
        ip: ip4(172, 16, 0, 0),
        mask: mask(12),
    });
    spec.network.bridge_network_width = Some(mask(16));

    spec.container.compute_resources = vec![MoRef::new("ResourcePool", "resgroup-72")];
    spec.container.bootstrap_image_path =
        "[LocalDS_0] vch1/V1.5.8-12345-2C978FE-bootstrap.iso".into();

    spec.vic_machine_create_options = record_create_options(F4_COMMAND_LINE);
    spec
}

fn encode_deterministic(spec: &VirtualContainerHostConfigSpec) -> BTreeMap<String, String> {
    // One nonce for every secret is only acceptable in a test: it makes the output reproducible.
    encode_extra_config(spec, &vector_key(), &mut vector_nonce)
        .unwrap()
        .into_iter()
        .collect()
}

fn diff(
    base: &BTreeMap<String, String>,
    variant: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let changed = variant
        .iter()
        .filter(|(k, v)| base.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let removed = base
        .keys()
        .filter(|k| !variant.contains_key(*k))
        .cloned()
        .collect();
    (changed, removed)
}

fn expect(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Encodes a variant of F4 and checks that exactly the listed keys were added or changed and exactly
/// the listed keys removed.
fn assert_variant(
    change: impl FnOnce(&mut VirtualContainerHostConfigSpec),
    changed: &[(&str, &str)],
    removed: &[&str],
) {
    let base = encode_deterministic(&f4_tree());
    let mut spec = f4_tree();
    change(&mut spec);
    let variant = encode_deterministic(&spec);
    let (got_changed, got_removed) = diff(&base, &variant);
    assert_eq!(got_changed, expect(changed));
    assert_eq!(got_removed, strings(removed));
    let back: VirtualContainerHostConfigSpec =
        decode_extra_config(variant, Secrets::Key(&vector_key())).unwrap();
    assert_eq!(back, spec);
}

// ---- F4 / F6 ----

#[test]
fn f4_encoder_reproduces_every_key_and_value() {
    let got = encode_deterministic(&f4_tree());
    let want = f4_deterministic();
    let (changed, removed) = diff(&want, &got);
    assert!(
        changed.is_empty() && removed.is_empty(),
        "differs from F4: extra/changed {changed:#?}, missing {removed:#?}"
    );
    assert_eq!(got.len(), 225);
}

#[test]
fn f4_environment_values_have_the_documented_shape_with_random_nonces() {
    let mut counter = 0u8;
    let mut nonce = || {
        counter += 1;
        [counter; NONCE_LEN]
    };
    let key = SecretKey::from_bytes([7; 32]);
    let got: BTreeMap<String, String> = encode_extra_config(&f4_tree(), &key, &mut nonce)
        .unwrap()
        .into_iter()
        .collect();
    let raw: BTreeMap<String, String> = f4_raw().into_iter().collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        raw.keys().collect::<Vec<_>>()
    );
    let ovf = STANDARD.decode(&got[OVF_ENV_KEY]).unwrap();
    assert_eq!((got[OVF_ENV_KEY].len(), ovf.len()), (44, 32));
    // "base64(nonce‖secretbox("Admin!23")), 64 chars"
    let token = &got["guestinfo.vice./connect/token@secret"];
    assert_eq!(token.len(), 64);
    assert_eq!(
        key.open("t", token).unwrap(),
        "Admin!23",
        "token decrypts to the password"
    );
    let sealed_key = &got["guestinfo.vice./cert/HostCertificate/Key@secret"];
    assert_eq!(key.open("k", sealed_key).unwrap(), STANDARD.encode(KEY_PEM));
    assert_ne!(
        token[..32],
        sealed_key[..32],
        "each secret has its own nonce"
    );
    for (k, v) in &raw {
        if !v.contains('⟨') {
            assert_eq!(&got[k], v, "{k}");
        }
    }
}

#[test]
fn f4_decodes_to_the_tree() {
    let pairs = f4_deterministic();
    let with_secrets: VirtualContainerHostConfigSpec =
        decode_extra_config(pairs.clone(), Secrets::FromOvfEnv).unwrap();
    assert_eq!(with_secrets, f4_tree());

    let without: VirtualContainerHostConfigSpec =
        decode_extra_config(pairs, Secrets::Ignore).unwrap();
    let mut expected = f4_tree();
    expected.connection.token.clear();
    if let Some(cert) = expected.certificate.host_certificate.as_mut() {
        cert.key = Bytes::default();
    }
    assert_eq!(without, expected);
}

#[test]
fn f6_secret_values_and_wrong_key() {
    let got = encode_deterministic(&f4_tree());
    assert_eq!(got[OVF_ENV_KEY], OVF_ENV);
    assert_eq!(got["guestinfo.vice./connect/token@secret"], TOKEN_SEALED);
    let wrong = SecretKey::from_bytes([9; 32]);
    let result: Result<VirtualContainerHostConfigSpec, _> =
        decode_extra_config(got.clone(), Secrets::Key(&wrong));
    assert!(matches!(
        result,
        Err(DecodeError::Secret(SecretError::Authentication { .. }))
    ));
    let mut no_key = got;
    no_key.remove(OVF_ENV_KEY);
    let result: Result<VirtualContainerHostConfigSpec, _> =
        decode_extra_config(no_key, Secrets::FromOvfEnv);
    assert!(matches!(
        result,
        Err(DecodeError::Secret(SecretError::MissingKey))
    ));
}

// ---- F5 ----

#[test]
fn f5_create_vm_spec() {
    let mut spec = f4_tree();
    spec.executor.common.id = "CreatingVCH".into();
    spec.executor.sessions.clear();
    spec.container.bootstrap_image_path.clear();
    for (role, endpoint) in spec.executor.networks.iter_mut() {
        endpoint.common.id = if role == "bridge" {
            "DistributedVirtualPortgroup:dvportgroup-13".into()
        } else {
            String::new()
        };
    }
    spec.storage.image_stores[0].path.clear();
    spec.storage
        .volume_locations
        .get_mut("default")
        .unwrap()
        .path = "volumes/default".into();

    let got = encode_deterministic(&spec);
    assert_eq!(got.len(), 146);
    let mut want: BTreeMap<String, String> = f4_deterministic()
        .into_iter()
        .filter(|(k, _)| !k.contains("sessions"))
        .collect();
    for (k, v) in [
        ("guestinfo.vice./container/bootstrap_image_path", "<nil>"),
        ("guestinfo.vice./init/common/id", "CreatingVCH"),
        (
            "guestinfo.vice./init/networks|bridge/Common/id",
            "DistributedVirtualPortgroup:dvportgroup-13",
        ),
        ("guestinfo.vice./init/networks|client/Common/id", "<nil>"),
        (
            "guestinfo.vice./init/networks|management/Common/id",
            "<nil>",
        ),
        ("guestinfo.vice./init/networks|public/Common/id", "<nil>"),
        (
            "guestinfo.vice./storage/VolumeLocations|default/Path",
            "volumes/default",
        ),
        ("guestinfo.vice./storage/image_stores|0/Path", "<nil>"),
    ] {
        assert!(want.insert(k.into(), v.into()).is_some(), "{k} is in F4");
    }
    assert_eq!(got, want);
    let decoded: VirtualContainerHostConfigSpec =
        decode_extra_config(got, Secrets::FromOvfEnv).unwrap();
    assert!(is_vch(&decoded, "vm-75"));
    assert!(is_vch(&decoded, "vm-1"), "any VM while creating");
}

// ---- F7 ----

#[test]
fn f7_reads_what_the_appliance_writes_back() {
    let mut values = f4_deterministic();
    for (k, v) in [
        (
            "guestinfo.vice..init.networks|public.assigned.IP",
            "wKgBMg==",
        ),
        (
            "guestinfo.vice..init.networks|public.assigned.Mask",
            "////AA==",
        ),
        (
            "guestinfo.vice..init.networks|client.assigned.IP",
            "wKgBMg==",
        ),
        (
            "guestinfo.vice..init.networks|client.assigned.Mask",
            "////AA==",
        ),
        (
            "guestinfo.vice..init.networks|client.network.assigned.gateway.IP",
            "wKgBAQ==",
        ),
        (
            "guestinfo.vice..init.networks|client.network.assigned.gateway.Mask",
            "////AA==",
        ),
        (
            "guestinfo.vice..init.networks|client.network.assigned.dns",
            "0",
        ),
        (
            "guestinfo.vice..init.networks|client.network.assigned.dns|0",
            "wKgBAQ==",
        ),
        (
            "guestinfo.vice..init.networks|management.assigned.IP",
            "CgAABQ==",
        ),
        ("guestinfo.vice..init.sessions|vicadmin.started", "true"),
        (
            "guestinfo.vice..init.sessions|port-layer.started",
            "port layer failed",
        ),
        (
            "guestinfo.vice..init.sessions|vicadmin.detail.starttime",
            "1700000000",
        ),
    ] {
        values.insert(k.into(), v.into());
    }
    let spec: VirtualContainerHostConfigSpec =
        decode_values(&collect_extra_config(values), Secrets::Ignore).unwrap();
    let client = &spec.executor.networks["client"];
    let addr = |ip: &GoIp| ip.addr().unwrap();
    assert_eq!(
        addr(&client.assigned.ip),
        IpAddr::V4(Ipv4Addr::new(192, 168, 1, 50))
    );
    assert_eq!(client.assigned.mask.prefix_len(), Some(24));
    assert_eq!(
        addr(&client.network.assigned.gateway.ip),
        IpAddr::V4(Ipv4Addr::new(192, 168, 1, 1))
    );
    assert_eq!(
        client.network.assigned.nameservers,
        vec![ip4(192, 168, 1, 1)]
    );
    assert_eq!(
        addr(&spec.executor.networks["management"].assigned.ip),
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5))
    );
    let sessions = &spec.executor.sessions;
    assert_eq!(sessions["vicadmin"].started, "true");
    assert_eq!(sessions["vicadmin"].detail.start_time, 1_700_000_000);
    assert_eq!(sessions["port-layer"].started, "port layer failed");
    assert_eq!(sessions["docker-personality"].started, "");
}

// ---- F8–F14 ----

#[test]
fn f8_static_public_ip() {
    let dns = vec![ip16(8, 8, 8, 8), ip16(8, 8, 4, 4)];
    assert_variant(
        |spec| {
            let nets = &mut spec.executor.networks;
            for role in ["public", "client"] {
                let n = nets.get_mut(role).unwrap();
                n.static_ip = true;
                n.ip = Some(GoIpNet {
                    ip: ip16(10, 10, 0, 20),
                    mask: mask(24),
                });
                n.network.gateway = GoIpNet {
                    ip: ip16(10, 10, 0, 1),
                    mask: mask(24),
                };
            }
            for role in ["public", "client", "management"] {
                nets.get_mut(role).unwrap().network.nameservers = dns.clone();
            }
        },
        &[
            (
                "guestinfo.vice./init/networks|public/ip/IP",
                "AAAAAAAAAAAAAP//CgoAFA==",
            ),
            ("guestinfo.vice./init/networks|public/ip/Mask", "////AA=="),
            (
                "guestinfo.vice./init/networks|public/network/gateway/IP",
                "AAAAAAAAAAAAAP//CgoAAQ==",
            ),
            (
                "guestinfo.vice./init/networks|public/network/gateway/Mask",
                "////AA==",
            ),
            ("guestinfo.vice./init/networks|public/static", "true"),
            (
                "guestinfo.vice./init/networks|client/ip/IP",
                "AAAAAAAAAAAAAP//CgoAFA==",
            ),
            ("guestinfo.vice./init/networks|client/ip/Mask", "////AA=="),
            (
                "guestinfo.vice./init/networks|client/network/gateway/IP",
                "AAAAAAAAAAAAAP//CgoAAQ==",
            ),
            (
                "guestinfo.vice./init/networks|client/network/gateway/Mask",
                "////AA==",
            ),
            ("guestinfo.vice./init/networks|client/static", "true"),
            ("guestinfo.vice./init/networks|public/network/dns", "1"),
            (
                "guestinfo.vice./init/networks|public/network/dns|0",
                "AAAAAAAAAAAAAP//CAgICA==",
            ),
            (
                "guestinfo.vice./init/networks|public/network/dns|1",
                "AAAAAAAAAAAAAP//CAgEBA==",
            ),
            ("guestinfo.vice./init/networks|client/network/dns", "1"),
            (
                "guestinfo.vice./init/networks|client/network/dns|0",
                "AAAAAAAAAAAAAP//CAgICA==",
            ),
            (
                "guestinfo.vice./init/networks|client/network/dns|1",
                "AAAAAAAAAAAAAP//CAgEBA==",
            ),
            ("guestinfo.vice./init/networks|management/network/dns", "1"),
            (
                "guestinfo.vice./init/networks|management/network/dns|0",
                "AAAAAAAAAAAAAP//CAgICA==",
            ),
            (
                "guestinfo.vice./init/networks|management/network/dns|1",
                "AAAAAAAAAAAAAP//CAgEBA==",
            ),
        ],
        &[],
    );
}

#[test]
fn f9_debug_and_syslog() {
    let mut flags = F4_COMMAND_LINE.to_vec();
    flags.push(("debug", "3"));
    flags.push(("syslog-address", "udp://syslog.example.com"));
    let options = record_create_options(&flags);
    let joined = options.join("|");
    assert_variant(
        |spec| {
            spec.executor.diagnostics.debug_level = 3;
            spec.executor.diagnostics.syslog = Some(SysLogConfig {
                network: "udp".into(),
                raddr: "syslog.example.com:514".into(),
            });
            spec.vic_machine_create_options = options.clone();
        },
        &[
            ("guestinfo.vice./init/diagnostics/debug", "3"),
            ("guestinfo.vice./init/diagnostics/syslog/Network", "udp"),
            (
                "guestinfo.vice./init/diagnostics/syslog/RAddr",
                "syslog.example.com:514",
            ),
            ("guestinfo.vice./vic_machine_create_options", "19"),
            ("guestinfo.vice./vic_machine_create_options~", &joined),
        ],
        &[],
    );
    // Definition order puts syslog-address before debug, at the end.
    assert!(
        joined
            .ends_with("|--no-tlsverify=true|--syslog-address=udp://syslog.example.com|--debug=3")
    );
}

#[test]
fn f10_registries_and_cas() {
    assert_variant(
        |spec| {
            spec.registry.insecure_registries = strings(&["insecure.example.com:5000"]);
            spec.registry.whitelist_registries =
                strings(&["harbor.example.com", "insecure.example.com:5000"]);
            spec.certificate.certificate_authorities = Bytes(b"CA PEM".to_vec());
            spec.certificate.registry_certificate_authorities = Bytes(b"REG PEM".to_vec());
        },
        &[
            ("guestinfo.vice./registry/insecure_registries", "0"),
            (
                "guestinfo.vice./registry/insecure_registries~",
                "insecure.example.com:5000",
            ),
            ("guestinfo.vice./registry/whitelist_registries", "1"),
            (
                "guestinfo.vice./registry/whitelist_registries~",
                "harbor.example.com|insecure.example.com:5000",
            ),
            ("guestinfo.vice./cert/CertificateAuthorities", "Q0EgUEVN"),
            (
                "guestinfo.vice./cert/RegistryCertificateAuthorities",
                "UkVHIFBFTQ==",
            ),
        ],
        &[],
    );
}

#[test]
fn f11_nfs_volume_store() {
    assert_variant(
        |spec| {
            spec.storage.volume_locations.insert(
                "shared".into(),
                GoUrl {
                    scheme: "nfs".into(),
                    host: "nfs.example.com".into(),
                    path: "/exports/vol".into(),
                    raw_query: "uid=1000&gid=1000".into(),
                    ..GoUrl::default()
                },
            );
        },
        &[
            ("guestinfo.vice./storage/VolumeLocations", "default|shared"),
            (
                "guestinfo.vice./storage/VolumeLocations|shared/Scheme",
                "nfs",
            ),
            (
                "guestinfo.vice./storage/VolumeLocations|shared/Host",
                "nfs.example.com",
            ),
            (
                "guestinfo.vice./storage/VolumeLocations|shared/Path",
                "/exports/vol",
            ),
            (
                "guestinfo.vice./storage/VolumeLocations|shared/RawQuery",
                "uid=1000&gid=1000",
            ),
            (
                "guestinfo.vice./storage/VolumeLocations|shared/Opaque",
                "<nil>",
            ),
            (
                "guestinfo.vice./storage/VolumeLocations|shared/RawPath",
                "<nil>",
            ),
            (
                "guestinfo.vice./storage/VolumeLocations|shared/Fragment",
                "<nil>",
            ),
            (
                "guestinfo.vice./storage/VolumeLocations|shared/ForceQuery",
                "false",
            ),
        ],
        &[],
    );
}

#[test]
fn f12_limits_and_flags() {
    assert_variant(
        |spec| {
            spec.storage.storage_quota = 100 << 30;
            spec.container.max_concurrent_containers = 50;
            spec.container.use_vm_group = true;
            spec.container.vm_group_name = "vch1".into();
            spec.container.container_name_convention = "vch1-{name}".into();
            spec.grant_perms_level = "ADD".into();
            spec.executor.asymmetric_routing = true;
        },
        &[
            ("guestinfo.vice./storage/storage_quota", "107374182400"),
            ("guestinfo.vice./container/container_count", "50"),
            ("guestinfo.vice./container/UseVMGroup", "true"),
            ("guestinfo.vice./container/VMGroupName", "vch1"),
            (
                "guestinfo.vice./container/ContainerNameConvention",
                "vch1-{name}",
            ),
            ("guestinfo.vice./grant_permissions", "ADD"),
            ("guestinfo.vice./init/asymrouting", "true"),
        ],
        &[],
    );
}

#[test]
fn f13_no_tls() {
    assert_variant(
        |spec| {
            spec.certificate.host_certificate = None;
            let docker = spec
                .executor
                .sessions
                .get_mut("docker-personality")
                .unwrap();
            docker.cmd.args[1] = "-port=2375".into();
        },
        &[(
            "guestinfo.vice./init/sessions|docker-personality/cmd/Args~",
            "/sbin/docker-engine-server|-port=2375|-port-layer-port=2377",
        )],
        &[
            "guestinfo.vice./cert/HostCertificate/Cert",
            "guestinfo.vice./cert/HostCertificate/Key@secret",
        ],
    );
}

#[test]
fn f14_proxies() {
    assert_variant(
        |spec| {
            let sessions = &mut spec.executor.sessions;
            sessions
                .get_mut("vicadmin")
                .unwrap()
                .cmd
                .env
                .extend(strings(&[
                    "VICADMIN_HTTP_PROXY=http://proxy:3128",
                    "VICADMIN_HTTPS_PROXY=http://proxy:3128",
                    "NO_PROXY=localhost",
                ]));
            sessions
                .get_mut("docker-personality")
                .unwrap()
                .cmd
                .env
                .extend(strings(&[
                    "HTTP_PROXY=http://proxy:3128",
                    "HTTPS_PROXY=http://proxy:3128",
                    "NO_PROXY=localhost",
                ]));
        },
        &[
            (
                "guestinfo.vice./init/sessions|vicadmin/cmd/Env~",
                "PATH=/sbin:/bin|GOTRACEBACK=all|VICADMIN_HTTP_PROXY=http://proxy:3128|VICADMIN_HTTPS_PROXY=http://proxy:3128|NO_PROXY=localhost",
            ),
            ("guestinfo.vice./init/sessions|vicadmin/cmd/Env", "4"),
            (
                "guestinfo.vice./init/sessions|docker-personality/cmd/Env~",
                "PATH=/sbin|GOTRACEBACK=all|HTTP_PROXY=http://proxy:3128|HTTPS_PROXY=http://proxy:3128|NO_PROXY=localhost",
            ),
            (
                "guestinfo.vice./init/sessions|docker-personality/cmd/Env",
                "4",
            ),
        ],
        &[],
    );
}

// ---- §4: recognition, ls, create options ----

#[test]
fn recognition_by_own_moref() {
    let spec: VirtualContainerHostConfigSpec =
        decode_extra_config(f4_deterministic(), Secrets::Ignore).unwrap();
    assert!(is_vch(&spec, "vm-75"));
    assert!(
        !is_vch(&spec, "vm-76"),
        "a clone carries another VM's moref"
    );
    let empty = VirtualContainerHostConfigSpec::default();
    assert!(!is_vch(&empty, "vm-75"));
    // A container VM uses unprefixed keys and is not a VCH.
    let container_vm: VirtualContainerHostConfigSpec = decode_extra_config(
        [("guestinfo.vice./common/id", "VirtualMachine:vm-9")],
        Secrets::Ignore,
    )
    .unwrap();
    assert!(!is_vch(&container_vm, "vm-9"));
}

#[test]
fn ls_version_and_upgrade_status() {
    let spec: VirtualContainerHostConfigSpec =
        decode_extra_config(f4_deterministic(), Secrets::Ignore).unwrap();
    assert_eq!(version_column(&spec), "v1.5.8-12345-2c978fe");
    assert_eq!(
        version_column(&VirtualContainerHostConfigSpec::default()),
        "unknown"
    );
    let vch_build = spec.executor.version.clone().unwrap();
    let installer = |n: &str| Build {
        build_number: n.into(),
        ..vch_build.clone()
    };
    assert_eq!(
        upgrade_status(&installer("12345"), Some(&vch_build), None).to_string(),
        "Up to date"
    );
    assert_eq!(
        upgrade_status(&installer("12346"), Some(&vch_build), None).to_string(),
        "Upgradeable to v1.5.8-12346-2c978fe"
    );
    assert_eq!(
        upgrade_status(&installer("12000"), Some(&vch_build), None),
        UpgradeStatus::VchNewer
    );
    let mut values = collect_extra_config(f4_deterministic());
    values.insert(UPDATE_IN_PROGRESS_KEY.into(), "true".into());
    assert_eq!(
        upgrade_status(
            &installer("12346"),
            Some(&vch_build),
            update_in_progress(&values)
        )
        .to_string(),
        "Upgrade in progress"
    );
    assert!(matches!(
        upgrade_status(&installer("dev"), Some(&vch_build), None),
        UpgradeStatus::Unknown(_)
    ));
}

#[test]
fn create_options_in_definition_order_without_credentials() {
    let got = record_create_options(F4_COMMAND_LINE);
    let raw: BTreeMap<String, String> = f4_raw().into_iter().collect();
    assert_eq!(
        got.join("|"),
        raw["guestinfo.vice./vic_machine_create_options~"]
    );
    let parsed = parse_create_options(&got);
    assert_eq!(
        parsed[0],
        ("target".into(), "https://vc.example.com/DC0".into())
    );
    assert!(
        parsed
            .iter()
            .all(|(name, _)| name != "password" && name != "user")
    );
    assert_eq!(
        parsed
            .iter()
            .find(|(n, _)| n == "public-network")
            .map(|(_, v)| v.as_str()),
        Some("VM Network")
    );
}

// ---- VchConfig → tree (and back), from the §6 command line ----

const F4_COMMAND: &str = "vic-machine-linux create --target https://vc.example.com/DC0 --user administrator@vsphere.local --password 'Admin!23' --thumbprint 9F:F0:DF:BA:7F:E2:89:F0:98:E4:A6:D1:58:24:68:74:8A:9B:25:6F --name vch1 --compute-resource DC0_C0 --image-store LocalDS_0 --volume-store LocalDS_0/volumes/default:default --bridge-network DC0_DVPG0 --bridge-network-range 172.16.0.0/12 --public-network 'VM Network' --management-network DC0_DVPG1 --management-network-ip 10.0.0.5/24 --management-network-gateway 10.1.0.0/16:10.0.0.1 --container-network DC0_DVPG2:con-nw --container-network-gateway DC0_DVPG2:192.168.100.1/16 --container-network-ip-range DC0_DVPG2:192.168.100.2-192.168.100.100 --container-network-dns DC0_DVPG2:192.168.100.1 --container-network-firewall DC0_DVPG2:published --no-tlsverify";

fn f4_facts(phase: Phase) -> DeploymentFacts {
    DeploymentFacts {
        phase,
        vm_moref: "vm-75".into(),
        installer: f4_tree().executor.version.unwrap(),
        thumbprint: "9F:F0:DF:BA:7F:E2:89:F0:98:E4:A6:D1:58:24:68:74:8A:9B:25:6F".into(),
        datacenter_name: "DC0".into(),
        cluster_path: "/DC0/host/DC0_C0".into(),
        parent_pool_path: "/DC0/host/DC0_C0/Resources".into(),
        vch_pool: MoRef::new("ResourcePool", "resgroup-72"),
        vm_folder: "vch1".into(),
        bootstrap_iso_version: "V1.5.8-12345-2C978FE".into(),
        port_groups: BTreeMap::from([
            ("VM Network".into(), MoRef::new("Network", "network-7")),
            (
                "DC0_DVPG0".into(),
                MoRef::new("DistributedVirtualPortgroup", "dvportgroup-13"),
            ),
            (
                "DC0_DVPG1".into(),
                MoRef::new("DistributedVirtualPortgroup", "dvportgroup-15"),
            ),
            (
                "DC0_DVPG2".into(),
                MoRef::new("DistributedVirtualPortgroup", "dvportgroup-17"),
            ),
        ]),
        server_certificate: Some(CertificatePair {
            cert_pem: CERT_PEM.into(),
            key_pem: KEY_PEM.into(),
        }),
        client_ca_pem: String::new(),
        create_bridge_network: false,
        create_options: record_create_options(F4_COMMAND_LINE),
    }
}

fn f4_config() -> VchConfig {
    let parsed = parse_command_line(F4_COMMAND).expect("the spec's command line parses");
    parsed.config
}

#[test]
fn vch_config_maps_to_the_f4_tree() {
    let spec = build_appliance_config(&f4_config(), &f4_facts(Phase::Final)).unwrap();
    assert_eq!(encode_deterministic(&spec), f4_deterministic());
    assert_eq!(spec, f4_tree());
    assert_eq!(
        nic_slots(&spec),
        BTreeMap::from([
            (
                "DistributedVirtualPortgroup:dvportgroup-13".to_string(),
                1184
            ),
            (
                "DistributedVirtualPortgroup:dvportgroup-15".to_string(),
                1248
            ),
            ("Network:network-7".to_string(), 1216),
        ])
    );
}

#[test]
fn vch_config_maps_to_the_f5_create_vm_spec() {
    let spec = build_appliance_config(&f4_config(), &f4_facts(Phase::CreateVm)).unwrap();
    let got = encode_deterministic(&spec);
    assert_eq!(got.len(), 146);
    assert_eq!(got["guestinfo.vice./init/common/id"], "CreatingVCH");
    assert_eq!(
        got["guestinfo.vice./init/networks|bridge/Common/id"],
        "DistributedVirtualPortgroup:dvportgroup-13"
    );
    assert_eq!(
        got["guestinfo.vice./init/networks|client/Common/id"],
        "<nil>"
    );
    assert_eq!(
        got["guestinfo.vice./storage/VolumeLocations|default/Path"],
        "volumes/default"
    );
    assert_eq!(got["guestinfo.vice./storage/image_stores|0/Path"], "<nil>");
    assert_eq!(
        got["guestinfo.vice./container/bootstrap_image_path"],
        "<nil>"
    );
}

#[test]
fn unknown_port_group_is_an_error() {
    let mut facts = f4_facts(Phase::Final);
    facts.port_groups.remove("DC0_DVPG2");
    assert_eq!(
        build_appliance_config(&f4_config(), &facts),
        Err(MappingError::UnknownPortGroup("DC0_DVPG2".into()))
    );
}

#[test]
fn tree_maps_back_to_the_user_config() {
    let names: BTreeMap<String, String> = f4_facts(Phase::Final)
        .port_groups
        .into_iter()
        .map(|(name, moref)| (moref.to_type_value(), name))
        .collect();
    let back = to_vch_config(&f4_tree(), &names);
    let original = f4_config();
    assert_eq!(back.general.name, original.general.name);
    assert_eq!(back.target.thumbprint, original.target.thumbprint);
    assert_eq!(back.target.datacenter.as_deref(), Some("DC0"));
    assert_eq!(back.storage.volume_stores, original.storage.volume_stores);
    assert_eq!(back.network.management, original.network.management);
    assert_eq!(
        back.network.bridge.port_group,
        original.network.bridge.port_group
    );
    assert_eq!(
        back.network.bridge.ip_range.as_deref(),
        Some("172.16.0.0/12")
    );
    assert_eq!(
        back.network.public.port_group.as_deref(),
        Some("VM Network")
    );
    assert_eq!(
        back.network.container_networks,
        original.network.container_networks
    );
    assert!(back.security.no_tlsverify && !back.security.no_tls);
    // And the round trip through the mapping gives the same tree again.
    let mut again_config = back;
    again_config.target.user = Some("administrator@vsphere.local".into());
    again_config.storage.base_image_size = original.storage.base_image_size.clone();
    let mut again = build_appliance_config(&again_config, &f4_facts(Phase::Final)).unwrap();
    again.connection.token = "Admin!23".into();
    assert_eq!(again, f4_tree());
}
