//! The browser entry point for pages that want validation without the Leptos app.

use wasm_bindgen::prelude::wasm_bindgen;

/// `config_json` is a [`crate::VchConfig`] in JSON; returns the report JSON.
#[wasm_bindgen]
pub fn validate(config_json: &str) -> String {
    crate::validate_json(config_json)
}
