//! K1–K3, K7, K9–K10 and the static checks of the server certificate files: the "Security" page.

use crate::config::{PemFile, VchConfig};
use crate::finding::Finding;
use crate::pem::{has_certificates, has_private_key};
use crate::quantity::parse_uint;

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let s = &config.security;
    if s.no_tls {
        out.push(Finding::warning(
            "K1",
            "no-tls",
            "security.no_tls",
            "TLS is off: the Docker API will listen on plain HTTP (port 2375) and everything, credentials included, travels unencrypted.",
        ));
    } else if s.no_tlsverify {
        out.push(Finding::warning(
            "K7",
            "no-tlsverify",
            "security.no_tlsverify",
            "Client certificate verification is off: anyone who can reach the Docker API can use it.",
        ));
    }
    match (&s.tls_server_key, &s.tls_server_cert) {
        (Some(_), None) => out.push(Finding::error(
            "K2",
            "tls-server-cert",
            "security.tls_server_cert",
            "A server key was given without its certificate; pass --tls-server-cert and --tls-server-key together.",
        )),
        (None, Some(_)) => out.push(Finding::error(
            "K2",
            "tls-server-key",
            "security.tls_server_key",
            "A server certificate was given without its key; pass --tls-server-cert and --tls-server-key together.",
        )),
        _ => {}
    }
    check_pem_contents(config, out);
    if !s.no_tls && !s.no_tlsverify && s.tls_server_cert.is_none() && needs_cname(config) {
        out.push(
            Finding::warning(
                "K3",
                "tls-cname",
                "security.tls_cname",
                "Client-verified TLS needs a common name for the generated server certificate, and neither --tls-cname nor \
                 a static client address supplies one. Unless the certificate folder already holds a certificate, creation \
                 will fail: set --tls-cname, or choose --no-tlsverify or --no-tls.",
            )
            .with_suggestion("--tls-cname vch.example.com")
            .with_suggestion("--no-tlsverify"),
        );
    }
    if s.no_tls && !s.tls_ca.is_empty() {
        out.push(Finding::error(
            "K9",
            "tls-ca",
            "security.tls_ca",
            "A client CA was given but TLS is off, so there is no server certificate for clients to verify against. \
             Drop --no-tls or drop --tls-ca.",
        ));
    }
    if let Some(size) = s.certificate_key_size.as_deref()
        && parse_uint(size).is_none_or(|b| b < 1024)
    {
        out.push(
            Finding::error(
                "K19",
                "certificate-key-size",
                "security.certificate_key_size",
                format!("--certificate-key-size \"{size}\" is not a usable RSA key size in bits."),
            )
            .with_suggestion("2048"),
        );
    }
}

/// The original takes the common name from the client's static address, or from a public or
/// management static address on the client's port group.
fn needs_cname(config: &VchConfig) -> bool {
    let s = &config.security;
    if s.tls_cname.as_deref().is_some_and(|c| !c.trim().is_empty()) {
        return false;
    }
    let n = &config.network;
    let public_pg = n
        .public
        .port_group
        .as_deref()
        .unwrap_or(crate::config::DEFAULT_PUBLIC_NETWORK);
    let client_pg = n.client.port_group.as_deref().unwrap_or(public_pg);
    let mgmt_pg = n.management.port_group.as_deref().unwrap_or(client_pg);
    let has_ip = |ip: &Option<String>| ip.as_deref().is_some_and(|i| !i.trim().is_empty());
    let usable = has_ip(&n.client.ip)
        || (public_pg == client_pg && has_ip(&n.public.ip))
        || (mgmt_pg == client_pg && has_ip(&n.management.ip));
    !usable
}

/// A file option, its long name, the content check and what it should hold.
type PemCheck<'a> = (
    &'a Option<PemFile>,
    &'static str,
    fn(&str) -> bool,
    &'static str,
);

fn check_pem_contents(config: &VchConfig, out: &mut Vec<Finding>) {
    let s = &config.security;
    for (i, ca) in s.tls_ca.iter().enumerate() {
        if let Some(pem) = &ca.pem
            && !has_certificates(pem)
        {
            out.push(Finding::error(
                    "K10",
                    "tls-ca",
                    format!("security.tls_ca[{i}]"),
                    format!("\"{}\" holds no readable PEM certificate; give the CA certificate in PEM form.", ca.path),
                ));
        }
    }
    let files: [PemCheck<'_>; 2] = [
        (
            &s.tls_server_cert,
            "tls-server-cert",
            has_certificates,
            "a PEM certificate",
        ),
        (
            &s.tls_server_key,
            "tls-server-key",
            has_private_key,
            "an unencrypted PEM private key",
        ),
    ];
    for (file, option, ok, what) in files {
        if let Some(PemFile {
            path,
            pem: Some(pem),
        }) = file
            && !ok(pem)
        {
            out.push(Finding::error(
                "K17",
                option,
                format!("security.{}", option.replace('-', "_")),
                format!("\"{path}\" is not {what}."),
            ));
        }
    }
}
