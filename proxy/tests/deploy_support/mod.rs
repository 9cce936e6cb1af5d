//! Shared by the `deploy_*` tests: ISO images, a simulator with enough port groups, the vic-machine
//! flags of a full VCH, an appliance stand-in (`appliance.rs`), a connection-cutting proxy and the pyvmomi checker.

#![allow(dead_code)]

mod appliance;
#[allow(unused_imports)]
pub use appliance::{
    Behaviour, DockerApi, StubDocker, boot, play_appliance, play_appliance_with, unique_loopback_ip,
};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use proxy::simulator::{Inventory, Simulator, SimulatorOptions};
use proxy::vsphere::{Client, TargetSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const VERSION_PUBLISHER: &str = "VMware v1.5.8-12345-2c978fe";

/// Builds an ISO with `tests/iso/make_iso.sh` (xorriso).
pub fn make_iso(dir: &Path, file: &str, publisher: &str) -> PathBuf {
    let out = dir.join(file);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/iso/make_iso.sh");
    let status = std::process::Command::new("sh")
        .arg(script)
        .arg(&out)
        .arg(publisher)
        .arg("64")
        .status()
        .expect("run make_iso.sh (needs xorriso)");
    assert!(status.success(), "make_iso.sh failed");
    out
}

pub struct Isos {
    pub dir: tempfile::TempDir,
    pub appliance: PathBuf,
    pub bootstrap: PathBuf,
}

pub fn isos(publisher: &str) -> Isos {
    let dir = tempfile::tempdir().expect("tempdir");
    let appliance = make_iso(dir.path(), "appliance.iso", publisher);
    let bootstrap = make_iso(dir.path(), "bootstrap.iso", publisher);
    Isos {
        dir,
        appliance,
        bootstrap,
    }
}

/// A vCenter model with `DC0_DVPG0..DC0_DVPG5`.
pub async fn simulator() -> (Simulator, Client, TargetSpec) {
    simulator_with(6).await
}

/// A vCenter model with `DC0_DVPG0..` up to `portgroups`.
pub async fn simulator_with(portgroups: u32) -> (Simulator, Client, TargetSpec) {
    simulator_from(SimulatorOptions::vpx().with_inventory(Inventory {
        portgroups: Some(portgroups),
        ..Inventory::default()
    }))
    .await
}

/// Six port groups, and only `user`/`password` may log in (any other login is refused).
pub async fn simulator_with_credentials(
    user: &str,
    password: &str,
) -> (Simulator, Client, TargetSpec) {
    simulator_from(
        SimulatorOptions::vpx()
            .with_inventory(Inventory {
                portgroups: Some(6),
                ..Inventory::default()
            })
            .with_credentials(user, password),
    )
    .await
}

pub async fn simulator_from(options: SimulatorOptions) -> (Simulator, Client, TargetSpec) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(options)
        .await
        .expect("start the simulator");
    let spec = TargetSpec::from_simulator(&sim);
    let client = Client::connect(&spec).await.expect("connect");
    // The simulated hosts block 2377/tcp out of the box, which create refuses (F1).
    client
        .update_firewall(
            "/DC0/host/DC0_C0",
            proxy::vsphere::firewall::FirewallAction::Allow,
        )
        .await
        .expect("open the VCH port on the cluster's hosts");
    (sim, client, spec)
}

/// vic-machine flags for a VCH with every role on its own port group, static IPs, two container
/// networks and two volume stores.
pub fn full_args(sim: &Simulator, isos: &Isos, name: &str) -> Vec<String> {
    let args = [
        "--target",
        &format!("{}/DC0", sim.url().as_str().trim_end_matches("/sdk")),
        "--user",
        sim.username(),
        "--name",
        name,
        "--compute-resource",
        "DC0_C0",
        "--image-store",
        "LocalDS_0",
        "--volume-store",
        "LocalDS_0/volumes/a:default",
        "--volume-store",
        "LocalDS_0/vols-b:second",
        "--bridge-network",
        "DC0_DVPG0",
        "--public-network",
        "DC0_DVPG1",
        "--public-network-ip",
        "10.0.1.10/24",
        "--public-network-gateway",
        "10.0.1.1",
        "--client-network",
        "DC0_DVPG2",
        "--client-network-ip",
        "127.0.2.10/24",
        "--client-network-gateway",
        "10.0.0.0/16:127.0.2.1",
        "--management-network",
        "DC0_DVPG3",
        "--management-network-ip",
        "10.0.3.10/24",
        "--management-network-gateway",
        "10.0.0.0/16:10.0.3.1",
        "--dns-server",
        "10.0.0.2",
        "--container-network",
        "DC0_DVPG4:net1",
        "--container-network-gateway",
        "DC0_DVPG4:192.168.4.1/24",
        "--container-network-ip-range",
        "DC0_DVPG4:192.168.4.10-192.168.4.100",
        "--container-network",
        "DC0_DVPG5:net2",
        "--cpu",
        "2000",
        "--cpu-reservation",
        "500",
        "--cpu-shares",
        "high",
        "--memory",
        "4096",
        "--memory-shares",
        "low",
        "--endpoint-cpu",
        "2",
        "--endpoint-memory",
        "4096",
        "--appliance-iso",
        isos.appliance.to_str().expect("utf-8 path"),
        "--bootstrap-iso",
        isos.bootstrap.to_str().expect("utf-8 path"),
        "--timeout",
        "30s",
    ];
    args.iter().map(|s| (*s).to_owned()).collect()
}

/// A minimal valid VCH on the default port groups.
pub fn small_args(sim: &Simulator, isos: &Isos, name: &str) -> Vec<String> {
    let args = [
        "--target",
        &format!("{}/DC0", sim.url().as_str().trim_end_matches("/sdk")),
        "--user",
        sim.username(),
        "--name",
        name,
        "--compute-resource",
        "DC0_C0",
        "--image-store",
        "LocalDS_0",
        "--volume-store",
        &format!("LocalDS_0/{name}-vols:default"),
        "--bridge-network",
        "DC0_DVPG0",
        "--public-network",
        "DC0_DVPG1",
        "--no-tlsverify",
        "--appliance-iso",
        isos.appliance.to_str().expect("utf-8 path"),
        "--bootstrap-iso",
        isos.bootstrap.to_str().expect("utf-8 path"),
        "--timeout",
        "30s",
    ];
    args.iter().map(|s| (*s).to_owned()).collect()
}

pub fn config_from(args: &[String]) -> shared::VchConfig {
    let parsed = shared::vic_machine::parse_args(args).expect("parse vic-machine flags");
    parsed.config
}

/// Runs `tests/python/verify_vch.py` with `expect` and returns its JSON verdict.
pub fn verify(sim: &Simulator, expect: &serde_json::Value) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("expect.json");
    std::fs::write(&file, expect.to_string()).expect("write expectations");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/python/verify_vch.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(sim.url().as_str())
        .arg(sim.username())
        .arg(&file)
        .env("VCH_PASSWORD", sim.password())
        .output()
        .expect("run verify_vch.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "verify_vch.py printed no verdict: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A loopback TCP proxy in front of the simulator that cuts the connection when it receives the
/// `cut_at`-th HTTP request (1-based, counted across connections), before forwarding it. Later
/// requests pass, so rollback can run.
pub struct CuttingProxy {
    pub port: u16,
    pub requests: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CuttingProxy {
    /// `after_forward`: the request reaches the server, only its reply is lost.
    pub async fn start(
        upstream: std::net::SocketAddr,
        cut_at: u64,
        after_forward: bool,
    ) -> CuttingProxy {
        Self::start_with(upstream, cut_at, None, after_forward).await
    }

    /// Cuts the first request whose body contains `needle` (a SOAP method name).
    pub async fn start_on(
        upstream: std::net::SocketAddr,
        needle: &'static str,
        after_forward: bool,
    ) -> CuttingProxy {
        Self::start_with(upstream, 1, Some(needle), after_forward).await
    }

    async fn start_with(
        upstream: std::net::SocketAddr,
        cut_at: u64,
        needle: Option<&'static str>,
        after_forward: bool,
    ) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(AtomicU64::new(0));
        let counter = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    relay(client, server, counter, cut_at, needle, after_forward).await;
                });
            }
        });
        CuttingProxy {
            port,
            requests,
            task,
        }
    }
}

async fn relay(
    client: TcpStream,
    server: TcpStream,
    counter: Arc<AtomicU64>,
    cut_at: u64,
    needle: Option<&'static str>,
    after_forward: bool,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    // Muting (rather than stopping) the reply direction keeps the client's socket open until the
    // cut request has reached the server.
    let muted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mute = muted.clone();
    let downstream = tokio::spawn(async move {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match server_read.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if mute.load(Ordering::SeqCst) {
                        continue;
                    }
                    if client_write.write_all(&chunk[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        client_write
    });
    // Requests one by one: headers, then Content-Length bytes of body.
    let mut buffer: Vec<u8> = Vec::new();
    'requests: loop {
        let header_end = loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                break end + 4;
            }
            let mut chunk = [0u8; 16 * 1024];
            match client_read.read(&mut chunk).await {
                Ok(0) | Err(_) => break 'requests,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let headers = String::from_utf8_lossy(&buffer[..header_end]).to_ascii_lowercase();
        let length: u64 = headers
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let n = match needle {
            None => counter.fetch_add(1, Ordering::SeqCst) + 1,
            Some(needle) => {
                // Read the whole body first to see whether it is the request to cut.
                let want = header_end + usize::try_from(length).unwrap_or(usize::MAX);
                while buffer.len() < want {
                    let mut chunk = [0u8; 64 * 1024];
                    match client_read.read(&mut chunk).await {
                        Ok(0) | Err(_) => break 'requests,
                        Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    }
                }
                if find(&buffer[header_end..want], needle.as_bytes()).is_some() {
                    counter.fetch_add(1, Ordering::SeqCst) + 1
                } else {
                    0
                }
            }
        };
        let cut = n == cut_at;
        if cut && !after_forward {
            break 'requests;
        }
        if cut {
            // This request's reply must be lost.
            muted.store(true, Ordering::SeqCst);
        }
        if server_write.write_all(&buffer[..header_end]).await.is_err() {
            break;
        }
        buffer.drain(..header_end);
        let mut remaining = length;
        while remaining > 0 {
            if buffer.is_empty() {
                let mut chunk = [0u8; 64 * 1024];
                match client_read.read(&mut chunk).await {
                    Ok(0) | Err(_) => break 'requests,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                }
            }
            let take = usize::try_from(remaining)
                .unwrap_or(usize::MAX)
                .min(buffer.len());
            if server_write.write_all(&buffer[..take]).await.is_err() {
                break 'requests;
            }
            buffer.drain(..take);
            remaining -= take as u64;
        }
        if cut {
            // Give the server time to act on it, then drop the connection.
            tokio::time::sleep(Duration::from_millis(300)).await;
            break 'requests;
        }
    }
    downstream.abort();
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What a leftover check reads: VCHs, and pools/folders named `name`.
pub async fn leftovers(client: &Client, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for vch in proxy::deploy::vch::list(client).await.expect("ls") {
        out.push(format!("VCH {} ({})", vch.name, vch.id));
    }
    let pool = client
        .find_by_inventory_path(&format!("DC0/host/DC0_C0/Resources/{name}"))
        .await
        .expect("find pool");
    if let Some(pool) = pool {
        out.push(format!("pool {pool}"));
    }
    let folder = client
        .find_by_inventory_path(&format!("DC0/vm/{name}"))
        .await
        .expect("find folder");
    if let Some(folder) = folder {
        out.push(format!("folder {folder}"));
    }
    out
}

pub const WAIT: Duration = Duration::from_secs(120);

/// How many vSphere sessions the simulator holds, other than the one asking (pyvmomi).
pub fn simulator_sessions(sim: &proxy::simulator::Simulator) -> usize {
    let script = "import ssl, sys\n\
from urllib.parse import urlparse\n\
from pyVim.connect import SmartConnect, Disconnect\n\
u = urlparse(sys.argv[1])\n\
context = ssl._create_unverified_context() if u.scheme == 'https' else None\n\
si = SmartConnect(protocol=u.scheme, host=u.hostname, port=u.port, user=sys.argv[2], pwd=sys.argv[3], sslContext=context)\n\
print(len(si.RetrieveContent().sessionManager.sessionList or []) - 1)\n\
Disconnect(si)\n";
    let output = std::process::Command::new("python3")
        .args([
            "-c",
            script,
            sim.url().as_str(),
            sim.username(),
            sim.password(),
        ])
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("pyvmomi: {}", String::from_utf8_lossy(&output.stderr)))
}

/// One `GET /api/jobs/{job}` as the job's owner.
async fn job_status(http: &reqwest::Client, base: &str, job: &str) -> serde_json::Value {
    http.get(format!("{base}/api/jobs/{job}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Follows a job through the API until its appliance VM is powered on; returns the VM. Panics
/// if the job ends first, or after two minutes.
pub async fn job_powered_on_vm(
    http: &reqwest::Client,
    base: &str,
    job: &str,
) -> proxy::vsphere::MoRef {
    for _ in 0..1200 {
        let status = job_status(http, base, job).await;
        let events = status["events"].as_array().cloned().unwrap_or_default();
        let vm = events
            .iter()
            .flat_map(|e| e["objects"].as_array().cloned().unwrap_or_default())
            .find(|o| o["kind"] == "virtual_machine")
            .and_then(|o| o["id"].as_str().map(str::to_owned));
        let powered_on = events
            .iter()
            .any(|e| e["step"] == "power_on" && e["kind"] == "finished");
        if let (Some(vm), true) = (vm, powered_on) {
            return proxy::vsphere::MoRef::new("VirtualMachine", &vm);
        }
        assert_eq!(
            status["state"], "running",
            "ended before power-on: {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {job}: no power-on within two minutes");
}

/// Follows a job through the API until it ends; returns its final status. Panics after two
/// minutes.
pub async fn job_final_status(http: &reqwest::Client, base: &str, job: &str) -> serde_json::Value {
    for _ in 0..1200 {
        let status = job_status(http, base, job).await;
        if status["state"] != "running" {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {job} did not end within two minutes");
}
