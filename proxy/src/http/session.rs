//! Server-side vSphere sessions for the browser. The proxy logs in and keeps the client; the
//! browser only ever holds an opaque id in an HttpOnly, SameSite=Strict cookie, so no credential
//! reaches it (or any response, or any log line).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use shared::inventory::InventorySnapshot;
use utoipa::ToSchema;

use super::{ApiError, AppJson, AppState};
use crate::vsphere::{Client, TargetSpec, Thumbprint, TlsPolicy};

/// Name of the cookie that carries the session id.
pub const COOKIE: &str = "vch_session";

/// How many sessions may live at once and for how long; the sweep (`super::sweep`) enforces them.
#[derive(Debug, Clone)]
pub struct SessionLimits {
    /// Logins beyond this many live sessions are refused with `503 too_many_sessions`.
    pub max_sessions: usize,
    /// A session unused for this long is logged out.
    pub idle: Duration,
    /// A session is logged out this long after login, however busy.
    pub lifetime: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            max_sessions: 256,
            idle: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(12 * 60 * 60),
        }
    }
}

/// Every live session, by id.
#[derive(Default)]
pub struct Sessions {
    by_id: Mutex<HashMap<String, Arc<Session>>>,
    limits: SessionLimits,
}

/// One logged-in vSphere client and what we cached for it.
pub struct Session {
    /// The id the browser's cookie carries; jobs name their owner by it.
    pub id: String,
    pub client: Client,
    /// How the session connected; deploys reuse it for datastore uploads.
    pub spec: TargetSpec,
    pub target: String,
    pub user: String,
    pub uses_default_target: bool,
    /// Started from a clone ticket (the plugin): there is no password to log in again with.
    pub cloned: bool,
    inventory: tokio::sync::Mutex<Option<Arc<InventorySnapshot>>>,
    started: Instant,
    last_used: Mutex<Instant>,
}

impl Session {
    /// The inventory snapshot, read once per session unless `refresh` asks for a new read.
    pub async fn inventory(&self, refresh: bool) -> Result<Arc<InventorySnapshot>, ApiError> {
        let mut cached = self.inventory.lock().await;
        if let (Some(snapshot), false) = (cached.as_ref(), refresh) {
            return Ok(Arc::clone(snapshot));
        }
        let snapshot = Arc::new(self.client.inventory().await?);
        *cached = Some(Arc::clone(&snapshot));
        Ok(snapshot)
    }

    /// Forgets the cached snapshot after a change we made (firewall, deploy).
    pub async fn invalidate_inventory(&self) {
        *self.inventory.lock().await = None;
    }

    /// A new vSphere session for the same user, for a job that must outlive this one (a logout
    /// or expiry of the browser's session must not stop a create half way). With a password the
    /// proxy logs in again; a cloned session hands out a clone ticket and the job clones it.
    pub async fn new_vsphere_session(&self) -> Result<Client, ApiError> {
        if self.cloned {
            let ticket = self.client.acquire_clone_ticket().await?;
            Ok(
                crate::vsphere::extension::clone_session(&self.spec.url, &self.spec.tls, &ticket)
                    .await?,
            )
        } else {
            Ok(Client::connect(&self.spec).await?)
        }
    }

    fn expired(&self, limits: &SessionLimits, now: Instant) -> bool {
        let last_used = *self.last_used.lock().unwrap_or_else(|e| e.into_inner());
        now.saturating_duration_since(last_used) > limits.idle
            || now.saturating_duration_since(self.started) > limits.lifetime
    }
}

impl Sessions {
    pub fn new(limits: SessionLimits) -> Self {
        Sessions {
            by_id: Mutex::default(),
            limits,
        }
    }

    /// 256 random bits, so an id cannot be guessed.
    fn new_id() -> String {
        format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        )
    }

    /// Keeps `session` unless the server is full; a refused one comes back for the caller to
    /// log out.
    fn insert(&self, session: Session) -> Result<(), Box<Session>> {
        let mut map = self.lock();
        if map.len() >= self.limits.max_sessions {
            return Err(Box::new(session));
        }
        map.insert(session.id.clone(), Arc::new(session));
        Ok(())
    }

    /// Refuses a login early (before connecting) when no session can be added; `replacing` is
    /// the session the same browser gives up by logging in again.
    fn check_room(&self, replacing: Option<&str>) -> Result<(), ApiError> {
        let map = self.lock();
        let freed = replacing.is_some_and(|id| map.contains_key(id));
        if map.len() - usize::from(freed) >= self.limits.max_sessions {
            return Err(self.full());
        }
        Ok(())
    }

    fn full(&self) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_sessions",
            format!(
                "this server already has its maximum of {} sessions",
                self.limits.max_sessions
            ),
        )
        .with_hint("try again later, or log out sessions you no longer use")
    }

    fn get(&self, id: &str) -> Option<Arc<Session>> {
        let session = self.lock().get(id).cloned()?;
        let now = Instant::now();
        // Between two sweeps an expired session must not serve a request either.
        if session.expired(&self.limits, now) {
            return None;
        }
        *session.last_used.lock().unwrap_or_else(|e| e.into_inner()) = now;
        Some(session)
    }

    fn remove(&self, id: &str) -> Option<Arc<Session>> {
        self.lock().remove(id)
    }

    /// How many sessions are live (expired ones count until the next sweep).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes out the sessions past their idle or absolute lifetime, for the caller to log out.
    pub(super) fn take_expired(&self) -> Vec<Arc<Session>> {
        let now = Instant::now();
        let mut map = self.lock();
        let expired: Vec<String> = map
            .iter()
            .filter(|(_, s)| s.expired(&self.limits, now))
            .map(|(id, _)| id.clone())
            .collect();
        expired.iter().filter_map(|id| map.remove(id)).collect()
    }

    /// Takes out every session (at shutdown), for the caller to log out.
    pub(super) fn take_all(&self) -> Vec<Arc<Session>> {
        self.lock().drain().map(|(_, s)| s).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Session>>> {
        // A panic elsewhere while holding the lock leaves the map itself consistent.
        self.by_id.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The session of the request's cookie; rejects with `401 not_connected` when there is none.
pub struct CurrentSession(pub Arc<Session>);

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let jar = CookieJar::from_headers(&parts.headers);
        jar.get(COOKIE)
            .and_then(|c| state.sessions().get(c.value()))
            .map(CurrentSession)
            .ok_or_else(ApiError::not_connected)
    }
}

/// The session if there is one (for endpoints that work better with one but not only with one).
pub struct OptionalSession(pub Option<Arc<Session>>);

impl FromRequestParts<AppState> for OptionalSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        let jar = CookieJar::from_headers(&parts.headers);
        Ok(OptionalSession(
            jar.get(COOKIE)
                .and_then(|c| state.sessions().get(c.value())),
        ))
    }
}

/// How to connect. Either `default_target` (the server's own, e.g. the embedded simulator), or
/// `target` + `user` + `password`, optionally with the certificate `thumbprint` the person confirmed.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// vCenter Server or ESXi address: `vc.example.com`, `https://10.0.0.5`, `vc/dc1`.
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// SHA-1 (as vic-machine prints it) or SHA-256 thumbprint of the server certificate.
    #[serde(default)]
    pub thumbprint: Option<String>,
    /// Use the server's default target instead (only when it has one).
    #[serde(default)]
    pub default_target: bool,
}

/// What the browser may know about its session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// The SDK URL, without credentials.
    pub target: String,
    pub user: String,
    /// `vcenter` or `esxi`.
    pub kind: &'static str,
    pub api_version: String,
    pub product: String,
    pub uses_default_target: bool,
}

impl SessionInfo {
    fn of(session: &Session) -> Self {
        let about = session.client.about();
        SessionInfo {
            target: session.target.clone(),
            user: session.user.clone(),
            kind: if about.is_vcenter() {
                "vcenter"
            } else {
                "esxi"
            },
            api_version: about.api_version.clone(),
            product: about.full_name.clone(),
            uses_default_target: session.uses_default_target,
        }
    }
}

fn target_spec(state: &AppState, request: LoginRequest) -> Result<(TargetSpec, bool), ApiError> {
    if request.default_target {
        let spec = state.default_target().cloned().ok_or_else(|| {
            ApiError::bad_request("no_default_target", "this server has no default target")
                .with_hint("give the target, user and password")
        })?;
        return Ok((spec, true));
    }
    let target = request
        .target
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "target_required",
                "the vCenter Server or ESXi address is missing",
            )
        })?;
    let tls = tls_policy(request.thumbprint.as_deref())?;
    let spec = TargetSpec::parse(
        target.trim(),
        request.user.as_deref().map(str::trim),
        request.password.map(SecretString::from),
        tls,
    )?;
    Ok((spec, false))
}

/// Log in and start a session.
#[utoipa::path(post, path = "/api/session", tag = "session", request_body = LoginRequest,
    responses(
        (status = 201, description = "Logged in; the session cookie is set", body = SessionInfo),
        (status = 401, description = "Wrong user name or password", body = super::error::ErrorBody),
        (status = 422, description = "Untrusted or mismatching certificate: `details` has its thumbprints", body = super::error::ErrorBody),
        (status = 502, description = "Target unreachable", body = super::error::ErrorBody),
        (status = 503, description = "`too_many_sessions`: the server's session cap is reached", body = super::error::ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    AppJson(request): AppJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    state
        .sessions()
        .check_room(jar.get(COOKIE).map(Cookie::value))?;
    let (spec, uses_default_target) = target_spec(&state, request)?;
    let client = Client::connect(&spec).await?;
    let user = spec.username.clone();
    start(&state, jar, client, spec, user, uses_default_target, false).await
}

/// Keeps a logged-in client as the browser's session and sets its cookie.
async fn start(
    state: &AppState,
    jar: CookieJar,
    client: Client,
    spec: TargetSpec,
    user: String,
    uses_default_target: bool,
    cloned: bool,
) -> Result<(StatusCode, CookieJar, Json<SessionInfo>), ApiError> {
    let now = Instant::now();
    let session = Session {
        id: Sessions::new_id(),
        cloned,
        client,
        target: spec.url.to_string(),
        spec,
        user,
        uses_default_target,
        inventory: tokio::sync::Mutex::new(None),
        started: now,
        last_used: Mutex::new(now),
    };
    let info = SessionInfo::of(&session);
    // A browser that logs in again drops its previous session here rather than leaking it. Its
    // jobs follow it when the same user logs in to the same target: holding the old cookie
    // proves they were this browser's.
    if let Some(old) = jar
        .get(COOKIE)
        .and_then(|c| state.sessions().remove(c.value()))
    {
        if old.user == session.user && old.target == session.target {
            state.jobs().transfer(&old.id, &session.id);
        }
        let _ = old.client.logout().await;
    }
    let id = session.id.clone();
    if let Err(refused) = state.sessions().insert(session) {
        let _ = refused.client.logout().await;
        return Err(state.sessions().full());
    }
    tracing::info!(target = %info.target, user = %info.user, "session started");
    let cookie = Cookie::build((COOKIE, id))
        .path("/")
        .http_only(true)
        .secure(state.secure_cookies())
        .same_site(SameSite::Strict)
        .build();
    Ok((StatusCode::CREATED, jar.add(cookie), Json(info)))
}

/// The header in which the vSphere Client's JavaScript SDK hands a plugin its session token.
pub const UI_SESSION_HEADER: &str = "vmware-api-session-id";

/// Inside the vSphere Client: turn the client's own session into ours, so nobody types a password.
#[derive(Deserialize, ToSchema)]
pub struct CloneRequest {
    /// The vCenter Server the plugin runs in (`vc.example.com`).
    pub target: String,
    /// Its certificate thumbprint, when the system does not trust it.
    #[serde(default)]
    pub thumbprint: Option<String>,
    /// vCenter's instance UUID (the last part of a context object id), needed with the
    /// `vmware-api-session-id` header.
    #[serde(default)]
    pub vc_guid: Option<String>,
    /// A clone ticket obtained elsewhere (instead of the header and `vc_guid`).
    #[serde(default)]
    pub clone_ticket: Option<String>,
}

/// Start a session from the vSphere Client's session (clone ticket), for the remote plugin.
#[utoipa::path(post, path = "/api/session/clone", tag = "session", request_body = CloneRequest,
    params(("vmware-api-session-id" = Option<String>, Header, description = "The SDK's session token")),
    responses(
        (status = 201, description = "Session started; cookie set", body = SessionInfo),
        (status = 400, body = super::error::ErrorBody),
        (status = 401, description = "The ticket or token was refused", body = super::error::ErrorBody),
    ))]
pub async fn clone(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: axum::http::HeaderMap,
    AppJson(request): AppJson<CloneRequest>,
) -> Result<impl IntoResponse, ApiError> {
    state
        .sessions()
        .check_room(jar.get(COOKIE).map(Cookie::value))?;
    let tls = tls_policy(request.thumbprint.as_deref())?;
    let target = request.target.trim();
    let with_scheme = if target.contains("://") {
        target.to_owned()
    } else {
        format!("https://{target}")
    };
    let mut url = url::Url::parse(&with_scheme)
        .ok()
        .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_target",
                format!("{target:?} is not a vCenter address"),
            )
        })?;
    url.set_path("/sdk");
    let ticket = match (
        request.clone_ticket,
        headers.get(UI_SESSION_HEADER),
        request.vc_guid,
    ) {
        (Some(ticket), _, _) => SecretString::from(ticket),
        (None, Some(token), Some(guid)) => {
            let token = SecretString::from(token.to_str().unwrap_or_default().to_owned());
            crate::vsphere::extension::clone_ticket_from_ui_session(&url, &tls, &token, &guid)
                .await?
        }
        _ => {
            return Err(ApiError::bad_request(
                "session_token_required",
                "give the vSphere Client session token (header vmware-api-session-id) with vc_guid, or a clone_ticket",
            ));
        }
    };
    let client = crate::vsphere::extension::clone_session(&url, &tls, &ticket).await?;
    let user = client.user_name().to_owned();
    let spec = TargetSpec {
        url,
        username: user.clone(),
        // A cloned session has no password; it is cloned again when it expires.
        password: SecretString::from(String::new()),
        tls,
    };
    start(&state, jar, client, spec, user, false, true).await
}

fn tls_policy(thumbprint: Option<&str>) -> Result<TlsPolicy, ApiError> {
    match thumbprint.map(str::trim) {
        Some(t) if !t.is_empty() => Ok(TlsPolicy::Pinned(t.parse::<Thumbprint>().map_err(
            |_| {
                ApiError::bad_request(
                    "invalid_thumbprint",
                    "the thumbprint is not a SHA-1 or SHA-256 fingerprint",
                )
                .with_hint("use the colon-separated hex form, e.g. 4F:D3:9B:…:97:26")
            },
        )?)),
        _ => Ok(TlsPolicy::SystemRoots),
    }
}

/// The current session.
#[utoipa::path(get, path = "/api/session", tag = "session",
    responses((status = 200, body = SessionInfo), (status = 401, body = super::error::ErrorBody)))]
pub async fn current(CurrentSession(session): CurrentSession) -> Json<SessionInfo> {
    Json(SessionInfo::of(&session))
}

/// Log out and forget the session.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    responses((status = 204, description = "Logged out (also when there was no session)")))]
pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> impl IntoResponse {
    let session = jar
        .get(COOKIE)
        .and_then(|c| state.sessions().remove(c.value()));
    if let Some(Err(err)) = match session {
        Some(session) => Some(session.client.logout().await),
        None => None,
    } {
        tracing::warn!(error = %err, "logout failed; the session will expire on the server");
    }
    (
        StatusCode::NO_CONTENT,
        jar.remove(Cookie::build(COOKIE).path("/")),
    )
}
