//! The HTTP surface: the JSON API under `/api` and the built wizard everywhere else.

mod client_bundle;
mod error;
mod firewall;
mod health;
pub mod housekeeping;
mod inventory;
pub mod jobs;
mod lifecycle;
mod openapi;
pub mod plugin;
pub mod security;
pub mod serve_tls;
pub mod session;
pub mod ui;
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
pub use housekeeping::Limits;
pub use ui::UiSource;

use crate::vsphere::TargetSpec;

/// Largest request body the API accepts; configurations are a few kilobytes.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    ui: UiSource,
    sessions: session::Sessions,
    jobs: jobs::Jobs,
    /// The target `vch serve --simulator` connects to without asking for credentials.
    default_target: Option<TargetSpec>,
    /// The ISOs `POST /api/vchs` deploys; without them creating is refused with a clear error.
    isos: OnceLock<ApplianceIsos>,
    limits: Limits,
    /// Served over HTTPS: the session cookie is marked `Secure`.
    secure_cookies: bool,
    sweeper: OnceLock<()>,
    /// Set at shutdown: no new job starts.
    stopping: std::sync::atomic::AtomicBool,
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
                ui: UiSource::Dir(ui_dir),
                sessions: session::Sessions::default(),
                jobs: jobs::Jobs::default(),
                default_target,
                isos: OnceLock::new(),
                limits: Limits::default(),
                secure_cookies: false,
                sweeper: OnceLock::new(),
                stopping: std::sync::atomic::AtomicBool::new(false),
                edge: OnceLock::new(),
            }),
        }
    }

    /// Sets the bounds on sessions and jobs; only before the state is shared (a builder step).
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        let inner = Arc::get_mut(&mut self.inner).expect("with_limits before the state is shared");
        inner.sessions = session::Sessions::new(limits.sessions.clone());
        inner.jobs = jobs::Jobs::new(limits.job_retention);
        inner.limits = limits;
        self
    }

    /// Marks the session cookie `Secure` (the server speaks HTTPS); a builder step as above.
    #[must_use]
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        Arc::get_mut(&mut self.inner)
            .expect("with_secure_cookies before the state is shared")
            .secure_cookies = secure;
        self
    }

    pub fn secure_cookies(&self) -> bool {
        self.inner.secure_cookies
    }

    /// True once shutdown has begun (see [`housekeeping::shutdown`]).
    pub fn is_stopping(&self) -> bool {
        self.inner
            .stopping
            .load(std::sync::atomic::Ordering::SeqCst)
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

    /// Serves the wizard from `source` instead of the folder given to [`AppState::new`]; a
    /// builder step like [`AppState::with_limits`].
    #[must_use]
    pub fn with_ui(mut self, source: UiSource) -> Self {
        Arc::get_mut(&mut self.inner)
            .expect("with_ui before the state is shared")
            .ui = source;
        self
    }

    pub fn ui(&self) -> &UiSource {
        &self.inner.ui
    }

    pub fn sessions(&self) -> &session::Sessions {
        &self.inner.sessions
    }

    pub fn default_target(&self) -> Option<&TargetSpec> {
        self.inner.default_target.as_ref()
    }
}

/// Builds the whole application; `vch serve` and the tests call this. Starts the sweep of
/// expired sessions and finished jobs (once per state) on the current runtime.
pub fn router(state: AppState) -> Router {
    if state.inner.sweeper.set(()).is_ok() {
        housekeeping::spawn_sweeper(&state);
    }
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
        .merge(lifecycle::router())
        .fallback(error::api_not_found);
    Router::new()
        .nest(plugin::PREFIX, plugin::router(api.clone(), state.ui()))
        .nest("/api", api)
        .fallback_service(ui::service(state.ui()))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::edge,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
