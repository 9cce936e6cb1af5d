//! TLS like vic-machine: untrusted certificates are refused with their thumbprint shown, a pinned
//! thumbprint (SHA-1 or SHA-256) is accepted, a wrong one refused, and only `--force` skips checks.

use proxy::simulator::{Simulator, SimulatorOptions, Tls};
use proxy::vsphere::{Client, TargetSpec, Thumbprint, TlsPolicy, VsphereError};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

async fn tls_simulator(tls: Tls) -> Simulator {
    Simulator::start(SimulatorOptions::vpx().with_tls(tls))
        .await
        .expect("start the simulator")
}

fn cert_der(sim: &Simulator) -> Vec<u8> {
    let pem = sim.cert_pem().expect("generated certificate");
    CertificateDer::from_pem_slice(pem.as_bytes())
        .expect("PEM")
        .as_ref()
        .to_vec()
}

fn spec_with(sim: &Simulator, tls: TlsPolicy) -> TargetSpec {
    TargetSpec {
        tls,
        ..TargetSpec::from_simulator(sim)
    }
}

#[tokio::test]
async fn the_simulators_own_certificate_as_root_is_trusted() {
    let sim = tls_simulator(Tls::Generate).await;
    assert_eq!(sim.url().scheme(), "https");
    let client = Client::connect(&TargetSpec::from_simulator(&sim))
        .await
        .unwrap();
    assert_eq!(client.datacenters().await.unwrap(), ["DC0"]);
    client.logout().await.unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_showing_its_sha1_thumbprint() {
    let sim = tls_simulator(Tls::Generate).await;
    let sha1 = Thumbprint::sha1_of(&cert_der(&sim)).to_string();
    let err = Client::connect(&spec_with(&sim, TlsPolicy::SystemRoots))
        .await
        .unwrap_err();
    match &err {
        VsphereError::UntrustedCertificate { sha1: shown, .. } => assert_eq!(shown, &sha1),
        other => panic!("expected UntrustedCertificate, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains(&sha1), "{message}");
    assert!(message.contains("--thumbprint"), "{message}");
    sim.stop().await;
}

#[tokio::test]
async fn a_pinned_thumbprint_is_accepted_as_sha1_or_sha256() {
    let sim = tls_simulator(Tls::Generate).await;
    let der = cert_der(&sim);
    let sha256: Thumbprint = sim.cert_thumbprint_sha256().unwrap().parse().unwrap();
    assert_eq!(sha256, Thumbprint::sha256_of(&der));
    // vic-machine prints upper-case colon hex; lower case without colons is accepted as well.
    let sha1_text = Thumbprint::sha1_of(&der)
        .to_string()
        .to_lowercase()
        .replace(':', "");
    for pinned in [sha1_text.parse().unwrap(), sha256] {
        let client = Client::connect(&spec_with(&sim, TlsPolicy::Pinned(pinned)))
            .await
            .expect("pinned thumbprint");
        assert_eq!(client.datacenters().await.unwrap(), ["DC0"]);
        client.logout().await.unwrap();
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_thumbprint_mismatch_is_refused_showing_the_real_one() {
    let sim = tls_simulator(Tls::Generate).await;
    let real = Thumbprint::sha1_of(&cert_der(&sim)).to_string();
    let wrong: Thumbprint = "9F:F0:DF:BA:7F:E2:89:F0:98:E4:A6:D1:58:24:68:74:8A:9B:25:6F"
        .parse()
        .unwrap();
    let err = Client::connect(&spec_with(&sim, TlsPolicy::Pinned(wrong.clone())))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, VsphereError::ThumbprintMismatch { sha1, expected, .. }
            if *sha1 == real && *expected == wrong.to_string()),
        "{err:?}"
    );
    assert!(err.to_string().contains(&real), "{err}");
    sim.stop().await;
}

#[tokio::test]
async fn force_skips_verification_even_for_the_builtin_1024_bit_certificate() {
    let sim = tls_simulator(Tls::BuiltIn).await;
    // Without --force: refused, and the thumbprint is shown.
    let err = Client::connect(&spec_with(&sim, TlsPolicy::SystemRoots))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, VsphereError::UntrustedCertificate { sha1, .. } if sha1.len() == 59),
        "{err:?}"
    );
    // With --force it works.
    let client = Client::connect(&spec_with(&sim, TlsPolicy::Insecure))
        .await
        .expect("--force");
    assert_eq!(client.datacenters().await.unwrap(), ["DC0"]);
    client.logout().await.unwrap();
    sim.stop().await;
}
