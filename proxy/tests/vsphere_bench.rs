//! Inventory benchmark on a large simulated inventory (104 hosts, 200 distributed port groups,
//! 50 datastores): our read stays within 5 SOAP round trips and is at least 3 times faster than the
//! idiomatic pyvmomi listing (`tests/python/list_inventory.py --full`), both measured in this run,
//! connect to logout, best of several runs each.
//!
//! Ignored by default (it takes a while in debug builds); run it with
//! `cargo test --release -p proxy --test vsphere_bench -- --ignored --nocapture`.
//! `tests/bench/inventory.sh` compares sizes up to a large vCenter, with peak RSS and snapshot size.

use std::process::Command;
use std::time::{Duration, Instant};

use proxy::simulator::{Inventory, Simulator, SimulatorOptions};
use proxy::vsphere::{Client, TargetSpec};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/python/list_inventory.py"
);
const RUNS: usize = 5;
const ROUND_TRIP_BUDGET: u64 = 5;
const REQUIRED_SPEEDUP: f64 = 3.0;

fn large_inventory() -> SimulatorOptions {
    SimulatorOptions::vpx().with_inventory(Inventory {
        clusters: Some(4),
        cluster_hosts: Some(25),
        hosts: Some(4),
        portgroups: Some(200),
        datastores: Some(50),
        vms: Some(1),
        ..Inventory::default()
    })
}

fn pyvmomi_run(sim: &Simulator) -> Duration {
    let output = Command::new("python3")
        .args([SCRIPT, sim.url().as_str(), sim.username(), "--full"])
        .env("VCH_PASSWORD", sim.password())
        .output()
        .expect("run list_inventory.py (needs python3 and pyvmomi)");
    assert!(
        output.status.success(),
        "list_inventory.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    Duration::from_secs_f64(json["elapsed_seconds"].as_f64().expect("elapsed_seconds"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with cargo test --release -- --ignored"]
async fn inventory_read_is_fast_and_frugal() {
    // VCH_BENCH_TRACE=1 shows each SOAP call's size and time.
    if std::env::var_os("VCH_BENCH_TRACE").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("proxy::vsphere=debug")
            .with_writer(std::io::stderr)
            .try_init();
    }
    let started = Instant::now();
    let sim = Simulator::start(large_inventory())
        .await
        .expect("start the simulator");
    eprintln!("simulator up in {:.1?}", started.elapsed());
    let spec = TargetSpec::from_simulator(&sim);

    let mut ours = Vec::new();
    let mut sizes = (0, 0, 0, 0);
    let mut inventory_round_trips = 0;
    let mut total_round_trips = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let client = Client::connect(&spec).await.unwrap();
        let before = client.round_trips();
        let snapshot = client.inventory().await.unwrap();
        inventory_round_trips = client.round_trips() - before;
        client.logout().await.unwrap();
        total_round_trips = client.round_trips();
        ours.push(t.elapsed());
        let dc = &snapshot.datacenters[0];
        sizes = (
            dc.hosts.len(),
            dc.networks.len(),
            dc.datastores.len(),
            serde_json::to_vec(&snapshot).unwrap().len(),
        );
    }
    let python: Vec<Duration> = (0..RUNS).map(|_| pyvmomi_run(&sim)).collect();
    sim.stop().await;

    let best = |d: &[Duration]| d.iter().min().copied().unwrap();
    let (ours_best, python_best) = (best(&ours), best(&python));
    let speedup = python_best.as_secs_f64() / ours_best.as_secs_f64();
    eprintln!(
        "inventory: {} hosts, {} port groups, {} datastores, snapshot {} KiB JSON",
        sizes.0,
        sizes.1,
        sizes.2,
        sizes.3 / 1024
    );
    eprintln!(
        "vch:     best {ours_best:.2?} of {ours:.2?}; {inventory_round_trips} round trips for the \
         inventory read, {total_round_trips} with connect and logout"
    );
    eprintln!("pyvmomi: best {python_best:.2?} of {python:.2?}");
    eprintln!("speed-up: {speedup:.1}x");

    assert!(
        sizes.0 >= 100 && sizes.1 >= 200 && sizes.2 >= 50,
        "{sizes:?}"
    );
    assert!(
        inventory_round_trips <= ROUND_TRIP_BUDGET,
        "{inventory_round_trips} round trips"
    );
    assert!(
        speedup >= REQUIRED_SPEEDUP,
        "only {speedup:.1}x faster than pyvmomi"
    );
}
