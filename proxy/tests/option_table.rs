//! Every `vic-machine create` option, walked: the extraConfig keys it changes (computed here, by
//! building the appliance configuration with and without it through the same code a create
//! uses), or the vSphere object it sets, or the finding that refuses it, on each path. The table
//! must have a row for every option in `shared::vic_machine::options::OPTIONS`: a new option
//! without a row fails `every_option_has_a_row`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use proxy::deploy::certs;
use shared::VchConfig;
use shared::extraconfig::{
    Build, CertificatePair, DeploymentFacts, MoRef, Phase, build_appliance_config, encode_plain,
};
use shared::vic_machine::OPTIONS;

/// What an option does to a deployed VCH.
#[derive(Debug)]
enum Effect {
    /// These extraConfig keys (below `guestinfo.vice./`, prefixes) change, and only keys of
    /// the listed families.
    Keys(&'static [&'static str]),
    /// Keys, plus a vSphere object the create sets (checked by the named test).
    KeysAnd(&'static [&'static str], &'static str),
    /// A vSphere object outside extraConfig (proved by the named read-back test).
    Object(&'static str),
    /// How `vch` itself runs (connection, waiting, help); nothing on the VCH depends on it.
    Run(&'static str),
}

/// Paths that refuse an option, with the finding code and why.
#[derive(Debug)]
struct Refusal {
    path: &'static str,
    code: &'static str,
    why: &'static str,
}

struct Row {
    long: &'static str,
    /// Other options the row needs in both the base and the variant.
    needs: &'static [&'static str],
    /// The option as typed.
    args: &'static [&'static str],
    effect: Effect,
    refused: &'static [Refusal],
}

const API_ISO: Refusal = Refusal {
    path: "API create",
    code: "G30",
    why: "a path would name a file on the server; the server deploys the ISOs it was started with (the same file is accepted)",
};
const CONFIGURE_ISO: Refusal = Refusal {
    path: "configure",
    code: "CF2",
    why: "changing the ISOs is an upgrade",
};
const CONFIGURE_CERTS: Refusal = Refusal {
    path: "configure",
    code: "CF1",
    why: "keys are generated only when --tls-cname/--organization regenerate the certificates",
};
const CONFIGURE_FIXED: Refusal = Refusal {
    path: "configure",
    code: "merge",
    why: "the VCH's identity, placement, bridge or image store cannot change (an error before anything changes)",
};

macro_rules! row {
    ($long:literal, needs $needs:expr, $args:expr, $effect:expr) => {
        Row {
            long: $long,
            needs: &$needs,
            args: &$args,
            effect: $effect,
            refused: &[],
        }
    };
    ($long:literal, $args:expr, $effect:expr, refused $refused:expr) => {
        Row {
            long: $long,
            needs: &[],
            args: &$args,
            effect: $effect,
            refused: &$refused,
        }
    };
    ($long:literal, $args:expr, $effect:expr) => {
        Row {
            long: $long,
            needs: &[],
            args: &$args,
            effect: $effect,
            refused: &[],
        }
    };
}

use Effect::{Keys, KeysAnd, Object, Run};

fn rows() -> Vec<Row> {
    vec![
        row!(
            "target",
            ["--target", "https://other.example.com/DC0"],
            Keys(&["connect/target", "init/sessions|port-layer/cmd/Env"])
        ),
        row!("user", ["--user", "someone"], Keys(&["connect/username"])),
        row!(
            "password",
            ["--password", "other"],
            Keys(&["connect/token"])
        ),
        row!(
            "thumbprint",
            ["--thumbprint", "AA:BB"],
            Object(
                "connect/target_thumbprint holds the certificate the session verified (deploy_certificates.rs)"
            )
        ),
        row!(
            "compute-resource",
            ["--compute-resource", "C1"],
            Object("the parent of the VCH's resource pool (deploy_create.rs)"),
            refused[CONFIGURE_FIXED]
        ),
        row!(
            "name",
            ["--name", "other"],
            Keys(&[
                "init/common/name",
                "cert/HostCertificate",
                "container/bootstrap_image_path",
                "storage/image_stores"
            ]),
            refused[CONFIGURE_FIXED]
        ),
        row!("ops-user", needs ["--ops-password", "x"], ["--ops-user", "ops"], Keys(&["connect/username"])),
        row!("ops-password", needs ["--ops-user", "ops"], ["--ops-password", "secret"], Keys(&["connect/token"])),
        Row {
            long: "ops-grant-perms",
            needs: &["--ops-user", "ops", "--ops-password", "x"],
            args: &["--ops-grant-perms"],
            effect: KeysAnd(
                &["grant_permissions"],
                "roles and permissions (deploy_opsuser.rs; configure: deploy_configure_scope.rs)",
            ),
            refused: &[],
        },
        row!(
            "affinity-vm-group",
            ["--affinity-vm-group"],
            KeysAnd(
                &["container/UseVMGroup", "container/VMGroupName"],
                "DRS VM group (deploy_create.rs; configure adds it too)"
            )
        ),
        row!(
            "force",
            ["--force"],
            Run("accepts an ISO of another version; skips certificate checks of the target")
        ),
        row!(
            "timeout",
            ["--timeout", "10m"],
            Run("how long create waits for the appliance")
        ),
        row!(
            "bridge-network",
            ["--bridge-network", "pg2"],
            Keys(&["init/networks|bridge", "network/container_networks|bridge"]),
            refused[CONFIGURE_FIXED]
        ),
        row!(
            "bridge-network-range",
            ["--bridge-network-range", "172.20.0.0/16"],
            Keys(&["network/bridge-ip-range"]),
            refused[CONFIGURE_FIXED]
        ),
        row!(
            "bridge-network-width",
            ["--bridge-network-width", "24"],
            Keys(&["network/bridge-net-width"]),
            refused[CONFIGURE_FIXED]
        ),
        row!(
            "public-network",
            ["--public-network", "pg3"],
            Keys(&["init/networks|"])
        ),
        row!("public-network-ip", needs ["--public-network-gateway", "10.0.1.1"], ["--public-network-ip", "10.0.1.10/24"], Keys(&["init/networks|"])),
        row!("public-network-gateway", needs ["--public-network-ip", "10.0.1.10/24"], ["--public-network-gateway", "10.0.1.2"], Keys(&["init/networks|"])),
        row!(
            "client-network",
            ["--client-network", "pg3"],
            Keys(&["init/networks|"])
        ),
        row!("client-network-ip", needs ["--client-network", "pg3", "--client-network-gateway", "10.0.2.1"], ["--client-network-ip", "10.0.2.10/24"], Keys(&["init/networks|client"])),
        row!("client-network-gateway", needs ["--client-network", "pg3", "--client-network-ip", "10.0.2.10/24"], ["--client-network-gateway", "10.0.0.0/16:10.0.2.2"], Keys(&["init/networks|client"])),
        row!(
            "management-network",
            ["--management-network", "pg3"],
            Keys(&["init/networks|management"])
        ),
        row!("management-network-ip", needs ["--management-network", "pg3", "--management-network-gateway", "10.0.3.1"], ["--management-network-ip", "10.0.3.10/24"], Keys(&["init/networks|management"])),
        row!("management-network-gateway", needs ["--management-network", "pg3", "--management-network-ip", "10.0.3.10/24"], ["--management-network-gateway", "10.0.0.0/16:10.0.3.2"], Keys(&["init/networks|management"])),
        row!(
            "dns-server",
            ["--dns-server", "10.0.0.2"],
            Keys(&["init/networks|"])
        ),
        row!(
            "container-network",
            ["--container-network", "pg4:net1"],
            Keys(&[
                "network/container_networks",
                "guestinfo.vice..network.container_networks|net1"
            ])
        ),
        row!("container-network-gateway", needs ["--container-network", "pg4:net1"], ["--container-network-gateway", "pg4:192.168.4.1/24"], Keys(&["network/container_networks|net1"])),
        row!("container-network-ip-range", needs ["--container-network", "pg4:net1", "--container-network-gateway", "pg4:192.168.4.1/24"], ["--container-network-ip-range", "pg4:192.168.4.10-192.168.4.100"], Keys(&["network/container_networks|net1"])),
        row!("container-network-dns", needs ["--container-network", "pg4:net1"], ["--container-network-dns", "pg4:10.0.0.3"], Keys(&["network/container_networks|net1"])),
        row!("container-network-firewall", needs ["--container-network", "pg4:net1"], ["--container-network-firewall", "pg4:open"], Keys(&["network/container_networks|net1"])),
        row!(
            "asymmetric-routes",
            ["--asymmetric-routes"],
            Keys(&["init/asymrouting"])
        ),
        row!(
            "https-proxy",
            ["--https-proxy", "https://proxy.example.com:3128"],
            Keys(&[
                "init/sessions|docker-personality",
                "init/sessions|vicadmin/cmd/Env"
            ])
        ),
        row!(
            "http-proxy",
            ["--http-proxy", "http://proxy.example.com:3128"],
            Keys(&[
                "init/sessions|docker-personality",
                "init/sessions|vicadmin/cmd/Env"
            ])
        ),
        row!("no-proxy", needs ["--http-proxy", "http://proxy.example.com:3128"], ["--no-proxy", "localhost,.example.com"], Keys(&["init/sessions|docker-personality", "init/sessions|vicadmin/cmd/Env"])),
        row!(
            "image-store",
            ["--image-store", "ds2"],
            Keys(&[
                "storage/image_stores",
                "container/bootstrap_image_path",
                "init/sessions|port-layer/cmd/Env"
            ]),
            refused[CONFIGURE_FIXED]
        ),
        row!(
            "volume-store",
            ["--volume-store", "ds1/vols:default"],
            KeysAnd(
                &["storage/VolumeLocations"],
                "the volume directory (deploy_create.rs)"
            )
        ),
        row!(
            "base-image-size",
            ["--base-image-size", "4GB"],
            Keys(&["storage/scratch_size"])
        ),
        row!(
            "storage-quota",
            ["--storage-quota", "20"],
            Keys(&["storage/storage_quota"])
        ),
        row!(
            "cpu",
            ["--cpu", "2000"],
            Object("the VCH resource pool's CPU limit (deploy_create.rs)")
        ),
        row!(
            "cpu-reservation",
            ["--cpu-reservation", "500"],
            Object("the VCH resource pool's CPU reservation (deploy_create.rs)")
        ),
        row!(
            "cpu-shares",
            ["--cpu-shares", "high"],
            Object("the VCH resource pool's CPU shares (deploy_create.rs)")
        ),
        row!(
            "memory",
            ["--memory", "4096"],
            Object("the VCH resource pool's memory limit (deploy_create.rs)")
        ),
        row!(
            "memory-reservation",
            ["--memory-reservation", "1024"],
            Object("the VCH resource pool's memory reservation (deploy_create.rs)")
        ),
        row!(
            "memory-shares",
            ["--memory-shares", "low"],
            Object("the VCH resource pool's memory shares (deploy_create.rs)")
        ),
        row!(
            "endpoint-cpu",
            ["--endpoint-cpu", "2"],
            Object("the appliance VM's vCPUs (deploy_create.rs)")
        ),
        row!(
            "endpoint-memory",
            ["--endpoint-memory", "4096"],
            Object("the appliance VM's memory (deploy_create.rs)")
        ),
        row!(
            "containers",
            ["--containers", "10"],
            Keys(&["container/container_count"])
        ),
        row!(
            "no-tls",
            ["--no-tls"],
            Keys(&[
                "cert/HostCertificate",
                "cert/CertificateAuthorities",
                "init/sessions|docker-personality"
            ])
        ),
        row!(
            "no-tlsverify",
            ["--no-tlsverify"],
            Keys(&["cert/CertificateAuthorities"])
        ),
        row!(
            "tls-cname",
            ["--tls-cname", "vch.example.com"],
            Keys(&["cert/HostCertificate"])
        ),
        row!(
            "tls-ca",
            ["--tls-ca", "ca.pem"],
            Keys(&["cert/CertificateAuthorities"])
        ),
        row!(
            "organization",
            ["--organization", "Acme"],
            Keys(&["cert/HostCertificate"])
        ),
        Row {
            long: "certificate-key-size",
            needs: &[],
            args: &["--certificate-key-size", "4096"],
            effect: Object(
                "generated keys are P-256, as strong as RSA-3072: sizes up to 3072 are met, larger ones refused by the create",
            ),
            refused: &[
                Refusal {
                    path: "create (CLI, API, plugin)",
                    code: "certs",
                    why: "more than 3072 bits cannot be met by P-256 keys",
                },
                CONFIGURE_CERTS,
            ],
        },
        row!("tls-server-key", needs ["--tls-server-cert", "server.pem"], ["--tls-server-key", "server-key.pem"], Keys(&["cert/HostCertificate"])),
        row!("tls-server-cert", needs ["--tls-server-key", "server-key.pem"], ["--tls-server-cert", "server.pem"], Keys(&["cert/HostCertificate"])),
        row!(
            "tls-cert-path",
            ["--tls-cert-path", "/nonexistent/certs"],
            Run(
                "CLI edge: its server-cert.pem, server-key.pem and ca.pem are read as the options above (cli::pem_files); client certificates are written there"
            )
        ),
        row!(
            "registry-ca",
            ["--registry-ca", "registry.pem"],
            Keys(&["cert/RegistryCertificateAuthorities"])
        ),
        row!(
            "insecure-registry",
            ["--insecure-registry", "registry.example.com"],
            Keys(&["registry/insecure_registries"])
        ),
        row!(
            "whitelist-registry",
            ["--whitelist-registry", "registry.example.com"],
            Keys(&["registry/whitelist_registries"])
        ),
        row!(
            "container-name-convention",
            ["--container-name-convention", "c-{name}"],
            Keys(&["container/ContainerNameConvention"])
        ),
        row!(
            "syslog-address",
            ["--syslog-address", "udp://10.0.0.5:514"],
            Keys(&["init/diagnostics/syslog"])
        ),
        row!("debug", ["--debug", "3"], Keys(&["init/diagnostics/debug"])),
        row!("appliance-iso", ["--appliance-iso", "a.iso"], Object("the ISO uploaded and booted (deploy_create.rs)"), refused [API_ISO, CONFIGURE_ISO]),
        row!("bootstrap-iso", ["--bootstrap-iso", "b.iso"], Object("the ISO uploaded for container VMs (deploy_create.rs)"), refused [API_ISO, CONFIGURE_ISO]),
        row!("extended-help", ["--extended-help"], Run("help only")),
    ]
}

const BASE: &[&str] = &[
    "--target",
    "https://vc.example.com/DC0",
    "--user",
    "admin",
    "--password",
    "pw",
    "--name",
    "vch1",
    "--compute-resource",
    "C0",
    "--image-store",
    "ds1",
    "--bridge-network",
    "pg1",
    "--public-network",
    "pg0",
];

/// PEM contents for the file options, as the edge would have read them.
struct Files {
    ca: String,
    registry: String,
    server: CertificatePair,
}

fn files() -> Files {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = params.self_signed(&ca_key).unwrap().pem();
    let registry = params.self_signed(&ca_key).unwrap().pem();
    let key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["vch.example.com".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Files {
        ca,
        registry,
        server: CertificatePair {
            cert_pem: server.pem(),
            key_pem: key.serialize_pem(),
        },
    }
}

fn parse(words: &[&str], files: &Files) -> VchConfig {
    let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    let mut config = shared::vic_machine::parse_args(&words).unwrap().config;
    let s = &mut config.security;
    for ca in &mut s.tls_ca {
        ca.pem = Some(files.ca.clone());
    }
    if let Some(cert) = s.tls_server_cert.as_mut() {
        cert.pem = Some(files.server.cert_pem.clone());
    }
    if let Some(key) = s.tls_server_key.as_mut() {
        key.pem = Some(files.server.key_pem.clone());
    }
    for ca in &mut config.registry.registry_ca {
        ca.pem = Some(files.registry.clone());
    }
    config
}

/// What a generated certificate says about itself (its subject and names), so that two runs of
/// the random generation compare equal unless an option changed what is generated.
fn describe(pem: &str) -> String {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    let cert = block.parse_x509().unwrap();
    let names = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|s| format!("{:?}", s.value.general_names))
        .unwrap_or_default();
    format!("{} {names}", cert.subject())
}

/// The extraConfig a create would write for `config` (final phase), through `certs::prepare` and
/// `build_appliance_config`, with generated material replaced by its description.
fn extra_config(config: &VchConfig) -> Result<BTreeMap<String, String>, String> {
    let resolved = config.resolved();
    let name = resolved.general.name.clone().unwrap_or_default();
    let ips: Vec<IpAddr> = Vec::new();
    let tls = certs::prepare(&resolved, &name, &ips).map_err(|e| e.to_string())?;
    let given_server = resolved
        .security
        .tls_server_cert
        .as_ref()
        .is_some_and(|c| c.pem.is_some());
    let server = tls.server.map(|pair| {
        if given_server {
            pair
        } else {
            CertificatePair {
                cert_pem: describe(&pair.cert_pem),
                key_pem: "generated".into(),
            }
        }
    });
    let client_ca = if tls.ca_cert_pem.is_some() {
        "generated".to_owned()
    } else {
        tls.client_ca_pem.clone()
    };
    let port_groups = ["pg0", "pg1", "pg2", "pg3", "pg4"]
        .iter()
        .enumerate()
        .map(|(i, pg)| {
            (
                pg.to_string(),
                MoRef::new("Network", format!("network-{i}")),
            )
        })
        .collect();
    let facts = DeploymentFacts {
        phase: Phase::Final,
        vm_moref: "vm-1".into(),
        installer: Build::default(),
        thumbprint: "AA:BB".into(),
        datacenter_name: "DC0".into(),
        cluster_path: "/DC0/host/C0".into(),
        parent_pool_path: "/DC0/host/C0/Resources".into(),
        vch_pool: MoRef::new("ResourcePool", "resgroup-1"),
        vm_folder: name,
        bootstrap_iso_version: "V1.5.8".into(),
        port_groups,
        server_certificate: server,
        client_ca_pem: client_ca,
        create_bridge_network: false,
        // Every option would show here; the table is about what the appliance acts on.
        create_options: Vec::new(),
    };
    let tree = build_appliance_config(config, &facts).map_err(|e| e.to_string())?;
    Ok(encode_plain(&tree)
        .into_iter()
        .map(|(k, v)| (k.trim_start_matches("guestinfo.vice./").to_owned(), v))
        .collect())
}

fn changed(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> BTreeSet<String> {
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

#[test]
fn every_option_has_a_row() {
    let rows = rows();
    let known: BTreeSet<&str> = rows.iter().map(|r| r.long).collect();
    let missing: Vec<&str> = OPTIONS
        .iter()
        .map(|o| o.long)
        .filter(|l| !known.contains(l))
        .collect();
    assert!(missing.is_empty(), "options without a row: {missing:?}");
    let options: BTreeSet<&str> = OPTIONS.iter().map(|o| o.long).collect();
    let stale: Vec<&str> = known.difference(&options).copied().collect();
    assert!(stale.is_empty(), "rows for no option: {stale:?}");
    assert_eq!(rows.len(), OPTIONS.len(), "one row per option");
    println!("TABLE rows={}", rows.len());
    for row in &rows {
        let effect = match &row.effect {
            Keys(keys) => format!("extraConfig {keys:?}"),
            KeysAnd(keys, object) => format!("extraConfig {keys:?} and {object}"),
            Object(object) => format!("vSphere: {object}"),
            Run(what) => format!("vch itself: {what}"),
        };
        println!("ROW --{}: {effect}", row.long);
        for r in row.refused {
            println!(
                "REFUSED --{} on {} ({}): {}",
                row.long, r.path, r.code, r.why
            );
        }
    }
}

#[test]
fn every_row_does_what_it_says() {
    let files = files();
    let mut failures = Vec::new();
    for row in rows() {
        let base_words: Vec<&str> = BASE.iter().chain(row.needs).copied().collect();
        let variant_words: Vec<&str> = base_words.iter().chain(row.args).copied().collect();
        let base = parse(&base_words, &files);
        let variant = parse(&variant_words, &files);
        // The option is taken by the parser: the configuration differs (help changes nothing).
        if base == variant && !matches!(row.effect, Run(_)) {
            failures.push(format!(
                "--{}: the parsed configuration did not change",
                row.long
            ));
            continue;
        }
        let before = extra_config(&base).expect("the base configuration builds");
        let after = extra_config(&variant);
        let expected_keys: &[&str] = match &row.effect {
            Effect::Keys(keys) | Effect::KeysAnd(keys, _) => keys,
            Effect::Object(_) | Effect::Run(_) => &[],
        };
        let refused_at_create = row.refused.iter().any(|r| r.path.starts_with("create"));
        let after = match after {
            Ok(after) => after,
            Err(e) if refused_at_create => {
                println!("--{}: refused at create: {e}", row.long);
                continue;
            }
            Err(e) => {
                failures.push(format!("--{}: building failed: {e}", row.long));
                continue;
            }
        };
        if refused_at_create {
            failures.push(format!("--{}: should be refused at create", row.long));
        }
        let diff = changed(&before, &after);
        let matches = |prefix: &str| diff.iter().any(|k| k.starts_with(prefix));
        let unexplained: Vec<&String> = diff
            .iter()
            .filter(|k| !expected_keys.iter().any(|p| k.starts_with(p)))
            .collect();
        match expected_keys {
            [] if !diff.is_empty() => failures.push(format!(
                "--{}: said to leave extraConfig alone, changed {diff:?}",
                row.long
            )),
            [] => {}
            keys => {
                if keys.iter().any(|k| !matches(k)) {
                    failures.push(format!(
                        "--{}: expected changes under {keys:?}, got {diff:?}",
                        row.long
                    ));
                } else if !unexplained.is_empty() {
                    failures.push(format!("--{}: also changed {unexplained:?}", row.long));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn file_options_carry_their_contents() {
    let files = files();
    let mut words = BASE.to_vec();
    words.extend(["--tls-ca", "ca.pem", "--registry-ca", "registry.pem"]);
    let config = extra_config(&parse(&words, &files)).unwrap();
    let b64 = |t: &str| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, t);
    assert_eq!(config["cert/CertificateAuthorities"], b64(&files.ca));
    assert_eq!(
        config["cert/RegistryCertificateAuthorities"],
        b64(&files.registry)
    );
}
