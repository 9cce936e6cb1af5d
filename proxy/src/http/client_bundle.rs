//! The Docker client bundle of a created VCH, packed as a tar archive: what `vch create` writes to
//! `--tls-cert-path`, for browser users.

use crate::deploy::CreatedVch;

/// `None` when the VCH has no client certificate (`--no-tlsverify` or `--no-tls`).
pub fn build(created: &CreatedVch) -> std::io::Result<Option<Vec<u8>>> {
    let name = &created.name;
    // The archive unpacks into `./<name>`, so that is where docker finds the certificates.
    let env = created.docker_env(&format!("./{name}")).unwrap_or_default();
    pack(name, &created.tls, &env)
}

/// The same archive for certificates `configure` regenerated (no address known: no env file
/// contents beyond what `env` says).
pub fn pack(
    name: &str,
    tls: &crate::deploy::certs::TlsMaterial,
    env: &str,
) -> std::io::Result<Option<Vec<u8>>> {
    let (Some(ca), Some(cert), Some(key)) = (
        tls.ca_cert_pem.as_deref(),
        tls.client_cert_pem.as_deref(),
        tls.client_key_pem.as_deref(),
    ) else {
        return Ok(None);
    };
    let mut archive = tar::Builder::new(Vec::new());
    for (file, contents, mode) in [
        ("ca.pem", ca, 0o644),
        ("cert.pem", cert, 0o644),
        ("key.pem", key, 0o600),
        (&format!("{name}.env")[..], env, 0o644),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(mode);
        header.set_cksum();
        archive.append_data(&mut header, format!("{name}/{file}"), contents.as_bytes())?;
    }
    archive.into_inner().map(Some)
}
