//! `POST /api/validate`: the same rules as the browser and the CLI, run by the server, with the
//! session's inventory when there is a session.

use axum::Json;
use shared::config::VchConfig;
use shared::finding::Report;

use super::ApiError;
use super::session::OptionalSession;

/// Validate a configuration: static rules always, inventory-aware rules when connected.
#[utoipa::path(post, path = "/api/validate", tag = "validation",
    request_body(content = Object, description = "A VCH configuration (docs/config-schema.md)"),
    responses(
        (status = 200, description = "`{valid, findings[]}`", body = Object),
        (status = 400, body = super::error::ErrorBody),
    ))]
pub async fn validate(
    OptionalSession(session): OptionalSession,
    Json(config): Json<VchConfig>,
) -> Result<Json<Report>, ApiError> {
    let snapshot = match &session {
        Some(session) => Some(session.inventory(false).await?),
        None => None,
    };
    Ok(Json(shared::validate::validate(
        &config,
        snapshot.as_deref(),
    )))
}
