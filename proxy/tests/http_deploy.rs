//! Deploying through the JSON API: a create job streamed over Server-Sent Events (history replayed
//! to a late subscriber), the VCH list, its configuration as command lines, a delete job, and a
//! cancelled create that rolls back. Against the simulator, playing the appliance's IP report.

mod deploy_support;

use std::time::Duration;

use deploy_support::*;
use futures::StreamExt;
use proxy::http::{AppState, ApplianceIsos, router};
use proxy::vsphere::Client;
use serde_json::{Value, json};

async fn serve(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    format!("http://{addr}")
}

/// Reads a whole SSE stream: `(event name, JSON data)` pairs, up to the `end` event.
async fn read_events(http: &reqwest::Client, url: &str) -> Vec<(String, Value)> {
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut events = Vec::new();
    while let Some(chunk) = tokio::time::timeout(WAIT, body.next())
        .await
        .expect("events keep coming")
    {
        buffer.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut name = String::from("message");
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_owned();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if data.is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(&data).expect("JSON event data");
            let last = name == "end";
            events.push((name, value));
            if last {
                return events;
            }
        }
    }
    panic!("the stream ended without an `end` event: {events:?}")
}

/// Waits for the job's power-on, then plays the appliance (its IP, its components, a stub Docker
/// API that serves until the returned value is dropped).
async fn play_appliance_via_job(
    http: &reqwest::Client,
    base: &str,
    job: &str,
    client: &Client,
    ip: &str,
) -> StubDocker {
    let vm = job_powered_on_vm(http, base, job).await;
    boot(client, &vm, ip, Behaviour::default()).await
}

/// The simulator (firewall open), ISOs, the API on a loopback port, and a cookie-keeping client
/// that is not logged in yet.
struct Fixture {
    sim: proxy::simulator::Simulator,
    client: Client,
    isos: Isos,
    base: String,
    http: reqwest::Client,
}

async fn fixture() -> Fixture {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let state = AppState::new("/nonexistent".into(), Some(spec)).with_isos(ApplianceIsos {
        appliance: isos.appliance.clone(),
        bootstrap: isos.bootstrap.clone(),
    });
    let base = serve(state).await;
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    Fixture {
        sim,
        client,
        isos,
        base,
        http,
    }
}

/// Sends a request that starts a job; it must be accepted (202) and name the job.
async fn start_job(request: reqwest::RequestBuilder) -> String {
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 202);
    response.json::<Value>().await.unwrap()["job"]
        .as_str()
        .expect("a job id")
        .to_owned()
}

fn small_config(sim: &proxy::simulator::Simulator, isos: &Isos, name: &str) -> Value {
    let args = small_args(sim, isos, name);
    serde_json::to_value(config_from(&args)).unwrap()
}

#[tokio::test]
async fn create_list_config_and_delete_through_the_api() {
    let Fixture {
        sim,
        client,
        isos,
        base,
        http,
    } = fixture().await;

    let unauthenticated = http
        .post(format!("{base}/api/vchs"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);

    let login = http
        .post(format!("{base}/api/session"))
        .json(&json!({"default_target": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 201);

    // Client-verified TLS and an operations user whose password travels beside the configuration
    // (a configuration never serialises passwords).
    let mut args: Vec<String> = small_args(&sim, &isos, "api-vch")
        .into_iter()
        .filter(|a| a != "--no-tlsverify")
        .collect();
    args.extend(["--tls-cname", "api-vch.example.com", "--ops-user", "ops"].map(str::to_owned));
    let body = json!({"config": config_from(&args), "ops_password": "ops-secret"});
    let job = start_job(http.post(format!("{base}/api/vchs")).json(&body)).await;

    let docker = play_appliance_via_job(&http, &base, &job, &client, "127.0.9.19").await;
    let events = read_events(&http, &format!("{base}/api/jobs/{job}/events")).await;
    let (name, end) = events.last().unwrap();
    assert_eq!(name, "end");
    assert_eq!(end["state"], "succeeded", "{end}");
    assert_eq!(end["result"]["docker_host"], "127.0.9.19:2376", "{end}");
    // The create asked the (stub) Docker API with the generated client certificate.
    assert!(docker.answered.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    assert!(
        !end["result"]["warnings"].to_string().contains("/info"),
        "{end}"
    );
    assert!(
        end["result"]["docker_command"]
            .as_str()
            .unwrap()
            .contains("docker -H 127.0.9.19:2376 --tlsverify")
    );
    let seqs: Vec<u64> = events
        .iter()
        .map(|(_, e)| e["seq"].as_u64().unwrap())
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] + 1 == w[1]),
        "no event lost or repeated: {seqs:?}"
    );
    assert!(
        events
            .iter()
            .any(|(_, e)| e["created"].as_array().is_some_and(|c| !c.is_empty()))
    );

    assert_eq!(end["result"]["client_bundle"], true, "{end}");
    assert!(
        !events
            .iter()
            .any(|(_, e)| e.to_string().contains("ops-secret"))
    );

    // The Docker client certificates, for this session only.
    let bundle = http
        .get(format!("{base}/api/jobs/{job}/client-bundle"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200);
    assert_eq!(bundle.headers()["content-type"], "application/x-tar");
    let bytes = bundle.bytes().await.unwrap();
    let mut archive = tar::Archive::new(&bytes[..]);
    let mut env = String::new();
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().display().to_string();
            if name.ends_with(".env") {
                std::io::Read::read_to_string(&mut e, &mut env).unwrap();
            }
            name
        })
        .collect();
    assert!(
        env.contains("DOCKER_HOST=127.0.9.19:2376\n")
            && env.contains("DOCKER_TLS_VERIFY=1\n")
            && env.contains("DOCKER_CERT_PATH=./api-vch\n"),
        "{env}"
    );
    assert_eq!(
        names,
        [
            "api-vch/ca.pem",
            "api-vch/cert.pem",
            "api-vch/key.pem",
            "api-vch/api-vch.env"
        ]
    );
    let stranger = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    stranger
        .post(format!("{base}/api/session"))
        .json(&json!({"default_target": true}))
        .send()
        .await
        .unwrap();
    let refused = stranger
        .get(format!("{base}/api/jobs/{job}/client-bundle"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        404,
        "another session cannot take the private key"
    );

    // A late subscriber gets the same history and the same end.
    let replay = read_events(&http, &format!("{base}/api/jobs/{job}/events")).await;
    assert_eq!(replay.len(), events.len());
    assert_eq!(replay.last().unwrap().1["state"], "succeeded");

    let list: Value = http
        .get(format!("{base}/api/vchs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vch = list
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "api-vch")
        .expect("listed")
        .clone();
    let id = vch["id"].as_str().unwrap().to_owned();
    assert_eq!(vch["status"], "running");

    let view: Value = http
        .get(format!("{base}/api/vchs/{id}/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let linux = view["command_lines"]["linux"].as_str().unwrap();
    assert!(
        linux.contains("--name api-vch") && linux.contains("--bridge-network DC0_DVPG0"),
        "{linux}"
    );
    assert!(
        view["command_lines"]["windows"]
            .as_str()
            .unwrap()
            .starts_with("vic-machine-windows")
    );
    let revalidated = http
        .post(format!("{base}/api/validate"))
        .json(&view["config"])
        .send()
        .await
        .unwrap();
    let revalidated: Value = revalidated.json().await.unwrap();
    let errors: Vec<&Value> = revalidated["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error" && f["code"] != "G12")
        .collect();
    assert!(
        errors.is_empty(),
        "the read-back configuration validates: {errors:?}"
    );

    // Move the management network to its own port group: the original could not (vic#4525).
    let change = config_from(&["--management-network".to_owned(), "DC0_DVPG2".to_owned()]);
    let patch_job = start_job(http.patch(format!("{base}/api/vchs/{id}")).json(&change)).await;
    let patched = read_events(&http, &format!("{base}/api/jobs/{patch_job}/events")).await;
    let end = &patched.last().unwrap().1;
    assert_eq!(end["state"], "succeeded", "{end}");
    assert!(
        end["result"]["command_line"]
            .as_str()
            .unwrap()
            .contains("--management-network DC0_DVPG2"),
        "{end}"
    );
    let view: Value = http
        .get(format!("{base}/api/vchs/{id}/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["config"]["network"]["management"]["port_group"], "DC0_DVPG2",
        "{view}"
    );

    let delete_job = start_job(http.delete(format!("{base}/api/vchs/{id}"))).await;
    let deleted = read_events(&http, &format!("{base}/api/jobs/{delete_job}/events")).await;
    assert_eq!(
        deleted.last().unwrap().1["state"],
        "succeeded",
        "{:?}",
        deleted.last()
    );
    let list: Value = http
        .get(format!("{base}/api/vchs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|v| v["name"] != "api-vch"),
        "{list}"
    );
    assert!(leftovers(&client, "api-vch").await.is_empty());
}

#[tokio::test]
async fn a_cancelled_create_rolls_back_and_says_what_it_removed() {
    let Fixture {
        sim,
        client,
        isos,
        base,
        http,
    } = fixture().await;
    http.post(format!("{base}/api/session"))
        .json(&json!({"default_target": true}))
        .send()
        .await
        .unwrap();

    let started: Value = http
        .post(format!("{base}/api/vchs"))
        .json(&small_config(&sim, &isos, "cancel-me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let job = started["job"].as_str().unwrap();
    // Nobody plays the appliance: the job waits for an IP until we cancel it.
    for _ in 0..600 {
        let status: Value = http
            .get(format!("{base}/api/jobs/{job}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["step"] == "wait_for_ip")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cancel = http
        .post(format!("{base}/api/jobs/{job}/cancel"))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 202);
    let events = read_events(&http, &format!("{base}/api/jobs/{job}/events")).await;
    let end = &events.last().unwrap().1;
    assert_eq!(end["state"], "cancelled", "{end}");
    assert!(
        !end["removed"].as_array().unwrap().is_empty(),
        "rollback says what it removed: {end}"
    );
    assert!(
        leftovers(&client, "cancel-me").await.is_empty(),
        "nothing left behind"
    );

    let unknown = http
        .get(format!("{base}/api/jobs/nope/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}
