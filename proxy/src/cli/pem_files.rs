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
        match read_bounded(Path::new(&file.path)) {
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

/// At most one byte more than a PEM file may hold (`shared::limits::MAX_PEM_BYTES`): a larger file
/// (or `/dev/zero`) is not read whole, and the rules then report the cap (SC4) on the oversized
/// text. Bytes that are not UTF-8 are an error here, since no PEM file has them.
fn read_bounded(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let limit = u64::try_from(shared::limits::MAX_PEM_BYTES).unwrap_or(u64::MAX) + 1;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit)
        .read_to_end(&mut bytes)?;
    String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is not a text (PEM) file",
        )
    })
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
    fn an_oversized_pem_file_is_read_only_to_its_cap_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.pem");
        std::fs::write(&big, "A".repeat(shared::limits::MAX_PEM_BYTES * 3)).unwrap();
        let mut config = VchConfig::default();
        config
            .security
            .tls_ca
            .push(PemFile::from_path(big.display().to_string()));
        assert!(load(&mut config).is_empty());
        let read = config.security.tls_ca[0].pem.as_deref().unwrap();
        assert_eq!(read.len(), shared::limits::MAX_PEM_BYTES + 1);
        let report = shared::validate(&config, None);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.code == "SC4" && f.path == "security.tls_ca[0].pem"),
            "{:?}",
            report.findings
        );
    }

    #[test]
    fn a_binary_file_is_not_taken_for_a_pem() {
        let mut config = VchConfig::default();
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("ca.der");
        std::fs::write(&bin, [0x30u8, 0x82, 0xff, 0xfe]).unwrap();
        config
            .security
            .tls_ca
            .push(PemFile::from_path(bin.display().to_string()));
        let findings = load(&mut config);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].code, "K6");
        assert!(findings[0].message.contains("not a text (PEM) file"));
    }

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
