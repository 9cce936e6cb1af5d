//! `/api/vchs`: create (as a job), list, inspect, show the configuration as a command line, and
//! delete (as a job) — the same `deploy` functions the CLI runs.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::config::VchConfig;
use shared::vic_machine::{Os, generate};
use utoipa::ToSchema;

use super::client_bundle;
use super::jobs::{ClientBundle, JobContext, JobError, Outcome, spawn_job};
use super::session::CurrentSession;
use super::{ApiError, AppJson, AppState};
use crate::deploy::vch::{Selector, VchDetails};
use crate::deploy::{self, ConfigureOptions, CreateOptions, DeployError, RollbackReport};

#[derive(Debug, Serialize, ToSchema)]
pub struct JobStarted {
    /// Follow it at `/api/jobs/{job}/events`.
    pub job: String,
}

impl From<DeployError> for ApiError {
    fn from(err: DeployError) -> Self {
        let message = err.to_string();
        match err {
            DeployError::NotFound(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "vch_not_found", message)
            }
            DeployError::Ambiguous { .. } => {
                ApiError::new(StatusCode::CONFLICT, "vch_ambiguous", message)
            }
            DeployError::ContainersRunning { .. } => {
                ApiError::new(StatusCode::CONFLICT, "containers_running", message)
                    .with_hint("stop the containers, or delete with force=true")
            }
            DeployError::Vsphere(e) => e.into(),
            _ => ApiError::new(StatusCode::BAD_GATEWAY, "deploy_failed", message),
        }
    }
}

fn rollback_lists(rollback: Option<&RollbackReport>) -> (Vec<String>, Vec<String>) {
    rollback.map_or_else(Default::default, |r| {
        (
            r.removed.iter().map(ToString::to_string).collect(),
            r.failed
                .iter()
                .map(|(o, why)| format!("{o}: {why}"))
                .collect(),
        )
    })
}

pub(super) fn failure(err: &DeployError) -> Outcome {
    let (removed, left_behind) = rollback_lists(err.rollback());
    let findings = match err {
        DeployError::Invalid { report } => serde_json::to_value(report).ok(),
        _ => None,
    };
    Outcome {
        state: if matches!(err, DeployError::Cancelled { .. }) {
            "cancelled"
        } else {
            "failed"
        },
        result: None,
        error: Some(JobError {
            message: err.to_string(),
            findings,
        }),
        removed,
        left_behind,
    }
}

/// The body of `POST /api/vchs`: a configuration, or `{"config": …, "ops_password": "…"}`. The
/// wrapper exists because a configuration never serialises its passwords, so a browser cannot send
/// the operations user's password inside it.
fn create_request(body: serde_json::Value) -> Result<VchConfig, ApiError> {
    let invalid = |e: serde_json::Error| {
        ApiError::bad_request(
            "invalid_config",
            format!("the body is not a VCH configuration: {e}"),
        )
        .with_hint("see docs/config-schema.md")
    };
    let wrapped = body.get("config").is_some();
    if !wrapped {
        return serde_json::from_value(body).map_err(invalid);
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wrapped {
        config: VchConfig,
        #[serde(default)]
        ops_password: Option<String>,
    }
    let Wrapped {
        mut config,
        ops_password,
    } = serde_json::from_value(body).map_err(invalid)?;
    if let Some(password) = ops_password.filter(|p| !p.is_empty()) {
        config.operations.ops_password = Some(shared::secret::Secret::new(password));
    }
    Ok(config)
}

/// Start creating a VCH. Validation (static and inventory) runs first inside the job; nothing is
/// made if it fails.
#[utoipa::path(post, path = "/api/vchs", tag = "vchs",
    request_body(content = Object, description = "A VCH configuration (docs/config-schema.md), or `{config, ops_password}`"),
    responses(
        (status = 202, description = "Started; follow the job's events", body = JobStarted),
        (status = 400, body = super::error::ErrorBody),
        (status = 401, body = super::error::ErrorBody),
        (status = 409, description = "The server has no appliance ISO to deploy", body = super::error::ErrorBody),
        (status = 503, description = "`shutting_down`: the server starts no new job", body = super::error::ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    AppJson(body): AppJson<serde_json::Value>,
) -> Result<(StatusCode, Json<JobStarted>), ApiError> {
    let config = create_request(body)?;
    let Some(isos) = state.isos() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_appliance_iso",
            "this server has no VIC appliance ISO to deploy",
        )
        .with_hint("start vch serve with --appliance-iso and --bootstrap-iso"));
    };
    refuse_iso_choice(&config, isos)?;
    let mut options = CreateOptions::from_config(&config, session.spec.clone());
    options.appliance_iso = isos.appliance.clone();
    options.bootstrap_iso = isos.bootstrap.clone();
    let id = spawn_job(&state, &session, "create", move |context| {
        run_create(context, config, options)
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(JobStarted { job: id })))
}

/// G30: the server deploys the ISOs it was started with; a path in the request would name a file
/// on the server's disk, which an API client must not pick. The same file is honoured (it is what
/// gets deployed); any other is refused rather than overridden.
fn refuse_iso_choice(
    config: &VchConfig,
    isos: &crate::http::ApplianceIsos,
) -> Result<(), ApiError> {
    let t = &config.target;
    let findings: Vec<shared::Finding> = [
        ("appliance-iso", "target.appliance_iso", &t.appliance_iso, &isos.appliance),
        ("bootstrap-iso", "target.bootstrap_iso", &t.bootstrap_iso, &isos.bootstrap),
    ]
    .into_iter()
    .filter(|(_, _, given, deployed)| {
        given
            .as_deref()
            .is_some_and(|g| !g.trim().is_empty() && !same_file(g, deployed))
    })
    .map(|(option, path, _, deployed)| {
        shared::Finding::error(
            "G30",
            option,
            path,
            format!(
                "this server deploys the ISO it was started with ({}); the API cannot choose another",
                deployed.display()
            ),
        )
        .with_suggestion(format!("leave {path} out, or start vch serve with --{option}"))
    })
    .collect();
    if findings.is_empty() {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "iso_not_selectable",
        findings
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("; "),
    )
    .with_details(serde_json::json!({ "findings": findings })))
}

fn same_file(given: &str, deployed: &std::path::Path) -> bool {
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    canonical(std::path::Path::new(given)) == canonical(deployed)
}

async fn run_create(context: JobContext, config: VchConfig, options: CreateOptions) -> Outcome {
    let JobContext { client, job, .. } = context;
    let result = deploy::create(&client, &config, &options, &job.progress, &job.cancel).await;
    match result {
        Ok(created) => {
            match client_bundle::build(&created) {
                Ok(Some(bytes)) => job.set_bundle(ClientBundle {
                    file_name: format!("{}-client-bundle.tar", created.name),
                    bytes: bytes.into(),
                }),
                Ok(None) => {}
                Err(err) => tracing::warn!(error = %err, "could not pack the client bundle"),
            }
            let docker_command = created.docker_host.as_ref().map(|host| {
                let tls = if created.tls.verifies_clients() {
                    "--tlsverify"
                } else if created.docker_port == 2376 {
                    "--tls"
                } else {
                    ""
                };
                format!("docker -H {host} {tls} info").replace("  ", " ")
            });
            Outcome::succeeded(
                serde_json::json!({
                    "vch_id": created.id,
                    "name": created.name,
                    "docker_host": created.docker_host,
                    "docker_command": docker_command,
                    "client_ip": created.client_ip,
                    "warnings": created.warnings,
                    "soap_round_trips": created.round_trips,
                    "client_bundle": created.tls.client_cert_pem.is_some(),
                }),
                Vec::new(),
            )
        }
        Err(err) => {
            tracing::warn!(error = %err, "create failed");
            failure(&err)
        }
    }
}

/// The VCHs of the session's target.
#[utoipa::path(get, path = "/api/vchs", tag = "vchs",
    responses((status = 200, body = Vec<Object>), (status = 401, body = super::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> Result<Json<Vec<deploy::status::VchStatus>>, ApiError> {
    // Rows carry the upgrade status against the ISO this server deploys, when it has one.
    let installer = match state.isos() {
        Some(isos) => deploy::iso::read_iso(&isos.appliance)
            .await
            .ok()
            .map(|i| i.build()),
        None => None,
    };
    Ok(Json(
        deploy::status::list(&session.client, installer.as_ref()).await?,
    ))
}

/// Endpoints, networks and addresses of one VCH.
#[utoipa::path(get, path = "/api/vchs/{id}", tag = "vchs",
    params(("id" = String, Path, description = "The appliance VM id, e.g. vm-75")),
    responses((status = 200, body = Object), (status = 404, body = super::error::ErrorBody)))]
pub async fn inspect(
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
) -> Result<Json<VchDetails>, ApiError> {
    Ok(Json(
        deploy::vch::inspect(&session.client, &Selector::Id(id)).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VchConfigView {
    #[schema(value_type = Object)]
    pub config: VchConfig,
    /// The equivalent `vic-machine create` command line per OS (no passwords).
    #[schema(value_type = Object)]
    pub command_lines: std::collections::BTreeMap<&'static str, String>,
}

/// The configuration a VCH runs with, and the equivalent command lines.
#[utoipa::path(get, path = "/api/vchs/{id}/config", tag = "vchs",
    params(("id" = String, Path, description = "The appliance VM id")),
    responses((status = 200, body = VchConfigView), (status = 404, body = super::error::ErrorBody)))]
pub async fn config(
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
) -> Result<Json<VchConfigView>, ApiError> {
    let (mut config, _) = deploy::vch::inspect_config(&session.client, &Selector::Id(id)).await?;
    // The appliance does not record who created it; the connected session is the natural answer.
    let target = &mut config.target;
    if target.server.is_none() {
        target.server = Some(server_of(&session.spec.url));
    }
    if target.user.is_none() {
        target.user = Some(session.user.clone());
    }
    let command_lines = [
        ("linux", Os::Linux),
        ("darwin", Os::Darwin),
        ("windows", Os::Windows),
    ]
    .into_iter()
    .map(|(name, os)| (name, generate(&config, os)))
    .collect();
    Ok(Json(VchConfigView {
        config,
        command_lines,
    }))
}

/// `vc.example.com` (https on 443 is vic-machine's default), else the URL without `/sdk`.
fn server_of(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match (url.scheme(), url.port()) {
        ("https", None) => host.to_owned(),
        ("https", Some(port)) => format!("{host}:{port}"),
        (scheme, Some(port)) => format!("{scheme}://{host}:{port}"),
        (scheme, None) => format!("{scheme}://{host}"),
    }
}

/// Start changing a VCH: the body holds the options to change (as for create; empty fields keep
/// their value). Public, client, management and container networks can change too; the result is
/// validated by the same rules before anything is touched, and a failed change reverts.
#[utoipa::path(patch, path = "/api/vchs/{id}", tag = "vchs",
    params(("id" = String, Path, description = "The appliance VM id")),
    request_body(content = Object, description = "The options to change (docs/config-schema.md)"),
    responses((status = 202, body = JobStarted), (status = 401, body = super::error::ErrorBody),
        (status = 503, description = "`shutting_down`: the server starts no new job", body = super::error::ErrorBody)))]
pub async fn configure(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
    AppJson(request): AppJson<VchConfig>,
) -> Result<(StatusCode, Json<JobStarted>), ApiError> {
    let job_id = spawn_job(&state, &session, "configure", move |context| async move {
        let JobContext { client, spec, job } = context;
        let options = ConfigureOptions { target: spec };
        let result = deploy::configure(
            &client,
            &Selector::Id(id),
            &request,
            &options,
            &job.progress,
            &job.cancel,
        )
        .await;
        match result {
            Ok(done) => {
                // Regenerated certificates (--tls-cname/--organization) reach the user as the
                // same client bundle a create offers.
                let bundle = done.tls.as_ref().and_then(|tls| {
                    client_bundle::pack(&done.name, tls, "")
                        .inspect_err(
                            |e| tracing::warn!(error = %e, "could not pack the client bundle"),
                        )
                        .ok()
                        .flatten()
                });
                let has_bundle = bundle.is_some();
                if let Some(bytes) = bundle {
                    job.set_bundle(ClientBundle {
                        file_name: format!("{}-client-bundle.tar", done.name),
                        bytes: bytes.into(),
                    });
                }
                Outcome::succeeded(
                    serde_json::json!({
                        "vch_id": done.id,
                        "name": done.name,
                        "changes": done.changes,
                        "command_line": done.command_line,
                        "warnings": done.warnings,
                        "client_bundle": has_bundle,
                    }),
                    Vec::new(),
                )
            }
            Err(err) => failure(&err),
        }
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(JobStarted { job: job_id })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeleteQuery {
    /// Also power off and delete running containers, and delete volume stores.
    #[serde(default)]
    pub force: bool,
}

/// Start deleting a VCH.
#[utoipa::path(delete, path = "/api/vchs/{id}", tag = "vchs",
    params(("id" = String, Path, description = "The appliance VM id"), DeleteQuery),
    responses((status = 202, body = JobStarted), (status = 401, body = super::error::ErrorBody),
        (status = 503, description = "`shutting_down`: the server starts no new job", body = super::error::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
    Query(query): Query<DeleteQuery>,
) -> Result<(StatusCode, Json<JobStarted>), ApiError> {
    let job_id = spawn_job(&state, &session, "delete", move |context| async move {
        let JobContext { client, job, .. } = context;
        let result =
            deploy::delete::delete(&client, &Selector::Id(id), query.force, &job.progress).await;
        match result {
            Ok(report) => Outcome::succeeded(
                serde_json::json!({
                    "vch_id": report.id,
                    "name": report.name,
                    "kept_volume_stores": report.kept_volume_stores,
                    "warnings": report.warnings,
                }),
                report.removed.iter().map(ToString::to_string).collect(),
            ),
            Err(err) => failure(&err),
        }
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(JobStarted { job: job_id })))
}
