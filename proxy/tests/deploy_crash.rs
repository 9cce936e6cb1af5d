//! `kill -9` of a running `vch create` (the real binary) at several points: after its resource pool
//! exists, after its folder exists, and during the ISO upload. Each time `vch ls` must list the
//! incomplete VCH, `vch delete --name` must leave nothing of it in the simulator's inventory, and
//! the same name must create again (docs/crash-safety.md). Killed in the one instant no marker
//! covers (pool made, not yet marked), `vch delete --name --force` must clear the name. And
//! marked or unmarked leftovers without a create: listed by the API, kept while not empty, on
//! vCenter and ESXi.
//!
//! The create talks to the simulator through a loopback proxy that holds the request of the next
//! step (never forwards it), so the kill lands exactly between two steps, whatever the timing.

mod deploy_support;

use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use deploy_support::*;
use proxy::simulator::Simulator;
use proxy::vsphere::{Client, MoRef};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// A loopback proxy in front of the simulator that passes every request until the first one
/// whose headers or body contain `needle`, and holds that one: a SOAP request is not forwarded at
/// all, an upload (`PUT`) is forwarded with its headers and its first 256 KiB only. `held` fires
/// when it happens.
struct HoldingProxy {
    port: u16,
    held: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HoldingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HoldingProxy {
    async fn start(upstream: std::net::SocketAddr, needle: &'static str) -> HoldingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let held = Arc::new(Notify::new());
        let notify = held.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((client, _)) = listener.accept().await {
                let notify = notify.clone();
                connections.spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        relay(client, server, needle, notify).await;
                    }
                });
            }
        });
        HoldingProxy { port, held, task }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn relay(client: TcpStream, server: TcpStream, needle: &'static str, held: Arc<Notify>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let downstream = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
    });
    let mut buffer: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    'requests: loop {
        let header_end = loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                break end + 4;
            }
            match client_read.read(&mut chunk).await {
                Ok(0) | Err(_) => break 'requests,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let headers = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
        let length: usize = headers
            .to_ascii_lowercase()
            .lines()
            .find_map(|l| l.strip_prefix("content-length:").map(str::to_owned))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if headers.starts_with("PUT ") {
            if headers.contains(needle) {
                // Part of the upload reaches the datastore, then nothing more.
                let mut sent = 0;
                let _ = server_write.write_all(&buffer[..header_end]).await;
                buffer.drain(..header_end);
                while sent < (256 * 1024).min(length) {
                    if buffer.is_empty() {
                        match client_read.read(&mut chunk).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let take = buffer.len().min(256 * 1024 - sent);
                    let _ = server_write.write_all(&buffer[..take]).await;
                    buffer.drain(..take);
                    sent += take;
                }
                held.notify_one();
                std::future::pending::<()>().await;
            }
            // Other uploads stream through.
            if server_write.write_all(&buffer[..header_end]).await.is_err() {
                break;
            }
            buffer.drain(..header_end);
            let mut remaining = length;
            while remaining > 0 {
                if buffer.is_empty() {
                    match client_read.read(&mut chunk).await {
                        Ok(0) | Err(_) => break 'requests,
                        Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    }
                }
                let take = buffer.len().min(remaining);
                if server_write.write_all(&buffer[..take]).await.is_err() {
                    break 'requests;
                }
                buffer.drain(..take);
                remaining -= take;
            }
            continue;
        }
        // SOAP: small bodies, read whole to look for the method.
        while buffer.len() < header_end + length {
            match client_read.read(&mut chunk).await {
                Ok(0) | Err(_) => break 'requests,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let request: Vec<u8> = buffer.drain(..header_end + length).collect();
        if find(&request, needle.as_bytes()).is_some() {
            held.notify_one();
            std::future::pending::<()>().await;
        }
        if server_write.write_all(&request).await.is_err() {
            break;
        }
    }
    downstream.abort();
}

async fn vch(sim: &Simulator, args: &[String]) -> Output {
    tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
            .args(args)
            .env("VCH_PASSWORD", sim.password())
            .env_remove("VCH_TARGET")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("vch finishes within 2 minutes")
    .expect("vch runs")
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn target_args(sim: &Simulator) -> Vec<String> {
    vec![
        "--target".to_owned(),
        format!("{}/DC0", sim.url().as_str().trim_end_matches("/sdk")),
        "--user".to_owned(),
        sim.username().to_owned(),
    ]
}

/// Sets the guest IP the appliance would report once VM `name` is powered on (bounded).
/// Plays the appliance of `name` once it is powered on; the task's result is its stub Docker
/// API, serving until dropped.
async fn play(
    client: Client,
    name: String,
    ip: &'static str,
) -> tokio::task::JoinHandle<StubDocker> {
    tokio::spawn(async move {
        for _ in 0..600 {
            let snapshot = client.inventory().await.expect("inventory");
            let vch = snapshot
                .datacenters
                .iter()
                .flat_map(|dc| dc.vchs.iter())
                .find(|v| v.name == name && v.power_state.as_deref() == Some("poweredOn"));
            if let Some(vch) = vch {
                let vm = MoRef::new("VirtualMachine", &vch.id);
                return boot(&client, &vm, ip, Behaviour::default()).await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("VCH {name} never powered on");
    })
}

async fn datastore_dir_exists(client: &Client, path: &str) -> bool {
    let snapshot = client.inventory().await.expect("inventory");
    let ds = snapshot
        .datacenter("DC0")
        .and_then(|dc| dc.datastores.iter().find(|d| d.name == "LocalDS_0"))
        .expect("LocalDS_0");
    client
        .datastore_path_exists(&MoRef::new("Datastore", &ds.id), path)
        .await
        .expect("search the datastore")
}

/// Runs `vch create` of `name` through a [`HoldingProxy`] and kills it (SIGKILL) when it reaches
/// the request containing `needle`. Returns the create's arguments, aimed at the simulator.
async fn kill_at(sim: &Simulator, isos: &Isos, name: &str, needle: &'static str) -> Vec<String> {
    let proxy = HoldingProxy::start(sim.addr(), needle).await;
    let mut args = small_args(sim, isos, name);
    let direct_target = args[1].clone();
    let mut via = sim.url().clone();
    via.set_port(Some(proxy.port)).expect("port");
    args[1] = format!("{}/DC0", via.as_str().trim_end_matches("/sdk"));
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .arg("create")
        .args(&args)
        .env("VCH_PASSWORD", sim.password())
        .env_remove("VCH_TARGET")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn vch create");
    tokio::select! {
        () = proxy.held.notified() => {}
        status = child.wait() => {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err).await;
            }
            panic!("{name}: vch create ended ({status:?}) before reaching {needle}: {err}");
        }
        () = tokio::time::sleep(Duration::from_secs(120)) => {
            panic!("{name}: vch create never reached {needle} within 2 minutes");
        }
    }
    // SIGKILL: no rollback, no logout.
    child.start_kill().expect("kill -9 vch create");
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the killed process is reaped")
        .expect("wait");
    assert!(!status.success(), "{name}: {status:?}");
    drop(proxy);
    args[1] = direct_target;
    args
}

/// Nothing of `name` is left: no VCH, pool, folder, VM or VM datastore folder.
async fn assert_gone(client: &Client, name: &str) {
    let left = leftovers(client, name).await;
    assert!(left.is_empty(), "{name}: delete left {left:?}");
    assert!(
        client
            .find_by_inventory_path(&format!("DC0/vm/{name}/{name}"))
            .await
            .expect("find VM")
            .is_none(),
        "{name}: the VM is left"
    );
    assert!(
        !datastore_dir_exists(client, &format!("[LocalDS_0] {name}")).await,
        "{name}: its datastore folder is left"
    );
}

/// The name creates again (the appliance played with `ip`), then goes with `delete --force`.
async fn create_again(
    sim: &Simulator,
    client: &Client,
    args: Vec<String>,
    name: &str,
    ip: &'static str,
) {
    let appliance = play(client.clone(), name.to_owned(), ip).await;
    let mut create = vec!["create".to_owned()];
    create.extend(args);
    let output = vch(sim, &create).await;
    appliance.abort();
    assert!(output.status.success(), "{name} again: {}", text(&output));
    let mut delete = vec![
        "delete".to_owned(),
        "--name".to_owned(),
        name.to_owned(),
        "--force".to_owned(),
    ];
    delete.extend(target_args(sim));
    let output = vch(sim, &delete).await;
    assert!(output.status.success(), "{}", text(&output));
    assert!(leftovers(client, name).await.is_empty());
}

/// Kills `vch create` of `name` when it reaches the request containing `needle`, then checks
/// ls, delete and a second create. Returns what `vch ls --json` said about the incomplete VCH.
async fn crash_at(
    sim: &Simulator,
    client: &Client,
    isos: &Isos,
    name: &str,
    needle: &'static str,
    ip: &'static str,
) -> Value {
    let args = kill_at(sim, isos, name, needle).await;

    // `vch ls` lists it as incomplete.
    let mut ls = vec!["ls".to_owned(), "--json".to_owned()];
    ls.extend(target_args(sim));
    let output = vch(sim, &ls).await;
    assert!(output.status.success(), "{}", text(&output));
    let list: Value = serde_json::from_slice(&output.stdout).expect("ls --json");
    let entry = list
        .as_array()
        .expect("a list")
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing from `vch ls`: {list}"))
        .clone();
    assert_eq!(entry["status"], "incomplete", "{entry}");
    assert_eq!(entry["incomplete"], true, "{entry}");

    // Until it is deleted, a create of the name is refused up front, pointing at the delete.
    let mut create = vec!["create".to_owned()];
    create.extend(args.iter().cloned());
    let output = vch(sim, &create).await;
    assert!(
        !output.status.success() && text(&output).contains("never finished"),
        "{name}: {}",
        text(&output)
    );

    // Nothing to inspect without the VM: the message says so and how to remove it.
    if entry["vm_name"] == "" {
        let mut inspect = vec!["inspect".to_owned(), "--name".to_owned(), name.to_owned()];
        inspect.extend(target_args(sim));
        let output = vch(sim, &inspect).await;
        assert!(
            !output.status.success() && text(&output).contains("vch delete --name"),
            "{name}: {}",
            text(&output)
        );
    }

    // `vch delete --name`, without --force, removes all of it.
    let mut delete = vec!["delete".to_owned(), "--name".to_owned(), name.to_owned()];
    delete.extend(target_args(sim));
    let output = vch(sim, &delete).await;
    assert!(output.status.success(), "{name}: {}", text(&output));
    assert_gone(client, name).await;
    // A volume store directory is kept without --force, as for any VCH, and the user is told.
    let volumes = format!("[LocalDS_0] {name}-vols");
    if datastore_dir_exists(client, &volumes).await {
        assert!(text(&output).contains("was kept"), "{}", text(&output));
    }
    create_again(sim, client, args, name, ip).await;
    assert!(!datastore_dir_exists(client, &volumes).await);
    entry
}

#[tokio::test]
async fn kill_9_after_the_pool_leaves_a_listed_deletable_vch() {
    let (sim, client, _) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    // Held at the folder's creation: the pool exists (and is marked), nothing else.
    let entry = crash_at(
        &sim,
        &client,
        &isos,
        "crash-pool",
        "CreateFolder",
        "127.0.0.11",
    )
    .await;
    let kinds: Vec<&str> = entry["leftovers"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["ResourcePool"], "{entry}");
    assert!(
        entry["path"]
            .as_str()
            .is_some_and(|p| p == "/DC0/host/DC0_C0/Resources"),
        "{entry}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn kill_9_after_the_folder_leaves_a_listed_deletable_vch() {
    let (sim, client, _) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    // Held at the VM's creation: pool and folder exist, no VM.
    let entry = crash_at(
        &sim,
        &client,
        &isos,
        "crash-folder",
        "CreateVM_Task",
        "127.0.0.12",
    )
    .await;
    let kinds: Vec<&str> = entry["leftovers"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["ResourcePool", "Folder"], "{entry}");
    sim.stop().await;
}

#[tokio::test]
async fn kill_9_during_the_upload_leaves_a_listed_deletable_vch() {
    let (sim, client, _) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    // 8 MiB, so holding it after 256 KiB is in mid-file (the volume descriptor stays valid).
    std::fs::File::options()
        .write(true)
        .open(&isos.appliance)
        .and_then(|f| f.set_len(8 << 20))
        .expect("grow the appliance ISO");
    // Held inside the appliance ISO's upload: pool, folder, VM (CreatingVCH), its datastore
    // folder and the volume store directory exist.
    let entry = crash_at(
        &sim,
        &client,
        &isos,
        "crash-upload",
        "PUT /folder/",
        "127.0.0.13",
    )
    .await;
    // The VM stands for the VCH: its id, no separate leftovers.
    assert!(
        entry["id"].as_str().is_some_and(|id| id.starts_with("vm-")),
        "{entry}"
    );
    assert!(entry.get("leftovers").is_none(), "{entry}");
    sim.stop().await;
}

/// With DRS off no pool is made and the folder is the create's first object: it carries the
/// marker itself. Listed through the API; deleted by its id, only once it holds nothing foreign.
#[tokio::test]
async fn a_lone_marked_folder_is_listed_by_the_api_and_deleted_when_empty() {
    use proxy::deploy::vch::Selector;
    use proxy::deploy::{DeployError, Progress, delete, ownership};
    use proxy::http::{AppState, router};

    let (sim, client, spec) = simulator().await;
    let snapshot = client.inventory().await.expect("inventory");
    let dc = MoRef::new("Datacenter", &snapshot.datacenter("DC0").expect("DC0").id);
    let vm_folder = client.datacenter_vm_folder(&dc).await.expect("vm folder");
    let folder = client
        .create_folder(&vm_folder, "lone")
        .await
        .expect("folder");
    ownership::mark_folder(&client, &folder, "lone", false)
        .await
        .expect("mark");
    // Unmarked: nobody's VCH.
    let stranger = client
        .create_folder(&vm_folder, "stranger")
        .await
        .expect("folder");
    // Put in the marked folder afterwards: not the create's.
    let child = client
        .create_folder(&folder, "someone-elses")
        .await
        .expect("child");

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new("/nonexistent".into(), Some(spec));
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("http client");
    let login = http
        .post(format!("{base}/api/session"))
        .json(&serde_json::json!({"default_target": true}))
        .send()
        .await
        .expect("login");
    assert!(login.status().is_success(), "{}", login.status());
    let list: Value = http
        .get(format!("{base}/api/vchs"))
        .send()
        .await
        .expect("GET /api/vchs")
        .json()
        .await
        .expect("JSON list");
    let names: Vec<&str> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert_eq!(names, ["lone"], "{list}");
    let entry = &list[0];
    assert_eq!(entry["status"], "incomplete", "{entry}");
    assert_eq!(entry["id"], folder.value.as_str(), "{entry}");
    assert_eq!(entry["leftovers"][0]["kind"], "Folder", "{entry}");
    assert_eq!(entry["leftovers"][0]["path"], "/DC0/vm/lone", "{entry}");
    assert_eq!(entry["path"], "/DC0/vm", "{entry}");

    let refused = delete::delete(
        &client,
        &Selector::Name("lone".into()),
        false,
        &Progress::new(),
    )
    .await
    .expect_err("a folder holding something foreign is kept");
    assert!(
        matches!(&refused, DeployError::DeleteIncomplete { .. })
            && refused.to_string().contains("holds 1 object"),
        "{refused}"
    );
    assert!(client.folder_info(&folder).await.expect("read").is_some());

    client
        .destroy_entity(&child)
        .await
        .expect("remove the child");
    let report = delete::delete(
        &client,
        &Selector::Id(folder.value.clone()),
        false,
        &Progress::new(),
    )
    .await
    .expect("delete by id");
    assert_eq!(report.removed.len(), 1, "{report:?}");
    assert!(client.folder_info(&folder).await.expect("read").is_none());
    assert!(leftovers(&client, "lone").await.is_empty());
    assert!(client.folder_info(&stranger).await.expect("read").is_some());
    sim.stop().await;
}

/// The one instant a marker cannot cover: killed after the pool exists, before it is marked. The
/// pool is nobody's VCH, so nothing is listed and the name is refused by the server; `vch delete
/// --name` names the empty pool and removes it with `--force`; then the name creates again.
#[tokio::test]
async fn kill_9_before_the_pool_is_marked_leaves_a_pool_delete_force_removes() {
    let (sim, client, _) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let name = "crash-unmarked";
    let args = kill_at(&sim, &isos, name, "SetField").await;
    assert!(
        client
            .find_by_inventory_path(&format!("DC0/host/DC0_C0/Resources/{name}"))
            .await
            .expect("find the pool")
            .is_some(),
        "the pool exists"
    );

    let mut ls = vec!["ls".to_owned(), "--json".to_owned()];
    ls.extend(target_args(&sim));
    let output = vch(&sim, &ls).await;
    let list: Value = serde_json::from_slice(&output.stdout).expect("ls --json");
    assert_eq!(list, serde_json::json!([]), "{}", text(&output));
    let mut create = vec!["create".to_owned()];
    create.extend(args.iter().cloned());
    let output = vch(&sim, &create).await;
    assert!(
        !output.status.success() && text(&output).contains("in use"),
        "{}",
        text(&output)
    );

    let mut delete = vec!["delete".to_owned(), "--name".to_owned(), name.to_owned()];
    delete.extend(target_args(&sim));
    let output = vch(&sim, &delete).await;
    assert!(
        !output.status.success() && text(&output).contains("--force"),
        "{}",
        text(&output)
    );
    delete.push("--force".to_owned());
    let output = vch(&sim, &delete).await;
    assert!(output.status.success(), "{}", text(&output));
    assert_gone(&client, name).await;
    create_again(&sim, &client, args, name, "127.0.0.14").await;
    sim.stop().await;
}

/// The moref of the root pool of compute resource `path`.
fn root_pool(snapshot: &shared::inventory::InventorySnapshot, path: &str) -> MoRef {
    let cr = snapshot
        .datacenters
        .iter()
        .flat_map(|dc| dc.compute_resources.iter())
        .find(|cr| cr.path == path)
        .unwrap_or_else(|| panic!("no compute resource {path}"));
    MoRef::new("ResourcePool", &cr.resource_pools[0].id)
}

/// A kill in the instant between making the pool and marking it, or any kill between pool and VM
/// on a standalone ESXi host (no custom attributes), leaves an unmarked empty pool (and folder):
/// `vch delete --name` names them and removes them with `--force`, empty ones only.
async fn unmarked_leftovers_go_with_force(client: &Client, compute: &str, with_folder: bool) {
    use proxy::deploy::vch::Selector;
    use proxy::deploy::{DeployError, Progress, delete};
    use proxy::vsphere::resource_pool::ResourceSpec;

    let snapshot = client.inventory().await.expect("inventory");
    let root = root_pool(&snapshot, compute);
    let pool = client
        .create_resource_pool(&root, "half", &ResourceSpec::default())
        .await
        .expect("pool");
    let folder = if with_folder {
        let dc = MoRef::new("Datacenter", &snapshot.datacenters[0].id);
        let vm_folder = client.datacenter_vm_folder(&dc).await.expect("vm folder");
        Some(
            client
                .create_folder(&vm_folder, "half")
                .await
                .expect("folder"),
        )
    } else {
        None
    };
    // Not empty: never offered.
    let busy = client
        .create_resource_pool(&root, "busy", &ResourceSpec::default())
        .await
        .expect("pool");
    client
        .create_resource_pool(&busy, "inner", &ResourceSpec::default())
        .await
        .expect("child pool");
    let name = |n: &str| Selector::Name(n.to_owned());

    let listed = proxy::deploy::vch::list(client).await.expect("ls");
    assert!(
        listed.is_empty(),
        "unmarked objects are nobody's VCH: {listed:?}"
    );
    let refused = delete::delete(client, &name("half"), false, &Progress::new())
        .await
        .expect_err("without --force");
    let message = refused.to_string();
    assert!(
        matches!(refused, DeployError::Refused(_))
            && message.contains("--force")
            && message.contains(&pool.value),
        "{message}"
    );
    assert!(
        client
            .resource_pool_info(&pool)
            .await
            .expect("read")
            .is_some()
    );
    let report = delete::delete(client, &name("half"), true, &Progress::new())
        .await
        .expect("--force removes them");
    assert_eq!(
        report.removed.len(),
        1 + usize::from(with_folder),
        "{report:?}"
    );
    assert!(
        client
            .resource_pool_info(&pool)
            .await
            .expect("read")
            .is_none()
    );
    if let Some(folder) = folder {
        assert!(client.folder_info(&folder).await.expect("read").is_none());
    }
    let not_found = delete::delete(client, &name("busy"), true, &Progress::new())
        .await
        .expect_err("a pool with something in it is not a leftover");
    assert!(matches!(not_found, DeployError::NotFound(_)), "{not_found}");
    assert!(
        client
            .resource_pool_info(&busy)
            .await
            .expect("read")
            .is_some()
    );
}

#[tokio::test]
async fn unmarked_leftovers_on_vcenter_go_only_with_force() {
    let (sim, client, _) = simulator().await;
    unmarked_leftovers_go_with_force(&client, "/DC0/host/DC0_C0", true).await;
    sim.stop().await;
}

#[tokio::test]
async fn unmarked_leftovers_on_esxi_go_only_with_force() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(proxy::simulator::SimulatorOptions::esx())
        .await
        .expect("start the ESXi simulator");
    let client = Client::connect(&proxy::vsphere::TargetSpec::from_simulator(&sim))
        .await
        .expect("connect");
    assert!(!client.has_custom_fields());
    let snapshot = client.inventory().await.expect("inventory");
    let compute = snapshot.datacenters[0].compute_resources[0].path.clone();
    unmarked_leftovers_go_with_force(&client, &compute, false).await;
    sim.stop().await;
}
