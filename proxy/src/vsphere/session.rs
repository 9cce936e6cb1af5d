//! The HTTP side of a vim25 session: one reqwest client, the session cookie, the round-trip counter.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, COOKIE, HeaderValue, SET_COOKIE};
use url::Url;

use super::envelope::{self, Request};
use super::error::VsphereError;
use super::tls::{self, TlsPolicy, Verifier};
use super::xml_tree::Node;

const SESSION_COOKIE: &str = "vmware_soap_session";

/// Bounds on every SOAP call, so a stuck or hostile server cannot hang a caller or fill memory.
/// The defaults can be changed for the whole process with `VCH_SOAP_TIMEOUT` (seconds, whole
/// call), `VCH_SOAP_CONNECT_TIMEOUT` (seconds) and `VCH_SOAP_MAX_RESPONSE_MB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportLimits {
    pub connect_timeout: Duration,
    /// The whole call: connect, send, and read the response body.
    pub request_timeout: Duration,
    /// Largest response body read; a longer one fails naming this limit.
    pub max_response_bytes: usize,
}

impl Default for TransportLimits {
    /// vCenter answers in well under a minute even for large inventories (a stuck server such as
    /// vcsim with a panicking handler must not hang the caller forever), and a page of the
    /// property collector is a few megabytes at most.
    fn default() -> Self {
        TransportLimits {
            connect_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(120),
            max_response_bytes: 64 * 1024 * 1024,
        }
    }
}

impl TransportLimits {
    /// The defaults, overridden by the environment variables above (read once per process).
    pub fn configured() -> TransportLimits {
        static CONFIGURED: std::sync::OnceLock<TransportLimits> = std::sync::OnceLock::new();
        *CONFIGURED.get_or_init(|| {
            let number = |name: &str| {
                let value = std::env::var(name).ok()?;
                let parsed = value.trim().parse::<u64>().ok().filter(|n| *n > 0);
                if parsed.is_none() {
                    tracing::warn!(
                        variable = name,
                        value,
                        "ignored: not a positive whole number"
                    );
                }
                parsed
            };
            let mut limits = TransportLimits::default();
            if let Some(s) = number("VCH_SOAP_TIMEOUT") {
                limits.request_timeout = Duration::from_secs(s);
            }
            if let Some(s) = number("VCH_SOAP_CONNECT_TIMEOUT") {
                limits.connect_timeout = Duration::from_secs(s);
            }
            if let Some(mb) = number("VCH_SOAP_MAX_RESPONSE_MB") {
                limits.max_response_bytes =
                    usize::try_from(mb.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX);
            }
            limits
        })
    }
}

/// The client builder every vSphere connection starts from: the limits' timeouts, HTTP/1.1, and
/// redirects never followed. A redirect would re-send the SOAP body (the password of a `Login`)
/// and the session cookie to wherever the server points, https to http included; it is an error
/// naming the location instead ([`VsphereError::Redirected`]).
pub(crate) fn client_builder(limits: &TransportLimits) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(limits.request_timeout)
        .connect_timeout(limits.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .http1_only()
        .user_agent(concat!("vch-deploy/", env!("CARGO_PKG_VERSION")))
}

/// A 3xx answer as the error that names where it pointed.
pub(crate) fn redirect_error(
    method: &str,
    status: reqwest::StatusCode,
    headers: &reqwest::header::HeaderMap,
) -> VsphereError {
    let location = headers
        .get(reqwest::header::LOCATION)
        .map(|l| {
            String::from_utf8_lossy(l.as_bytes())
                .chars()
                .take(512)
                .collect()
        })
        .unwrap_or_else(|| "(no Location header)".to_owned());
    VsphereError::Redirected {
        method: method.to_owned(),
        status: status.as_u16(),
        location,
    }
}

/// Whether a method changes server state, so that sending it twice is not the same as once.
/// Reads, views and filters are safe to resend; tasks and creations are not.
pub(crate) fn changes_something(method: &str) -> bool {
    const SAFE_CREATES: &[&str] = &[
        "CreateContainerView",
        "CreateFilter",
        "CreatePropertyCollector",
    ];
    const OTHER_CHANGES: &[&str] = &[
        "MakeDirectory",
        "AddAuthorizationRole",
        "SetEntityPermissions",
        "RemoveEntityPermission",
        "RemoveAuthorizationRole",
        "RegisterExtension",
        "UnregisterExtension",
        "UpdateExtension",
    ];
    method.ends_with("_Task")
        || (method.starts_with("Create") && !SAFE_CREATES.contains(&method))
        || OTHER_CHANGES.contains(&method)
}

/// Sends envelopes and keeps the session cookie. Knows nothing about vim25 semantics.
pub(crate) struct Transport {
    http: reqwest::Client,
    /// For calls that change something: never a pooled connection, so the HTTP stack has no
    /// stale-connection path on which it could send the request a second time (a
    /// `CreateResourcePool` executed twice comes back as `DuplicateName` for our own pool).
    http_once: reqwest::Client,
    endpoint: Url,
    /// `host:port`, for error messages.
    host: String,
    soap_action: Mutex<String>,
    /// The `vmware_soap_session=...` pair exactly as the server sent it (real vCenter quotes the
    /// value, vcsim does not): it is replayed verbatim.
    cookie: Mutex<Option<String>>,
    round_trips: AtomicU64,
    verifier: Option<Arc<Verifier>>,
    limits: TransportLimits,
}

impl Transport {
    pub fn new(endpoint: &Url, policy: &TlsPolicy) -> Result<Transport, VsphereError> {
        Transport::with_limits(endpoint, policy, TransportLimits::configured())
    }

    pub fn with_limits(
        endpoint: &Url,
        policy: &TlsPolicy,
        limits: TransportLimits,
    ) -> Result<Transport, VsphereError> {
        let host = match (endpoint.host_str(), endpoint.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            _ => {
                return Err(VsphereError::InvalidTarget(
                    "the URL has no host".to_owned(),
                ));
            }
        };
        let builder = || client_builder(&limits);
        let (mut builder, mut once) = (builder(), builder().pool_max_idle_per_host(0));
        let verifier = match endpoint.scheme() {
            "https" => {
                let (config, verifier) = tls::client_config(policy)?;
                if matches!(policy, TlsPolicy::Insecure) {
                    tracing::warn!(
                        target = %host,
                        "TLS certificate verification is DISABLED (--force): the connection \
                         to vSphere can be intercepted"
                    );
                }
                once = once.use_preconfigured_tls(config.clone());
                builder = builder.use_preconfigured_tls(config);
                Some(verifier)
            }
            "http" => {
                // reqwest has no default TLS provider here: hand it one anyway so the builder
                // never looks for it, even though plain http never uses it.
                let (config, _) = tls::client_config(&TlsPolicy::SystemRoots)?;
                once = once.use_preconfigured_tls(config.clone());
                builder = builder.use_preconfigured_tls(config);
                None
            }
            other => {
                return Err(VsphereError::InvalidTarget(format!(
                    "unsupported URL scheme {other:?} (use https)"
                )));
            }
        };
        let http = builder
            .build()
            .map_err(|e| VsphereError::TlsSetup(e.to_string()))?;
        let http_once = once
            .build()
            .map_err(|e| VsphereError::TlsSetup(e.to_string()))?;
        Ok(Transport {
            http,
            http_once,
            endpoint: endpoint.clone(),
            host,
            soap_action: Mutex::new("urn:vim25/6.5".to_owned()),
            cookie: Mutex::new(None),
            round_trips: AtomicU64::new(0),
            verifier,
            limits,
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// The SHA-1 thumbprint of the server certificate this transport accepted (none over http).
    pub fn server_thumbprint(&self) -> Option<tls::Thumbprint> {
        self.verifier.as_ref().and_then(|v| v.accepted())
    }

    /// Real vCenter picks the wire version from SOAPAction; use what the server announced.
    pub fn set_api_version(&self, version: &str) {
        if let Ok(mut action) = self.soap_action.lock() {
            *action = format!("urn:vim25/{version}");
        }
    }

    pub fn clear_cookie(&self) {
        if let Ok(mut cookie) = self.cookie.lock() {
            *cookie = None;
        }
    }

    /// One SOAP round trip; returns the `<MethodResponse>` element.
    pub async fn call(&self, request: Request) -> Result<Node, VsphereError> {
        let method = request.method();
        request.check()?;
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let soap_action = self
            .soap_action
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default();
        let http = if changes_something(method) {
            &self.http_once
        } else {
            &self.http
        };
        let mut http_request = http
            .post(self.endpoint.clone())
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", format!("\"{soap_action}\""));
        let cookie = self.cookie.lock().ok().and_then(|c| c.clone());
        if let Some(cookie) = cookie
            && let Ok(value) = HeaderValue::from_str(&cookie)
        {
            http_request = http_request.header(COOKIE, value);
        }
        let started = std::time::Instant::now();
        let response = match http_request.body(request.finish()).send().await {
            Ok(response) => response,
            Err(source) => {
                if let Some(refusal) = self.verifier.as_ref().and_then(|v| v.take_refusal()) {
                    return Err(refusal.into_error(&self.host));
                }
                return Err(VsphereError::Transport {
                    method: method.to_owned(),
                    host: self.host.clone(),
                    source: source.without_url(),
                });
            }
        };
        let status = response.status();
        if status.is_redirection() {
            return Err(redirect_error(method, status, response.headers()));
        }
        self.remember_cookie(response.headers().get_all(SET_COOKIE).iter());
        let body = self.read_body(method, response).await?;
        let received = started.elapsed();
        let result = match status.as_u16() {
            200 | 500 => envelope::parse_response(method, &body),
            status => Err(VsphereError::HttpStatus {
                method: method.to_owned(),
                status,
            }),
        };
        tracing::debug!(
            method,
            target = %self.host,
            status = status.as_u16(),
            bytes = body.len(),
            received_ms = received.as_millis() as u64,
            parsed_ms = (started.elapsed() - received).as_millis() as u64,
            "vim25 call"
        );
        result
    }

    /// The response body as text, refusing more than the limit (checked against Content-Length
    /// first, then while reading, so an endless body never sits in memory).
    async fn read_body(
        &self,
        method: &str,
        mut response: reqwest::Response,
    ) -> Result<String, VsphereError> {
        let limit = self.limits.max_response_bytes;
        let too_large = || VsphereError::ResponseTooLarge {
            method: method.to_owned(),
            host: self.host.clone(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let transport = |source: reqwest::Error| VsphereError::Transport {
            method: method.to_owned(),
            host: self.host.clone(),
            source: source.without_url(),
        };
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(String::from_utf8(body)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    fn remember_cookie<'a>(&self, headers: impl Iterator<Item = &'a HeaderValue>) {
        for header in headers {
            let Ok(header) = header.to_str() else {
                continue;
            };
            let pair = header.split(';').next().unwrap_or_default().trim();
            if pair
                .split_once('=')
                .is_some_and(|(name, _)| name.trim() == SESSION_COOKIE)
                && let Ok(mut cookie) = self.cookie.lock()
            {
                *cookie = Some(pair.to_owned());
            }
        }
    }
}
