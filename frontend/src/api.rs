//! Typed client for the proxy's JSON API. URLs are relative (`./api/...`) so the wizard works at
//! `/` and under a vSphere plugin path prefix alike.

use gloo_net::http::{Request, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// `GET ./api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
    /// The SDK URL the server talks to without asking for credentials, if any.
    pub default_target: Option<String>,
}

/// The body of every API error: `{"error": {"code", "message", "hint"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub hint: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ApiErrorDetail,
}

/// Why a call failed, split so the page can tell "the proxy said no" from "no answer at all".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The proxy answered with its JSON error shape.
    Api { status: u16, detail: ApiErrorDetail },
    /// No usable answer: network failure, or a body that is not what the contract says.
    Transport { message: String },
}

impl FetchError {
    pub fn message(&self) -> &str {
        match self {
            Self::Api { detail, .. } => &detail.message,
            Self::Transport { message } => message,
        }
    }

    pub fn hint(&self) -> Option<&str> {
        match self {
            Self::Api { detail, .. } => detail.hint.as_deref(),
            Self::Transport { .. } => {
                Some("Check that `vch serve` is running and reachable, then try again.")
            }
        }
    }
}

pub async fn health() -> Result<Health, FetchError> {
    get_json("./api/health").await
}

/// Datacenter names of the server's default target.
pub async fn datacenters() -> Result<Vec<String>, FetchError> {
    get_json("./api/datacenters").await
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, FetchError> {
    let response = Request::get(url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| FetchError::Transport {
            message: format!("The server could not be reached ({e})."),
        })?;
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

async fn error_from(response: Response) -> FetchError {
    let status = response.status();
    match response.json::<ErrorEnvelope>().await {
        Ok(envelope) => FetchError::Api {
            status,
            detail: envelope.error,
        },
        // Not our JSON shape: something in between (a reverse proxy, vCenter's plugin gateway) answered.
        Err(_) => FetchError::Transport {
            message: format!(
                "The server answered {status} {} without details.",
                response.status_text()
            ),
        },
    }
}
