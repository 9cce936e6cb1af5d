//! Inventory reads for the wizard. Until sessions land, these use the server's default target
//! (the embedded simulator), so the UI can show what it is connected to.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::{ApiError, AppState};
use crate::vsphere::Client;

/// `GET /api/datacenters`: the names of the default target's datacenters.
pub async fn datacenters(State(state): State<AppState>) -> Result<Json<Vec<String>>, ApiError> {
    let Some(target) = state.default_target() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_target",
            "this server has no default vSphere target",
        )
        .with_hint("start it with `vch serve --simulator`, or connect to a vCenter first"));
    };
    let client = Client::connect(target).await.map_err(|err| {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "target_unreachable",
            format!("could not log in to {}: {err}", target.url),
        )
    })?;
    let names = client.datacenters().await.map_err(|err| {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "inventory_failed",
            format!("could not read the datacenters of {}: {err}", target.url),
        )
    });
    // A failed logout only leaves a session to expire on the server; the answer is still right.
    if let Err(err) = client.logout().await {
        tracing::warn!(error = %err, "logout failed");
    }
    names.map(Json)
}
