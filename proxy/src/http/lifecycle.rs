//! A VCH's life past create over HTTP: upgrade, rollback and debug as jobs (the same progress
//! events, SSE and cancel as create), and the VCH's server certificate. The same `deploy`
//! functions the CLI runs.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use super::jobs::{JobContext, Outcome, spawn_job};
use super::session::CurrentSession;
use super::vchs::{JobStarted, failure};
use super::{ApiError, AppJson, AppState};
use crate::deploy::debug::{DebugOptions, debug};
use crate::deploy::rollback::{RollbackOptions, rollback};
use crate::deploy::upgrade::{UpgradeOptions, upgrade};
use crate::deploy::vch::Selector;

/// The routes, merged into `/api`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/vchs/{id}/upgrade", post(start_upgrade))
        .route("/vchs/{id}/rollback", post(start_rollback))
        .route("/vchs/{id}/debug", post(start_debug))
        .route("/vchs/{id}/certificate", get(certificate))
        .route("/vchs/{id}/log", get(log))
}

/// Longest readiness wait a request may ask for.
const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

fn timeout(text: Option<&str>) -> Result<Duration, ApiError> {
    let text = text.unwrap_or("3m");
    shared::quantity::parse_go_duration_ms(text)
        .map(Duration::from_millis)
        .filter(|d| *d <= MAX_TIMEOUT)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_timeout",
                format!("timeout {text:?} is not a duration of at most 1h such as 3m or 90s"),
            )
        })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradeRequest {
    /// Upgrade even to the same or an older version.
    #[serde(default)]
    pub force: bool,
    /// Clear a stale `UpdateInProgress` lock first.
    #[serde(default)]
    pub reset_progress: bool,
    /// How long to wait for the appliance after power-on (Go duration, default 3m).
    #[serde(default)]
    pub timeout: Option<String>,
}

/// Start upgrading a VCH to the appliance version of this server's ISOs.
#[utoipa::path(post, path = "/api/vchs/{id}/upgrade", tag = "vchs", params(("id" = String, Path, description = "The appliance VM id, e.g. vm-75")),
    request_body(content = UpgradeRequest, description = "Optional"),
    responses((status = 202, body = JobStarted), (status = 400, body = super::error::ErrorBody),
        (status = 409, description = "The server has no appliance ISO", body = super::error::ErrorBody)))]
pub async fn start_upgrade(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
    body: Option<AppJson<UpgradeRequest>>,
) -> Result<(StatusCode, Json<JobStarted>), ApiError> {
    let request = body.map(|AppJson(b)| b).unwrap_or_default();
    let Some(isos) = state.isos() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_appliance_iso",
            "this server has no VIC appliance ISO to upgrade to",
        )
        .with_hint("start vch serve with --appliance-iso and --bootstrap-iso"));
    };
    let options = UpgradeOptions {
        target: session.spec.clone(),
        appliance_iso: isos.appliance.clone(),
        bootstrap_iso: isos.bootstrap.clone(),
        timeout: timeout(request.timeout.as_deref())?,
        force: request.force,
        reset_progress: request.reset_progress,
    };
    let job_id = spawn_job(&state, &session, "upgrade", move |context| async move {
        let JobContext { client, job, .. } = context;
        let result = upgrade(
            &client,
            &Selector::Id(id),
            &options,
            &job.progress,
            &job.cancel,
        )
        .await;
        outcome(result)
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(JobStarted { job: job_id })))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackRequest {
    #[serde(default)]
    pub reset_progress: bool,
    #[serde(default)]
    pub timeout: Option<String>,
}

/// Start returning a VCH to the snapshot its last upgrade or configure took.
#[utoipa::path(post, path = "/api/vchs/{id}/rollback", tag = "vchs", params(("id" = String, Path, description = "The appliance VM id, e.g. vm-75")),
    request_body(content = RollbackRequest, description = "Optional"),
    responses((status = 202, body = JobStarted), (status = 400, body = super::error::ErrorBody)))]
pub async fn start_rollback(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
    body: Option<AppJson<RollbackRequest>>,
) -> Result<(StatusCode, Json<JobStarted>), ApiError> {
    let request = body.map(|AppJson(b)| b).unwrap_or_default();
    let options = RollbackOptions {
        timeout: timeout(request.timeout.as_deref())?,
        reset_progress: request.reset_progress,
    };
    let job_id = spawn_job(&state, &session, "rollback", move |context| async move {
        let JobContext { client, job, .. } = context;
        let result = rollback(
            &client,
            &Selector::Id(id),
            &options,
            &job.progress,
            &job.cancel,
        )
        .await;
        outcome(result)
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(JobStarted { job: job_id })))
}

/// Longest authorized-keys text accepted (a handful of keys).
const MAX_KEY_BYTES: usize = 16 * 1024;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DebugRequest {
    #[serde(default)]
    pub enable_ssh: bool,
    /// OpenSSH public key line(s) for root's authorized_keys.
    #[serde(default)]
    pub authorized_key: Option<String>,
    /// Sets root's password in the appliance.
    #[serde(default)]
    pub root_password: Option<String>,
}

/// Start enabling SSH and/or setting root's password in the appliance, through VMware Tools.
#[utoipa::path(post, path = "/api/vchs/{id}/debug", tag = "vchs", params(("id" = String, Path, description = "The appliance VM id, e.g. vm-75")),
    request_body = DebugRequest,
    responses((status = 202, body = JobStarted), (status = 400, body = super::error::ErrorBody)))]
pub async fn start_debug(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
    AppJson(request): AppJson<DebugRequest>,
) -> Result<(StatusCode, Json<JobStarted>), ApiError> {
    if request
        .authorized_key
        .as_ref()
        .is_some_and(|k| k.len() > MAX_KEY_BYTES)
    {
        return Err(ApiError::bad_request(
            "invalid_authorized_key",
            format!(
                "authorized_key is longer than {MAX_KEY_BYTES} bytes; give public key lines only"
            ),
        ));
    }
    let options = DebugOptions {
        enable_ssh: request.enable_ssh,
        authorized_key: request.authorized_key,
        root_password: request
            .root_password
            .filter(|p| !p.is_empty())
            .map(SecretString::from),
    };
    let job_id = spawn_job(&state, &session, "debug", move |context| async move {
        let JobContext { client, job, .. } = context;
        outcome(debug(&client, &Selector::Id(id), &options, &job.progress).await)
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(JobStarted { job: job_id })))
}

/// A finished life-cycle step as the job's outcome: its report, or the error with its cause.
fn outcome<T: serde::Serialize>(result: Result<T, crate::deploy::DeployError>) -> Outcome {
    match result {
        Ok(done) => Outcome::succeeded(serde_json::to_value(done).unwrap_or_default(), Vec::new()),
        Err(err) => failure(&err),
    }
}

/// The VCH's server certificate (PEM), as vic-machine-server served it.
#[utoipa::path(get, path = "/api/vchs/{id}/certificate", tag = "vchs", params(("id" = String, Path, description = "The appliance VM id, e.g. vm-75")),
    responses((status = 200, description = "PEM", content_type = "application/x-pem-file", body = String),
        (status = 404, body = super::error::ErrorBody)))]
pub async fn certificate(
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let pem = crate::deploy::status::server_certificate(&session.client, &Selector::Id(id.clone()))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no_certificate",
                format!("VCH {id} has no server certificate (it was created with --no-tls)"),
            )
        })?;
    Ok(([(header::CONTENT_TYPE, "application/x-pem-file")], pem))
}

/// Largest part of the log served: its tail.
const MAX_LOG_BYTES: usize = 8 * 1024 * 1024;

/// The appliance's `tether.debug` log from its datastore folder (the last 8 MiB).
#[utoipa::path(get, path = "/api/vchs/{id}/log", tag = "vchs", params(("id" = String, Path, description = "The appliance VM id, e.g. vm-75")),
    responses((status = 200, description = "The log's tail", content_type = "text/plain", body = String),
        (status = 404, body = super::error::ErrorBody)))]
pub async fn log(
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let bytes = crate::deploy::status::appliance_log(
        &session.client,
        &session.spec,
        &Selector::Id(id.clone()),
        MAX_LOG_BYTES,
    )
    .await?
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_log",
            format!("VCH {id} has no tether.debug in its datastore folder"),
        )
        .with_hint("the appliance writes it through its serial port once it has booted")
    })?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], bytes))
}
