//! TLS trust the way vic-machine does it: a certificate the system does not trust is refused with
//! its thumbprint shown; `--thumbprint` pins exactly one certificate; `--force` skips verification.
//!
//! reqwest is built without a crypto provider, so the rustls config is built here with *ring* and
//! handed over with `use_preconfigured_tls`. The verifier records why it refused a certificate, so
//! the error the user sees carries the thumbprint instead of a generic "handshake failed".

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha1::{Digest, Sha1};
use sha2::Sha256;

use super::error::VsphereError;

/// How the server certificate is checked (https targets only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsPolicy {
    /// Trust the Mozilla root store (webpki-roots).
    SystemRoots,
    /// Accept exactly the certificate with this thumbprint (vic-machine `--thumbprint`), whatever
    /// signed it; handshake signatures are still verified.
    Pinned(Thumbprint),
    /// Trust these PEM roots in addition to the system ones (a private CA, or the simulator's
    /// generated certificate).
    ExtraRootsPem(String),
    /// No verification at all (`--force`). Logged loudly at connect.
    Insecure,
}

/// A certificate thumbprint: SHA-1 (what vic-machine prints) or SHA-256.
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbprint {
    bytes: Vec<u8>,
}

impl Thumbprint {
    /// The SHA-1 thumbprint of a DER certificate.
    pub fn sha1_of(der: &[u8]) -> Thumbprint {
        Thumbprint {
            bytes: Sha1::digest(der).to_vec(),
        }
    }

    pub fn sha256_of(der: &[u8]) -> Thumbprint {
        Thumbprint {
            bytes: Sha256::digest(der).to_vec(),
        }
    }

    pub fn is_sha256(&self) -> bool {
        self.bytes.len() == 32
    }

    /// Whether this thumbprint (of either kind) names `der`.
    pub fn matches(&self, der: &[u8]) -> bool {
        if self.is_sha256() {
            Sha256::digest(der).as_slice() == self.bytes
        } else {
            Sha1::digest(der).as_slice() == self.bytes
        }
    }
}

/// Colon-separated upper-case hex, as vic-machine and vCenter print thumbprints.
impl fmt::Display for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.bytes.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Thumbprint({self})")
    }
}

/// Why a thumbprint string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a thumbprint is 20 (SHA-1) or 32 (SHA-256) bytes of hex, optionally colon-separated, \
     e.g. 9F:F0:DF:...:25:6F"
)]
pub struct InvalidThumbprint;

impl FromStr for Thumbprint {
    type Err = InvalidThumbprint;

    /// Accepts `AA:BB:...`, `aa:bb:...` and bare hex; spaces around are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex_digits: String = s.trim().chars().filter(|c| *c != ':').collect();
        let bytes = hex::decode(hex_digits).map_err(|_| InvalidThumbprint)?;
        if bytes.len() != 20 && bytes.len() != 32 {
            return Err(InvalidThumbprint);
        }
        Ok(Thumbprint { bytes })
    }
}

/// What the verifier refused, kept for the error message.
#[derive(Debug, Clone)]
pub(crate) enum Refusal {
    Untrusted {
        reason: String,
        sha1: Thumbprint,
        sha256: Thumbprint,
    },
    Mismatch {
        expected: Thumbprint,
        sha1: Thumbprint,
        sha256: Thumbprint,
    },
}

impl Refusal {
    pub fn into_error(self, host: &str) -> VsphereError {
        match self {
            Refusal::Untrusted {
                reason,
                sha1,
                sha256,
            } => VsphereError::UntrustedCertificate {
                host: host.to_owned(),
                reason,
                sha1: sha1.to_string(),
                sha256: sha256.to_string(),
            },
            Refusal::Mismatch {
                expected,
                sha1,
                sha256,
            } => VsphereError::ThumbprintMismatch {
                host: host.to_owned(),
                expected: expected.to_string(),
                sha1: sha1.to_string(),
                sha256: sha256.to_string(),
            },
        }
    }
}

#[derive(Debug)]
enum Mode {
    Roots(Arc<WebPkiServerVerifier>),
    Pinned(Thumbprint),
    Insecure,
}

/// The one verifier for every policy.
#[derive(Debug)]
pub(crate) struct Verifier {
    mode: Mode,
    algorithms: WebPkiSupportedAlgorithms,
    refusal: Mutex<Option<Refusal>>,
    /// The SHA-1 thumbprint of the last certificate accepted: what the appliance must pin to
    /// reach the same server (`connect/target_thumbprint`).
    accepted: Mutex<Option<Thumbprint>>,
}

impl Verifier {
    /// The SHA-1 thumbprint of the server certificate this connection accepted, whatever the
    /// policy accepted it by (pinned SHA-1 or SHA-256, trusted roots, or `--force`).
    pub fn accepted(&self) -> Option<Thumbprint> {
        self.accepted.lock().ok().and_then(|a| a.clone())
    }

    fn accept(&self, der: &[u8]) -> ServerCertVerified {
        if let Ok(mut slot) = self.accepted.lock() {
            *slot = Some(Thumbprint::sha1_of(der));
        }
        ServerCertVerified::assertion()
    }

    /// The last refusal, if the handshake failed because of the certificate.
    pub fn take_refusal(&self) -> Option<Refusal> {
        self.refusal.lock().ok().and_then(|mut r| r.take())
    }

    fn refuse(&self, refusal: Refusal) -> rustls::Error {
        let message = match &refusal {
            Refusal::Untrusted { reason, .. } => format!("certificate not trusted: {reason}"),
            Refusal::Mismatch { .. } => "certificate thumbprint mismatch".to_owned(),
        };
        if let Ok(mut slot) = self.refusal.lock() {
            *slot = Some(refusal);
        }
        rustls::Error::General(message)
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let der = end_entity.as_ref();
        match &self.mode {
            Mode::Insecure => Ok(self.accept(der)),
            Mode::Pinned(expected) if expected.matches(der) => Ok(self.accept(der)),
            Mode::Pinned(expected) => Err(self.refuse(Refusal::Mismatch {
                expected: expected.clone(),
                sha1: Thumbprint::sha1_of(der),
                sha256: Thumbprint::sha256_of(der),
            })),
            Mode::Roots(webpki) => webpki
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map(|_| self.accept(der))
                .map_err(|e| {
                    self.refuse(Refusal::Untrusted {
                        reason: e.to_string(),
                        sha1: Thumbprint::sha1_of(der),
                        sha256: Thumbprint::sha256_of(der),
                    })
                }),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        // --force must work with certificates rustls cannot check at all (vcsim's built-in cert
        // is 1024-bit RSA, which fails signature verification).
        if matches!(self.mode, Mode::Insecure) {
            return Ok(HandshakeSignatureValid::assertion());
        }
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if matches!(self.mode, Mode::Insecure) {
            return Ok(HandshakeSignatureValid::assertion());
        }
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Builds the rustls config for a policy, and the verifier that explains refusals.
pub(crate) fn client_config(
    policy: &TlsPolicy,
) -> Result<(ClientConfig, Arc<Verifier>), VsphereError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mode = match policy {
        TlsPolicy::Insecure => Mode::Insecure,
        TlsPolicy::Pinned(thumbprint) => Mode::Pinned(thumbprint.clone()),
        TlsPolicy::SystemRoots => Mode::Roots(webpki_verifier(system_roots(), &provider)?),
        TlsPolicy::ExtraRootsPem(pem) => {
            let mut roots = system_roots();
            let mut added = 0;
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let cert =
                    cert.map_err(|e| VsphereError::TlsSetup(format!("reading the root PEM: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| VsphereError::TlsSetup(format!("adding a root: {e}")))?;
                added += 1;
            }
            if added == 0 {
                return Err(VsphereError::TlsSetup(
                    "the root PEM holds no certificate".into(),
                ));
            }
            Mode::Roots(webpki_verifier(roots, &provider)?)
        }
    };
    let verifier = Arc::new(Verifier {
        mode,
        algorithms: provider.signature_verification_algorithms,
        refusal: Mutex::new(None),
        accepted: Mutex::new(None),
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| VsphereError::TlsSetup(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    Ok((config, verifier))
}

fn system_roots() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

fn webpki_verifier(
    roots: RootCertStore,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, VsphereError> {
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| VsphereError::TlsSetup(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_vic_machine_thumbprints() {
        let text = "9F:F0:DF:BA:7F:E2:89:F0:98:E4:A6:D1:58:24:68:74:8A:9B:25:6F";
        let thumbprint: Thumbprint = text.parse().unwrap();
        assert_eq!(thumbprint.to_string(), text);
        let lower: Thumbprint = text.to_lowercase().replace(':', "").parse().unwrap();
        assert_eq!(lower, thumbprint);
        assert!(!thumbprint.is_sha256());
        let sha256: Thumbprint = "ab".repeat(32).parse().unwrap();
        assert!(sha256.is_sha256());
        for bad in ["", "zz", "9F:F0", &"ab".repeat(21)] {
            assert!(bad.parse::<Thumbprint>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_thumbprint_matches_its_certificate_by_either_digest() {
        let der = b"not really a certificate";
        assert!(Thumbprint::sha1_of(der).matches(der));
        assert!(Thumbprint::sha256_of(der).matches(der));
        assert!(!Thumbprint::sha1_of(der).matches(b"other"));
    }
}
