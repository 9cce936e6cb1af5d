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
/// Sessions unused for this long are logged out the next time anyone logs in.
const IDLE_LIMIT: Duration = Duration::from_secs(30 * 60);

/// Every live session, by id.
#[derive(Default)]
pub struct Sessions {
    by_id: Mutex<HashMap<String, Arc<Session>>>,
}

/// One logged-in vSphere client and what we cached for it.
pub struct Session {
    pub client: Client,
    /// How the session connected; deploys reuse it for datastore uploads.
    pub spec: TargetSpec,
    pub target: String,
    pub user: String,
    pub uses_default_target: bool,
    inventory: tokio::sync::Mutex<Option<Arc<InventorySnapshot>>>,
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
}

impl Sessions {
    fn insert(&self, session: Session) -> String {
        let id = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        self.lock().insert(id.clone(), Arc::new(session));
        id
    }

    fn get(&self, id: &str) -> Option<Arc<Session>> {
        let session = self.lock().get(id).cloned()?;
        *session.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        Some(session)
    }

    fn remove(&self, id: &str) -> Option<Arc<Session>> {
        self.lock().remove(id)
    }

    /// Takes out the sessions idle for longer than [`IDLE_LIMIT`] so the caller can log them out.
    fn take_idle(&self) -> Vec<Arc<Session>> {
        let mut map = self.lock();
        let idle: Vec<String> = map
            .iter()
            .filter(|(_, s)| {
                s.last_used
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .elapsed()
                    > IDLE_LIMIT
            })
            .map(|(id, _)| id.clone())
            .collect();
        idle.iter().filter_map(|id| map.remove(id)).collect()
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
    ))]
pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    AppJson(request): AppJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    for idle in state.sessions().take_idle() {
        let _ = idle.client.logout().await;
    }
    let (spec, uses_default_target) = target_spec(&state, request)?;
    let client = Client::connect(&spec).await?;
    let user = spec.username.clone();
    Ok(start(&state, jar, client, spec, user, uses_default_target).await)
}

/// Keeps a logged-in client as the browser's session and sets its cookie.
async fn start(
    state: &AppState,
    jar: CookieJar,
    client: Client,
    spec: TargetSpec,
    user: String,
    uses_default_target: bool,
) -> (StatusCode, CookieJar, Json<SessionInfo>) {
    let session = Session {
        client,
        target: spec.url.to_string(),
        spec,
        user,
        uses_default_target,
        inventory: tokio::sync::Mutex::new(None),
        last_used: Mutex::new(Instant::now()),
    };
    let info = SessionInfo::of(&session);
    // A browser that logs in again drops its previous session here rather than leaking it.
    if let Some(old) = jar
        .get(COOKIE)
        .and_then(|c| state.sessions().remove(c.value()))
    {
        let _ = old.client.logout().await;
    }
    let id = state.sessions().insert(session);
    tracing::info!(target = %info.target, user = %info.user, "session started");
    let cookie = Cookie::build((COOKIE, id))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    (StatusCode::CREATED, jar.add(cookie), Json(info))
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
    Ok(start(&state, jar, client, spec, user, false).await)
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
