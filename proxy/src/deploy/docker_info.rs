//! One `GET /info` against a new VCH's Docker API, and what its answer means
//! (docs/readiness.md): the port layer must say `RUNNING` and every configured volume store must
//! be listed.
//!
//! With TLS the appliance must present exactly the server certificate this run gave it: pinning
//! the certificate works whatever address the appliance got (a DHCP address is not in the
//! certificate's names) and refuses anything else answering there. When clients are verified, the
//! generated client certificate is offered.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

use super::certs::TlsMaterial;

/// A Docker `/info` answer is a few kilobytes; anything far larger is not one.
const MAX_INFO_BYTES: usize = 1 << 20;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// The `SystemStatus` row where the VIC engine lists the volume stores it brought online.
const VOLUME_STORES_ROW: &str = "VolumeStores";

/// Where the Docker API of a VCH is and how to talk to it.
pub struct Endpoint {
    pub ip: IpAddr,
    pub port: u16,
    /// `None` with `--no-tls`.
    tls: Option<Arc<ClientConfig>>,
    /// Clients are verified but we hold no client certificate (a user-given CA): the appliance
    /// will refuse the handshake, which is then expected rather than a fault.
    pub refusal_expected: bool,
}

/// One attempt's result.
#[derive(Debug)]
pub enum Answer {
    /// The port layer runs and every volume store is online.
    Ready,
    /// Nothing accepted a TCP connection (no route, refused, timed out).
    NoConnection(String),
    /// The TLS handshake failed.
    Tls(String),
    /// Something answered, but not a ready VIC engine.
    NotReady(String),
}

#[derive(Debug, thiserror::Error)]
#[error("preparing the Docker API check: {0}")]
pub struct SetupError(String);

impl Endpoint {
    pub fn new(ip: IpAddr, port: u16, tls: &TlsMaterial) -> Result<Endpoint, SetupError> {
        let Some(server) = &tls.server else {
            return Ok(Endpoint {
                ip,
                port,
                tls: None,
                refusal_expected: false,
            });
        };
        let expected = CertificateDer::from_pem_slice(server.cert_pem.as_bytes())
            .map_err(|e| SetupError(format!("reading the server certificate: {e}")))?
            .into_owned();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Arc::new(PinnedServer {
            expected,
            algorithms: provider.signature_verification_algorithms,
        });
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| SetupError(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let client_pair = tls
            .client_cert_pem
            .as_ref()
            .zip(tls.client_key_pem.as_ref());
        let config = match client_pair {
            Some((cert, key)) => {
                let chain = CertificateDer::pem_slice_iter(cert.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| SetupError(format!("reading the client certificate: {e}")))?;
                let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
                    .map_err(|e| SetupError(format!("reading the client key: {e}")))?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| SetupError(e.to_string()))?
            }
            None => builder.with_no_client_auth(),
        };
        Ok(Endpoint {
            ip,
            port,
            tls: Some(Arc::new(config)),
            refusal_expected: tls.verifies_clients() && client_pair.is_none(),
        })
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}/info", SocketAddr::new(self.ip, self.port))
    }

    /// One attempt: a TCP probe (so that "nothing there" is told apart from a bad answer), then
    /// the request.
    pub async fn ask(&self, volume_stores: &[String]) -> Answer {
        let addr = SocketAddr::new(self.ip, self.port);
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_probe)) => {}
            Ok(Err(e)) => return Answer::NoConnection(e.to_string()),
            Err(_) => {
                return Answer::NoConnection(format!(
                    "no answer within {} s",
                    CONNECT_TIMEOUT.as_secs()
                ));
            }
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .http1_only();
        if let Some(config) = &self.tls {
            builder = builder.use_preconfigured_tls((**config).clone());
        }
        let http = match builder.build() {
            Ok(http) => http,
            Err(e) => return Answer::Tls(e.to_string()),
        };
        let response = match http.get(self.url()).send().await {
            Ok(response) => response,
            // TLS 1.3 delivers a refused client certificate after the handshake, on the request.
            Err(e) if self.tls.is_some() && (e.is_connect() || is_tls_error(&e)) => {
                return Answer::Tls(chain(&e));
            }
            Err(e) => return Answer::NotReady(format!("the request failed: {}", chain(&e))),
        };
        let status = response.status();
        if !status.is_success() {
            return Answer::NotReady(format!("it answered HTTP {status}"));
        }
        let body = match read_bounded(response).await {
            Ok(body) => body,
            Err(e) => return Answer::NotReady(e),
        };
        judge(&body, volume_stores)
    }
}

/// Whether a rustls error (an alert from the peer, or our own verification) is in the chain.
fn is_tls_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if err.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
        {
            return true;
        }
        current = err.source();
    }
    false
}

/// An error with its sources, since reqwest's own message hides the TLS reason.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the answer: {e}"))?
    {
        if body.len() + chunk.len() > MAX_INFO_BYTES {
            return Err(format!(
                "its answer exceeds {} KiB, which is not a Docker /info",
                MAX_INFO_BYTES >> 10
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[derive(serde::Deserialize)]
struct Info {
    #[serde(rename = "Driver", default)]
    driver: String,
    #[serde(rename = "SystemStatus", default)]
    system_status: Option<Vec<Vec<String>>>,
}

/// The original's reading of `/info`: the row named after the driver holds the port layer's
/// state; the `VolumeStores` row lists the stores online, separated by spaces.
fn judge(body: &[u8], volume_stores: &[String]) -> Answer {
    let info: Info = match serde_json::from_slice(body) {
        Ok(info) => info,
        Err(e) => return Answer::NotReady(format!("its answer is not Docker /info JSON ({e})")),
    };
    let rows = info.system_status.unwrap_or_default();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r.first().is_some_and(|k| k.trim() == name))
            .and_then(|r| r.get(1))
            .map(|v| v.trim().to_owned())
    };
    match row(info.driver.trim()) {
        Some(state) if state == "RUNNING" => {}
        Some(state) => {
            return Answer::NotReady(format!(
                "the port layer is {state}, not RUNNING (its log is in the VCH admin portal on port 2378)"
            ));
        }
        None => {
            return Answer::NotReady(
                "its /info does not report the port layer's state (is this a VIC engine?)".into(),
            );
        }
    }
    let online = row(VOLUME_STORES_ROW).unwrap_or_default();
    let online: Vec<&str> = online.split_whitespace().collect();
    let missing: Vec<&str> = volume_stores
        .iter()
        .map(String::as_str)
        .filter(|label| !online.contains(label))
        .collect();
    if !missing.is_empty() {
        return Answer::NotReady(format!(
            "volume store(s) {} are not online (check the datastore, the NFS server and --volume-store)",
            missing.join(", ")
        ));
    }
    Answer::Ready
}

/// Accepts only the certificate the appliance was given (signatures still checked).
#[derive(Debug)]
struct PinnedServer {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "the endpoint presented a certificate other than the VCH's server certificate"
                    .into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(rows: &str) -> Vec<u8> {
        format!(r#"{{"Driver":"vSphere Integrated Containers v1.5.8 Backend Engine","SystemStatus":{rows}}}"#)
            .into_bytes()
    }

    #[test]
    fn running_with_every_store_is_ready() {
        let body = info(
            r#"[["vSphere Integrated Containers v1.5.8 Backend Engine","RUNNING"],[" VolumeStores","default second"]]"#,
        );
        let stores = ["default".to_owned(), "second".to_owned()];
        assert!(matches!(judge(&body, &stores), Answer::Ready));
    }

    #[test]
    fn a_stopped_port_layer_or_a_missing_store_is_not_ready() {
        let stopped = info(
            r#"[["vSphere Integrated Containers v1.5.8 Backend Engine","STOPPED"],["VolumeStores","default"]]"#,
        );
        let Answer::NotReady(why) = judge(&stopped, &["default".to_owned()]) else {
            panic!("a stopped port layer passed");
        };
        assert!(why.contains("STOPPED"), "{why}");
        let missing = info(
            r#"[["vSphere Integrated Containers v1.5.8 Backend Engine","RUNNING"],["VolumeStores","default"]]"#,
        );
        let Answer::NotReady(why) = judge(&missing, &["default".to_owned(), "b".to_owned()]) else {
            panic!("a missing store passed");
        };
        assert!(why.contains("volume store(s) b "), "{why}");
        assert!(matches!(judge(b"<html>", &[]), Answer::NotReady(_)));
        assert!(matches!(judge(&info("null"), &[]), Answer::NotReady(_)));
    }
}
