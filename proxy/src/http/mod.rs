//! The HTTP surface: the JSON API under `/api` and the built wizard everywhere else.

mod client_bundle;
mod error;
mod firewall;
mod health;
mod inventory;
pub mod jobs;
mod openapi;
pub mod plugin;
pub mod security;
pub mod session;
mod ui;
mod validate;
mod vchs;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, AppJson};

use crate::vsphere::TargetSpec;

/// Largest request body the API accepts; configurations are a few kilobytes.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    ui_dir: PathBuf,
    sessions: session::Sessions,
    jobs: jobs::Jobs,
    /// The target `vch serve --simulator` connects to without asking for credentials.
    default_target: Option<TargetSpec>,
    /// The ISOs `POST /api/vchs` deploys; without them creating is refused with a clear error.
    isos: OnceLock<ApplianceIsos>,
    /// Allowed Host names and the vSphere Client origin (`vch serve` sets it once listening).
    edge: OnceLock<security::EdgePolicy>,
}

/// The appliance and bootstrap ISO images the server deploys.
#[derive(Debug, Clone)]
pub struct ApplianceIsos {
    pub appliance: PathBuf,
    pub bootstrap: PathBuf,
}

impl AppState {
    pub fn new(ui_dir: PathBuf, default_target: Option<TargetSpec>) -> Self {
        Self {
            inner: Arc::new(Inner {
                ui_dir,
                sessions: session::Sessions::default(),
                jobs: jobs::Jobs::default(),
                default_target,
                isos: OnceLock::new(),
                edge: OnceLock::new(),
            }),
        }
    }

    /// Sets the ISOs to deploy (once; later calls are ignored).
    #[must_use]
    pub fn with_isos(self, isos: ApplianceIsos) -> Self {
        let _ = self.inner.isos.set(isos);
        self
    }

    /// Sets the Host allow-list and plugin framing (once; later calls are ignored).
    #[must_use]
    pub fn with_edge_policy(self, policy: security::EdgePolicy) -> Self {
        let _ = self.inner.edge.set(policy);
        self
    }

    pub fn edge_policy(&self) -> &security::EdgePolicy {
        self.inner.edge.get().unwrap_or(&security::UNCONFIGURED)
    }

    pub fn isos(&self) -> Option<&ApplianceIsos> {
        self.inner.isos.get()
    }

    pub fn jobs(&self) -> &jobs::Jobs {
        &self.inner.jobs
    }

    pub fn ui_dir(&self) -> &std::path::Path {
        &self.inner.ui_dir
    }

    pub fn sessions(&self) -> &session::Sessions {
        &self.inner.sessions
    }

    pub fn default_target(&self) -> Option<&TargetSpec> {
        self.inner.default_target.as_ref()
    }
}

/// Builds the whole application; `vch serve` and the tests call this.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health::health))
        .route("/openapi.json", get(openapi::openapi))
        .route(
            "/session",
            get(session::current)
                .post(session::login)
                .delete(session::logout),
        )
        .route("/session/clone", post(session::clone))
        .route("/inventory", get(inventory::inventory))
        .route("/datacenters", get(inventory::datacenters))
        .route("/validate", post(validate::validate))
        .route("/firewall", post(firewall::update))
        .route("/vchs", get(vchs::list).post(vchs::create))
        .route(
            "/vchs/{id}",
            get(vchs::inspect)
                .patch(vchs::configure)
                .delete(vchs::delete),
        )
        .route("/vchs/{id}/config", get(vchs::config))
        .route("/jobs/{id}", get(jobs::status))
        .route("/jobs/{id}/events", get(jobs::events))
        .route("/jobs/{id}/cancel", post(jobs::cancel))
        .route("/jobs/{id}/client-bundle", get(jobs::client_bundle))
        .fallback(error::api_not_found);
    Router::new()
        .nest(plugin::PREFIX, plugin::router(api.clone(), state.ui_dir()))
        .nest("/api", api)
        .fallback_service(ui::service(state.ui_dir()))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::edge,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
