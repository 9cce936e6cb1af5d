//! Table cases for the rules a `vic-machine create` line cannot trigger (the command-line table is
//! `rules.rs`): the schema codes and the PEM contents the edge loads into file options. Each case
//! patches the JSON of a clean configuration and goes through `shared::validate_json`, the entry
//! point of the wasm export and `vch validate --config`.

use serde_json::{Value, json};
use shared::vic_machine::parse_command_line;

const BASE: &str = "-t admin@vc.example.com/dc1 --ops-user ops --tls-cname vch.example.com \
                    --image-store ds1 --bridge-network br";

/// Shaped like a certificate (one DER SEQUENCE): what `shared::pem` checks for.
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n";

struct Case {
    code: &'static str,
    severity: &'static str,
    /// Where the finding must point (empty for findings about the whole document).
    path: &'static str,
    fails: Value,
    passes: Value,
}

fn json_case(
    code: &'static str,
    severity: &'static str,
    path: &'static str,
    fails: Value,
    passes: Value,
) -> Case {
    Case {
        code,
        severity,
        path,
        fails,
        passes,
    }
}

fn file(path: &str, pem: &str) -> Value {
    json!({ "path": path, "pem": pem })
}

fn cases() -> Vec<Case> {
    vec![
        json_case(
            "SC1",
            "error",
            "schema_version",
            json!({ "schema_version": 2 }),
            json!({ "schema_version": 1 }),
        ),
        json_case(
            "SC2",
            "error",
            "",
            json!({ "general": { "nmae": "x" } }),
            json!({}),
        ),
        json_case(
            "K10",
            "error",
            "security.tls_ca[0]",
            json!({ "security": { "tls_ca": [file("ca.pem", "not a certificate")] } }),
            json!({ "security": { "tls_ca": [file("ca.pem", CERT)] } }),
        ),
        json_case(
            "K11",
            "error",
            "registry.registry_ca[0]",
            json!({ "registry": { "registry_ca": [file("reg.pem", KEY)] } }),
            json!({ "registry": { "registry_ca": [file("reg.pem", CERT)] } }),
        ),
        json_case(
            "K17",
            "error",
            "security.tls_server_key",
            json!({ "security": {
                "tls_server_cert": file("cert.pem", CERT),
                "tls_server_key": file("key.pem", CERT),
            } }),
            json!({ "security": {
                "tls_server_cert": file("cert.pem", CERT),
                "tls_server_key": file("key.pem", KEY),
            } }),
        ),
    ]
}

/// RFC 7386 merge: objects merge key by key, anything else replaces.
fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, p) => *b = p.clone(),
    }
}

fn report(patch: &Value) -> Value {
    let parsed = parse_command_line(BASE).expect("the base line parses");
    let mut config = serde_json::to_value(&parsed.config).expect("serialise");
    merge(&mut config, patch);
    serde_json::from_str(&shared::validate_json(&config.to_string())).expect("report JSON")
}

fn with_code<'a>(report: &'a Value, code: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == code)
}

#[test]
fn the_base_configuration_is_valid() {
    let r = report(&json!({}));
    assert_eq!(r["valid"], true, "{r:#}");
}

#[test]
fn every_json_only_rule_has_a_failing_and_a_passing_case() {
    let mut problems = Vec::new();
    for c in cases() {
        let bad = report(&c.fails);
        match with_code(&bad, c.code) {
            None => problems.push(format!("{}: not raised by {}: {bad:#}", c.code, c.fails)),
            Some(f) => {
                if f["severity"] != c.severity {
                    problems.push(format!("{}: severity {}", c.code, f["severity"]));
                }
                if f["path"] != c.path {
                    problems.push(format!("{}: path {}", c.code, f["path"]));
                }
                if f["message"].as_str().is_none_or(str::is_empty) {
                    problems.push(format!("{}: no message", c.code));
                }
            }
        }
        if c.severity == "error" && bad["valid"] != false {
            problems.push(format!("{}: report still valid", c.code));
        }
        let good = report(&c.passes);
        if let Some(f) = with_code(&good, c.code) {
            problems.push(format!("{}: raised by the passing case: {f:#}", c.code));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
