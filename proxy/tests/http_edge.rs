//! The HTTP edge over real HTTP: bounded validation of hostile bodies without stalling other
//! requests, the Host allow-list, the security headers, and the one JSON error shape for every
//! `/api` error (checked by a short deterministic fuzz of every route and method).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use proxy::http::security::EdgePolicy;
use proxy::http::{AppState, router};
use proxy::vsphere::{TargetSpec, TlsPolicy};
use serde_json::{Value, json};

/// Serves the app on a free loopback port with the policy `vch serve` would set.
async fn serve_with(ui_dir: &Path, default_target: Option<TargetSpec>) -> (String, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(ui_dir.to_path_buf(), default_target).with_edge_policy(
        EdgePolicy::new(addr, &["vch.example.test".to_owned()], None),
    );
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    (format!("http://{addr}"), addr)
}

async fn serve() -> String {
    serve_with(Path::new("/nonexistent"), None).await.0
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

/// `{"error": {"code", "message", ...}}`, and its code.
fn error_code(body: &str) -> String {
    let v: Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"));
    let code = v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error.code: {body}"));
    assert!(
        v["error"]["message"].is_string(),
        "no error.message: {body}"
    );
    code.to_owned()
}

/// One container network with `n` ranges that all overlap each other.
fn overlapping_ranges(n: usize) -> Value {
    let ranges: Vec<String> = (0..n)
        .map(|i| format!("10.1.0.{}-10.1.0.250", 2 + i % 200))
        .collect();
    json!({"network": {"container_networks": [
        {"port_group": "pg", "gateway": "10.1.0.1/16", "ip_ranges": ranges}
    ]}})
}

/// The most rule work that fits the caps: every list full, every range overlapping the others.
fn worst_case_within_the_caps() -> Value {
    let nets: Vec<Value> = (0..shared::limits::MAX_CONTAINER_NETWORKS)
        .map(|n| {
            let ranges: Vec<String> = (0..shared::limits::MAX_IP_RANGES_PER_NETWORK)
                .map(|i| format!("10.{n}.0.{}-10.{n}.0.250", 2 + i % 200))
                .collect();
            json!({"port_group": format!("pg{n}"), "alias": "same", "gateway": "10.0.0.1/8",
                   "ip_ranges": ranges, "dns": vec!["10.0.0.53"; shared::limits::MAX_DNS_PER_NETWORK]})
        })
        .collect();
    json!({"network": {"container_networks": nets}})
}

#[tokio::test]
async fn five_thousand_overlapping_ranges_get_a_bounded_report() {
    let base = serve().await;
    let body = serde_json::to_vec(&overlapping_ranges(5000)).unwrap();
    assert!(body.len() > 100_000, "{}", body.len());
    let response = http()
        .post(format!("{base}/api/validate"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let report: Value = serde_json::from_str(&text).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() <= 5000, "{}", findings.len());
    let codes: Vec<&str> = findings.iter().filter_map(|f| f["code"].as_str()).collect();
    assert!(
        codes.contains(&"SC3") && codes.contains(&"NV18"),
        "{codes:?}"
    );
    let cap = shared::limits::MAX_IP_RANGES_PER_NETWORK;
    assert!(codes.iter().filter(|c| **c == "NV18").count() <= cap);
    assert!(text.len() < 200_000, "report of {} bytes", text.len());
}

#[tokio::test]
async fn health_answers_while_worst_case_validations_run() {
    let base = serve().await;
    let body = serde_json::to_vec(&worst_case_within_the_caps()).unwrap();
    let http = http();
    let validations: Vec<_> = (0..6)
        .map(|_| {
            let request = http
                .post(format!("{base}/api/validate"))
                .header("content-type", "application/json")
                .body(body.clone())
                .send();
            tokio::spawn(request)
        })
        .collect();
    let health = http.get(format!("{base}/api/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    for v in validations {
        let response = v.await.unwrap().unwrap();
        assert_eq!(response.status(), 200);
        let report: Value = response.json().await.unwrap();
        assert_eq!(report["valid"], false);
    }
}

#[tokio::test]
async fn a_foreign_host_header_is_refused_and_known_names_pass() {
    let (base, addr) = serve_with(Path::new("/nonexistent"), None).await;
    let http = http();
    for (host, allowed) in [
        ("evil.example".to_owned(), false),
        (format!("evil.example:{}", addr.port()), false),
        (format!("localhost:{}", addr.port()), true),
        (format!("vch.example.test:{}", addr.port()), true),
        (addr.to_string(), true),
    ] {
        let response = http
            .get(format!("{base}/api/health"))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        if allowed {
            assert_eq!(response.status(), 200, "{host}");
        } else {
            assert_eq!(response.status(), 421, "{host}");
            assert!(response.headers().contains_key("content-security-policy"));
            assert_eq!(
                error_code(&response.text().await.unwrap()),
                "host_not_allowed"
            );
        }
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let ui = tempfile::tempdir().unwrap();
    let loader = "import init from './frontend.js'; init();";
    std::fs::write(
        ui.path().join("index.html"),
        format!("<html><head><script type=\"module\">{loader}</script></head></html>"),
    )
    .unwrap();
    let (base, _) = serve_with(ui.path(), None).await;
    let http = http();
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader));
    for (path, framing) in [
        ("/", "frame-ancestors 'none'"),
        ("/wizard/step", "frame-ancestors 'none'"),
        ("/api/health", "frame-ancestors 'none'"),
        ("/api/nope", "frame-ancestors 'none'"),
        ("/plugin/", "frame-ancestors 'self'"),
        ("/plugin/plugin.json", "frame-ancestors 'self'"),
    ] {
        let response = http.get(format!("{base}{path}")).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(csp.contains(framing), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert!(!headers.contains_key("x-vch-script-hashes"));
        if !path.starts_with("/api") && path != "/plugin/plugin.json" {
            assert!(csp.contains(&format!("'sha256-{hash}'")), "{path}: {csp}");
        }
    }
    // A reload revalidates the page: it still comes whole (a 304 has no page to hash), so its
    // policy still allows the loader.
    for path in ["/", "/index.html", "/wizard/step"] {
        let response = http
            .get(format!("{base}{path}"))
            .header("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT")
            .header("if-none-match", "*")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{path}: {csp}");
    }
}

#[tokio::test]
async fn api_errors_all_have_the_json_shape() {
    let base = serve().await;
    let http = http();
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (http.get(format!("{base}/api/nope")), 404, "no_such_route"),
        (
            http.put(format!("{base}/api/health")),
            405,
            "method_not_allowed",
        ),
        (
            http.post(format!("{base}/api/validate")).body("{}"),
            415,
            "unsupported_media_type",
        ),
        (
            http.post(format!("{base}/api/validate"))
                .header("content-type", "application/json")
                .body("{\"general\":"),
            400,
            "invalid_json",
        ),
        (
            http.post(format!("{base}/api/validate"))
                .json(&json!({"general": {"nmae": "x"}})),
            422,
            "invalid_body",
        ),
        (
            http.post(format!("{base}/api/session"))
                .json(&json!({"target": "127.0.0.1:1", "user": "a\u{0}b", "password": "p"})),
            400,
            "not_xml_text",
        ),
        (
            http.post(format!("{base}/api/validate"))
                .json(&json!({"general": {"name": "x\u{FFFF}"}})),
            400,
            "not_xml_text",
        ),
    ];
    for (request, status, code) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{code}");
        let body = response.text().await.unwrap();
        assert_eq!(error_code(&body), code, "{body}");
        if code == "not_xml_text" {
            let v: Value = serde_json::from_str(&body).unwrap();
            assert!(
                ["user", "general.name"]
                    .contains(&v["error"]["details"]["field"].as_str().unwrap()),
                "{body}"
            );
        }
    }
}

/// Over the body limit: called on the router itself, because a server that answers before reading
/// a whole body may reset the connection under a client still sending it.
#[tokio::test]
async fn a_body_over_the_limit_is_a_json_413() {
    use tower::ServiceExt;
    let app = router(AppState::new(PathBuf::from("/nonexistent"), None));
    for chunked in [false, true] {
        let bytes = vec![b' '; 1024 * 1024 + 1];
        let body = if chunked {
            let stream = futures::stream::iter(
                bytes
                    .chunks(64 * 1024)
                    .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
                    .collect::<Vec<_>>(),
            );
            axum::body::Body::from_stream(stream)
        } else {
            axum::body::Body::from(bytes)
        };
        let mut request = axum::http::Request::post("/api/validate")
            .header("host", "127.0.0.1:8080")
            .header("content-type", "application/json");
        if !chunked {
            request = request.header("content-length", 1024 * 1024 + 1);
        }
        let response = app
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "chunked: {chunked}");
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let body = String::from_utf8_lossy(&body);
        assert_eq!(error_code(&body), "body_too_large", "{body}");
        assert!(body.contains("1048576"), "{body}");
    }
}

/// Every route of the router with every method, fed garbage: no 5xx but the 502 of the
/// unreachable default target, and every error in the JSON shape.
#[tokio::test]
async fn a_short_fuzz_of_every_endpoint_gives_only_json_errors() {
    // Port 1 on loopback refuses connections: the target is unreachable, and never outside.
    let unreachable = TargetSpec::parse(
        "127.0.0.1:1",
        Some("u"),
        Some("p".to_owned().into()),
        TlsPolicy::Insecure,
    )
    .unwrap();
    let (base, _) = serve_with(&PathBuf::from("/nonexistent"), Some(unreachable)).await;
    let http = http();
    let id = "00000000-0000-4000-8000-000000000000";
    let paths = [
        "/api/health".to_owned(),
        "/api/openapi.json".to_owned(),
        "/api/session".to_owned(),
        "/api/session/clone".to_owned(),
        "/api/inventory".to_owned(),
        "/api/datacenters".to_owned(),
        "/api/validate".to_owned(),
        "/api/firewall".to_owned(),
        "/api/vchs".to_owned(),
        format!("/api/vchs/{id}"),
        "/api/vchs/vm-1/config".to_owned(),
        format!("/api/jobs/{id}"),
        "/api/jobs/not-a-uuid".to_owned(),
        format!("/api/jobs/{id}/events"),
        format!("/api/jobs/{id}/cancel"),
        format!("/api/jobs/{id}/client-bundle"),
        "/api/%00".to_owned(),
        "/plugin/api/validate".to_owned(),
    ];
    let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];
    // A fixed linear congruential generator: the same garbage every run.
    let mut seed: u64 = 0x5eed;
    let mut random = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        seed >> 33
    };
    let bodies: Vec<(Option<&str>, Vec<u8>)> = vec![
        (None, Vec::new()),
        (Some("application/json"), b"{".to_vec()),
        (Some("application/json"), b"null".to_vec()),
        (Some("application/json"), b"[1,2,3]".to_vec()),
        (
            Some("application/json"),
            br#"{"default_target":true}"#.to_vec(),
        ),
        (
            Some("application/json"),
            br#"{"target":"127.0.0.1:1","user":"u","password":"p"}"#.to_vec(),
        ),
        (
            Some("application/json"),
            br#"{"general":{"name":"a\u0000b"}}"#.to_vec(),
        ),
        (
            Some("application/json"),
            br#"{"action":"allow","compute_resource":"\u0001"}"#.to_vec(),
        ),
        (Some("text/plain"), b"{}".to_vec()),
        (
            Some("application/json; charset=utf-16"),
            b"\xff\xfe{}".to_vec(),
        ),
        (
            Some("application/json"),
            (0..512).map(|_| random() as u8).collect(),
        ),
        (None, (0..2048).map(|_| random() as u8).collect()),
    ];
    let huge_header = "x".repeat(32 * 1024);
    let mut requests = 0;
    for path in &paths {
        for method in methods {
            for (i, (content_type, body)) in bodies.iter().enumerate() {
                // Every method once with each body would be 1,500 requests; a fixed third is enough.
                if (random() % 3 != 0) && i > 1 {
                    continue;
                }
                let mut request = http
                    .request(method.parse().unwrap(), format!("{base}{path}"))
                    .body(body.clone());
                if let Some(ct) = content_type {
                    request = request.header("content-type", *ct);
                }
                if random() % 4 == 0 {
                    request = request.header("x-fuzz", &huge_header);
                }
                let response = request.send().await.unwrap();
                requests += 1;
                let status = response.status();
                assert!(
                    !status.is_server_error() || status == 502,
                    "{method} {path} body {i}: {status}"
                );
                let ct = response
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap_or_default().to_owned());
                let text = response.text().await.unwrap();
                if status == 502 && method != "HEAD" {
                    assert_eq!(error_code(&text), "target_unreachable", "{method} {path}");
                }
                if (status.is_client_error() || status.is_server_error()) && method != "HEAD" {
                    assert!(
                        serde_json::from_str::<Value>(&text)
                            .is_ok_and(|v| v["error"]["code"].is_string()),
                        "{method} {path} body {i}: {status} {text:?}"
                    );
                    assert_eq!(ct.as_deref(), Some("application/json"), "{method} {path}");
                }
            }
        }
    }
    assert!(requests > 300, "{requests}");
}
