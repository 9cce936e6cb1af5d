//! TLS material for the Docker API: the server certificate the appliance presents and, unless
//! `--no-tlsverify`, a CA plus a client certificate signed by it (what `docker --tlsverify` uses).
//!
//! Keys are ECDSA P-256 (rcgen's default); the original generated RSA of `--certificate-key-size`.

use std::fmt;
use std::net::IpAddr;

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

/// Makes (or takes from the config) the certificates for a VCH named `name`.
/// `ips` are the static client/public addresses, added as SANs.
pub fn prepare(config: &VchConfig, name: &str, ips: &[IpAddr]) -> Result<TlsMaterial, CertError> {
    let s = &config.security;
    if s.no_tls {
        return Ok(TlsMaterial::default());
    }
    let given_cas: String = s.tls_ca.iter().filter_map(|f| f.pem.clone()).collect();
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
    let key = KeyPair::generate().map_err(err)?;
    let cert = params.signed_by(&key, &issuer).map_err(err)?;
    material.client_ca_pem = ca_cert.pem();
    material.ca_cert_pem = Some(ca_cert.pem());
    material.client_cert_pem = Some(cert.pem());
    material.client_key_pem = Some(key.serialize_pem());
    Ok(material)
}
