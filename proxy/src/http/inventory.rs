//! Inventory reads for the wizard: the full snapshot the browser caches and re-validates against,
//! and the datacenter names for the status line.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shared::inventory::InventorySnapshot;
use utoipa::IntoParams;

use super::session::{CurrentSession, OptionalSession};
use super::{ApiError, AppState};
use crate::vsphere::Client;

#[derive(Debug, Deserialize, IntoParams)]
pub struct InventoryQuery {
    /// Read the inventory again instead of returning the session's cached snapshot.
    #[serde(default)]
    pub refresh: bool,
}

/// The inventory snapshot of the session's target (cached per session).
#[utoipa::path(get, path = "/api/inventory", tag = "inventory", params(InventoryQuery),
    responses(
        (status = 200, description = "The snapshot (see shared::inventory)", body = Object),
        (status = 401, body = super::error::ErrorBody),
    ))]
pub async fn inventory(
    CurrentSession(session): CurrentSession,
    Query(query): Query<InventoryQuery>,
) -> Result<Json<InventorySnapshot>, ApiError> {
    let snapshot = session.inventory(query.refresh).await?;
    Ok(Json((*snapshot).clone()))
}

/// Datacenter names: of the session's target, or of the server's default target when the
/// browser has no session yet (so `vch serve --simulator` shows something at once).
#[utoipa::path(get, path = "/api/datacenters", tag = "inventory",
    responses(
        (status = 200, body = Vec<String>),
        (status = 409, description = "No session and no default target", body = super::error::ErrorBody),
    ))]
pub async fn datacenters(
    State(state): State<AppState>,
    OptionalSession(session): OptionalSession,
) -> Result<Json<Vec<String>>, ApiError> {
    if let Some(session) = session {
        return Ok(Json(session.client.datacenters().await?));
    }
    let Some(target) = state.default_target() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_target",
            "not connected, and this server has no default vSphere target",
        )
        .with_hint("connect to a vCenter Server or ESXi host first"));
    };
    let client = Client::connect(target).await?;
    let names = client.datacenters().await;
    // A failed logout only leaves a session to expire on the server; the answer is still right.
    if let Err(err) = client.logout().await {
        tracing::warn!(error = %err, "logout failed");
    }
    Ok(Json(names?))
}
