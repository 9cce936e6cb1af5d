//! `POST /api/validate`: the same rules as the browser and the CLI, run by the server, with the
//! session's inventory when there is a session.

use axum::Json;
use axum::http::StatusCode;
use shared::config::VchConfig;
use shared::finding::Report;
use shared::inventory::InventorySnapshot;
use std::sync::Arc;

use super::session::OptionalSession;
use super::{ApiError, AppJson};

/// Validate a configuration: static rules always, inventory-aware rules when connected.
#[utoipa::path(post, path = "/api/validate", tag = "validation",
    request_body(content = Object, description = "A VCH configuration (docs/config-schema.md)"),
    responses(
        (status = 200, description = "`{valid, findings[]}`", body = Object),
        (status = 400, body = super::error::ErrorBody),
    ))]
pub async fn validate(
    OptionalSession(session): OptionalSession,
    AppJson(config): AppJson<VchConfig>,
) -> Result<Json<Report>, ApiError> {
    let snapshot = match &session {
        Some(session) => Some(session.inventory(false).await?),
        None => None,
    };
    Ok(Json(off_the_async_workers(config, snapshot).await?))
}

/// Runs the rules on the blocking pool: validation is bounded (`shared::limits`) but CPU work all
/// the same, and an async worker busy with it would stall every other request it serves.
pub async fn off_the_async_workers(
    config: VchConfig,
    snapshot: Option<Arc<InventorySnapshot>>,
) -> Result<Report, ApiError> {
    tokio::task::spawn_blocking(move || shared::validate::validate(&config, snapshot.as_deref()))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "validation did not complete",
            )
        })
}
