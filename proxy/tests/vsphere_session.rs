//! Session life cycle against the simulator: login success and failure, logout, transparent
//! re-login, round-trip counting, typed faults.

use proxy::simulator::{Simulator, SimulatorOptions};
use proxy::vsphere::{Client, FaultKind, TargetSpec, VsphereError};
use secrecy::SecretString;

async fn start(options: SimulatorOptions) -> Simulator {
    Simulator::start(options)
        .await
        .expect("start the simulator")
}

#[tokio::test]
async fn connect_lists_datacenters_and_logs_out() {
    let sim = start(SimulatorOptions::vpx()).await;
    let spec = TargetSpec::from_simulator(&sim);
    let client = Client::connect(&spec).await.expect("connect");
    assert!(client.about().is_vcenter());
    assert_eq!(client.round_trips(), 2, "RetrieveServiceContent + Login");
    assert_eq!(client.datacenters().await.unwrap(), vec!["DC0".to_owned()]);
    assert_eq!(
        client.round_trips(),
        5,
        "CreateContainerView + RetrievePropertiesEx + DestroyView"
    );
    client.logout().await.unwrap();
    assert!(matches!(
        client.datacenters().await,
        Err(VsphereError::LoggedOut)
    ));
    sim.stop().await;
}

#[tokio::test]
async fn wrong_password_is_invalid_login_and_never_echoed() {
    let sim = start(SimulatorOptions::vpx().with_credentials("root", "s3cret!")).await;
    let mut spec = TargetSpec::from_simulator(&sim);
    spec.password = SecretString::from("wrong-Pa55word");
    let err = Client::connect(&spec).await.unwrap_err();
    assert_eq!(err.fault_kind(), Some(&FaultKind::InvalidLogin), "{err}");
    let shown = format!("{err} {err:?} {spec:?}");
    assert!(!shown.contains("wrong-Pa55word"), "{shown}");
    assert!(!shown.contains("s3cret!"), "{shown}");

    let right = TargetSpec::from_simulator(&sim);
    let client = Client::connect(&right).await.expect("right password");
    assert_eq!(client.logins(), 1);
    client.logout().await.unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn esx_model_is_a_host_agent() {
    let sim = start(SimulatorOptions::esx()).await;
    let client = Client::connect(&TargetSpec::from_simulator(&sim))
        .await
        .unwrap();
    assert_eq!(client.about().api_type, "HostAgent");
    assert!(!client.about().is_vcenter());
    assert_eq!(
        client.datacenters().await.unwrap(),
        vec!["ha-datacenter".to_owned()]
    );
    client.logout().await.unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn an_expired_session_is_renewed_once_transparently() {
    let sim = start(SimulatorOptions::vpx()).await;
    let client = Client::connect(&TargetSpec::from_simulator(&sim))
        .await
        .unwrap();
    client.expire_session_for_tests().await.unwrap();
    // The first call after expiry gets NotAuthenticated, logs in again and is retried.
    assert_eq!(client.datacenters().await.unwrap(), vec!["DC0".to_owned()]);
    assert_eq!(client.logins(), 2);
    // A clone shares the renewed session.
    let clone = client.clone();
    assert_eq!(clone.datacenters().await.unwrap(), vec!["DC0".to_owned()]);
    assert_eq!(client.logins(), 2);
    client.logout().await.unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn target_parsing_strips_credentials_from_the_url() {
    let spec = TargetSpec::parse(
        "admin%40vsphere.local:p%40ss@vc.example.com/DC0",
        None,
        None,
        proxy::vsphere::TlsPolicy::SystemRoots,
    )
    .unwrap();
    assert_eq!(spec.url.as_str(), "https://vc.example.com/sdk");
    assert_eq!(spec.username, "admin@vsphere.local");
    assert!(!format!("{spec:?}").contains("p@ss"));
    use secrecy::ExposeSecret;
    assert_eq!(spec.password.expose_secret(), "p@ss");
    assert!(
        TargetSpec::parse(
            "https://",
            Some("u"),
            None,
            proxy::vsphere::TlsPolicy::Insecure
        )
        .is_err()
    );
}
