//! HTTPS for `vch serve`: the server certificate (given as files, or generated once and kept in
//! the state directory so its thumbprint stays the one registered with vCenter) and a listener
//! that performs TLS handshakes off the accept loop, for `axum::serve`.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::vsphere::Thumbprint;

/// A handshake that has not finished in this time is dropped (a client that connects and sends
/// nothing must not hold a slot).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes in progress at once; further connections wait in the kernel's backlog.
const MAX_HANDSHAKES: usize = 256;
/// Where, under the state directory, the generated certificate and key are kept.
pub const CERT_FILE: &str = "tls/cert.pem";
pub const KEY_FILE: &str = "tls/key.pem";

#[derive(Debug, thiserror::Error)]
pub enum ServerTlsError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {reason}")]
    Pem { path: PathBuf, reason: String },
    #[error("the certificate and key do not form a TLS configuration: {0}")]
    Config(String),
    #[error("generating the self-signed certificate: {0}")]
    Generate(String),
}

/// The server's TLS configuration and its certificate's thumbprints (what the plugin
/// registration pins).
pub struct ServerCertificate {
    pub config: Arc<ServerConfig>,
    pub sha1: Thumbprint,
    pub sha256: Thumbprint,
}

/// Reads a PEM certificate chain and private key (as `--tls-cert`/`--tls-key` name them).
pub fn load(cert: &Path, key: &Path) -> Result<ServerCertificate, ServerTlsError> {
    let cert_pem = read(cert)?;
    let key_pem = read(key)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| pem_error(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(pem_error(cert, "no CERTIFICATE block".to_owned()));
    }
    let key_der =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| pem_error(key, e.to_string()))?;
    let sha1 = Thumbprint::sha1_of(&chain[0]);
    let sha256 = Thumbprint::sha256_of(&chain[0]);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerTlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| ServerTlsError::Config(e.to_string()))?;
    // axum is built with HTTP/1 only: offering h2 would make browsers pick a protocol we cannot speak.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(ServerCertificate {
        config: Arc::new(config),
        sha1,
        sha256,
    })
}

/// The certificate kept in `state_dir`, generated (self-signed, for `names`) the first time.
/// Returns whether it was generated now.
pub fn load_or_generate(
    state_dir: &Path,
    names: &[String],
) -> Result<(ServerCertificate, bool), ServerTlsError> {
    let cert = state_dir.join(CERT_FILE);
    let key = state_dir.join(KEY_FILE);
    if cert.is_file() && key.is_file() {
        return Ok((load(&cert, &key)?, false));
    }
    let generated = rcgen::generate_simple_self_signed(names.to_vec())
        .map_err(|e| ServerTlsError::Generate(e.to_string()))?;
    let dir = cert.parent().unwrap_or(state_dir);
    create_private_dir(dir)?;
    // The key first, and both through a temporary name, so a crash never leaves a certificate
    // without its key.
    write_private(&key, generated.signing_key.serialize_pem().as_bytes())?;
    write_private(&cert, generated.cert.pem().as_bytes())?;
    Ok((load(&cert, &key)?, true))
}

fn read(path: &Path) -> Result<Vec<u8>, ServerTlsError> {
    std::fs::read(path).map_err(|source| ServerTlsError::Io {
        path: path.to_owned(),
        source,
    })
}

fn pem_error(path: &Path, reason: String) -> ServerTlsError {
    ServerTlsError::Pem {
        path: path.to_owned(),
        reason,
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ServerTlsError + '_ {
    move |source| ServerTlsError::Io {
        path: path.to_owned(),
        source,
    }
}

fn create_private_dir(dir: &Path) -> Result<(), ServerTlsError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_error(dir))
}

/// Writes `bytes` readable by the owner only, replacing `path` atomically.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ServerTlsError> {
    use std::io::Write;
    let temporary = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary).map_err(io_error(&temporary))?;
    file.write_all(bytes).map_err(io_error(&temporary))?;
    file.sync_all().map_err(io_error(&temporary))?;
    std::fs::rename(&temporary, path).map_err(io_error(path))
}

/// A TCP listener whose connections come out as finished TLS sessions. Handshakes run as their
/// own tasks (bounded in number and time), so a slow client cannot stall the accept loop.
pub struct TlsListener {
    incoming: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Starts accepting on `tcp`; the accept task ends when this listener is dropped.
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (sender, incoming) = mpsc::channel(64);
        let acceptor = TlsAcceptor::from(config);
        let slots = Arc::new(Semaphore::new(MAX_HANDSHAKES));
        tokio::spawn(async move {
            loop {
                let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
                    return;
                };
                let accepted = tokio::select! {
                    accepted = tcp.accept() => accepted,
                    () = sender.closed() => return,
                };
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        tracing::warn!(error = %err, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let sender = sender.clone();
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await;
                    drop(slot);
                    match handshake {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((tls, peer)).await;
                        }
                        Ok(Err(err)) => {
                            tracing::debug!(%peer, error = %err, "TLS handshake failed")
                        }
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { incoming, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.incoming.recv().await {
            Some(connection) => connection,
            // The accept task only ends when we are dropped; never hand out a connection again.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
