//! The error type of every vSphere operation.

use super::fault::{Fault, FaultKind};

/// What can go wrong talking to vCenter/ESXi. Messages never contain credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VsphereError {
    #[error("invalid target: {0}")]
    InvalidTarget(String),

    #[error("TLS setup: {0}")]
    TlsSetup(String),

    /// The certificate does not chain to a trusted root (or is otherwise invalid) and neither a
    /// thumbprint nor `--force` was given. The thumbprint is shown so the user can check it out of band.
    #[error(
        "the certificate of {host} is not trusted ({reason}); its SHA-1 thumbprint is {sha1} \
         (SHA-256 {sha256}). If that is the right certificate, pass --thumbprint {sha1}; \
         --force skips verification altogether"
    )]
    UntrustedCertificate {
        host: String,
        reason: String,
        sha1: String,
        sha256: String,
    },

    #[error(
        "the certificate of {host} does not match the pinned thumbprint {expected}: \
         the server presented SHA-1 {sha1} (SHA-256 {sha256})"
    )]
    ThumbprintMismatch {
        host: String,
        expected: String,
        sha1: String,
        sha256: String,
    },

    /// Network-level failure: connection refused, reset, closed without a response (vcsim handler
    /// panics look like this), timeout.
    #[error("{method}: cannot reach {host}: {source}")]
    Transport {
        method: String,
        host: String,
        #[source]
        source: reqwest::Error,
    },

    /// Redirects are never followed on a vSphere connection: the request would carry the
    /// password or the session cookie to wherever the server points.
    #[error(
        "{method}: the server answered with a redirect (HTTP {status}) to {location}; redirects are \
         not followed on vSphere connections. Connect to the address the server names if you trust it"
    )]
    Redirected {
        method: String,
        status: u16,
        location: String,
    },

    #[error(
        "{method}: the response of {host} is larger than the limit of {limit} bytes (VCH_SOAP_MAX_RESPONSE_MB)"
    )]
    ResponseTooLarge {
        method: String,
        host: String,
        limit: usize,
    },

    /// A value holds a character XML 1.0 cannot carry (NUL, other control characters, U+FFFF);
    /// the request was not sent.
    #[error(
        "{method}: the value of <{element}> holds {character}, which XML cannot carry; nothing was sent"
    )]
    NotXmlText {
        method: String,
        element: String,
        character: String,
    },

    #[error("{method}: unexpected HTTP status {status} from the server")]
    HttpStatus { method: String, status: u16 },

    #[error("{method}: malformed response: {reason}")]
    MalformedResponse { method: String, reason: String },

    #[error("{method}: {fault}")]
    Fault { method: String, fault: Box<Fault> },

    /// An inventory object the caller named does not exist.
    #[error("not found: {0}")]
    NotFound(String),

    #[error("task {task} did not finish within {seconds} s")]
    TaskTimeout { task: String, seconds: u64 },

    #[error("the session was logged out")]
    LoggedOut,
}

impl VsphereError {
    /// The typed fault, when the server answered with one.
    pub fn fault_kind(&self) -> Option<&FaultKind> {
        match self {
            VsphereError::Fault { fault, .. } => Some(&fault.kind),
            _ => None,
        }
    }

    pub(crate) fn is_not_authenticated(&self) -> bool {
        matches!(self.fault_kind(), Some(FaultKind::NotAuthenticated))
    }

    pub(crate) fn malformed(method: &str, reason: impl Into<String>) -> VsphereError {
        VsphereError::MalformedResponse {
            method: method.to_owned(),
            reason: reason.into(),
        }
    }
}
