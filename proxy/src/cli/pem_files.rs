//! The CLI edge's half of the file options (`--tls-ca`, `--registry-ca`, `--tls-server-cert`,
//! `--tls-server-key`, and the certificates found in `--tls-cert-path`): `shared` never reads
//! files, so every command that acts on a configuration (`validate`, `create`, `configure`) reads
//! them here, the same way, before the rules (K10, K11, K17) look inside.

use std::path::Path;

use shared::Finding;
use shared::config::{PemFile, VchConfig};

/// Files `vic-machine` keeps in a certificate folder (docs/differences.md, "certificate folder").
const SERVER_CERT: &str = "server-cert.pem";
const SERVER_KEY: &str = "server-key.pem";
const CLIENT_CA: &str = "ca.pem";

/// Reads each PEM file the config names but does not carry, after taking what an explicit
/// `--tls-cert-path` folder holds. An unreadable file is an error finding; nothing is skipped
/// silently, so a CA the user named can never turn into "no CA".
pub fn load(config: &mut VchConfig) -> Vec<Finding> {
    take_from_cert_path(config);
    let mut findings = Vec::new();
    let mut load = |file: &mut PemFile, code: &str, option: &str, path: String| {
        if file.pem.is_some() || file.path.is_empty() {
            return;
        }
        match std::fs::read_to_string(Path::new(&file.path)) {
            Ok(text) => file.pem = Some(text),
            Err(e) => findings.push(Finding::error(
                code,
                option,
                path,
                format!("cannot read \"{}\": {e}", file.path),
            )),
        }
    };
    let s = &mut config.security;
    for (i, ca) in s.tls_ca.iter_mut().enumerate() {
        load(ca, "K6", "tls-ca", format!("security.tls_ca[{i}]"));
    }
    if let Some(cert) = s.tls_server_cert.as_mut() {
        load(
            cert,
            "K18",
            "tls-server-cert",
            "security.tls_server_cert".into(),
        );
    }
    if let Some(key) = s.tls_server_key.as_mut() {
        load(
            key,
            "K18",
            "tls-server-key",
            "security.tls_server_key".into(),
        );
    }
    for (i, ca) in config.registry.registry_ca.iter_mut().enumerate() {
        load(
            ca,
            "K12",
            "registry-ca",
            format!("registry.registry_ca[{i}]"),
        );
    }
    findings
}

/// As vic-machine: an explicit `--tls-cert-path` that already holds a server certificate and key
/// supplies them, and its `ca.pem` supplies the client CA, unless the matching options were given
/// (they win). Only names the files; [`load`] reads them.
fn take_from_cert_path(config: &mut VchConfig) {
    let s = &mut config.security;
    let Some(dir) = s.tls_cert_path.as_deref().filter(|d| !d.trim().is_empty()) else {
        return;
    };
    if s.no_tls {
        return;
    }
    let dir = Path::new(dir);
    let file = |name: &str| {
        let path = dir.join(name);
        path.is_file()
            .then(|| PemFile::from_path(path.display().to_string()))
    };
    if s.tls_server_cert.is_none()
        && s.tls_server_key.is_none()
        && let (Some(cert), Some(key)) = (file(SERVER_CERT), file(SERVER_KEY))
    {
        s.tls_server_cert = Some(cert);
        s.tls_server_key = Some(key);
    }
    if s.tls_ca.is_empty()
        && !s.no_tlsverify
        && let Some(ca) = file(CLIENT_CA)
    {
        s.tls_ca.push(ca);
    }
}

/// Prints the findings of [`load`] and whether any of them stops the command.
pub fn report(findings: &[Finding]) -> bool {
    for finding in findings {
        eprintln!("{finding}");
    }
    findings.iter().any(Finding::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_pem_files_become_findings() {
        let mut config = VchConfig::default();
        config
            .security
            .tls_ca
            .push(PemFile::from_path("/nonexistent/ca.pem"));
        config.registry.registry_ca.push(PemFile {
            path: "inline.pem".into(),
            pem: Some("x".into()),
        });
        let findings = load(&mut config);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, "K6");
        assert_eq!(findings[0].path, "security.tls_ca[0]");
    }

    #[test]
    fn a_cert_path_supplies_server_certificate_and_client_ca() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            (SERVER_CERT, "cert"),
            (SERVER_KEY, "key"),
            (CLIENT_CA, "ca"),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let mut config = VchConfig::default();
        config.security.tls_cert_path = Some(dir.path().display().to_string());
        assert!(load(&mut config).is_empty());
        let s = &config.security;
        assert_eq!(
            s.tls_server_cert.as_ref().unwrap().pem.as_deref(),
            Some("cert")
        );
        assert_eq!(
            s.tls_server_key.as_ref().unwrap().pem.as_deref(),
            Some("key")
        );
        assert_eq!(s.tls_ca[0].pem.as_deref(), Some("ca"));

        // Given options win over the folder.
        let mut config = VchConfig::default();
        config.security.tls_cert_path = Some(dir.path().display().to_string());
        config.security.tls_ca.push(PemFile {
            path: "mine.pem".into(),
            pem: Some("mine".into()),
        });
        config.security.no_tlsverify = false;
        load(&mut config);
        assert_eq!(config.security.tls_ca.len(), 1);
        assert_eq!(config.security.tls_ca[0].pem.as_deref(), Some("mine"));
    }
}
