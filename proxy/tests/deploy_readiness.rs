//! After the client IP, create waits for the appliance's components and asks its Docker API for
//! `/info` (docs/readiness.md). The stand-in appliance reports a loopback address and serves a
//! stub there: a wrong answer fails the create naming the VCH (which stays for inspection);
//! nothing answering is a warning with the command to run from a client network.

mod deploy_support;

use deploy_support::*;
use proxy::deploy::vch::Selector;
use proxy::deploy::{self, CreateOptions, CreatedVch, DeployError, Progress};
use proxy::vsphere::Client;
use tokio_util::sync::CancellationToken;

/// Creates `name` (small VCH, `extra` flags) while the stand-in plays `behaviour` at `ip`.
async fn create_with(
    ip: &'static str,
    name: &str,
    extra: &[&str],
    behaviour: Behaviour,
) -> (
    proxy::simulator::Simulator,
    Client,
    Result<CreatedVch, DeployError>,
    Option<StubDocker>,
) {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let mut args = small_args(&sim, &isos, name);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let config = config_from(&args);
    let options = CreateOptions::from_config(&config, spec.clone());
    let progress = Progress::new();
    let appliance = play_appliance_with(
        Client::connect(&spec).await.expect("second session"),
        &progress,
        ip,
        behaviour,
    );
    let result = deploy::create(
        &client,
        &config,
        &options,
        &progress,
        &CancellationToken::new(),
    )
    .await;
    let stub = appliance.await.expect("appliance stand-in");
    (sim, client, result, stub)
}

async fn assert_left_for_inspection(client: &Client, name: &str, message: &str, id: &str) {
    assert!(
        message.contains(&format!("{name:?}")) && message.contains(id),
        "the error names the VCH and its id: {message}"
    );
    let list = deploy::vch::list(client).await.expect("ls");
    assert!(list.iter().any(|v| v.name == name), "{list:?}");
    deploy::delete::delete(client, &Selector::Id(id.to_owned()), true, &Progress::new())
        .await
        .expect("delete");
}

#[tokio::test]
async fn nothing_answering_is_a_warning_with_the_command_to_run() {
    let behaviour = Behaviour {
        docker: DockerApi::Silent,
        ..Behaviour::default()
    };
    let (sim, _client, result, _stub) =
        create_with("127.0.31.1", "silent", &["--timeout", "6s"], behaviour).await;
    let created = result.unwrap_or_else(|e| panic!("create failed: {e}"));
    assert_eq!(created.docker_host.as_deref(), Some("127.0.31.1:2376"));
    let docker: Vec<&String> = created
        .warnings
        .iter()
        .filter(|w| w.contains("/info"))
        .collect();
    let [warning] = docker.as_slice() else {
        panic!("one warning expected: {:?}", created.warnings);
    };
    assert!(
        warning.contains("https://127.0.31.1:2376/info")
            && warning.contains("docker -H 127.0.31.1:2376 --tls info"),
        "{warning}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_stopped_port_layer_fails_the_create_and_leaves_the_vch() {
    let behaviour = Behaviour {
        docker: DockerApi::PortLayer("STOPPED"),
        ..Behaviour::default()
    };
    let (sim, client, result, stub) =
        create_with("127.0.31.2", "stopped-pl", &["--timeout", "6s"], behaviour).await;
    let err = result.expect_err("a stopped port layer is not ready");
    let DeployError::NotReady { id, .. } = &err else {
        panic!("expected NotReady, got {err}");
    };
    let message = err.to_string();
    assert!(message.contains("port layer is STOPPED"), "{message}");
    assert!(stub.is_some_and(|s| s.answered.load(std::sync::atomic::Ordering::SeqCst) >= 1));
    assert_left_for_inspection(&client, "stopped-pl", &message, id).await;
    sim.stop().await;
}

#[tokio::test]
async fn another_certificate_or_a_failed_component_fails_the_create() {
    let behaviour = Behaviour {
        docker: DockerApi::WrongCertificate,
        ..Behaviour::default()
    };
    let (sim, client, result, _stub) = create_with("127.0.31.3", "impostor", &[], behaviour).await;
    let err = result.expect_err("another certificate is refused");
    let DeployError::NotReady { id, .. } = &err else {
        panic!("expected NotReady, got {err}");
    };
    let message = err.to_string();
    assert!(
        message.contains("TLS handshake") && message.contains("other than the VCH's"),
        "{message}"
    );
    assert_left_for_inspection(&client, "impostor", &message, id).await;
    sim.stop().await;

    let behaviour = Behaviour {
        failed_component: Some(("port-layer", "exec /sbin/port-layer-server: no such file")),
        ..Behaviour::default()
    };
    let (sim, client, result, _stub) = create_with("127.0.31.4", "broken", &[], behaviour).await;
    let err = result.expect_err("a failed component is not ready");
    let DeployError::NotReady { id, .. } = &err else {
        panic!("expected NotReady, got {err}");
    };
    let message = err.to_string();
    assert!(
        message.contains("component port-layer did not start: exec /sbin/port-layer-server"),
        "{message}"
    );
    assert_left_for_inspection(&client, "broken", &message, id).await;
    sim.stop().await;
}

#[tokio::test]
async fn without_tls_the_plain_api_on_2375_is_asked() {
    let (sim, _client, result, stub) =
        create_with("127.0.31.5", "plain", &["--no-tls"], Behaviour::default()).await;
    let created = result.unwrap_or_else(|e| panic!("create failed: {e}"));
    assert_eq!(created.docker_host.as_deref(), Some("127.0.31.5:2375"));
    assert!(
        !created.warnings.iter().any(|w| w.contains("/info")),
        "{:?}",
        created.warnings
    );
    let stub = stub.expect("booted");
    assert_eq!(stub.addr.map(|a| a.port()), Some(2375));
    assert!(stub.answered.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    sim.stop().await;
}

#[tokio::test]
async fn a_user_ca_without_a_client_certificate_here_is_only_a_warning() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let args: Vec<String> = small_args(&sim, &isos, "user-ca")
        .into_iter()
        .filter(|a| a != "--no-tlsverify")
        .collect();
    let mut config = config_from(&args);
    // The admin's own CA: this run generates no client certificate, so the appliance (which
    // verifies clients against that CA) refuses our handshake, as it should.
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_pem = ca.self_signed(&ca_key).expect("CA").pem();
    config.security.tls_ca = vec![shared::config::PemFile {
        path: "ca.pem".into(),
        pem: Some(ca_pem),
    }];
    let options = CreateOptions::from_config(&config, spec.clone());
    let progress = Progress::new();
    let appliance = play_appliance_with(
        Client::connect(&spec).await.expect("second session"),
        &progress,
        "127.0.31.6",
        Behaviour::default(),
    );
    let created = deploy::create(
        &client,
        &config,
        &options,
        &progress,
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("create failed: {e}"));
    let _stub = appliance.await.expect("appliance stand-in");
    assert!(created.tls.client_cert_pem.is_none());
    let warning = created
        .warnings
        .iter()
        .find(|w| w.contains("/info"))
        .unwrap_or_else(|| panic!("a readiness warning: {:?}", created.warnings));
    assert!(
        warning.contains("refused this machine's TLS handshake as expected"),
        "{warning}"
    );
    sim.stop().await;
}
