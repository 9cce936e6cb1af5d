//! `POST /api/firewall`: open (or close) the VCH port 2377/tcp on the hosts of a compute
//! resource, as `vch update firewall --allow|--deny` does.

use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::session::CurrentSession;
use super::{ApiError, AppJson};
use crate::vsphere::firewall::{FirewallAction, HostFirewallChange};

#[derive(Debug, Deserialize, ToSchema)]
pub struct FirewallRequest {
    /// `allow` or `deny`.
    #[schema(value_type = String)]
    pub action: ActionName,
    /// Inventory path of the cluster or host, e.g. `/DC0/host/DC0_C0`.
    pub compute_resource: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionName {
    Allow,
    Deny,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FirewallResult {
    /// True when every host was changed.
    pub ok: bool,
    #[schema(value_type = Vec<Object>)]
    pub hosts: Vec<HostFirewallChange>,
}

/// Enable or disable the VCH firewall ruleset on every host of a compute resource.
#[utoipa::path(post, path = "/api/firewall", tag = "firewall", request_body = FirewallRequest,
    responses(
        (status = 200, description = "Per-host results", body = FirewallResult),
        (status = 401, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    ))]
pub async fn update(
    CurrentSession(session): CurrentSession,
    AppJson(request): AppJson<FirewallRequest>,
) -> Result<Json<FirewallResult>, ApiError> {
    let action = match request.action {
        ActionName::Allow => FirewallAction::Allow,
        ActionName::Deny => FirewallAction::Deny,
    };
    let hosts = session
        .client
        .update_firewall(&request.compute_resource, action)
        .await?;
    session.invalidate_inventory().await;
    Ok(Json(FirewallResult {
        ok: hosts.iter().all(HostFirewallChange::succeeded),
        hosts,
    }))
}
