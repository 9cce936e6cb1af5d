//! The JSON API over real HTTP, against the simulator: sessions and their cookie, inventory,
//! validation, firewall, TLS refusals, and the OpenAPI document.

use std::path::PathBuf;

use proxy::http::{AppState, router};
use proxy::simulator::{Simulator, SimulatorOptions, Tls};
use proxy::vsphere::TargetSpec;
use serde_json::{Value, json};

/// Serves the app on a free loopback port; the task ends with the test's runtime.
async fn serve(default_target: Option<TargetSpec>) -> String {
    let state = AppState::new(PathBuf::from("/nonexistent"), default_target);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    format!("http://{addr}")
}

fn browser() -> reqwest::Client {
    // reqwest is built without a default crypto provider; a second install is a no-op error.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

#[tokio::test]
async fn session_lifecycle_with_inventory_validation_and_firewall() {
    let sim = Simulator::start(SimulatorOptions::vpx().with_credentials("admin", "s3cret!"))
        .await
        .unwrap();
    let base = serve(None).await;
    let http = browser();

    // Not connected yet: a clear 401, not a crash.
    let response = http
        .get(format!("{base}/api/inventory"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(json_of(response).await["error"]["code"], "not_connected");

    let wrong = http
        .post(format!("{base}/api/session"))
        .json(&json!({"target": sim.url().as_str(), "user": "admin", "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let body = wrong.text().await.unwrap();
    assert!(body.contains("invalid_login"), "{body}");
    assert!(
        !body.contains("nope"),
        "the password must never come back: {body}"
    );

    let login = http
        .post(format!("{base}/api/session"))
        .json(&json!({"target": sim.url().as_str(), "user": "admin", "password": "s3cret!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 201);
    let cookie = login
        .headers()
        .get("set-cookie")
        .expect("session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("vch_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let body = login.text().await.unwrap();
    assert!(!body.contains("s3cret"), "{body}");
    let info: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(info["kind"], "vcenter");
    assert_eq!(info["user"], "admin");

    let inventory = json_of(
        http.get(format!("{base}/api/inventory"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let datacenters = inventory["datacenters"].as_array().expect("datacenters");
    assert!(
        datacenters.iter().any(|dc| dc["name"] == "DC0"),
        "{inventory}"
    );

    // The snapshot travels compressed when the browser accepts it (CompressionLayer covers JSON).
    let compressed = http
        .get(format!("{base}/api/inventory"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), 200);
    assert_eq!(
        compressed
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );

    let names = json_of(
        http.get(format!("{base}/api/datacenters"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(names, json!(["DC0"]));

    // The bridge shares the public port group: the same rule the browser and CLI run says no.
    let config = json!({
        "target": {"server": sim.url().as_str(), "user": "admin", "compute_resource": "DC0_C0"},
        "general": {"name": "vch-api-test"},
        "network": {"bridge": {"port_group": "DC0_DVPG0"}, "public": {"port_group": "DC0_DVPG0"}}
    });
    let report = json_of(
        http.post(format!("{base}/api/validate"))
            .json(&config)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(report["valid"], false, "{report}");
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"NV10"), "{report}");

    let firewall = http
        .post(format!("{base}/api/firewall"))
        .json(&json!({"action": "allow", "compute_resource": "/DC0/host/DC0_C0"}))
        .send()
        .await
        .unwrap();
    assert_eq!(firewall.status(), 200);
    let firewall = json_of(firewall).await;
    assert_eq!(firewall["ok"], true, "{firewall}");
    assert_eq!(firewall["hosts"].as_array().unwrap().len(), 3, "{firewall}");

    let unknown = http
        .post(format!("{base}/api/firewall"))
        .json(&json!({"action": "allow", "compute_resource": "/DC0/host/nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let logout = http
        .delete(format!("{base}/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let after = http
        .get(format!("{base}/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn untrusted_certificate_is_refused_with_its_thumbprint_then_pinned() {
    let sim = Simulator::start(SimulatorOptions::vpx().with_tls(Tls::Generate))
        .await
        .unwrap();
    let base = serve(None).await;
    let http = browser();
    let login = |thumbprint: Option<String>| {
        let mut body = json!({"target": sim.url().as_str(), "user": "u", "password": "p"});
        if let Some(t) = thumbprint {
            body["thumbprint"] = json!(t);
        }
        http.post(format!("{base}/api/session")).json(&body).send()
    };

    let refused = login(None).await.unwrap();
    assert_eq!(refused.status(), 422);
    let refused = json_of(refused).await;
    assert_eq!(
        refused["error"]["code"], "untrusted_certificate",
        "{refused}"
    );
    let sha1 = refused["error"]["details"]["sha1"]
        .as_str()
        .expect("SHA-1 thumbprint")
        .to_owned();
    assert_eq!(sha1.len(), 59, "colon-separated SHA-1: {sha1}");

    let wrong = login(Some(sha1.replace(&sha1[..2], "00"))).await.unwrap();
    assert_eq!(wrong.status(), 422);
    assert_eq!(json_of(wrong).await["error"]["code"], "thumbprint_mismatch");

    let pinned = login(Some(sha1)).await.unwrap();
    assert_eq!(pinned.status(), 201);
}

#[tokio::test]
async fn default_target_session_and_openapi() {
    let sim = Simulator::start(SimulatorOptions::esx()).await.unwrap();
    let base = serve(Some(TargetSpec::from_simulator(&sim))).await;
    let http = browser();

    let health = json_of(http.get(format!("{base}/api/health")).send().await.unwrap()).await;
    assert_eq!(health["default_target"], sim.url().as_str());

    let session = http
        .post(format!("{base}/api/session"))
        .json(&json!({"default_target": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 201);
    assert_eq!(json_of(session).await["kind"], "esxi");

    let doc = json_of(
        http.get(format!("{base}/api/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    for path in [
        "/api/session",
        "/api/inventory",
        "/api/validate",
        "/api/firewall",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }

    let oversized = http
        .post(format!("{base}/api/validate"))
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(oversized.status(), 413);
}

#[tokio::test]
async fn the_plugin_clones_a_session_without_a_password() {
    let sim = Simulator::start(SimulatorOptions::vpx().with_credentials("admin", "pw"))
        .await
        .unwrap();
    let base = serve(None).await;
    let http = browser();

    let missing = http
        .post(format!("{base}/api/session/clone"))
        .json(&json!({"target": sim.url().as_str()}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    assert_eq!(
        json_of(missing).await["error"]["code"],
        "session_token_required"
    );

    // What the vSphere Client's session would hand over: a clone ticket of a logged-in session.
    let owner = proxy::vsphere::Client::connect(&TargetSpec::from_simulator(&sim))
        .await
        .unwrap();
    let ticket = owner.acquire_clone_ticket().await.unwrap();
    let cloned = http
        .post(format!("{base}/api/session/clone"))
        .json(&json!({
            "target": sim.url().as_str(),
            "clone_ticket": secrecy::ExposeSecret::expose_secret(&ticket),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(cloned.status(), 201);
    assert_eq!(json_of(cloned).await["user"], "admin");
    let names = json_of(
        http.get(format!("{base}/api/datacenters"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(names, json!(["DC0"]));

    let reused = http
        .post(format!("{base}/api/session/clone"))
        .json(&json!({
            "target": sim.url().as_str(),
            "clone_ticket": secrecy::ExposeSecret::expose_secret(&ticket),
        }))
        .send()
        .await
        .unwrap();
    assert!(
        reused.status().is_client_error(),
        "a ticket works once: {}",
        reused.status()
    );
}
