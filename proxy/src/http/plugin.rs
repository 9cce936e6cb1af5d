//! The vSphere Client remote plugin: `/plugin/plugin.json`, its icons, and the wizard under
//! `/plugin/`.
//!
//! The manifest's URIs are relative to `plugin.json`, and vsphere-ui loads them through its own
//! reverse proxy under an opaque prefix, so everything the plugin needs sits under `/plugin/`: the
//! same built wizard as `/` (Trunk builds it with relative URLs), the JSON API again at
//! `/plugin/api` (the wizard calls `./api/...`), and the manifest and icons, which are compiled
//! into the binary so an installed `vch` serves a complete plugin without a checkout.

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

use super::{AppState, ui};

/// The manifest as shipped in `plugin-manifest/plugin.json`.
pub const MANIFEST: &str = include_str!("../../../plugin-manifest/plugin.json");
/// Where [`router`] is nested; the manifest URL to register is `<origin>/plugin/plugin.json`.
pub const PREFIX: &str = "/plugin";

/// Embedded files under `/plugin/`, by path relative to the manifest.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "assets/vch-plugin-sprites.png",
        "image/png",
        include_bytes!("../../../plugin-manifest/assets/vch-plugin-sprites.png"),
    ),
    (
        "assets/vch-plugin-icon.svg",
        "image/svg+xml",
        include_bytes!("../../../plugin-manifest/assets/vch-plugin-icon.svg"),
    ),
];

/// The routes under [`PREFIX`]. `api` is the same router as `/api`.
pub fn router(api: Router<AppState>, ui: &ui::UiSource) -> Router<AppState> {
    let mut router = Router::new().route("/plugin.json", get(manifest));
    for &(path, content_type, bytes) in ASSETS {
        router = router.route(
            &format!("/{path}"),
            get(move || async move { ([(CONTENT_TYPE, content_type)], bytes) }),
        );
    }
    router.nest("/api", api).fallback_service(ui::service(ui))
}

async fn manifest() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "application/json"),
            // vsphere-ui re-reads it on registration changes; proxies in between must not pin
            // an old one.
            (CACHE_CONTROL, "no-cache"),
        ],
        MANIFEST,
    )
}
