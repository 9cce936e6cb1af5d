//! The one JSON error shape of the API: `{"error": {"code", "message", "hint", "details"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
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
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}
