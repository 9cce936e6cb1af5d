//! `vch serve --tls` with a certificate generated into a temporary state directory: a client
//! that trusts exactly that certificate logs in to the simulator and reads the inventory, the
//! session cookie is `Secure`, the printed thumbprint is the certificate's, and a restart with
//! the same state directory (or with the files given as --tls-cert/--tls-key) keeps it.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use proxy::vsphere::Thumbprint;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

struct Server {
    child: tokio::process::Child,
    base: String,
    /// The SHA-256 thumbprint the server printed.
    sha256: String,
}

/// Starts `vch serve --simulator` with `extra` flags and reads its URL and thumbprint line.
async fn start(extra: &[&str]) -> Server {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .args(["serve", "--simulator", "--listen", "127.0.0.1:0"])
        .args(["--ui-dir", "/nonexistent"])
        .args(extra)
        .env_remove("VCH_LISTEN")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("vch serve starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base, mut sha256) = (String::new(), String::new());
    while base.is_empty() {
        let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
            .await
            .expect("vch serve prints its URL")
            .unwrap()
            .expect("vch serve is still running");
        if let Some(rest) = line.split("SHA-256 ").nth(1) {
            sha256 = rest.trim().to_owned();
        }
        if let Some(url) = line.strip_prefix("vch is serving the wizard at ") {
            base = url.trim().trim_end_matches('/').to_owned();
        }
    }
    // Keep reading so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Server {
        child,
        base,
        sha256,
    }
}

async fn stop(mut server: Server) {
    let pid = server.child.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(120), server.child.wait())
        .await
        .expect("vch serve exits")
        .unwrap();
}

fn certificate(state_dir: &Path) -> CertificateDer<'static> {
    let pem = std::fs::read(state_dir.join(proxy::http::serve_tls::CERT_FILE)).unwrap();
    CertificateDer::from_pem_slice(&pem).unwrap()
}

/// A browser that trusts only `cert` (no system roots, nothing skipped).
fn browser_trusting(cert: CertificateDer<'static>) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(config)
        .cookie_store(true)
        .build()
        .unwrap()
}

/// Connects as a browser does (ALPN offering h2, then http/1.1), checks the server picked
/// http/1.1 (the protocol it speaks), and returns the status line of `GET /api/health`.
async fn http1_over_alpn(base: &str, cert: CertificateDer<'static>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let addr = base.trim_start_matches("https://");
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("TLS handshake");
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    tls.write_all(
        format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut response = String::new();
    tls.read_to_string(&mut response).await.unwrap();
    response.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn https_with_a_generated_certificate_kept_across_restarts() {
    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().to_str().unwrap();
    let server = start(&["--tls", "--state-dir", state_dir]).await;
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let cert = certificate(state.path());
    assert_eq!(
        server.sha256,
        Thumbprint::sha256_of(&cert).to_string(),
        "the printed thumbprint is the certificate's"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = state.path().join(proxy::http::serve_tls::KEY_FILE);
        let mode = std::fs::metadata(key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the key is readable by its owner only");
    }

    let http = browser_trusting(cert.clone());
    let login = http
        .post(format!("{}/api/session", server.base))
        .json(&json!({"default_target": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 201);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let datacenters = http
        .get(format!("{}/api/datacenters", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(datacenters.status(), 200);
    assert_eq!(
        datacenters.json::<serde_json::Value>().await.unwrap(),
        json!(["DC0"])
    );
    let first = server.sha256.clone();
    stop(server).await;

    // Same state directory: same certificate, same thumbprint (what vCenter has pinned).
    let again = start(&["--tls", "--state-dir", state_dir]).await;
    assert_eq!(again.sha256, first);
    let health = browser_trusting(cert.clone())
        .get(format!("{}/api/health", again.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        http1_over_alpn(&again.base, cert.clone()).await,
        "HTTP/1.1 200 OK",
        "a browser offering h2 first still gets HTTP/1.1"
    );
    stop(again).await;

    // The same files given explicitly.
    let cert_file = state.path().join(proxy::http::serve_tls::CERT_FILE);
    let key_file = state.path().join(proxy::http::serve_tls::KEY_FILE);
    let given = start(&[
        "--tls-cert",
        cert_file.to_str().unwrap(),
        "--tls-key",
        key_file.to_str().unwrap(),
    ])
    .await;
    assert!(given.base.starts_with("https://"), "{}", given.base);
    assert_eq!(given.sha256, first);
    stop(given).await;
}

#[tokio::test]
async fn plain_http_on_loopback_still_works_with_a_warning() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--ui-dir",
            "/nonexistent",
        ])
        .env_remove("VCH_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(line.contains("http://127.0.0.1:"), "{line}");
    child.kill().await.unwrap();
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr)
        .await
        .unwrap();
    assert!(stderr.contains("plain HTTP on loopback"), "{stderr}");
}
