//! The certificate options and their extraConfig keys: `--tls-ca` → `cert/CertificateAuthorities`,
//! `--registry-ca` → `cert/RegistryCertificateAuthorities` (both the concatenated PEM text), and
//! back for `inspect config`. Also the check that every file option the user named arrived with
//! its contents: the server side never reads files, so a path without PEM text would otherwise
//! become "no CA" (client verification silently off) or "no registry CA".

use crate::config::{PemFile, VchConfig};
use crate::finding::Finding;

use super::vch_spec::VirtualContainerHostConfigSpec;

/// The PEM text of the files, concatenated as the appliance reads a CA list.
pub fn concatenated(files: &[PemFile]) -> String {
    let mut out = String::new();
    for pem in files.iter().filter_map(|f| f.pem.as_deref()) {
        out.push_str(pem);
        if !pem.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// `cert/CertificateAuthorities` when the user gave `--tls-ca` (empty when they did not).
pub fn client_ca_pem(config: &VchConfig) -> String {
    concatenated(&config.security.tls_ca)
}

/// `cert/RegistryCertificateAuthorities`.
pub fn registry_ca_pem(config: &VchConfig) -> String {
    concatenated(&config.registry.registry_ca)
}

/// One error per file option that names a file but carries no contents. The CLI reads the files
/// (K6/K12/K18 when it cannot); the API and the wizard send the PEM text itself.
pub fn unread_files(config: &VchConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut check = |file: &PemFile, code: &str, option: &str, path: String| {
        if file.pem.is_none() {
            out.push(
                Finding::error(
                    code,
                    option,
                    path,
                    format!(
                        "--{option} names \"{}\" but its contents were not given; the server does not read files on its own disk",
                        file.path
                    ),
                )
                .with_suggestion("send the PEM text in the file option's `pem` field"),
            );
        }
    };
    let s = &config.security;
    for (i, ca) in s.tls_ca.iter().enumerate() {
        check(ca, "K6", "tls-ca", format!("security.tls_ca[{i}]"));
    }
    if let Some(cert) = &s.tls_server_cert {
        check(
            cert,
            "K18",
            "tls-server-cert",
            "security.tls_server_cert".into(),
        );
    }
    if let Some(key) = &s.tls_server_key {
        check(
            key,
            "K18",
            "tls-server-key",
            "security.tls_server_key".into(),
        );
    }
    for (i, ca) in config.registry.registry_ca.iter().enumerate() {
        check(
            ca,
            "K12",
            "registry-ca",
            format!("registry.registry_ca[{i}]"),
        );
    }
    out
}

/// The PEM blocks of `text`, each with its trailing newline.
fn blocks(text: &str) -> Vec<String> {
    const END: &str = "-----END ";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let Some(end) = rest[start..].find(END) else {
            break;
        };
        let after_end = start + end + END.len();
        let close = rest[after_end..]
            .find("-----")
            .map_or(rest.len(), |i| after_end + i + 5);
        out.push(format!("{}\n", &rest[start..close]));
        rest = &rest[close..];
    }
    out
}

/// `inspect config`: the CA lists come back as their PEM contents, one entry per certificate,
/// without a path (the files they came from are not recorded, as in vic-machine, so the command
/// line leaves them out). The client CA list is what the appliance verifies clients with, whether
/// the user gave it or the create generated it.
pub fn restore(spec: &VirtualContainerHostConfigSpec, c: &mut VchConfig) {
    let as_files = |bytes: &[u8]| -> Vec<PemFile> {
        blocks(&String::from_utf8_lossy(bytes))
            .into_iter()
            .map(|pem| PemFile {
                path: String::new(),
                pem: Some(pem),
            })
            .collect()
    };
    c.security.tls_ca = as_files(&spec.certificate.certificate_authorities.0);
    c.registry.registry_ca = as_files(&spec.certificate.registry_certificate_authorities.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
    const B: &str = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----";

    #[test]
    fn concatenates_and_splits_back() {
        let files = [
            PemFile {
                path: "a.pem".into(),
                pem: Some(A.into()),
            },
            PemFile {
                path: "b.pem".into(),
                pem: Some(B.into()),
            },
        ];
        let text = concatenated(&files);
        assert_eq!(text, format!("{A}{B}\n"));
        assert_eq!(blocks(&text), [A.to_owned(), format!("{B}\n")]);
    }

    #[test]
    fn a_named_file_without_contents_is_an_error() {
        let mut c = VchConfig::default();
        c.security.tls_ca.push(PemFile::from_path("ca.pem"));
        c.registry.registry_ca.push(PemFile {
            path: "r.pem".into(),
            pem: Some(A.into()),
        });
        let f = unread_files(&c);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].code.as_str(), f[0].path.as_str()),
            ("K6", "security.tls_ca[0]")
        );
    }
}
