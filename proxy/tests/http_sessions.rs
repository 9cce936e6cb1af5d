//! Bounds on server-side state, with short configured durations: a cap on live sessions (a JSON
//! 503 when full), idle and absolute session lifetimes enforced by the background sweep, and
//! finished jobs evicted after their retention period. Every wait is a bounded poll.

mod deploy_support;

use std::path::PathBuf;
use std::time::Duration;

use deploy_support::simulator_sessions;

use proxy::http::session::SessionLimits;
use proxy::http::{AppState, Limits, router};
use proxy::simulator::{Simulator, SimulatorOptions};
use proxy::vsphere::TargetSpec;
use serde_json::{Value, json};

async fn serve(limits: Limits) -> (Simulator, AppState, String) {
    let sim = Simulator::start(SimulatorOptions::vpx()).await.unwrap();
    let state = AppState::new(
        PathBuf::from("/nonexistent"),
        Some(TargetSpec::from_simulator(&sim)),
    )
    .with_limits(limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (sim, state, base)
}

fn limits(max_sessions: usize, idle_ms: u64, lifetime_ms: u64, retention_ms: u64) -> Limits {
    Limits {
        sessions: SessionLimits {
            max_sessions,
            idle: Duration::from_millis(idle_ms),
            lifetime: Duration::from_millis(lifetime_ms),
        },
        job_retention: Duration::from_millis(retention_ms),
        sweep_every: Duration::from_millis(50),
    }
}

const HOUR: u64 = 3_600_000;

fn browser() -> reqwest::Client {
    // reqwest is built without a default crypto provider; a second install is a no-op error.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn login(http: &reqwest::Client, base: &str) -> reqwest::Response {
    http.post(format!("{base}/api/session"))
        .json(&json!({"default_target": true}))
        .send()
        .await
        .unwrap()
}

async fn session_status(http: &reqwest::Client, base: &str) -> u16 {
    http.get(format!("{base}/api/session"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Polls `check` every 50 ms, at most 600 times (30 s), until it holds.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within the bounded poll");
}

#[tokio::test]
async fn logins_beyond_the_cap_get_a_json_503_until_a_session_ends() {
    let (_sim, state, base) = serve(limits(2, HOUR, HOUR, HOUR)).await;
    let (first, second, third) = (browser(), browser(), browser());
    assert_eq!(login(&first, &base).await.status(), 201);
    assert_eq!(login(&second, &base).await.status(), 201);

    let refused = login(&third, &base).await;
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_sessions", "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains('2'),
        "{body}"
    );
    assert_eq!(state.sessions().len(), 2);

    // A browser that logs in again replaces its own session: no room needed.
    assert_eq!(login(&first, &base).await.status(), 201);
    assert_eq!(state.sessions().len(), 2);

    first
        .delete(format!("{base}/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(login(&third, &base).await.status(), 201);
    assert_eq!(session_status(&third, &base).await, 200);
}

#[tokio::test]
async fn an_idle_session_is_swept_without_any_later_login() {
    let (sim, state, base) = serve(limits(8, 5_000, HOUR, HOUR)).await;
    let http = browser();
    assert_eq!(login(&http, &base).await.status(), 201);
    assert_eq!(state.sessions().len(), 1);
    assert_eq!(simulator_sessions(&sim), 1, "the browser's vSphere session");
    // Nobody sends anything: only the sweep can remove it, and it logs the session out.
    eventually("the idle session's removal", || async {
        state.sessions().is_empty()
    })
    .await;
    eventually("the vSphere logout", || async {
        simulator_sessions(&sim) == 0
    })
    .await;
    assert_eq!(session_status(&http, &base).await, 401);
}

#[tokio::test]
async fn a_busy_session_still_ends_at_its_absolute_lifetime() {
    let (_sim, _state, base) = serve(limits(8, HOUR, 1_000, HOUR)).await;
    let http = browser();
    assert_eq!(login(&http, &base).await.status(), 201);
    assert_eq!(session_status(&http, &base).await, 200);
    // Used every 50 ms, so never idle; it must still end.
    eventually("the end of the session's lifetime", || async {
        session_status(&http, &base).await == 401
    })
    .await;
}

#[tokio::test]
async fn a_finished_job_is_evicted_after_its_retention() {
    let (_sim, state, base) = serve(limits(8, HOUR, HOUR, 300)).await;
    let http = browser();
    assert_eq!(login(&http, &base).await.status(), 201);
    // Deleting a VCH that does not exist: a job that fails at once.
    let started = http
        .delete(format!("{base}/api/vchs/vm-does-not-exist"))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 202);
    let job = started.json::<Value>().await.unwrap()["job"]
        .as_str()
        .unwrap()
        .to_owned();
    let status: Value = http
        .get(format!("{base}/api/jobs/{job}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["kind"], "delete", "{status}");
    eventually("the job's eviction", || async {
        state.jobs().get(&job).is_none()
    })
    .await;
    let gone = http
        .get(format!("{base}/api/jobs/{job}"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
}
