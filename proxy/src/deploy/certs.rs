//! TLS material for the Docker API: the server certificate the appliance presents and, unless
//! `--no-tlsverify`, a CA plus a client certificate signed by it (what `docker --tlsverify` uses).
//!
//! Keys are ECDSA P-256 (rcgen's default); the original generated RSA of `--certificate-key-size`.
//! Generated certificates are valid for a bounded time from now (docs/certificates.md).

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use shared::VchConfig;
use shared::extraconfig::CertificatePair;

/// What the deployment uses and what the user needs to talk to the VCH.
#[derive(Clone, Default, serde::Serialize)]
pub struct TlsMaterial {
    /// `None` with `--no-tls`.
    #[serde(skip)]
    pub server: Option<CertificatePair>,
    /// PEM CAs the appliance trusts for client certificates; empty when clients are not verified.
    pub client_ca_pem: String,
    /// The generated CA (when we made one), to give to Docker clients (`ca.pem`).
    pub ca_cert_pem: Option<String>,
    /// A client certificate signed by the generated CA (`cert.pem`).
    pub client_cert_pem: Option<String>,
    /// Its key (`key.pem`). Never logged.
    #[serde(skip)]
    pub client_key_pem: Option<String>,
}

impl fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsMaterial")
            .field(
                "server",
                &self.server.as_ref().map(|_| "<certificate and key>"),
            )
            .field("client_ca", &!self.client_ca_pem.is_empty())
            .field("generated_ca", &self.ca_cert_pem.is_some())
            .field("client_cert", &self.client_cert_pem.is_some())
            .finish()
    }
}

impl TlsMaterial {
    pub fn verifies_clients(&self) -> bool {
        !self.client_ca_pem.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("generating certificates: {0}")]
pub struct CertError(String);

fn err(e: rcgen::Error) -> CertError {
    CertError(e.to_string())
}

/// The RSA key size P-256 matches in strength (NIST SP 800-57: both 128-bit security).
pub const P256_AS_RSA_BITS: u64 = 3072;

/// How long what we generate stays valid: one year, as the original's certificates.
pub const VALIDITY: Duration = Duration::from_secs(365 * 24 * 3600);

/// Sets the validity window: from a minute ago (clock skew between us and the appliance) to
/// [`VALIDITY`] from now. rcgen's default would be 1975 to 4096.
fn bounded(params: &mut CertificateParams) {
    let now = x509_parser::time::ASN1Time::now().to_datetime();
    params.not_before = now - Duration::from_secs(60);
    params.not_after = now + VALIDITY;
}

/// Makes (or takes from the config) the certificates for a VCH named `name`.
/// `ips` are the static client/public addresses, added as SANs.
pub fn prepare(config: &VchConfig, name: &str, ips: &[IpAddr]) -> Result<TlsMaterial, CertError> {
    let s = &config.security;
    if s.no_tls {
        return Ok(TlsMaterial::default());
    }
    // P-256 keys are as strong as RSA-3072: smaller RSA sizes are met, larger ones cannot be.
    if let Some(bits) = s
        .certificate_key_size
        .as_deref()
        .and_then(shared::quantity::parse_uint)
        .filter(|b| *b > P256_AS_RSA_BITS)
    {
        return Err(CertError(format!(
            "--certificate-key-size {bits}: generated keys are ECDSA P-256, as strong as RSA-{P256_AS_RSA_BITS}; give a size up to {P256_AS_RSA_BITS}, or --tls-server-cert/--tls-server-key made elsewhere"
        )));
    }
    if let Some(unread) = shared::extraconfig::certificates::unread_files(config).first() {
        return Err(CertError(unread.message.clone()));
    }
    let given_cas = shared::extraconfig::certificates::client_ca_pem(config);
    let given_server = match (&s.tls_server_cert, &s.tls_server_key) {
        (Some(cert), Some(key)) => match (&cert.pem, &key.pem) {
            (Some(cert), Some(key)) => Some(CertificatePair {
                cert_pem: cert.clone(),
                key_pem: key.clone(),
            }),
            _ => {
                return Err(CertError(
                    "--tls-server-cert/--tls-server-key were given but not read; pass the PEM contents"
                        .into(),
                ));
            }
        },
        _ => None,
    };

    let organization = s
        .organization
        .first()
        .cloned()
        .unwrap_or_else(|| name.to_owned());
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    bounded(&mut ca_params);
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, format!("{name} CA"));
    ca_params
        .distinguished_name
        .push(DnType::OrganizationName, organization.clone());
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca_params, &ca_key);

    let server = match given_server {
        Some(pair) => pair,
        None => {
            let cname = s
                .tls_cname
                .clone()
                .filter(|c| !c.trim().is_empty())
                .unwrap_or_else(|| name.to_owned());
            let mut params = CertificateParams::new(vec![cname.clone()]).map_err(err)?;
            params
                .subject_alt_names
                .extend(ips.iter().map(|ip| SanType::IpAddress(*ip)));
            params.distinguished_name.push(DnType::CommonName, cname);
            params
                .distinguished_name
                .push(DnType::OrganizationName, organization.clone());
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
            bounded(&mut params);
            let key = KeyPair::generate().map_err(err)?;
            let cert = params.signed_by(&key, &issuer).map_err(err)?;
            CertificatePair {
                cert_pem: cert.pem(),
                key_pem: key.serialize_pem(),
            }
        }
    };

    let mut material = TlsMaterial {
        server: Some(server),
        ..TlsMaterial::default()
    };
    if s.no_tlsverify {
        return Ok(material);
    }
    if !given_cas.is_empty() {
        material.client_ca_pem = given_cas;
        return Ok(material);
    }
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    params
        .distinguished_name
        .push(DnType::CommonName, format!("{name} client"));
    params
        .distinguished_name
        .push(DnType::OrganizationName, organization);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    bounded(&mut params);
    let key = KeyPair::generate().map_err(err)?;
    let cert = params.signed_by(&key, &issuer).map_err(err)?;
    material.client_ca_pem = ca_cert.pem();
    material.ca_cert_pem = Some(ca_cert.pem());
    material.client_cert_pem = Some(cert.pem());
    material.client_key_pem = Some(key.serialize_pem());
    Ok(material)
}

/// When one of a VCH's certificates stops being valid, for `vch inspect`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertificateExpiry {
    /// `server`, `client CA` or `registry CA`.
    pub role: &'static str,
    /// The subject, as `CN=…, O=…`.
    pub subject: String,
    /// RFC 3339, UTC.
    pub not_after: String,
}

/// The validity end of every certificate in the PEM text `pem` (unreadable blocks are skipped:
/// this is a report, and the appliance rejects them anyway).
pub fn expiries(role: &'static str, pem: &[u8]) -> Vec<CertificateExpiry> {
    x509_parser::pem::Pem::iter_from_buffer(pem)
        .filter_map(Result::ok)
        .filter(|p| p.label == "CERTIFICATE")
        .filter_map(|p| {
            let cert = p.parse_x509().ok()?;
            // X.509 times are UTC.
            let end = cert.validity().not_after.to_datetime();
            let not_after = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                end.year(),
                u8::from(end.month()),
                end.day(),
                end.hour(),
                end.minute(),
                end.second()
            );
            Some(CertificateExpiry {
                role,
                subject: cert.subject().to_string(),
                not_after,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_certificates_expire_within_a_year_and_a_day() {
        let mut config = VchConfig::default();
        config.general.name = Some("v".into());
        let tls = prepare(&config, "v", &[]).unwrap();
        let now = x509_parser::time::ASN1Time::now().to_datetime();
        let mut seen = 0;
        for pem in [
            tls.server.as_ref().map(|s| s.cert_pem.clone()),
            tls.ca_cert_pem.clone(),
            tls.client_cert_pem.clone(),
        ]
        .into_iter()
        .flatten()
        {
            for cert in x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes()) {
                let cert = cert.unwrap();
                let x509 = cert.parse_x509().unwrap();
                let end = x509.validity().not_after.to_datetime();
                assert!(end > now + Duration::from_secs(364 * 24 * 3600));
                assert!(end < now + Duration::from_secs(366 * 24 * 3600));
                seen += 1;
            }
        }
        assert_eq!(seen, 3);
        let listed = expiries("server", tls.server.unwrap().cert_pem.as_bytes());
        assert_eq!(listed.len(), 1);
        assert!(listed[0].subject.contains("CN=v"), "{:?}", listed[0]);
    }

    #[test]
    fn a_named_but_unread_ca_is_refused_not_replaced() {
        let mut config = VchConfig::default();
        config
            .security
            .tls_ca
            .push(shared::config::PemFile::from_path("ca.pem"));
        assert!(prepare(&config, "v", &[]).is_err());
    }
}
