//! Certificates and credentials on every path a user can take: `vch create` and `vch configure`
//! (CLI), `POST /api/vchs` (API) and the plugin's cloned session. Each creates on the simulator
//! (over https, so there is a certificate to pin) with a user CA and a registry CA generated
//! here, then pyvmomi reads the appliance's extraConfig back independently: both CA lists hold
//! the given certificates and `connect/target_thumbprint` is the simulator's SHA-1 thumbprint.

mod deploy_support;

use std::process::Stdio;
use std::time::Duration;

use base64::Engine;
use deploy_support::*;
use proxy::deploy::vch::{self, Selector};
use proxy::http::{AppState, ApplianceIsos, router};
use proxy::simulator::{Inventory, Simulator, SimulatorOptions, Tls};
use proxy::vsphere::{Client, MoRef, TargetSpec, Thumbprint};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;

const CA_KEY: &str = "guestinfo.vice./cert/CertificateAuthorities";
const REGISTRY_CA_KEY: &str = "guestinfo.vice./cert/RegistryCertificateAuthorities";
const THUMBPRINT_KEY: &str = "guestinfo.vice./connect/target_thumbprint";

/// A self-signed CA certificate (PEM) named `name`.
fn ca_pem(name: &str) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.self_signed(&key).unwrap().pem()
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// The simulator over https with its own generated certificate, six port groups, the VCH port
/// open.
async fn tls_simulator() -> (Simulator, Client, TargetSpec) {
    simulator_from(
        SimulatorOptions::vpx()
            .with_tls(Tls::Generate)
            .with_inventory(Inventory {
                portgroups: Some(6),
                ..Inventory::default()
            }),
    )
    .await
}

/// The simulator's certificate thumbprint as vic-machine stores it (SHA-1).
fn sim_sha1(sim: &Simulator) -> String {
    let pem = sim.cert_pem().expect("a generated certificate");
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    Thumbprint::sha1_of(&block.contents).to_string()
}

/// The flags of a small client-verified VCH using the given CA files.
fn args_with_cas(
    sim: &Simulator,
    isos: &Isos,
    name: &str,
    ca: &str,
    registry: &str,
) -> Vec<String> {
    let mut args: Vec<String> = small_args(sim, isos, name)
        .into_iter()
        .filter(|a| a != "--no-tlsverify")
        .collect();
    args.extend(["--tls-ca", ca, "--registry-ca", registry].map(str::to_owned));
    args
}

/// Plays the appliance: once the VM named `name` is powered on, reports a loopback address.
/// Plays the appliance of `name` once it is powered on; the task's result is its stub Docker
/// API, serving until dropped.
fn play_appliance_named(
    client: Client,
    name: &str,
    ip: &'static str,
) -> tokio::task::JoinHandle<StubDocker> {
    let name = name.to_owned();
    tokio::spawn(async move {
        for _ in 0..600 {
            if let Ok(list) = vch::list(&client).await
                && let Some(v) = list
                    .iter()
                    .find(|v| v.name == name && v.power_state.as_deref() == Some("poweredOn"))
            {
                let vm = MoRef::new("VirtualMachine", &v.id);
                return boot(&client, &vm, ip, Behaviour::default()).await;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        panic!("{name} was never powered on");
    })
}

/// pyvmomi's read-back: the CA lists hold exactly `ca` and `registry`; the thumbprint is the
/// simulator's.
fn assert_read_back(sim: &Simulator, name: &str, ca: &str, registry: &str, more: Value) {
    let mut extra = json!({
        CA_KEY: b64(ca),
        REGISTRY_CA_KEY: b64(registry),
        THUMBPRINT_KEY: sim_sha1(sim),
    });
    if let (Some(e), Some(m)) = (extra.as_object_mut(), more.as_object()) {
        e.extend(m.clone());
    }
    let verdict = verify(
        sim,
        &json!({"name": name, "present": true, "extra_config": extra}),
    );
    assert_eq!(verdict["ok"], true, "{verdict}");
}

async fn vch_cli(args: &[String], password: &str) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .args(args)
        .env("VCH_PASSWORD", password)
        .env_remove("VCH_TARGET")
        .output()
        .await
        .expect("vch runs")
}

#[tokio::test]
async fn cli_create_and_configure_carry_the_given_cas_to_the_appliance() {
    let (sim, client, _) = tls_simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let dir = tempfile::tempdir().unwrap();
    let (ca, registry) = (ca_pem("user CA"), ca_pem("registry CA"));
    let (ca_file, registry_file) = (dir.path().join("ca.pem"), dir.path().join("reg.pem"));
    std::fs::write(&ca_file, &ca).unwrap();
    std::fs::write(&registry_file, &registry).unwrap();
    let mut args = args_with_cas(
        &sim,
        &isos,
        "cli-certs",
        ca_file.to_str().unwrap(),
        registry_file.to_str().unwrap(),
    );
    // Typed as SHA-256 (what vCenter shows); stored as the SHA-1 the appliance pins.
    let sha256 = sim.cert_thumbprint_sha256().unwrap();
    args.extend(["--thumbprint".to_owned(), sha256.clone()]);
    args.extend([
        "--tls-cert-path".to_owned(),
        dir.path().join("out").display().to_string(),
    ]);

    let appliance = play_appliance_named(client.clone(), "cli-certs", "127.0.0.21");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .arg("create")
        .arg("--json-events")
        .args(&args)
        .env("VCH_PASSWORD", sim.password())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn vch create");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut events = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        events.push(line);
    }
    let status = child.wait().await.unwrap();
    appliance.await.unwrap();
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    assert!(status.success(), "{stderr}\n{}", events.join("\n"));
    assert_read_back(&sim, "cli-certs", &ca, &registry, json!({}));
    // The user's CA verifies clients: no CA or client certificate of ours was written.
    assert!(!dir.path().join("out").join("cert.pem").exists());

    // `inspect config` gives back what create set, the CAs as their contents.
    let target = [
        "--target".to_owned(),
        sim.url().as_str().to_owned(),
        "--user".to_owned(),
        sim.username().to_owned(),
        "--thumbprint".to_owned(),
        sha256.clone(),
    ];
    let inspect = vch_cli(
        &[
            &[
                "inspect".to_owned(),
                "config".to_owned(),
                "--json".to_owned(),
            ][..],
            &target[..],
            &["--name".to_owned(), "cli-certs".to_owned()][..],
        ]
        .concat(),
        sim.password(),
    )
    .await;
    assert!(
        inspect.status.success(),
        "{}",
        String::from_utf8_lossy(&inspect.stderr)
    );
    let back: shared::VchConfig = serde_json::from_slice(&inspect.stdout).unwrap();
    let given = config_from(&args);
    let pems = |files: &[shared::config::PemFile]| -> Vec<String> {
        files.iter().filter_map(|f| f.pem.clone()).collect()
    };
    assert_eq!(pems(&back.security.tls_ca), std::slice::from_ref(&ca));
    assert_eq!(
        pems(&back.registry.registry_ca),
        std::slice::from_ref(&registry)
    );
    assert!(!back.security.no_tls && !back.security.no_tlsverify);
    assert_eq!(back.general.name, given.general.name);
    assert_eq!(back.target.compute_resource, given.target.compute_resource);
    // The image store gains the VCH folder as its path, as in vic-machine.
    assert_eq!(
        back.storage.image_store,
        given
            .storage
            .image_store
            .map(|ds| format!("{ds}/cli-certs"))
    );
    assert_eq!(back.storage.volume_stores, given.storage.volume_stores);
    assert_eq!(
        back.network.bridge.port_group,
        given.network.bridge.port_group
    );
    assert_eq!(
        back.network.public.port_group,
        given.network.public.port_group
    );
    assert_eq!(
        back.target.thumbprint.as_deref(),
        Some(sim_sha1(&sim).as_str())
    );

    // `inspect` says when the certificates expire: within a year.
    let details = vch_cli(
        &[
            &["inspect".to_owned()][..],
            &target[..],
            &["--name".to_owned(), "cli-certs".to_owned()][..],
        ]
        .concat(),
        sim.password(),
    )
    .await;
    let text = String::from_utf8_lossy(&details.stdout);
    assert!(
        text.contains("Certificate (server)")
            && text.contains("Certificate (client CA) CN=user CA"),
        "{text}"
    );

    // configure replaces both lists with new files, and nothing else.
    let (ca2, registry2) = (ca_pem("second CA"), ca_pem("second registry CA"));
    std::fs::write(&ca_file, &ca2).unwrap();
    std::fs::write(&registry_file, &registry2).unwrap();
    let configure = vch_cli(
        &[
            &["configure".to_owned()][..],
            &target[..],
            &[
                "--name",
                "cli-certs",
                "--tls-ca",
                ca_file.to_str().unwrap(),
                "--registry-ca",
                registry_file.to_str().unwrap(),
            ]
            .map(str::to_owned)[..],
        ]
        .concat(),
        sim.password(),
    )
    .await;
    assert!(
        configure.status.success(),
        "{}",
        String::from_utf8_lossy(&configure.stderr)
    );
    assert_read_back(&sim, "cli-certs", &ca2, &registry2, json!({}));

    // A CA file that cannot be read stops configure before anything changes (never "no CA").
    let missing = vch_cli(
        &[
            &["configure".to_owned()][..],
            &target[..],
            &["--name", "cli-certs", "--tls-ca", "/nonexistent/ca.pem"].map(str::to_owned)[..],
        ]
        .concat(),
        sim.password(),
    )
    .await;
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("K6"));
    // --tls-cname regenerates the server certificate as create makes it; the new CA joins the
    // client CA list (the user's CA keeps verifying clients) and the new client files are
    // written to --tls-cert-path, which must not hold any yet (K15).
    let regen_dir = dir.path().join("regenerated");
    let cname = |folder: &std::path::Path| {
        [
            &["configure".to_owned()][..],
            &target[..],
            &[
                "--name",
                "cli-certs",
                "--tls-cname",
                "new.example.com",
                "--tls-cert-path",
                folder.to_str().unwrap(),
            ]
            .map(str::to_owned)[..],
        ]
        .concat()
    };
    let regen = vch_cli(&cname(&regen_dir), sim.password()).await;
    assert!(
        regen.status.success(),
        "{}",
        String::from_utf8_lossy(&regen.stderr)
    );
    let new_ca = std::fs::read_to_string(regen_dir.join("ca.pem")).unwrap();
    assert!(regen_dir.join("cert.pem").exists() && regen_dir.join("key.pem").exists());
    let verdict = verify(
        &sim,
        &json!({"name": "cli-certs", "present": true,
                "extra_config": {CA_KEY: b64(&format!("{ca2}{new_ca}")), REGISTRY_CA_KEY: b64(&registry2)}}),
    );
    assert_eq!(verdict["ok"], true, "{verdict}");
    let details = vch::inspect(&client, &Selector::Name("cli-certs".into()))
        .await
        .unwrap();
    assert!(
        details
            .certificates
            .iter()
            .any(|c| c.role == "server" && c.subject.contains("CN=new.example.com")),
        "{:?}",
        details.certificates
    );
    let again = vch_cli(&cname(&regen_dir), sim.password()).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("K15"));

    // --no-tlsverify turns client verification off: the CA list goes, the server cert stays.
    let off = vch_cli(
        &[
            &["configure".to_owned()][..],
            &target[..],
            &["--name", "cli-certs", "--no-tlsverify"].map(str::to_owned)[..],
        ]
        .concat(),
        sim.password(),
    )
    .await;
    assert!(
        off.status.success(),
        "{}",
        String::from_utf8_lossy(&off.stderr)
    );
    let verdict = verify(
        &sim,
        &json!({"name": "cli-certs", "present": true,
                "extra_config": {CA_KEY: "", REGISTRY_CA_KEY: b64(&registry2)},
                "extra_config_present": ["guestinfo.vice./cert/HostCertificate/Cert"]}),
    );
    assert_eq!(verdict["ok"], true, "{verdict}");
    drop(sim);
}

async fn serve(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    format!("http://{addr}")
}

/// Follows a job until it ends; returns its final status.
fn api_config(sim: &Simulator, isos: &Isos, name: &str, ca: &str, registry: &str) -> Value {
    let mut config = config_from(&args_with_cas(sim, isos, name, "ca.pem", "reg.pem"));
    // The API carries the PEM text itself; it never reads files on the server's disk.
    config.security.tls_ca[0].pem = Some(ca.to_owned());
    config.registry.registry_ca[0].pem = Some(registry.to_owned());
    serde_json::to_value(config).unwrap()
}

async fn api_fixture(sim: &Simulator, spec: TargetSpec, isos: &Isos) -> (String, reqwest::Client) {
    let state = AppState::new("/nonexistent".into(), Some(spec)).with_isos(ApplianceIsos {
        appliance: isos.appliance.clone(),
        bootstrap: isos.bootstrap.clone(),
    });
    let _ = sim;
    let base = serve(state).await;
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    (base, http)
}

#[tokio::test]
async fn api_create_carries_the_given_cas_and_refuses_other_isos() {
    let (sim, client, spec) = tls_simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let (base, http) = api_fixture(&sim, spec, &isos).await;
    let login = http
        .post(format!("{base}/api/session"))
        .json(&json!({"default_target": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 201);
    let (ca, registry) = (ca_pem("api CA"), ca_pem("api registry CA"));

    // An ISO other than the server's is refused with a finding, not swapped silently.
    let mut other_iso = api_config(&sim, &isos, "api-certs", &ca, &registry);
    other_iso["target"]["appliance_iso"] = json!("/tmp/some-other.iso");
    let refused = http
        .post(format!("{base}/api/vchs"))
        .json(&other_iso)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["error"]["details"]["findings"][0]["code"], "G30",
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(isos.appliance.to_str().unwrap()),
        "{body}"
    );

    // A CA named without its contents is refused by the job's validation (never "no CA").
    let mut unread = api_config(&sim, &isos, "api-unread", &ca, &registry);
    unread["security"]["tls_ca"][0]["pem"] = Value::Null;
    let response: Value = http
        .post(format!("{base}/api/vchs"))
        .json(&unread)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = job_final_status(&http, &base, response["job"].as_str().unwrap()).await;
    assert_eq!(status["state"], "failed", "{status}");
    assert!(status.to_string().contains("K6"), "{status}");

    let appliance = play_appliance_named(client.clone(), "api-certs", "127.0.0.22");
    let config = api_config(&sim, &isos, "api-certs", &ca, &registry);
    let response: Value = http
        .post(format!("{base}/api/vchs"))
        .json(&config)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = job_final_status(&http, &base, response["job"].as_str().unwrap()).await;
    appliance.await.unwrap();
    assert_eq!(status["state"], "succeeded", "{status}");
    assert_read_back(&sim, "api-certs", &ca, &registry, json!({}));

    let (back, _) = vch::inspect_config(&client, &Selector::Name("api-certs".into()))
        .await
        .unwrap();
    let pems: Vec<_> = back
        .registry
        .registry_ca
        .iter()
        .filter_map(|f| f.pem.clone())
        .collect();
    assert_eq!(pems, [registry]);
}

#[tokio::test]
async fn plugin_create_through_a_cloned_session() {
    let (sim, client, spec) = tls_simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let (base, http) = api_fixture(&sim, spec, &isos).await;
    let ticket = client.acquire_clone_ticket().await.unwrap();
    let clone = http
        .post(format!("{base}/api/session/clone"))
        .json(&json!({
            "target": format!("https://{}", sim.addr()),
            "thumbprint": sim.cert_thumbprint_sha256(),
            "clone_ticket": secrecy::ExposeSecret::expose_secret(&ticket),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(clone.status(), 201, "{}", clone.text().await.unwrap());
    let (ca, registry) = (ca_pem("plugin CA"), ca_pem("plugin registry CA"));

    // The cloned session has no password to give the appliance: the wizard's rules say so.
    let mut config = api_config(&sim, &isos, "plugin-certs", &ca, &registry);
    config["target"]["appliance_iso"] = Value::Null;
    config["target"]["bootstrap_iso"] = Value::Null;
    let report: Value = http
        .post(format!("{base}/api/validate"))
        .json(&config)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(report.to_string().contains("T20"), "{report}");
    let response: Value = http
        .post(format!("{base}/api/vchs"))
        .json(&config)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = job_final_status(&http, &base, response["job"].as_str().unwrap()).await;
    assert_eq!(status["state"], "failed", "{status}");
    assert!(status.to_string().contains("T20"), "{status}");

    // With an operations user the create runs through, uploads included, on the clone alone.
    config["operations"]["ops_user"] = json!("vch-ops");
    let appliance = play_appliance_named(client.clone(), "plugin-certs", "127.0.0.23");
    let response: Value = http
        .post(format!("{base}/api/vchs"))
        .json(&json!({"config": config, "ops_password": "ops-secret"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = job_final_status(&http, &base, response["job"].as_str().unwrap()).await;
    appliance.await.unwrap();
    assert_eq!(status["state"], "succeeded", "{status}");
    assert_read_back(
        &sim,
        "plugin-certs",
        &ca,
        &registry,
        json!({"guestinfo.vice./connect/username": "vch-ops"}),
    );
}
