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

/// vCenter answers in well under a minute even for large inventories; a stuck server (vcsim's
/// panicking handlers) must not hang the caller forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

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
}

impl Transport {
    pub fn new(endpoint: &Url, policy: &TlsPolicy) -> Result<Transport, VsphereError> {
        let host = match (endpoint.host_str(), endpoint.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            _ => {
                return Err(VsphereError::InvalidTarget(
                    "the URL has no host".to_owned(),
                ));
            }
        };
        let builder = || {
            reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .connect_timeout(Duration::from_secs(20))
                .http1_only()
                .user_agent(concat!("vch-deploy/", env!("CARGO_PKG_VERSION")))
        };
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
        self.remember_cookie(response.headers().get_all(SET_COOKIE).iter());
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|source| VsphereError::Transport {
                method: method.to_owned(),
                host: self.host.clone(),
                source: source.without_url(),
            })?;
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
