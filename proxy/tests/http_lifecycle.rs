//! The life-cycle API against the simulator: `GET /api/vchs` rows carry version and upgrade
//! status; upgrade and rollback run as jobs followed over SSE like create; the server
//! certificate is served as PEM; debug without VMware Tools fails with the reason.

mod deploy_support;

use std::time::Duration;

use deploy_support::*;
use futures::StreamExt;
use proxy::deploy::{self, CreateOptions, Progress};
use proxy::http::{AppState, ApplianceIsos, router};
use proxy::vsphere::TargetSpec;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// The `end` event of a job's SSE stream.
async fn job_end(http: &reqwest::Client, base: &str, job: &str) -> Value {
    let response = http
        .get(format!("{base}/api/jobs/{job}/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    while let Some(chunk) = tokio::time::timeout(WAIT, body.next())
        .await
        .expect("events keep coming")
    {
        buffer.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block
                .lines()
                .any(|l| l.trim() == "event: end" || l.trim() == "event:end")
            {
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                return serde_json::from_str(&data).expect("JSON end event");
            }
        }
    }
    panic!("no end event")
}

async fn start(http: &reqwest::Client, url: String, body: Value) -> String {
    let response = http.post(url).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 202);
    response.json::<Value>().await.unwrap()["job"]
        .as_str()
        .expect("job id")
        .to_owned()
}

async fn row(http: &reqwest::Client, base: &str, id: &str) -> Value {
    let rows: Value = http
        .get(format!("{base}/api/vchs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
        .expect("listed")
}

#[tokio::test]
async fn upgrade_rollback_certificate_and_debug_through_the_api() {
    let (sim, client, spec) = simulator().await;
    let old = isos("VMware v1.5.7-12000-abcdef0");
    let new = isos(VERSION_PUBLISHER);
    let config = config_from(&small_args(&sim, &old, "api-up"));
    let progress = Progress::new();
    let appliance = play_appliance(client.clone(), &progress, "127.0.0.24");
    let id = deploy::create(
        &client,
        &config,
        &CreateOptions::from_config(&config, TargetSpec::from_simulator(&sim)),
        &progress,
        &CancellationToken::new(),
    )
    .await
    .expect("create")
    .id;
    appliance.abort();

    let state = AppState::new("/nonexistent".into(), Some(spec)).with_isos(ApplianceIsos {
        appliance: new.appliance.clone(),
        bootstrap: new.bootstrap.clone(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let login = http
        .post(format!("{base}/api/session"))
        .json(&json!({"default_target": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 201);

    let listed = row(&http, &base, &id).await;
    assert_eq!(listed["version"], "v1.5.7-12000-abcdef0", "{listed}");
    assert_eq!(
        listed["upgrade_status"], "Upgradeable to v1.5.8-12345-2c978fe",
        "{listed}"
    );
    assert_eq!(listed["update_in_progress"], false, "{listed}");

    let job = start(
        &http,
        format!("{base}/api/vchs/{id}/upgrade"),
        json!({"timeout": "30s"}),
    )
    .await;
    let end = job_end(&http, &base, &job).await;
    assert_eq!(end["state"], "succeeded", "{end}");
    assert_eq!(end["result"]["to_version"], "v1.5.8-12345-2c978fe", "{end}");
    assert_eq!(row(&http, &base, &id).await["upgrade_status"], "Up to date");

    let again = start(&http, format!("{base}/api/vchs/{id}/upgrade"), json!({})).await;
    let end = job_end(&http, &base, &again).await;
    assert_eq!(end["state"], "failed", "{end}");
    assert!(
        end["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no upgrade is available"),
        "{end}"
    );

    let job = start(
        &http,
        format!("{base}/api/vchs/{id}/rollback"),
        json!({"timeout": "30s"}),
    )
    .await;
    let end = job_end(&http, &base, &job).await;
    assert_eq!(end["state"], "succeeded", "{end}");
    assert_eq!(
        row(&http, &base, &id).await["version"],
        "v1.5.7-12000-abcdef0"
    );

    let pem = http
        .get(format!("{base}/api/vchs/{id}/certificate"))
        .send()
        .await
        .unwrap();
    assert_eq!(pem.status(), 200);
    let pem = pem.text().await.unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");

    // The appliance's log: absent until its serial port writes it, then its contents.
    let none = http
        .get(format!("{base}/api/vchs/{id}/log"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 404);
    assert_eq!(
        none.json::<Value>().await.unwrap()["error"]["code"],
        "no_log"
    );
    let log = old.dir.path().join("tether.debug");
    std::fs::write(&log, "vic-init: started\n").unwrap();
    let uploader = client
        .uploader(&TargetSpec::from_simulator(&sim))
        .await
        .unwrap();
    uploader
        .upload_file(&log, "/DC0", "LocalDS_0", "api-up/tether.debug", None)
        .await
        .expect("upload the log");
    uploader.close().await;
    let got = http
        .get(format!("{base}/api/vchs/{id}/log"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.text().await.unwrap(), "vic-init: started\n");

    let job = start(
        &http,
        format!("{base}/api/vchs/{id}/debug"),
        json!({"enable_ssh": true, "root_password": "pw"}),
    )
    .await;
    let end = job_end(&http, &base, &job).await;
    assert_eq!(end["state"], "failed", "{end}");
    assert!(
        end["error"]["message"]
            .as_str()
            .unwrap()
            .contains("VMware Tools is not running"),
        "{end}"
    );
    let doc: Value = http
        .get(format!("{base}/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in ["upgrade", "rollback", "debug", "certificate", "log"] {
        assert!(
            doc["paths"][format!("/api/vchs/{{id}}/{path}")].is_object(),
            "{path} is not described"
        );
    }
    let bad = http
        .post(format!("{base}/api/vchs/{id}/upgrade"))
        .json(&json!({"timeout": "forever"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    sim.stop().await;
}
