//! `GET /api/health`: liveness plus what the server is connected to, for the UI's status line.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    version: &'static str,
    /// The default target's SDK URL (never with credentials), when the server has one.
    default_target: Option<String>,
}

/// Liveness and the default target.
#[utoipa::path(get, path = "/api/health", tag = "server", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        default_target: state.default_target().map(|t| t.url.to_string()),
    })
}
