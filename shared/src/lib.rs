//! The VCH configuration model and every validation rule. Pure Rust: no I/O, no clock, no threads,
//! so the browser (WASM), the proxy and the CLI run exactly the same code.
//!
//! * [`config::VchConfig`]: the model (JSON schema in `docs/config-schema.md`).
//! * [`validate::validate`]: all findings for a config, optionally against an inventory snapshot.
//! * [`vic_machine`]: `vic-machine create` command lines in and out.

pub mod address;
pub mod config;
pub mod extraconfig;
pub mod finding;
pub mod inventory;
pub mod lifecycle;
pub mod limits;
pub mod pem;
pub mod quantity;
pub mod secret;
pub mod ui_support;
pub mod validate;
pub mod vic_machine;
#[cfg(feature = "wasm")]
mod wasm;

pub use config::VchConfig;
pub use finding::{Finding, Report, Severity};
pub use validate::validate;

/// Validates a config given as JSON and returns the report as JSON (the `vch validate --format
/// json` contract). Unreadable JSON becomes a report with one SC2 error.
pub fn validate_json(config_json: &str) -> String {
    match serde_json::from_str::<VchConfig>(config_json) {
        Ok(config) => validate(&config, None).to_json(),
        Err(e) => Report::new(vec![Finding::new(
            Severity::Error,
            "SC2",
            None,
            "",
            format!(
                "The configuration is not valid JSON for schema version {}: {e}",
                config::SCHEMA_VERSION
            ),
        )])
        .to_json(),
    }
}
