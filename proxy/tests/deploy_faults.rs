//! Failures in the middle of a create: a loopback proxy cuts the SOAP (or upload) connection at the
//! k-th HTTP request, before or after the server saw it. Every run must end with a clear error
//! and nothing left behind, whichever request was cut. And two creates of one name: one wins.

mod deploy_support;

use deploy_support::*;
use proxy::deploy::vch::Selector;
use proxy::deploy::{self, CreateOptions, DeployError, Progress};
use proxy::vsphere::{Client, MoRef, TargetSpec};
use tokio_util::sync::CancellationToken;

/// Leftover datastore directories: deleting one that exists is a leak.
async fn leaked_directories(client: &Client, paths: &[&str]) -> Vec<String> {
    let fm = client.file_manager().await.expect("file manager");
    let snapshot = client.inventory().await.expect("inventory");
    let dc = snapshot.datacenter("DC0").expect("DC0");
    let dc = MoRef::new("Datacenter", &dc.id);
    let mut out = Vec::new();
    for path in paths {
        if client
            .delete_datastore_file(&fm, path, &dc)
            .await
            .expect("delete datastore file")
        {
            out.push((*path).to_owned());
        }
    }
    out
}

async fn run_with_cut(
    sim: &proxy::simulator::Simulator,
    direct: &Client,
    spec: &TargetSpec,
    isos: &Isos,
    cut_at: u64,
    after_forward: bool,
) -> (Result<(), String>, u64) {
    let proxy = CuttingProxy::start(sim.addr(), cut_at, after_forward).await;
    let mut via = spec.clone();
    via.url
        .set_port(Some(proxy.port))
        .expect("set the proxy port");
    let name = "faulty";
    let mut args = small_args(sim, isos, name);
    args.extend(["--timeout".to_owned(), "10s".to_owned()]);
    let config = config_from(&args);
    let outcome = match Client::connect(&via).await {
        // The cut hit the login: nothing to check beyond a clear error.
        Err(e) => Err(format!("connect: {e}")),
        Ok(client) => {
            let progress = Progress::new();
            let appliance = play_appliance(direct.clone(), &progress, "127.0.9.9");
            let result = deploy::create(
                &client,
                &config,
                &CreateOptions::from_config(&config, via.clone()),
                &progress,
                &CancellationToken::new(),
            )
            .await;
            appliance.abort();
            match result {
                Ok(created) => {
                    deploy::delete::delete(
                        direct,
                        &Selector::Id(created.id),
                        true,
                        &Progress::new(),
                    )
                    .await
                    .expect("delete the VCH of an uncut run");
                    Ok(())
                }
                Err(e) => {
                    if let Some(rollback) = e.rollback() {
                        assert!(
                            rollback.is_clean(),
                            "k={cut_at}: rollback left objects: {e}"
                        );
                    }
                    // A timeout leaves the VCH by design; remove it for the leak check.
                    if let DeployError::ApplianceTimeout { id, .. }
                    | DeployError::ApplianceStopped { id, .. } = &e
                    {
                        deploy::delete::delete(
                            direct,
                            &Selector::Id(id.clone()),
                            true,
                            &Progress::new(),
                        )
                        .await
                        .expect("delete the timed-out VCH");
                    }
                    Err(e.to_string())
                }
            }
        }
    };
    let requests = proxy.requests.load(std::sync::atomic::Ordering::SeqCst);
    let mut left = leftovers(direct, name).await;
    left.extend(
        leaked_directories(direct, &["[LocalDS_0] faulty", "[LocalDS_0] faulty-vols"]).await,
    );
    // Nothing may remain, whichever request was cut, before or after the server saw it: the
    // volume directory is looked for before MakeDirectory, so a lost reply is still rolled back.
    assert!(
        left.is_empty(),
        "k={cut_at} after_forward={after_forward}: {outcome:?} left {left:?}"
    );
    // Nobody else uses the name: a cut must never make our own pool or folder look taken (a
    // creation sent twice would come back as DuplicateName).
    if let Err(message) = &outcome {
        assert!(
            !message.contains("already in use") && !message.contains("already exists"),
            "k={cut_at} after_forward={after_forward}: our own object reported as taken: {message}"
        );
    }
    (outcome, requests)
}

#[tokio::test]
async fn a_cut_connection_anywhere_leaves_nothing_behind() {
    let (sim, direct, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    // An uncut run tells how many requests a create makes.
    let (outcome, total) = run_with_cut(&sim, &direct, &spec, &isos, u64::MAX, false).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    println!("an uncut create makes {total} HTTP requests");
    let mut failures = 0;
    for after_forward in [false, true] {
        for k in 1..=total {
            let (outcome, _) = run_with_cut(&sim, &direct, &spec, &isos, k, after_forward).await;
            match outcome {
                Ok(()) => {}
                Err(message) => {
                    failures += 1;
                    // Clear: names the host or the step, never a credential.
                    assert!(
                        !message.contains(sim.password()) || sim.password().len() < 3,
                        "{message}"
                    );
                    assert!(!message.is_empty());
                }
            }
        }
    }
    assert!(
        failures >= total as usize,
        "only {failures} cuts made a run fail"
    );
    sim.stop().await;
}

#[tokio::test]
async fn two_creates_of_one_name_one_wins() {
    let (sim, client_a, spec) = simulator().await;
    let client_b = Client::connect(&spec).await.expect("second session");
    let isos = isos(VERSION_PUBLISHER);
    let config = config_from(&small_args(&sim, &isos, "twin"));
    let mut options = CreateOptions::from_config(&config, spec.clone());
    options.wait_for_ip = false;
    let (pa, pb) = (Progress::new(), Progress::new());
    let cancel = CancellationToken::new();
    let (a, b) = tokio::join!(
        deploy::create(&client_a, &config, &options, &pa, &cancel),
        deploy::create(&client_b, &config, &options, &pb, &cancel),
    );
    let winners = [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count();
    assert_eq!(
        winners,
        1,
        "a: {:?}\nb: {:?}",
        a.as_ref().err().map(ToString::to_string),
        b.as_ref().err().map(ToString::to_string)
    );
    let loser = a.as_ref().err().or(b.as_ref().err()).expect("one failed");
    let message = loser.to_string();
    assert!(
        message.contains("twin")
            && (message.contains("in use") || message.contains("already exists")),
        "{message}"
    );
    if let Some(rollback) = loser.rollback() {
        assert!(rollback.is_clean());
    }
    let list = deploy::vch::list(&client_a).await.expect("ls");
    assert_eq!(
        list.iter().filter(|v| v.name == "twin").count(),
        1,
        "{list:?}"
    );
    deploy::delete::delete(
        &client_a,
        &Selector::Name("twin".into()),
        true,
        &Progress::new(),
    )
    .await
    .expect("delete");
    assert!(leftovers(&client_a, "twin").await.is_empty());
    sim.stop().await;
}

#[tokio::test]
async fn cancel_rolls_back() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let config = config_from(&small_args(&sim, &isos, "cancelled"));
    let progress = Progress::new();
    let cancel = CancellationToken::new();
    // Cancel while waiting for the IP: everything made so far must go.
    let (_, mut rx) = progress.subscribe();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        while let Ok(event) = rx.recv().await {
            if event.step == proxy::deploy::Step::WaitForIp {
                trigger.cancel();
                return;
            }
        }
    });
    let err = deploy::create(
        &client,
        &config,
        &CreateOptions::from_config(&config, spec),
        &progress,
        &cancel,
    )
    .await
    .expect_err("cancelled");
    match &err {
        DeployError::Cancelled { rollback, .. } => {
            assert!(rollback.is_clean());
            assert!(
                rollback
                    .removed
                    .iter()
                    .any(|o| o.kind == proxy::deploy::ObjectKind::VirtualMachine),
                "{err}"
            );
        }
        other => panic!("expected a cancel, got {other}"),
    }
    assert!(err.to_string().contains("removed"), "{err}");
    assert!(leftovers(&client, "cancelled").await.is_empty());
    assert!(
        leaked_directories(
            &client,
            &["[LocalDS_0] cancelled", "[LocalDS_0] cancelled-vols"]
        )
        .await
        .is_empty()
    );
    sim.stop().await;
}
