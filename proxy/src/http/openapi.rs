//! `GET /api/openapi.json`: the API description, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "vch-deploy API",
        description = "Deploy and manage Virtual Container Hosts"
    ),
    paths(
        super::health::health,
        super::session::login,
        super::session::current,
        super::session::logout,
        super::session::clone,
        super::inventory::inventory,
        super::inventory::datacenters,
        super::validate::validate,
        super::firewall::update,
        super::vchs::create,
        super::vchs::list,
        super::vchs::inspect,
        super::vchs::config,
        super::vchs::configure,
        super::vchs::delete,
        super::jobs::status,
        super::jobs::events,
        super::jobs::cancel,
        super::jobs::client_bundle,
        super::lifecycle::start_upgrade,
        super::lifecycle::start_rollback,
        super::lifecycle::start_debug,
        super::lifecycle::certificate,
        super::lifecycle::log,
    ),
    components(schemas(
        super::error::ErrorBody,
        super::error::ErrorDetail,
        super::session::LoginRequest,
        super::session::CloneRequest,
        super::session::SessionInfo,
        super::firewall::FirewallRequest,
        super::firewall::FirewallResult,
        super::health::Health,
        super::vchs::JobStarted,
        super::vchs::VchConfigView,
        super::jobs::JobStatus,
        super::lifecycle::UpgradeRequest,
        super::lifecycle::RollbackRequest,
        super::lifecycle::DebugRequest,
    ))
)]
pub struct ApiDoc;

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
