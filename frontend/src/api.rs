//! Typed client for the proxy's JSON API. URLs are relative (`./api/...`) so the wizard works at
//! `/` and under a vSphere plugin path prefix alike.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shared::VchConfig;
use shared::finding::Report;
use shared::inventory::InventorySnapshot;

/// `GET ./api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
    /// The SDK URL the server talks to without asking for credentials, if any.
    pub default_target: Option<String>,
}

/// `POST ./api/session` body: credentials, or the server's own default target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Login {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Only ever a thumbprint the person confirmed after seeing it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbprint: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub default_target: bool,
}

/// The session the proxy holds for this browser (`GET`/`POST ./api/session`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionInfo {
    pub target: String,
    pub user: String,
    /// `vcenter` or `esxi`.
    pub kind: String,
    pub api_version: String,
    pub product: String,
    pub uses_default_target: bool,
}

/// The body of every API error: `{"error": {"code", "message", "hint", "details"}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApiErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub hint: Option<String>,
    /// Structured extras; the proxy only puts strings here (thumbprints, host). Typed rather than
    /// `serde_json::Value`, whose parser and float formatting would otherwise ship in the wasm.
    #[serde(default)]
    pub details: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ApiErrorDetail,
}

/// Why a call failed, split so the page can tell "the proxy said no" from "no answer at all".
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// The proxy answered with its JSON error shape.
    Api { status: u16, detail: ApiErrorDetail },
    /// The route does not exist on this server (an older proxy): the feature is not available.
    NotAvailable,
    /// No usable answer: network failure, or a body that is not what the contract says.
    Transport { message: String },
}

impl FetchError {
    pub fn message(&self) -> &str {
        match self {
            Self::Api { detail, .. } => &detail.message,
            Self::NotAvailable => "This server does not offer this yet.",
            Self::Transport { message } => message,
        }
    }

    pub fn hint(&self) -> Option<&str> {
        match self {
            Self::Api { detail, .. } => detail.hint.as_deref(),
            Self::NotAvailable => Some("Update `vch` to a version that offers it."),
            Self::Transport { .. } => {
                Some("Check that `vch serve` is running and reachable, then try again.")
            }
        }
    }

    /// The API error code (`invalid_login`, `untrusted_certificate`, ...), if the proxy sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { detail, .. } => Some(&detail.code),
            _ => None,
        }
    }

    pub fn detail(&self, key: &str) -> Option<String> {
        match self {
            Self::Api { detail, .. } => detail.details.as_ref()?.get(key).cloned(),
            _ => None,
        }
    }
}

/// `POST ./api/vchs` and `DELETE ./api/vchs/<id>` answer with the job to follow.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JobRef {
    pub job: String,
}

/// One row of `GET ./api/vchs`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VchSummary {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub power_state: Option<String>,
    /// Whether the server's ISO is newer (`upgrade available`, `up to date`), when it says.
    #[serde(default)]
    pub upgrade_status: Option<String>,
}

/// One appliance NIC of `GET ./api/vchs/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Endpoint {
    pub role: String,
    pub port_group: String,
    #[serde(default)]
    pub static_ip: Option<String>,
    #[serde(default)]
    pub assigned_ip: Option<String>,
}

/// `GET ./api/vchs/<id>`: what the VCH runs with, read from vSphere now.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VchInspect {
    pub summary: VchSummary,
    #[serde(default)]
    pub tls: bool,
    #[serde(default)]
    pub tls_verify: bool,
    #[serde(default)]
    pub docker_port: u16,
    #[serde(default)]
    pub docker_host: Option<String>,
    #[serde(default)]
    pub admin_portal: Option<String>,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    /// Alias → port group.
    #[serde(default)]
    pub container_networks: std::collections::BTreeMap<String, String>,
    /// Label → location.
    #[serde(default)]
    pub volume_stores: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub bridge_range: Option<String>,
}

/// `GET ./api/jobs/<id>`, the parts the job page needs before its event stream starts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JobStatus {
    pub kind: String,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CommandLines {
    pub linux: String,
    pub darwin: String,
    pub windows: String,
}

/// `GET ./api/vchs/<id>/config`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VchDetails {
    pub config: VchConfig,
    pub command_lines: CommandLines,
}

pub async fn health() -> Result<Health, FetchError> {
    get_json("./api/health").await
}

/// Datacenter names of the server's default target.
pub async fn datacenters() -> Result<Vec<String>, FetchError> {
    get_json("./api/datacenters").await
}

pub async fn current_session() -> Result<SessionInfo, FetchError> {
    get_json("./api/session").await
}

pub async fn login(body: &Login) -> Result<SessionInfo, FetchError> {
    send_json(Request::post("./api/session"), body).await
}

/// `POST ./api/session/clone`: the vSphere Client's session `token` in the header the proxy
/// expects, `body` naming the vCenter (see `plugin_host`).
pub async fn clone_session<B: Serialize>(token: &str, body: &B) -> Result<SessionInfo, FetchError> {
    let request = Request::post("./api/session/clone").header("vmware-api-session-id", token);
    send_json(request, body).await
}

pub async fn logout() -> Result<(), FetchError> {
    let response = Request::delete("./api/session")
        .send()
        .await
        .map_err(unreachable)?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_from(response).await)
    }
}

pub async fn inventory(refresh: bool) -> Result<InventorySnapshot, FetchError> {
    get_json(if refresh {
        "./api/inventory?refresh=true"
    } else {
        "./api/inventory"
    })
    .await
}

/// The authoritative check: the same rules, run by the proxy against a fresh inventory.
pub async fn validate(config: &VchConfig) -> Result<Report, FetchError> {
    send_json(Request::post("./api/validate"), config).await
}

/// A configuration never serialises passwords, so the operations password, when one was typed,
/// travels beside it: `{"config": …, "ops_password": "…"}`.
pub async fn create_vch(config: &VchConfig) -> Result<JobRef, FetchError> {
    match config
        .operations
        .ops_password
        .as_ref()
        .filter(|p| !p.is_empty())
    {
        Some(password) => {
            #[derive(Serialize)]
            struct WithPassword<'a> {
                config: &'a VchConfig,
                ops_password: &'a str,
            }
            let body = WithPassword {
                config,
                ops_password: password.expose(),
            };
            send_json(Request::post("./api/vchs"), &body).await
        }
        None => send_json(Request::post("./api/vchs"), config).await,
    }
}

/// What `POST ./api/firewall` did on one host.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HostFirewallChange {
    pub host: String,
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FirewallResult {
    pub ok: bool,
    #[serde(default)]
    pub hosts: Vec<HostFirewallChange>,
}

/// `POST ./api/firewall`: allow outgoing 2377/tcp on every host of a compute resource (by
/// inventory path). The server forgets its cached inventory; re-read it with `inventory(true)`.
pub async fn allow_firewall(compute_resource: &str) -> Result<FirewallResult, FetchError> {
    #[derive(Serialize)]
    struct Allow<'a> {
        action: &'static str,
        compute_resource: &'a str,
    }
    let body = Allow {
        action: "allow",
        compute_resource,
    };
    send_json(Request::post("./api/firewall"), &body).await
}

pub fn client_bundle_url(job: &str) -> String {
    format!("./api/jobs/{}/client-bundle", encode(job))
}

pub async fn list_vchs() -> Result<Vec<VchSummary>, FetchError> {
    get_json("./api/vchs").await
}

pub async fn delete_vch(id: &str, force: bool) -> Result<JobRef, FetchError> {
    let url = format!("./api/vchs/{}?force={force}", encode(id));
    let response = Request::delete(&url).send().await.map_err(unreachable)?;
    read(response, &url).await
}

pub async fn vch_details(id: &str) -> Result<VchDetails, FetchError> {
    get_json(&format!("./api/vchs/{}/config", encode(id))).await
}

pub async fn vch_inspect(id: &str) -> Result<VchInspect, FetchError> {
    get_json(&format!("./api/vchs/{}", encode(id))).await
}

pub async fn job_status(id: &str) -> Result<JobStatus, FetchError> {
    get_json(&format!("./api/jobs/{}", encode(id))).await
}

/// `PATCH ./api/vchs/<id>` with the options to change; the operations password, which a
/// configuration never serialises, is put into the body beside them.
pub async fn configure_vch(id: &str, request: &VchConfig) -> Result<JobRef, FetchError> {
    let url = format!("./api/vchs/{}", encode(id));
    let mut body = serde_json::to_value(request).map_err(|e| FetchError::Transport {
        message: format!("The request could not be prepared ({e})."),
    })?;
    if let (Some(password), Some(ops)) = (
        request.operations.ops_password.as_ref(),
        body.get_mut("operations").and_then(|o| o.as_object_mut()),
    ) {
        ops.insert("ops_password".into(), password.expose().into());
    }
    send_json(Request::patch(&url), &body).await
}

/// `POST ./api/vchs/<id>/<action>` for `upgrade`, `rollback` or `debug`, each a job.
pub async fn vch_action<B: Serialize>(
    id: &str,
    action: &str,
    body: &B,
) -> Result<JobRef, FetchError> {
    let url = format!("./api/vchs/{}/{action}", encode(id));
    send_json(Request::post(&url), body).await
}

pub fn vch_certificate_url(id: &str) -> String {
    format!("./api/vchs/{}/certificate", encode(id))
}

pub fn vch_log_url(id: &str) -> String {
    format!("./api/vchs/{}/log", encode(id))
}

pub async fn cancel_job(id: &str) -> Result<(), FetchError> {
    let url = format!("./api/jobs/{}/cancel", encode(id));
    let response = Request::post(&url).send().await.map_err(unreachable)?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_from(response).await)
    }
}

pub fn job_events_url(id: &str) -> String {
    format!("./api/jobs/{}/events", encode(id))
}

fn encode(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}

fn unreachable(e: gloo_net::Error) -> FetchError {
    FetchError::Transport {
        message: format!("The server could not be reached ({e})."),
    }
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, FetchError> {
    let response = Request::get(url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(unreachable)?;
    read(response, url).await
}

async fn send_json<B: Serialize, T: DeserializeOwned>(
    request: RequestBuilder,
    body: &B,
) -> Result<T, FetchError> {
    let request = request
        .header("Accept", "application/json")
        .json(body)
        .map_err(|e| FetchError::Transport {
            message: format!("The request could not be prepared ({e})."),
        })?;
    let url = request.url();
    let response = request.send().await.map_err(unreachable)?;
    read(response, &url).await
}

async fn read<T: DeserializeOwned>(response: Response, url: &str) -> Result<T, FetchError> {
    if response.ok() {
        response
            .json::<T>()
            .await
            .map_err(|e| FetchError::Transport {
                message: format!("The server sent an unexpected answer for {url} ({e})."),
            })
    } else {
        Err(error_from(response).await)
    }
}

/// What `vch serve` answers for an API path it has no route for.
const ROUTE_MISSING: &str = "no such API endpoint";

async fn error_from(response: Response) -> FetchError {
    let status = response.status();
    match response.json::<ErrorEnvelope>().await {
        // The router's own fallback, not a handler's "no such VCH": the route itself is missing.
        Ok(envelope) if status == 404 && envelope.error.message == ROUTE_MISSING => {
            FetchError::NotAvailable
        }
        Ok(envelope) => FetchError::Api {
            status,
            detail: envelope.error,
        },
        Err(_) if status == 404 || status == 405 => FetchError::NotAvailable,
        // Not our JSON shape: something in between (a reverse proxy, vCenter's plugin gateway) answered.
        Err(_) => FetchError::Transport {
            message: format!(
                "The server answered {status} {} without details.",
                response.status_text()
            ),
        },
    }
}
