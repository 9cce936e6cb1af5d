//! Registering the remote plugin in vCenter's ExtensionManager over real SOAP against the
//! simulator: the library calls, and `vch plugin` as a user runs it against a real `/plugin/`.

use std::path::PathBuf;
use std::process::Output;

use proxy::http::{AppState, router};
use proxy::simulator::{Simulator, SimulatorOptions, Tls};
use proxy::vsphere::extension::{
    ExtensionError, ExtensionSpec, PLUGIN_EXTENSION_KEY, RegistrationOutcome, probe_manifest,
};
use proxy::vsphere::{Client, TargetSpec, Thumbprint, VsphereError};
use serde_json::Value;
use url::Url;

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

#[tokio::test]
async fn register_status_update_unregister_round_trip() {
    let sim = Simulator::start(SimulatorOptions::vpx()).await.unwrap();
    let client = Client::connect(&TargetSpec::from_simulator(&sim))
        .await
        .unwrap();
    assert!(
        client
            .find_extension(PLUGIN_EXTENSION_KEY)
            .await
            .unwrap()
            .is_none()
    );

    let thumbprint: Thumbprint = "9F:F0:DF:BA:7F:E2:89:F0:98:E4:A6:D1:58:24:68:74:8A:9B:25:6F"
        .parse()
        .unwrap();
    let manifest = url("https://proxy.example:8443/plugin/plugin.json");
    let v1 = ExtensionSpec::remote_plugin(manifest.clone(), "1.0.0", Some(thumbprint.clone()));
    assert_eq!(
        client.ensure_plugin_registered(&v1).await.unwrap(),
        RegistrationOutcome::Registered
    );

    let found = client
        .find_extension(PLUGIN_EXTENSION_KEY)
        .await
        .unwrap()
        .expect("registered");
    assert_eq!(found.key, PLUGIN_EXTENSION_KEY);
    assert_eq!(found.version.as_deref(), Some("1.0.0"));
    assert_eq!(found.label, "Virtual Container Hosts");
    assert!(found.is_remote_plugin());
    let client_info = found.client().unwrap();
    assert_eq!(client_info.kind, "vsphere-client-remote");
    assert_eq!(client_info.url, manifest.as_str());
    assert_eq!(client_info.version, "1.0.0");
    let server = found.manifest_server().unwrap();
    assert_eq!(server.kind, "MANIFEST_SERVER");
    assert_eq!(server.url, manifest.as_str());
    assert_eq!(
        server.thumbprint.as_deref(),
        Some(thumbprint.to_string().as_str())
    );
    assert!(found.last_heartbeat_time.is_some());

    // The same registration again changes nothing.
    assert_eq!(
        client.ensure_plugin_registered(&v1).await.unwrap(),
        RegistrationOutcome::Unchanged
    );
    // A plain RegisterExtension of a taken key says so.
    match client.register_extension(&v1).await {
        Err(ExtensionError::AlreadyRegistered { key, version }) => {
            assert_eq!(key, PLUGIN_EXTENSION_KEY);
            assert_eq!(version, "1.0.0");
        }
        other => panic!("{other:?}"),
    }
    // Moving the manifest without a new version would leave vsphere-ui on the old one.
    let moved = ExtensionSpec::remote_plugin(
        url("https://other.example/plugin/plugin.json"),
        "1.0.0",
        Some(thumbprint.clone()),
    );
    assert!(matches!(
        client.ensure_plugin_registered(&moved).await,
        Err(ExtensionError::VersionNotBumped { .. })
    ));

    // A new version updates the registration in place.
    let v2 = ExtensionSpec::remote_plugin(
        url("http://10.0.0.9:8080/plugin/plugin.json"),
        "1.1.0",
        None,
    );
    assert_eq!(
        client.ensure_plugin_registered(&v2).await.unwrap(),
        RegistrationOutcome::Updated {
            previous_version: Some("1.0.0".into())
        }
    );
    let found = client
        .find_extension(PLUGIN_EXTENSION_KEY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.version.as_deref(), Some("1.1.0"));
    assert_eq!(
        found.client().unwrap().url,
        "http://10.0.0.9:8080/plugin/plugin.json"
    );
    assert_eq!(found.manifest_server().unwrap().thumbprint, None);

    client
        .unregister_extension(PLUGIN_EXTENSION_KEY)
        .await
        .unwrap();
    assert!(
        client
            .find_extension(PLUGIN_EXTENSION_KEY)
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        client.unregister_extension(PLUGIN_EXTENSION_KEY).await,
        Err(ExtensionError::NotRegistered { .. })
    ));
    assert!(matches!(
        client.update_extension(&v2).await,
        Err(ExtensionError::NotRegistered { .. })
    ));
    client.logout().await.unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn esxi_has_no_extension_manager() {
    let sim = Simulator::start(SimulatorOptions::esx()).await.unwrap();
    let client = Client::connect(&TargetSpec::from_simulator(&sim))
        .await
        .unwrap();
    let err = client
        .find_extension(PLUGIN_EXTENSION_KEY)
        .await
        .unwrap_err();
    assert!(matches!(err, ExtensionError::NotVcenter { .. }), "{err:?}");
    assert!(err.to_string().contains("vCenter Server"), "{err}");
    sim.stop().await;
}

#[tokio::test]
async fn manifest_probe_checks_the_plugin_servers_certificate() {
    // The simulator's https endpoint stands in for a plugin server with a certificate nobody
    // trusts by default; it serves no manifest, which the probe must notice too.
    let sim = Simulator::start(SimulatorOptions::vpx().with_tls(Tls::Generate))
        .await
        .unwrap();
    let sha256: Thumbprint = sim.cert_thumbprint_sha256().unwrap().parse().unwrap();
    let about = sim.url().join("/about").unwrap();

    let wrong: Thumbprint = "ab".repeat(20).parse().unwrap();
    match probe_manifest(&about, Some(&wrong)).await {
        Err(VsphereError::ThumbprintMismatch { sha256: seen, .. }) => {
            assert_eq!(seen, sha256.to_string());
        }
        other => panic!("{other:?}"),
    }
    // Pinned right: TLS passes, but /about is no plugin manifest.
    match probe_manifest(&about, Some(&sha256)).await {
        Err(VsphereError::MalformedResponse { reason, .. }) => {
            assert!(reason.contains("manifest"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    sim.stop().await;
}

async fn vch(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .args(args)
        .env_remove("VCH_PASSWORD")
        .env_remove("VCH_TARGET")
        .env_remove("VCH_USER")
        .env_remove("VCH_THUMBPRINT")
        .output()
        .await
        .expect("vch runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The real router over HTTPS (a generated certificate) on a loopback port, so `register` can
/// fetch the manifest it registers.
async fn serve_plugin() -> String {
    let state = AppState::new(PathBuf::from("/nonexistent"), None).with_secure_cookies(true);
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) =
        proxy::http::serve_tls::load_or_generate(dir.path(), &["127.0.0.1".to_owned()]).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = proxy::http::serve_tls::TlsListener::new(listener, cert.config).unwrap();
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    format!("https://{addr}/plugin/plugin.json")
}

#[tokio::test]
async fn vch_plugin_commands_against_the_simulator() {
    let sim = Simulator::start(SimulatorOptions::vpx().with_credentials("admin", "pw-plugin"))
        .await
        .unwrap();
    let manifest_url = serve_plugin().await;
    let target = sim.url().as_str();
    let auth = [
        "--target",
        target,
        "--user",
        "admin",
        "--password",
        "pw-plugin",
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        args.extend(auth.iter().map(|s| s.to_string()));
        args
    };
    let run = |args: Vec<String>| async move {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        vch(&refs).await
    };

    let out = run(with(&["plugin", "status"])).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("is not registered"));

    // Plain http is refused before anything else: the vSphere Client would not load it.
    let out = run(with(&[
        "plugin",
        "register",
        "--url",
        &manifest_url.replace("https://", "http://"),
        "--version",
        "1.0.0",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not an https URL"),
        "{}",
        text(&out.stderr)
    );

    let out = run(with(&[
        "plugin",
        "register",
        "--url",
        &manifest_url,
        "--version",
        "1.0.0",
    ]))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("registered io.vch-deploy.plugin 1.0.0"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains("plugin server certificate: SHA-1"),
        "the thumbprint registered is shown: {}",
        text(&out.stdout)
    );
    assert!(!text(&out.stdout).contains("pw-plugin") && !text(&out.stderr).contains("pw-plugin"));

    let out = run(with(&["plugin", "status", "--json"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["registered"], true);
    assert_eq!(status["extension"]["version"], "1.0.0");
    assert_eq!(
        status["extension"]["clients"][0]["type"],
        "vsphere-client-remote"
    );
    assert_eq!(
        status["extension"]["clients"][0]["url"],
        manifest_url.as_str()
    );
    assert_eq!(status["extension"]["servers"][0]["type"], "MANIFEST_SERVER");

    let out = run(with(&[
        "plugin",
        "register",
        "--url",
        &manifest_url,
        "--version",
        "1.0.0",
    ]))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("nothing to do"),
        "{}",
        text(&out.stdout)
    );

    let out = run(with(&[
        "plugin",
        "register",
        "--url",
        &manifest_url,
        "--version",
        "1.1.0",
    ]))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("updated io.vch-deploy.plugin from 1.0.0 to 1.1.0"),
        "{}",
        text(&out.stdout)
    );

    let out = run(with(&["plugin", "status"])).await;
    assert!(out.status.success());
    let shown = text(&out.stdout);
    assert!(
        shown.contains("1.1.0") && shown.contains(&manifest_url),
        "{shown}"
    );

    // A URL that serves no manifest is refused before vCenter is touched.
    let out = run(with(&[
        "plugin",
        "register",
        "--url",
        &manifest_url.replace("plugin.json", "api/health"),
        "--version",
        "2.0.0",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a plugin manifest"),
        "{}",
        text(&out.stderr)
    );

    let out = run(with(&["plugin", "unregister"])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("unregistered io.vch-deploy.plugin"));
    let out = run(with(&["plugin", "status"])).await;
    assert_eq!(out.status.code(), Some(1));
    let out = run(with(&["plugin", "unregister"])).await;
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("nothing to do"));
    sim.stop().await;

    let esx = Simulator::start(SimulatorOptions::esx()).await.unwrap();
    let out = vch(&[
        "plugin",
        "status",
        "--target",
        esx.url().as_str(),
        "--user",
        esx.username(),
        "--password",
        esx.password(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a vCenter Server"),
        "{}",
        text(&out.stderr)
    );
    esx.stop().await;
}

/// The plugin's password-less login: vsphere-ui's session token → clone ticket → CloneSession.
/// The simulator has the SOAP half (AcquireCloneTicket/CloneSession) but not vsphere-ui's REST
/// endpoint, so a stand-in for that endpoint checks our request and hands out real tickets from
/// the simulator.
#[tokio::test]
async fn clone_session_from_a_vsphere_client_session_token() {
    use axum::Json;
    use axum::http::{HeaderMap, StatusCode};
    use proxy::vsphere::extension::{clone_session, clone_ticket_from_ui_session};
    use proxy::vsphere::{FaultKind, TlsPolicy};
    use secrecy::{ExposeSecret, SecretString};

    let sim =
        Simulator::start(SimulatorOptions::vpx().with_credentials("vsphere.local\\alice", "pw"))
            .await
            .unwrap();
    let spec = TargetSpec::from_simulator(&sim);
    let ui_session = Client::connect(&spec).await.unwrap();
    let vc_guid = ui_session.about().instance_uuid.clone().unwrap_or_default();

    // SOAP only: a ticket from one session becomes a second session of the same user.
    let ticket = ui_session.acquire_clone_ticket().await.unwrap();
    let cloned = clone_session(&spec.url, &spec.tls, &ticket).await.unwrap();
    assert_eq!(cloned.user_name(), "vsphere.local\\alice");
    assert_eq!(cloned.datacenters().await.unwrap(), ["DC0"]);
    // Tickets are single-use.
    let again = clone_session(&spec.url, &spec.tls, &ticket)
        .await
        .unwrap_err();
    assert!(
        matches!(again.fault_kind(), Some(FaultKind::InvalidLogin)),
        "{again:?}"
    );

    // The REST half, as vsphere-ui's endpoint would answer it.
    let stand_in = {
        let ui_session = ui_session.clone();
        let vc_guid = vc_guid.clone();
        axum::Router::new().route(
            "/api/ui/vcenter/session/clone-ticket",
            axum::routing::post(move |headers: HeaderMap, Json(body): Json<Value>| {
                let ui_session = ui_session.clone();
                let vc_guid = vc_guid.clone();
                async move {
                    let token = headers
                        .get("vmware-api-session-id")
                        .and_then(|v| v.to_str().ok());
                    if token != Some("token-123") || body["vc_guid"] != vc_guid.as_str() {
                        return Err(StatusCode::UNAUTHORIZED);
                    }
                    let ticket = ui_session.acquire_clone_ticket().await.unwrap();
                    Ok(Json(serde_json::json!({
                        "session_clone_ticket": ticket.expose_secret()
                    })))
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let vsphere_ui = url(&format!("http://{}/", listener.local_addr().unwrap()));
    tokio::spawn(async move { axum::serve(listener, stand_in).await });

    let token = SecretString::from("token-123".to_owned());
    let ticket =
        clone_ticket_from_ui_session(&vsphere_ui, &TlsPolicy::SystemRoots, &token, &vc_guid)
            .await
            .unwrap();
    let cloned = clone_session(&spec.url, &spec.tls, &ticket).await.unwrap();
    assert_eq!(cloned.user_name(), "vsphere.local\\alice");
    assert_eq!(cloned.datacenters().await.unwrap(), ["DC0"]);

    let wrong = SecretString::from("stolen".to_owned());
    match clone_ticket_from_ui_session(&vsphere_ui, &TlsPolicy::SystemRoots, &wrong, &vc_guid).await
    {
        Err(VsphereError::HttpStatus { status: 401, .. }) => {}
        other => panic!("{other:?}"),
    }
    sim.stop().await;
}
