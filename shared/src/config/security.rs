//! Wizard page "Security": TLS for the Docker API.

use serde::{Deserialize, Serialize};

/// A file option: the path as the user gave it plus, when the edge (CLI or browser) has read it,
/// the PEM text. `shared` never reads files itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PemFile {
    pub path: String,
    pub pem: Option<String>,
}

impl PemFile {
    pub fn from_path(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            pem: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    pub no_tls: bool,
    pub no_tlsverify: bool,
    pub tls_cname: Option<String>,
    /// CAs that sign client certificates.
    pub tls_ca: Vec<PemFile>,
    pub organization: Vec<String>,
    /// Bits; raw text.
    pub certificate_key_size: Option<String>,
    pub tls_server_key: Option<PemFile>,
    pub tls_server_cert: Option<PemFile>,
    pub tls_cert_path: Option<String>,
}
