//! The appliance stand-in: the simulator never boots a guest, so once the VM is powered on the
//! test does what the VIC appliance would. It reads its configuration from the VM's extraConfig
//! (secrets opened with the key in `guestinfo.ovfEnv`, as the appliance does), serves a stub
//! Docker `/info` on the VCH's Docker port at the loopback address it will report (every
//! 127.0.0.0/8 address routes to `lo` on Linux), then writes its client IP and its components'
//! `started` keys.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use proxy::deploy::readiness::{COMPONENTS, started_key};
use proxy::deploy::{EventKind, ObjectKind, Progress, Step};
use proxy::vsphere::{Client, MoRef};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use shared::extraconfig::{self, Secrets, VirtualContainerHostConfigSpec};

/// What the stub Docker API says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DockerApi {
    /// A running VIC engine with every configured volume store.
    Ready,
    /// The port layer is in this state instead of RUNNING.
    PortLayer(&'static str),
    /// Presents a certificate other than the VCH's.
    WrongCertificate,
    /// Nothing listens.
    Silent,
}

#[derive(Debug, Clone, Copy)]
pub struct Behaviour {
    pub docker: DockerApi,
    /// A component that reports this error text instead of `true`.
    pub failed_component: Option<(&'static str, &'static str)>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            docker: DockerApi::Ready,
            failed_component: None,
        }
    }
}

/// A loopback address of its own for each appliance a test binary plays (127.0.0.150 and up): the
/// stub Docker API binds the VCH's Docker port there, so tests running in parallel must not share
/// one.
pub fn unique_loopback_ip() -> &'static str {
    static NEXT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(150);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    assert!(
        n < 250,
        "more appliances than loopback addresses set aside for them"
    );
    Box::leak(format!("127.0.0.{n}").into_boxed_str())
}

/// Plays a healthy appliance that reports `ip`.
pub fn play_appliance(
    client: Client,
    progress: &Progress,
    ip: &'static str,
) -> tokio::task::JoinHandle<Option<StubDocker>> {
    play_appliance_with(client, progress, ip, Behaviour::default())
}

/// Plays the appliance as `behaviour` says. The task ends once the keys are written; the stub
/// Docker API it returns serves until dropped.
pub fn play_appliance_with(
    client: Client,
    progress: &Progress,
    ip: &'static str,
    behaviour: Behaviour,
) -> tokio::task::JoinHandle<Option<StubDocker>> {
    let (history, mut rx) = progress.subscribe();
    tokio::spawn(async move {
        let mut vm: Option<MoRef> = None;
        let mut events = history.into_iter().collect::<Vec<_>>();
        loop {
            for event in events.drain(..) {
                if event.step == Step::ApplianceVm
                    && let Some(o) = event
                        .objects
                        .iter()
                        .find(|o| o.kind == ObjectKind::VirtualMachine)
                {
                    vm = Some(MoRef::new("VirtualMachine", &o.id));
                }
                if event.step == Step::PowerOn && event.kind == EventKind::Finished {
                    let vm = vm.as_ref()?;
                    return Some(boot(&client, vm, ip, behaviour).await);
                }
            }
            match rx.recv().await {
                Ok(event) => events.push(event),
                Err(_) => return None,
            }
        }
    })
}

/// What the appliance does after power-on; returns its Docker API stub.
pub async fn boot(client: &Client, vm: &MoRef, ip: &str, behaviour: Behaviour) -> StubDocker {
    let info = client
        .vm_info(std::slice::from_ref(vm))
        .await
        .expect("read the appliance VM")
        .into_iter()
        .next()
        .expect("the appliance VM exists");
    let spec: VirtualContainerHostConfigSpec =
        extraconfig::decode_extra_config(info.extra_config, Secrets::FromOvfEnv)
            .expect("decode the appliance configuration");
    let ip: Ipv4Addr = ip.parse().expect("an IPv4 address");
    let stub = StubDocker::start(ip, &spec, behaviour.docker);
    client
        .reconfigure_extra_config(vm, &[("SET.guest.ipAddress", &ip.to_string())])
        .await
        .expect("report the client IP");
    let started: Vec<(String, String)> = COMPONENTS
        .iter()
        .map(|c| {
            let value = match behaviour.failed_component {
                Some((failed, text)) if failed == *c => text,
                _ => "true",
            };
            (started_key(c), value.to_owned())
        })
        .collect();
    let pairs: Vec<(&str, &str)> = started
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client
        .reconfigure_extra_config(vm, &pairs)
        .await
        .expect("report the components started");
    stub
}

/// A Docker `/info` stub on one thread; stops when dropped.
pub struct StubDocker {
    pub addr: Option<SocketAddr>,
    /// `GET /info` requests answered.
    pub answered: Arc<std::sync::atomic::AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for StubDocker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(addr) = self.addr {
            // Wakes the blocking accept.
            let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl StubDocker {
    fn start(ip: Ipv4Addr, spec: &VirtualContainerHostConfigSpec, docker: DockerApi) -> StubDocker {
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(std::sync::atomic::AtomicU64::new(0));
        if docker == DockerApi::Silent {
            return StubDocker {
                addr: None,
                answered,
                stop,
                thread: None,
            };
        }
        let tls = spec.certificate.host_certificate.as_ref().map(|host| {
            let (cert, key) = if docker == DockerApi::WrongCertificate {
                let key = rcgen::KeyPair::generate().expect("key");
                let cert = rcgen::CertificateParams::new(vec!["impostor".to_owned()])
                    .expect("params")
                    .self_signed(&key)
                    .expect("self-signed");
                (cert.pem(), key.serialize_pem())
            } else {
                (
                    String::from_utf8(host.cert.0.clone()).expect("PEM"),
                    String::from_utf8(host.key.0.clone()).expect("PEM"),
                )
            };
            server_config(&cert, &key, &spec.certificate.certificate_authorities.0)
        });
        let port = if tls.is_some() { 2376 } else { 2375 };
        let listener = TcpListener::bind((ip, port))
            .unwrap_or_else(|e| panic!("bind the stub Docker API on {ip}:{port}: {e}"));
        let addr = listener.local_addr().expect("addr");
        let state = match docker {
            DockerApi::PortLayer(state) => state,
            _ => "RUNNING",
        };
        let stores: Vec<String> = spec.storage.volume_locations.keys().cloned().collect();
        let body = serde_json::json!({
            "Driver": "vSphere Integrated Containers v1.5.8 Backend Engine",
            "SystemStatus": [
                ["vSphere Integrated Containers v1.5.8 Backend Engine", state],
                [" VolumeStores", stores.join(" ")],
            ],
        })
        .to_string();
        let thread = {
            let stop = stop.clone();
            let answered = answered.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
                    match &tls {
                        Some(config) => {
                            if let Ok(conn) = rustls::ServerConnection::new(config.clone()) {
                                serve(rustls::StreamOwned::new(conn, stream), &body, &answered);
                            }
                        }
                        None => serve(stream, &body, &answered),
                    }
                }
            })
        };
        StubDocker {
            addr: Some(addr),
            answered,
            stop,
            thread: Some(thread),
        }
    }
}

/// TLS with the given server certificate; client certificates required when `client_cas` holds any.
fn server_config(cert: &str, key: &str, client_cas: &[u8]) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert.as_bytes())
        .collect::<Result<_, _>>()
        .expect("server certificate PEM");
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).expect("server key PEM");
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("protocol versions");
    let builder = if client_cas.is_empty() {
        builder.with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore::empty();
        for ca in CertificateDer::pem_slice_iter(client_cas) {
            roots
                .add(ca.expect("client CA PEM"))
                .expect("add client CA");
        }
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .expect("client verifier");
        builder.with_client_cert_verifier(verifier)
    };
    Arc::new(
        builder
            .with_single_cert(chain, key)
            .expect("server certificate and key"),
    )
}

/// Answers one HTTP/1.1 request: `/info` with `body` (counted in `answered` before the answer
/// goes out, so a caller that got it sees the count), anything else 404.
fn serve(stream: impl Read + Write, body: &str, answered: &std::sync::atomic::AtomicU64) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let info = request_line.starts_with("GET /info ");
    if info {
        answered.fetch_add(1, Ordering::SeqCst);
    }
    let (status, body) = if info {
        ("200 OK", body)
    } else {
        ("404 Not Found", "{}")
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let stream = reader.get_mut();
    let _ = stream
        .write_all(response.as_bytes())
        .and_then(|()| stream.flush());
}
