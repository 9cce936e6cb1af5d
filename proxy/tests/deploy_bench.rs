//! Create benchmark (run by `tests/bench/deploy.sh`): SOAP calls of a create, peak RSS growth of
//! `vch create` while it uploads a 1 GB ISO, and upload throughput against `curl -T` to the same
//! simulator datastore URL on the same loopback, in the same run.

mod deploy_support;

use std::time::{Duration, Instant};

use deploy_support::*;
use proxy::deploy::{self, CreateOptions, Progress};
use tokio_util::sync::CancellationToken;

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

#[tokio::test]
#[ignore = "benchmark: tests/bench/deploy.sh"]
async fn create_figures() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);

    // 1. SOAP calls of a create (uploads not counted).
    let config = config_from(&small_args(&sim, &isos, "bench1"));
    let mut options = CreateOptions::from_config(&config, spec.clone());
    options.wait_for_ip = false;
    let created = deploy::create(
        &client,
        &config,
        &options,
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect("create");
    println!("FIGURE soap_calls_per_create={}", created.round_trips);
    // Two VCHs may not share a bridge (NV28): the process run below reuses it.
    deploy::delete::delete(
        &client,
        &proxy::deploy::vch::Selector::Id(created.id.clone()),
        true,
        &Progress::new(),
    )
    .await
    .expect("delete bench1");

    // 2. A sparse 1 GB appliance ISO: the small image's PVD stays valid after truncate.
    let big = isos.dir.path().join("big.iso");
    std::fs::copy(&isos.appliance, &big).expect("copy");
    std::fs::File::options()
        .write(true)
        .open(&big)
        .and_then(|f| f.set_len(1 << 30))
        .expect("truncate to 1 GB");

    // curl -T to the same datastore URL.
    let url = format!(
        "{}folder/curl-copy.iso?dcPath=DC0&dsName=LocalDS_0",
        sim.url().as_str().trim_end_matches("sdk")
    );
    let started = Instant::now();
    let status = std::process::Command::new("curl")
        .args(["-s", "-k", "-o", "/dev/null", "-u"])
        .arg(format!("{}:{}", sim.username(), sim.password()))
        .arg("-T")
        .arg(&big)
        .arg(&url)
        .status()
        .expect("run curl");
    assert!(status.success(), "curl failed");
    let curl_secs = started.elapsed().as_secs_f64();
    let curl_mbps = 1024.0 / curl_secs;

    // `vch create` as a process, its RSS sampled while it uploads.
    let mut args = small_args(&sim, &isos, "bench2");
    for (i, a) in args.clone().iter().enumerate() {
        if a == "--appliance-iso" {
            args[i + 1] = big.to_string_lossy().into_owned();
        }
        if a == "--timeout" {
            args[i + 1] = "1s".into();
        }
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .arg("create")
        .arg("--json-events")
        .args(&args)
        .env("VCH_PASSWORD", sim.password())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn vch create");
    let pid = child.id();
    let (mut first, mut peak) = (None, 0u64);
    // Events tell when the upload starts and ends.
    let stdout = child.stdout.take().expect("stdout");
    let events = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut marks = (None, None);
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("\"step\":\"upload_isos\"") && marks.0.is_none() {
                marks.0 = Some(Instant::now());
            }
            if line.contains("\"step\":\"configure\"") && marks.1.is_none() {
                marks.1 = Some(Instant::now());
            }
        }
        marks
    });
    loop {
        if let Some(kb) = rss_kb(pid) {
            first.get_or_insert(kb);
            peak = peak.max(kb);
        }
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (start, end) = events.join().expect("events");
    let upload_secs = match (start, end) {
        (Some(s), Some(e)) => (e - s).as_secs_f64(),
        _ => {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            panic!("vch create did not report the upload: {err}")
        }
    };
    let vch_mbps = 1024.0 / upload_secs;
    let growth_mb = (peak - first.unwrap_or(peak)) as f64 / 1024.0;
    println!(
        "FIGURE rss_first_mb={:.1}",
        first.unwrap_or(0) as f64 / 1024.0
    );
    println!("FIGURE rss_growth_mb={growth_mb:.1}");
    println!("FIGURE curl_upload_mb_s={curl_mbps:.0}");
    println!(
        "FIGURE vch_upload_mb_s={vch_mbps:.0} (1 GB appliance ISO + bootstrap, incl. per-file setup)"
    );
    println!("FIGURE vch_vs_curl={:.0}%", 100.0 * vch_mbps / curl_mbps);
    assert!(
        created.round_trips <= 30,
        "{} SOAP calls",
        created.round_trips
    );
    assert!(growth_mb < 32.0, "RSS grew by {growth_mb:.1} MB");
    assert!(
        vch_mbps >= 0.8 * curl_mbps,
        "{vch_mbps:.0} MB/s vs curl {curl_mbps:.0} MB/s"
    );
    sim.stop().await;
}
