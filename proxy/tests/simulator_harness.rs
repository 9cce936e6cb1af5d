//! Starts the Go simulator through `proxy::simulator` and talks raw SOAP to it.
//!
//! The first run builds `tests/vcsim` with Go (about a minute on a cold Go cache); later runs
//! reuse the binary.

use std::sync::Arc;
use std::time::Duration;

use proxy::simulator::{Inventory, Model, Simulator, SimulatorError, SimulatorOptions, Tls};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

const RETRIEVE_SERVICE_CONTENT: &str = r#"<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>"#;

fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

fn login(user: &str, password: &str) -> String {
    format!(
        r#"<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>{user}</userName><password>{password}</password></Login>"#
    )
}

/// A client that trusts exactly the simulator's certificate (or nothing, for plain http).
fn client(sim: &Simulator) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = sim.cert_pem() {
        let cert =
            CertificateDer::from_pem_slice(pem.as_bytes()).expect("generated certificate is PEM");
        roots
            .add(cert)
            .expect("generated certificate is a valid root");
    }
    client_with_roots(roots)
}

fn client_with_roots(roots: rustls::RootCertStore) -> reqwest::Client {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .cookie_store(true)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("reqwest client")
}

async fn soap(client: &reqwest::Client, sim: &Simulator, body: &str) -> (u16, String) {
    let res = client
        .post(sim.url().clone())
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", "\"urn:vim25/6.5\"")
        .body(envelope(body))
        .send()
        .await
        .expect("SOAP request");
    let status = res.status().as_u16();
    (status, res.text().await.expect("SOAP response body"))
}

async fn start(options: SimulatorOptions) -> Simulator {
    match Simulator::start(options).await {
        Ok(sim) => sim,
        Err(e) => panic!("starting the simulator: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vpx_answers_service_content_and_about() {
    let sim = start(SimulatorOptions::default()).await;
    assert_eq!(sim.url().scheme(), "http");
    assert_eq!(sim.url().host_str(), Some("127.0.0.1"));
    assert_eq!(sim.url().path(), "/sdk");
    assert_eq!(sim.url().username(), "", "url() must not carry credentials");
    assert_eq!(sim.model(), Model::Vpx);
    assert!(sim.cert_pem().is_none());

    let http = client(&sim);
    let (status, body) = soap(&http, &sim, RETRIEVE_SERVICE_CONTENT).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<apiType>VirtualCenter</apiType>"), "{body}");
    assert!(
        body.contains(
            r#"<extensionManager type="ExtensionManager">ExtensionManager</extensionManager>"#
        ),
        "{body}"
    );

    // Any non-empty credentials work without fixed ones; the handle reports the simulator's default pair.
    assert_eq!((sim.username(), sim.password()), ("user", "pass"));
    let (status, body) = soap(&http, &sim, &login("someone", "anything")).await;
    assert_eq!(status, 200, "{body}");

    let mut about_url = sim.url().clone();
    about_url.set_path("/about");
    let about: serde_json::Value = http
        .get(about_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let methods: Vec<&str> = about["Methods"]
        .as_array()
        .expect("Methods array")
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    for method in [
        "RetrieveServiceContent",
        "Login",
        "CreateVM_Task",
        "RegisterExtension",
        "FindExtension",
    ] {
        assert!(
            methods.contains(&method),
            "/about lacks {method}: {methods:?}"
        );
    }
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esx_model_is_a_host_agent() {
    let sim = start(SimulatorOptions::esx()).await;
    let (status, body) = soap(&client(&sim), &sim, RETRIEVE_SERVICE_CONTENT).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<apiType>HostAgent</apiType>"), "{body}");
    assert!(
        body.contains(r#"<rootFolder type="Folder">ha-folder-root</rootFolder>"#),
        "{body}"
    );
    assert!(
        !body.contains("<extensionManager"),
        "ESX has no ExtensionManager: {body}"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_certificate_is_trusted_as_root_and_nothing_else() {
    let sim = start(SimulatorOptions::default().with_tls(Tls::Generate)).await;
    assert_eq!(sim.url().scheme(), "https");
    let pem = sim.cert_pem().expect("generated certificate");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let path = sim.cert_path().expect("certificate path").to_path_buf();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), pem);
    let thumbprint = sim.cert_thumbprint_sha256().expect("thumbprint");
    assert_eq!(thumbprint.len(), 32 * 3 - 1, "{thumbprint}");
    assert!(thumbprint.split(':').all(|b| {
        b.len() == 2
            && b.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
    }));

    let (status, body) = soap(&client(&sim), &sim, RETRIEVE_SERVICE_CONTENT).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<apiType>VirtualCenter</apiType>"), "{body}");

    // Proves the first request really verified the certificate.
    let untrusting = client_with_roots(rustls::RootCertStore::empty());
    let err = untrusting
        .post(sim.url().clone())
        .body(envelope(RETRIEVE_SERVICE_CONTENT))
        .send()
        .await
        .expect_err("an unknown issuer must be rejected");
    assert!(err.is_connect() || err.is_request(), "{err:?}");

    sim.stop().await;
    assert!(
        !path.exists(),
        "the generated certificate outlived the simulator"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_credentials_reject_a_wrong_password() {
    let sim = start(SimulatorOptions::default().with_credentials("root", "s3cret!")).await;
    assert_eq!((sim.username(), sim.password()), ("root", "s3cret!"));

    let http = client(&sim);
    let (status, body) = soap(&http, &sim, &login("root", "wrong")).await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains(r#"xsi:type="InvalidLogin""#), "{body}");

    let (status, body) = soap(&http, &sim, &login(sim.username(), sim.password())).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<userName>root</userName>"), "{body}");
    sim.stop().await;
}

fn find_by_inventory_path(path: &str) -> String {
    format!(
        r#"<FindByInventoryPath xmlns="urn:vim25"><_this type="SearchIndex">SearchIndex</_this><inventoryPath>{path}</inventoryPath></FindByInventoryPath>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inventory_counts_reach_the_model() {
    let inventory = Inventory {
        clusters: Some(2),
        pools: Some(1),
        vms: Some(0),
        ..Inventory::default()
    };
    let sim = start(SimulatorOptions::vpx().with_inventory(inventory)).await;
    let http = client(&sim);
    let (status, body) = soap(&http, &sim, &login(sim.username(), sim.password())).await;
    assert_eq!(status, 200, "{body}");

    for (path, kind) in [
        ("DC0/host/DC0_C1", Some("ClusterComputeResource")),
        ("DC0/host/DC0_C0/Resources/DC0_C0_RP1", Some("ResourcePool")),
        ("DC0/host/DC0_C2", None),
        // The default model has two VMs per host and pool.
        ("DC0/vm/DC0_H0_VM0", None),
    ] {
        let (status, body) = soap(&http, &sim, &find_by_inventory_path(path)).await;
        assert_eq!(status, 200, "{path}: {body}");
        match kind {
            Some(kind) => assert!(
                body.contains(&format!(r#"<returnval type="{kind}">"#)),
                "{path}: {body}"
            ),
            None => assert!(
                !body.contains("<returnval"),
                "{path} should not exist: {body}"
            ),
        }
    }
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_frees_the_port_and_reports_a_clean_exit() {
    let sim = start(SimulatorOptions::default()).await;
    let addr = sim.addr();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());

    let status = sim.shutdown().await.expect("clean shutdown");
    assert!(status.success(), "{status}");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still listening on {addr}"
    );
    tokio::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| panic!("port {addr} not freed: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_handle_kills_the_simulator() {
    let sim = start(SimulatorOptions::default()).await;
    let addr = sim.addr();
    drop(sim);
    // SIGKILL is asynchronous: allow the kernel a moment to tear down the socket.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{addr} still accepts connections after drop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_start_reports_the_simulators_reason() {
    let missing = std::env::temp_dir().join("vch-no-such-cert.pem");
    let options = SimulatorOptions::default().with_tls(Tls::Files {
        cert: missing.clone(),
        key: missing,
    });
    match Simulator::start(options).await {
        Err(SimulatorError::ExitedEarly { status, stderr }) => {
            assert!(!status.success());
            assert!(stderr.contains("loading -cert/-key"), "{stderr}");
        }
        other => panic!("expected ExitedEarly, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vpx_extension_manager_registers_plugins() {
    let sim = start(SimulatorOptions::vpx()).await;
    let http = client(&sim);
    let (status, body) = soap(&http, &sim, &login(sim.username(), sim.password())).await;
    assert_eq!(status, 200, "{body}");

    let this = r#"<_this type="ExtensionManager">ExtensionManager</_this>"#;
    let find = format!(
        r#"<FindExtension xmlns="urn:vim25">{this}<extensionKey>io.example.vch</extensionKey></FindExtension>"#
    );
    let (status, body) = soap(&http, &sim, &find).await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("<returnval"), "{body}");

    let register = format!(
        r#"<RegisterExtension xmlns="urn:vim25">{this}<extension><description><label>VCH</label><summary>s</summary></description><key>io.example.vch</key><version>1.0.0</version><client><version>1.0.0</version><description><label>VCH</label><summary>s</summary></description><company>Example</company><type>vsphere-client-remote</type><url>https://127.0.0.1:8443/plugin.json</url></client><lastHeartbeatTime>2026-11-22T00:00:00Z</lastHeartbeatTime><shownInSolutionManager>false</shownInSolutionManager></extension></RegisterExtension>"#
    );
    let (status, body) = soap(&http, &sim, &register).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = soap(&http, &sim, &find).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("<key>io.example.vch</key>")
            && body.contains("<type>vsphere-client-remote</type>"),
        "{body}"
    );

    let (status, body) = soap(&http, &sim, &register).await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains(r#"xsi:type="InvalidArgument""#), "{body}");
    sim.stop().await;
}
