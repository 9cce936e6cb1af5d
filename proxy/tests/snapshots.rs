//! Snapshot tests (insta) of the outputs other programs and people read: the `/api/openapi.json`
//! document, the `vch validate --format json` report and the human output of `vch validate`. A
//! change to any of them shows up as a reviewed diff of `proxy/tests/snapshots/*.snap`.
//!
//! When one fails, insta prints the diff and leaves `*.snap.new` beside the snapshot. If the change
//! is intended, accept it with
//! `INSTA_UPDATE=always cargo test -p proxy --test snapshots` (or `cargo insta review` where
//! cargo-insta is installed), review `git diff proxy/tests/snapshots` and commit it.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use proxy::http::{AppState, router};
use serde_json::Value;
use tower::ServiceExt;

/// Shown with every failing snapshot: how to accept an intended change.
const HOW_TO_ACCEPT: &str = "If this change is intended: INSTA_UPDATE=always cargo test -p proxy \
                             --test snapshots (or cargo insta review), then review and commit \
                             git diff proxy/tests/snapshots";

macro_rules! snapshot {
    ($assert:ident!($($args:tt)*)) => {
        insta::with_settings!({ description => HOW_TO_ACCEPT, omit_expression => true }, {
            insta::$assert!($($args)*);
        })
    };
}

#[tokio::test]
async fn openapi_document() {
    let app = router(AppState::new(PathBuf::from("/nonexistent"), None));
    let response = app
        .oneshot(
            Request::get("/api/openapi.json")
                // The edge policy answers only requests that name an allowed host.
                .header("host", "127.0.0.1")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("router answers");
    assert_eq!(response.status(), StatusCode::OK);
    let body = to_bytes(response.into_body(), 1 << 20).await.expect("body");
    let doc: Value = serde_json::from_slice(&body).expect("OpenAPI JSON");
    // Other assertions would pass on an empty document; the snapshot pins the whole contract.
    assert!(doc["paths"].as_object().is_some_and(|p| p.len() > 10));
    snapshot!(assert_json_snapshot!("openapi", doc));
}

/// A fixed configuration with errors (T16, G1, NV10) and warnings (N24, K7, T12), so the report's
/// shape, wording and ordering are pinned.
const INVALID: &[&str] = &[
    "--target",
    "vc.example.com/dc1",
    "--user",
    "admin",
    "--compute-resource",
    "cluster1",
    "--image-store",
    "ds1",
    "--name",
    "vch/1",
    "--bridge-network",
    "VM Network",
    "--public-network",
    "VM Network",
    "--container-network",
    "cn1:net",
    "--container-network-gateway",
    "cn1:10.0.0.1",
    "--timeout",
    "3",
    "--no-tlsverify",
];

/// A configuration that validates with warnings and infos: an old option name (CL3) repeated
/// (CL2), an inferred gateway mask (N24), client verification off (K7).
const VALID: &[&str] = &[
    "--target",
    "vc.example.com/dc1",
    "--user",
    "admin",
    "--ops-user",
    "ops",
    "--compute-resource",
    "cluster1",
    "--image-store",
    "ds1",
    "--name",
    "vch1",
    "--bridge-network",
    "br",
    "--public-network",
    "VM Network",
    "--tls-cname",
    "vch.example.com",
    "--no-tlsverify",
    "--container-network",
    "cn1:net",
    "--container-network-gateway",
    "cn1:10.0.0.1",
    "--container-network-ip-range",
    "cn1:10.0.0.10-10.0.0.20",
    "--image-datastore",
    "ds1",
];

/// `vch validate --offline <flags> [extra]`: no target is contacted. Returns the exit code and
/// stdout.
fn vch_validate(flags: &[&str], extra: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_vch"))
        .arg("validate")
        .arg("--offline")
        .args(extra)
        .args(flags)
        .env_remove("VCH_PASSWORD")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("vch runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().expect("exit code"), stdout)
}

#[test]
fn validate_json_report_of_an_invalid_configuration() {
    let (code, stdout) = vch_validate(INVALID, &["--format", "json"]);
    assert_eq!(code, 1, "{stdout}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON report");
    snapshot!(assert_json_snapshot!("validate_invalid_json", report));
}

#[test]
fn validate_json_report_of_a_valid_configuration() {
    let (code, stdout) = vch_validate(VALID, &["--format", "json"]);
    assert_eq!(code, 0, "{stdout}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON report");
    assert_eq!(report["valid"], true);
    assert!(report["findings"].as_array().is_some_and(|f| f.len() >= 4));
    snapshot!(assert_json_snapshot!("validate_valid_json", report));
}

#[test]
fn validate_human_output_of_an_invalid_configuration() {
    let (code, stdout) = vch_validate(INVALID, &[]);
    assert_eq!(code, 1, "{stdout}");
    snapshot!(assert_snapshot!("validate_invalid_text", stdout));
}
