//! What survives a reload: the wizard's draft in `localStorage` (never a password or a private
//! key) and the certificate thumbprint confirmed at connect in `sessionStorage` (this tab only).

use serde::{Deserialize, Serialize};
use shared::VchConfig;

const DRAFT_KEY: &str = "vch.wizard.draft";
const THUMBPRINT_KEY: &str = "vch.target.thumbprint";

/// A draft is only offered back on the target it was made for.
#[derive(Serialize, Deserialize)]
struct Saved {
    target: String,
    config: VchConfig,
}

fn local() -> Option<web_sys::Storage> {
    leptos::prelude::window().local_storage().ok().flatten()
}

fn session() -> Option<web_sys::Storage> {
    leptos::prelude::window().session_storage().ok().flatten()
}

/// The draft as it may be stored: passwords never serialise, and a private key's contents are
/// dropped here (its file name stays, so the person sees what to pick again).
fn storable(config: &VchConfig) -> VchConfig {
    let mut copy = config.without_secrets();
    if let Some(key) = copy.security.tls_server_key.as_mut() {
        key.pem = None;
    }
    copy
}

pub fn save(target: &str, config: &VchConfig) {
    let saved = Saved {
        target: target.to_owned(),
        config: storable(config),
    };
    if let (Some(storage), Ok(json)) = (local(), serde_json::to_string(&saved)) {
        // A full or disabled storage only costs the reload safety net.
        let _ = storage.set_item(DRAFT_KEY, &json);
    }
}

pub fn load(target: &str) -> Option<VchConfig> {
    let json = local()?.get_item(DRAFT_KEY).ok().flatten()?;
    let saved: Saved = serde_json::from_str(&json).ok()?;
    (saved.target == target).then_some(saved.config)
}

pub fn clear() {
    if let Some(storage) = local() {
        let _ = storage.remove_item(DRAFT_KEY);
    }
}

/// `(session target, SHA-1 thumbprint)` confirmed in this tab.
pub fn confirmed_thumbprint() -> Option<(String, String)> {
    let text = session()?.get_item(THUMBPRINT_KEY).ok().flatten()?;
    let (target, thumbprint) = text.split_once('\n')?;
    Some((target.to_owned(), thumbprint.to_owned()))
}

pub fn remember_thumbprint(target: &str, thumbprint: Option<&str>) {
    let Some(storage) = session() else { return };
    let _ = match thumbprint {
        Some(t) => storage.set_item(THUMBPRINT_KEY, &format!("{target}\n{t}")),
        None => storage.remove_item(THUMBPRINT_KEY),
    };
}
