//! Jobs that belong to someone and outlive the browser: a job is visible only to the session that
//! started it (404 to any other session and to no session); a create runs on its own vSphere
//! session, so a logout or a second login in the same browser does not stop it half way; it ends
//! by finishing (appliance played) or by rolling back, and pyvmomi finds nothing left behind.

mod deploy_support;

use std::time::Duration;

use deploy_support::*;
use proxy::http::jobs::Outcome;
use proxy::http::{AppState, ApplianceIsos, router};
use proxy::vsphere::{Client, MoRef};
use serde_json::{Value, json};

struct Fixture {
    sim: proxy::simulator::Simulator,
    client: Client,
    isos: Isos,
    state: AppState,
    base: String,
}

async fn fixture() -> Fixture {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let state = AppState::new("/nonexistent".into(), Some(spec)).with_isos(ApplianceIsos {
        appliance: isos.appliance.clone(),
        bootstrap: isos.bootstrap.clone(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Fixture {
        sim,
        client,
        isos,
        state,
        base,
    }
}

/// A browser: keeps its cookie.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn login(http: &reqwest::Client, base: &str) {
    let response = http
        .post(format!("{base}/api/session"))
        .json(&json!({"default_target": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

async fn logout(http: &reqwest::Client, base: &str) {
    let response = http
        .delete(format!("{base}/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

/// Starts a create of `name` with client verification (so the job holds a client bundle).
async fn start_create(http: &reqwest::Client, fx: &Fixture, name: &str) -> String {
    start_create_on(http, &fx.base, &fx.sim, &fx.isos, name).await
}

/// As [`start_create`], on a bridge port group of its own (beside a VCH on the default one).
async fn start_second_create(http: &reqwest::Client, fx: &Fixture, name: &str) -> String {
    let args = small_args(&fx.sim, &fx.isos, name)
        .into_iter()
        .map(|a| {
            if a == "DC0_DVPG0" {
                "DC0_DVPG2".to_owned()
            } else {
                a
            }
        })
        .collect();
    post_create(http, &fx.base, args, name).await
}

async fn start_create_on(
    http: &reqwest::Client,
    base: &str,
    sim: &proxy::simulator::Simulator,
    isos: &Isos,
    name: &str,
) -> String {
    post_create(http, base, small_args(sim, isos, name), name).await
}

/// Posts a create of `args` with client verification (so the job holds a client bundle).
async fn post_create(http: &reqwest::Client, base: &str, args: Vec<String>, name: &str) -> String {
    post_create_with(http, base, args, name, None).await
}

/// As [`post_create`], with an operations user and password (`{config, ops_password}`), which a
/// session without a password (the plugin's clone) must give (T20).
async fn post_create_with(
    http: &reqwest::Client,
    base: &str,
    args: Vec<String>,
    name: &str,
    ops: Option<(&str, &str)>,
) -> String {
    let mut args: Vec<String> = args.into_iter().filter(|a| a != "--no-tlsverify").collect();
    args.extend(["--tls-cname", &format!("{name}.example.com")].map(str::to_owned));
    let mut body = serde_json::to_value(config_from(&args)).expect("a configuration as JSON");
    if let Some((user, password)) = ops {
        body["operations"]["ops_user"] = json!(user);
        body = json!({"config": body, "ops_password": password});
    }
    let response = http
        .post(format!("{base}/api/vchs"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    response.json::<Value>().await.unwrap()["job"]
        .as_str()
        .expect("a job id")
        .to_owned()
}

/// Does what the VIC appliance does after power-on (its IP, its components started); the stub
/// Docker API it returns serves until dropped.
async fn play_ip(client: &Client, vm: &MoRef, ip: &str) -> StubDocker {
    boot(client, vm, ip, Behaviour::default()).await
}

/// The job's outcome, read on the server (nobody may be logged in to read it over HTTP).
async fn outcome(state: &AppState, job: &str) -> Outcome {
    let job = state.jobs().get(job).expect("the job is kept");
    for _ in 0..1200 {
        if let Some(outcome) = job.outcome() {
            return outcome;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the job did not end within two minutes");
}

/// Every job endpoint, as (method, path).
fn endpoints(job: &str) -> [(reqwest::Method, String); 4] {
    [
        (reqwest::Method::GET, format!("/api/jobs/{job}")),
        (reqwest::Method::GET, format!("/api/jobs/{job}/events")),
        (
            reqwest::Method::GET,
            format!("/api/jobs/{job}/client-bundle"),
        ),
        (reqwest::Method::POST, format!("/api/jobs/{job}/cancel")),
    ]
}

/// `who` gets the same 404 as for an unknown job on every endpoint of `job`.
async fn assert_hidden(who: &reqwest::Client, base: &str, job: &str, label: &str) {
    for (method, path) in endpoints(job) {
        let response = who
            .request(method.clone(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{label}: {method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["error"]["code"], "job_not_found",
            "{label}: {path}: {body}"
        );
    }
}

fn expect_gone(name: &str) -> Value {
    json!({"name": name, "present": false, "datastore": "LocalDS_0", "paths": [name]})
}

#[tokio::test]
async fn a_job_is_visible_only_to_the_session_that_started_it() {
    let fx = fixture().await;
    let owner = browser();
    let other = browser();
    let anonymous = browser();
    login(&owner, &fx.base).await;
    login(&other, &fx.base).await;

    let job = start_create(&owner, &fx, "owned-vch").await;
    assert_hidden(&other, &fx.base, &job, "another session").await;
    assert_hidden(&anonymous, &fx.base, &job, "no session").await;
    // The owner's cookie works on each endpoint that exists for a running job.
    let status = owner
        .get(format!("{}/api/jobs/{job}", fx.base))
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), 200);

    let vm = job_powered_on_vm(&owner, &fx.base, &job).await;
    let _appliance = play_ip(&fx.client, &vm, "127.0.0.21").await;
    let end = outcome(&fx.state, &job).await;
    assert_eq!(end.state, "succeeded", "{end:?}");

    // Finished, with a private key in its bundle: still nobody else's.
    assert_hidden(&other, &fx.base, &job, "another session, finished").await;
    assert_hidden(&anonymous, &fx.base, &job, "no session, finished").await;
    let bundle = owner
        .get(format!("{}/api/jobs/{job}/client-bundle", fx.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200);
    let events = owner
        .get(format!("{}/api/jobs/{job}/events", fx.base))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
}

#[tokio::test]
async fn a_create_completes_after_its_browser_logs_out() {
    let fx = fixture().await;
    let http = browser();
    login(&http, &fx.base).await;
    let job = start_create(&http, &fx, "outlives-logout").await;
    let vm = job_powered_on_vm(&http, &fx.base, &job).await;

    // The browser session (and its vSphere session) ends while the job waits for the IP.
    logout(&http, &fx.base).await;
    assert_hidden(&http, &fx.base, &job, "logged out").await;
    let _appliance = play_ip(&fx.client, &vm, "127.0.0.22").await;

    let end = outcome(&fx.state, &job).await;
    assert_eq!(end.state, "succeeded", "{end:?}");
    assert_eq!(
        end.result.as_ref().unwrap()["docker_host"],
        "127.0.0.22:2376"
    );
    let verdict = verify(
        &fx.sim,
        &json!({"name": "outlives-logout", "present": true}),
    );
    assert_eq!(verdict["ok"], true, "{verdict}");
    // The browser's vSphere session ended at logout, the job's (and its upload session's) when
    // it finished: only the test's own client is left.
    for _ in 0..100 {
        if simulator_sessions(&fx.sim) == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{} vSphere sessions left, expected 1",
        simulator_sessions(&fx.sim)
    );
}

#[tokio::test]
async fn a_create_survives_a_second_login_in_the_same_browser_and_can_be_cancelled_there() {
    let fx = fixture().await;
    let http = browser();
    let other = browser();
    login(&http, &fx.base).await;
    login(&other, &fx.base).await;

    // Logging in again replaces the browser's session; the job stays its own.
    let job = start_create(&http, &fx, "second-login").await;
    let vm = job_powered_on_vm(&http, &fx.base, &job).await;
    login(&http, &fx.base).await;
    let _appliance = play_ip(&fx.client, &vm, "127.0.0.23").await;
    let end = outcome(&fx.state, &job).await;
    assert_eq!(end.state, "succeeded", "{end:?}");
    let bundle = http
        .get(format!("{}/api/jobs/{job}/client-bundle", fx.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200, "the same browser still owns the job");
    assert_hidden(&other, &fx.base, &job, "another session").await;

    // A second create, interrupted by a new login then cancelled from it, rolls back completely.
    let job = start_second_create(&http, &fx, "cancel-after-login").await;
    job_powered_on_vm(&http, &fx.base, &job).await;
    login(&http, &fx.base).await;
    let cancel = http
        .post(format!("{}/api/jobs/{job}/cancel", fx.base))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 202);
    let end = outcome(&fx.state, &job).await;
    assert_eq!(end.state, "cancelled", "{end:?}");
    assert!(!end.removed.is_empty(), "{end:?}");
    assert!(end.left_behind.is_empty(), "{end:?}");
    let verdict = verify(&fx.sim, &expect_gone("cancel-after-login"));
    assert_eq!(verdict["ok"], true, "{verdict}");
    assert!(
        leftovers(&fx.client, "cancel-after-login")
            .await
            .iter()
            .all(|l| !l.contains("cancel-after-login")),
    );
}

#[tokio::test]
async fn a_create_whose_browser_logged_out_rolls_back_at_shutdown() {
    let fx = fixture().await;
    let http = browser();
    login(&http, &fx.base).await;
    let job = start_create(&http, &fx, "orphan-rollback").await;
    job_powered_on_vm(&http, &fx.base, &job).await;
    logout(&http, &fx.base).await;

    // Nobody can cancel it now; the server's shutdown does, and waits for the rollback.
    let ended = proxy::http::housekeeping::shutdown(&fx.state, Duration::from_secs(60)).await;
    assert!(ended, "the rollback finished within the shutdown limit");
    let end = outcome(&fx.state, &job).await;
    assert_eq!(end.state, "cancelled", "{end:?}");
    assert!(end.left_behind.is_empty(), "{end:?}");
    let verdict = verify(&fx.sim, &expect_gone("orphan-rollback"));
    assert_eq!(verdict["ok"], true, "{verdict}");
}

/// `vch serve` itself: SIGTERM during a create cancels it, waits for the rollback, and exits;
/// the simulator (started here, so it outlives the server) has nothing left.
#[tokio::test]
async fn sigterm_rolls_back_a_running_create_before_vch_serve_exits() {
    let (sim, client, _) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let dir = tempfile::tempdir().unwrap();
    let url_file = dir.path().join("url");
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--ui-dir", "/nonexistent"])
        .arg("--url-file")
        .arg(&url_file)
        .arg("--appliance-iso")
        .arg(&isos.appliance)
        .arg("--bootstrap-iso")
        .arg(&isos.bootstrap)
        .env_remove("VCH_LISTEN")
        .kill_on_drop(true)
        .spawn()
        .expect("vch serve starts");
    let mut base = String::new();
    for _ in 0..600 {
        if let Ok(url) = std::fs::read_to_string(&url_file) {
            base = url.trim_end_matches('/').to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!base.is_empty(), "vch serve wrote its URL");

    let http = browser();
    let login = http
        .post(format!("{base}/api/session"))
        .json(&json!({
            "target": sim.url().as_str(),
            "user": sim.username(),
            "password": sim.password(),
            "thumbprint": sim.cert_thumbprint_sha256(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 201, "{}", login.text().await.unwrap());
    let job = start_create_on(&http, &base, &sim, &isos, "sigterm-vch").await;
    job_powered_on_vm(&http, &base, &job).await;

    let pid = server.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = tokio::time::timeout(WAIT, server.wait())
        .await
        .expect("vch serve exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");

    let verdict = verify(&sim, &expect_gone("sigterm-vch"));
    assert_eq!(verdict["ok"], true, "{verdict}");
    assert!(leftovers(&client, "sigterm-vch").await.is_empty());
}

/// In the vSphere Client the session is a clone (no password): the job clones a session of its
/// own from it, so the plugin's logout does not stop the create either.
#[tokio::test]
async fn a_create_from_a_cloned_plugin_session_completes_after_logout() {
    let fx = fixture().await;
    let http = browser();
    let ticket = fx.client.acquire_clone_ticket().await.unwrap();
    let cloned = http
        .post(format!("{}/api/session/clone", fx.base))
        .json(&json!({
            "target": fx.sim.url().as_str(),
            "thumbprint": fx.sim.cert_thumbprint_sha256(),
            "clone_ticket": secrecy::ExposeSecret::expose_secret(&ticket),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(cloned.status(), 201, "{}", cloned.text().await.unwrap());

    let args = small_args(&fx.sim, &fx.isos, "cloned-vch");
    let job = post_create_with(
        &http,
        &fx.base,
        args,
        "cloned-vch",
        Some(("vch-ops", "ops-secret")),
    )
    .await;
    let vm = job_powered_on_vm(&http, &fx.base, &job).await;
    logout(&http, &fx.base).await;
    let _appliance = play_ip(&fx.client, &vm, "127.0.0.24").await;
    let end = outcome(&fx.state, &job).await;
    assert_eq!(end.state, "succeeded", "{end:?}");
    let verdict = verify(&fx.sim, &json!({"name": "cloned-vch", "present": true}));
    assert_eq!(verdict["ok"], true, "{verdict}");
}
