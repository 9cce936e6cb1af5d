//! The one JSON error shape of the API: `{"error": {"code", "message", "hint", "details"}}`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::vsphere::{FaultKind, VsphereError};

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `invalid_login`, `untrusted_certificate`, `not_connected`, ...
    code: &'static str,
    /// What went wrong, for a person.
    message: String,
    /// How to fix it, when we know.
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
    /// Structured extras (for example the certificate thumbprints to confirm).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    details: Option<serde_json::Value>,
}

/// An error a handler returns; the message is safe to show (never a credential).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
    pub details: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            hint: None,
            details: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_connected() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "not_connected",
            "no vSphere session: connect to a vCenter Server or ESXi host first",
        )
        .with_hint("POST /api/session with the target, user and password")
    }
}

impl From<VsphereError> for ApiError {
    fn from(err: VsphereError) -> Self {
        let message = err.to_string();
        match &err {
            VsphereError::InvalidTarget(_) => ApiError::bad_request("invalid_target", message)
                .with_hint("give the vCenter Server or ESXi address, e.g. vc.example.com"),
            VsphereError::UntrustedCertificate {
                host, sha1, sha256, ..
            } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "untrusted_certificate",
                message,
            )
            .with_hint(
                "check the thumbprint with your vSphere administrator, then connect again with it",
            )
            .with_details(serde_json::json!({"host": host, "sha1": sha1, "sha256": sha256})),
            VsphereError::ThumbprintMismatch {
                host,
                expected,
                sha1,
                sha256,
            } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "thumbprint_mismatch",
                message,
            )
            .with_hint("the server's certificate changed or this is not the server you meant")
            .with_details(serde_json::json!({
                "host": host, "expected": expected, "sha1": sha1, "sha256": sha256
            })),
            VsphereError::Redirected { location, .. } => ApiError::new(
                StatusCode::BAD_GATEWAY,
                "target_redirected",
                message.clone(),
            )
            .with_hint("connect to the address the server names, if you trust it")
            .with_details(serde_json::json!({"location": location})),
            VsphereError::NotXmlText { .. } => ApiError::bad_request("not_xml_text", message),
            VsphereError::Transport { .. } | VsphereError::HttpStatus { .. } => {
                ApiError::new(StatusCode::BAD_GATEWAY, "target_unreachable", message)
                    .with_hint("check the address and that this server can reach it")
            }
            VsphereError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", message),
            VsphereError::LoggedOut => ApiError::not_connected(),
            VsphereError::Fault { fault, .. } => match fault.kind {
                FaultKind::InvalidLogin => {
                    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_login", message)
                        .with_hint("check the user name and password")
                }
                FaultKind::NotAuthenticated => ApiError::not_connected(),
                _ => ApiError::new(StatusCode::BAD_GATEWAY, "vsphere_fault", message),
            },
            _ => ApiError::new(StatusCode::BAD_GATEWAY, "vsphere_error", message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(code = self.code, message = %self.message, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                hint: self.hint,
                details: self.details,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

pub async fn api_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_such_route",
        "no such API endpoint",
    )
}

/// The JSON body extractor of every handler: axum's rejections (no JSON content type, bad syntax,
/// wrong shape, body over the limit) become the JSON error shape, and text that XML cannot carry
/// (NUL, other control characters, U+FFFF) is refused naming its field, before anything reaches
/// vSphere.
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<serde_json::Value>::from_request(request, state)
            .await
            .map_err(rejection)?;
        if let Some((field, c)) = first_non_xml_text(&value) {
            return Err(ApiError::bad_request(
                "not_xml_text",
                format!(
                    "{field} holds the character U+{:04X}, which cannot be sent to vSphere",
                    u32::from(c)
                ),
            )
            .with_hint("remove control characters (other than tab and line breaks) from the value")
            .with_details(serde_json::json!({"field": field})));
        }
        serde_json::from_value(value).map(AppJson).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("the request body does not have the expected shape: {e}"),
            )
        })
    }
}

/// An optional body (`Option<AppJson<T>>`): none when the request carries no `Content-Type`
/// (an empty POST), otherwise exactly as [`AppJson`], so a malformed body is still refused.
impl<S, T> axum::extract::OptionalFromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Option<Self>, ApiError> {
        if !request
            .headers()
            .contains_key(axum::http::header::CONTENT_TYPE)
        {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(request, state)
            .await
            .map(Some)
    }
}

fn rejection(r: JsonRejection) -> ApiError {
    let status = r.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            status,
            "body_too_large",
            format!(
                "the request body is larger than the limit of {} bytes",
                super::MAX_BODY_BYTES
            ),
        )
        .with_hint("configurations are a few kilobytes; send less");
    }
    let (code, hint) = match &r {
        JsonRejection::MissingJsonContentType(_) => (
            "unsupported_media_type",
            "send Content-Type: application/json",
        ),
        JsonRejection::JsonSyntaxError(_) => ("invalid_json", "send a JSON document"),
        JsonRejection::JsonDataError(_) => ("invalid_body", "send a JSON document"),
        _ => ("bad_request", "send a JSON document"),
    };
    ApiError::new(status, code, r.body_text()).with_hint(hint)
}

/// The path (`target.password`, `network.dns_servers[2]`) and character of the first string or
/// object key that XML 1.0 cannot carry.
fn first_non_xml_text(value: &serde_json::Value) -> Option<(String, char)> {
    use crate::vsphere::first_non_xml_char;
    use serde_json::Value;
    fn join(path: &str, key: &str) -> String {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    }
    // Iterative: a deeply nested body must not recurse without bound.
    let mut stack = vec![(String::new(), value)];
    while let Some((path, value)) = stack.pop() {
        match value {
            Value::String(s) => {
                if let Some(c) = first_non_xml_char(s) {
                    return Some((
                        if path.is_empty() {
                            "the body".to_owned()
                        } else {
                            path
                        },
                        c,
                    ));
                }
            }
            Value::Array(items) => {
                stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .rev()
                        .map(|(i, v)| (format!("{path}[{i}]"), v)),
                );
            }
            Value::Object(fields) => {
                for (key, v) in fields.iter().rev() {
                    let field = join(&path, key);
                    if let Some(c) = first_non_xml_char(key) {
                        return Some((field, c));
                    }
                    stack.push((field, v));
                }
            }
            _ => {}
        }
    }
    None
}
