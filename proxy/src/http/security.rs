//! The HTTP edge every request crosses: the Host allow-list (a DNS-rebinding page must not reach a
//! loopback server under its own name), the security headers of every response (a
//! Content-Security-Policy that fits the Trunk-built wasm app, framing only by the vSphere Client
//! in plugin mode), and the one JSON error shape for every `/api` error, whoever produced it
//! (axum's method and path rejections, the body-size limit).

use std::collections::BTreeSet;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::{ApiError, AppState, MAX_BODY_BYTES};

/// The names (with port) a request may be addressed to, and who may frame the plugin.
#[derive(Debug, Clone, Default)]
pub struct EdgePolicy {
    /// `host:port` (or a bare host for ports 80/443), lower case. Empty: loopback names only.
    allowed_hosts: BTreeSet<String>,
    /// The vSphere Client origin (`https://vc.example.com`) allowed to frame `/plugin/`.
    vsphere_client_origin: Option<String>,
}

/// What a server that was given no policy uses: loopback names on any port.
pub(super) static UNCONFIGURED: EdgePolicy = EdgePolicy {
    allowed_hosts: BTreeSet::new(),
    vsphere_client_origin: None,
};

impl EdgePolicy {
    /// The listen address itself, its loopback forms (`localhost`, `127.0.0.1`, `[::1]`) when it
    /// listens on loopback or on every address, and the extra `names` (`vch.example.com` or
    /// `vch.example.com:8443`; without a port, the listen port is implied).
    pub fn new(
        listen: SocketAddr,
        names: &[String],
        vsphere_client_origin: Option<String>,
    ) -> Self {
        let port = listen.port();
        let mut hosts = Vec::new();
        let ip = listen.ip();
        hosts.push(match ip {
            std::net::IpAddr::V6(v6) => format!("[{v6}]"),
            std::net::IpAddr::V4(v4) => v4.to_string(),
        });
        if ip.is_loopback() || ip.is_unspecified() {
            hosts.extend(["localhost", "127.0.0.1", "[::1]"].map(str::to_owned));
        }
        let mut allowed = BTreeSet::new();
        for host in hosts {
            allowed.insert(format!("{host}:{port}"));
            if matches!(port, 80 | 443) {
                allowed.insert(host);
            }
        }
        for name in names {
            let name = normalise(name);
            if has_port(&name) {
                allowed.insert(name);
            } else {
                allowed.insert(format!("{name}:{port}"));
                if matches!(port, 80 | 443) {
                    allowed.insert(name);
                }
            }
        }
        EdgePolicy {
            allowed_hosts: allowed,
            vsphere_client_origin: vsphere_client_origin
                .map(|o| o.trim_end_matches('/').to_owned()),
        }
    }

    fn allows(&self, host: &str) -> bool {
        let host = normalise(host);
        if self.allowed_hosts.is_empty() {
            // Not configured (a test harness on a port it picked): loopback names on any port.
            let name = host.rsplit_once(':').map_or(host.as_str(), |(h, p)| {
                if p.bytes().all(|b| b.is_ascii_digit()) {
                    h
                } else {
                    host.as_str()
                }
            });
            return matches!(name, "localhost" | "127.0.0.1" | "[::1]");
        }
        self.allowed_hosts.contains(&host)
    }
}

/// `https://vc.example.com[:port]` from what a user gave (a URL or an origin), for framing.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text.trim()).map_err(|e| format!("{text:?} is not a URL: {e}"))?;
    match url.origin() {
        origin @ url::Origin::Tuple(..) if url.scheme() == "https" => {
            Ok(origin.ascii_serialization())
        }
        _ => Err(format!(
            "{text:?} is not an https origin such as https://vc.example.com"
        )),
    }
}

fn normalise(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(']') || name.starts_with('[') => {
            format!("{}:{port}", name.trim_end_matches('.'))
        }
        _ => host.trim_end_matches('.').to_owned(),
    }
}

fn has_port(host: &str) -> bool {
    host.rsplit_once(':').is_some_and(|(name, port)| {
        !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && (!name.starts_with('[') || name.ends_with(']'))
    })
}

/// Whether a path belongs to the JSON API (also as the plugin sees it).
fn is_api(path: &str) -> bool {
    ["/api", "/plugin/api"].iter().any(|p| {
        path == *p
            || path
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// The middleware: Host check, then the handler, then headers and JSON errors.
pub async fn edge(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let file = path.rsplit('/').next().unwrap_or_default();
    if !is_api(&path) && (!file.contains('.') || file.ends_with(".html")) {
        // A page's policy carries the hashes of its inline scripts, read from its body; a 304
        // has no body, and a browser that reloads would run its cached page under a policy
        // without them (a blank page). Pages are small: always send them whole.
        let headers = request.headers_mut();
        headers.remove(axum::http::header::IF_NONE_MATCH);
        headers.remove(axum::http::header::IF_MODIFIED_SINCE);
    }
    let plugin = path.starts_with("/plugin/") || path == "/plugin";
    let policy = state.edge_policy();
    let host = request
        .uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            request
                .headers()
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        });
    let mut response = match host {
        Some(host) if policy.allows(&host) => {
            let response = next.run(request).await;
            if is_api(&path) {
                json_error_shape(response).await
            } else {
                with_script_hashes(response).await
            }
        }
        Some(host) => ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "host_not_allowed",
            format!(
                "this server does not answer to the name {:?}",
                host.chars().take(256).collect::<String>()
            ),
        )
        .with_hint("open the address vch serve printed, or start it with --allowed-host NAME")
        .into_response(),
        None => ApiError::bad_request("host_missing", "the request names no Host").into_response(),
    };
    let csp = content_security_policy(&response, plugin, policy.vsphere_client_origin.as_deref());
    let headers = response.headers_mut();
    let csp = HeaderValue::from_str(&csp)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    headers.insert(CONTENT_SECURITY_POLICY, csp);
    headers.remove(SCRIPT_HASHES);
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !plugin {
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// An internal header carrying the inline script hashes from [`with_script_hashes`] to the
/// policy; never sent.
const SCRIPT_HASHES: &str = "x-vch-script-hashes";

/// `script-src 'self' 'wasm-unsafe-eval'` plus the hashes of the page's inline scripts (Trunk's
/// loader is one, and its file names change with every build, so the hashes are taken from the
/// page as served). Inline styles stay allowed: the wizard sets some (progress bars) and they
/// cannot run code.
fn content_security_policy(
    response: &Response,
    plugin: bool,
    vsphere_client: Option<&str>,
) -> String {
    let hashes = response
        .headers()
        .get(SCRIPT_HASHES)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let frame_ancestors = if plugin {
        // vsphere-ui serves the plugin through its own reverse proxy, so the page is framed by
        // its own origin; a directly reached plugin by the configured vSphere Client.
        match vsphere_client {
            Some(origin) => format!("'self' {origin}"),
            None => "'self'".to_owned(),
        }
    } else {
        "'none'".to_owned()
    };
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors {frame_ancestors}"
    )
}

/// Collects the hashes of the inline `<script>` elements of an HTML page into [`SCRIPT_HASHES`].
async fn with_script_hashes(response: Response) -> Response {
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html || response.headers().contains_key(CONTENT_ENCODING) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be read",
        )
            .into_response();
    };
    let hashes: String = inline_scripts(&String::from_utf8_lossy(&bytes))
        .iter()
        .map(|script| {
            format!(
                " 'sha256-{}'",
                STANDARD.encode(Sha256::digest(script.as_bytes()))
            )
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&hashes) {
        parts.headers.insert(SCRIPT_HASHES, value);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The bodies of `<script>` elements without a `src` attribute.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(open) = lower[at..].find("<script") {
        let tag_start = at + open;
        let Some(tag_len) = lower[tag_start..].find('>') else {
            break;
        };
        let body_start = tag_start + tag_len + 1;
        let Some(body_len) = lower[body_start..].find("</script") else {
            break;
        };
        let tag = &lower[tag_start..body_start];
        if !tag.contains(" src=") && !tag.contains("\nsrc=") {
            scripts.push(&html[body_start..body_start + body_len]);
        }
        at = body_start + body_len;
    }
    scripts
}

/// Turns an `/api` error that is not already the JSON error shape into it: axum's 405 and 404,
/// the 413 of the body limit, path and query rejections, whatever a layer answered in text.
async fn json_error_shape(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "body_too_large",
            format!("the request body is larger than the limit of {MAX_BODY_BYTES} bytes"),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this endpoint does not take that method".to_owned(),
        ),
        StatusCode::NOT_FOUND => ("no_such_route", "no such API endpoint".to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", text),
        s if s.is_server_error() => (
            "internal_error",
            "the request could not be handled".to_owned(),
        ),
        _ => (
            "bad_request",
            if text.is_empty() {
                status.to_string()
            } else {
                text
            },
        ),
    };
    let mut error = ApiError::new(status, code, message).into_response();
    copy_header(
        &parts.headers,
        error.headers_mut(),
        axum::http::header::ALLOW,
    );
    error.headers_mut().remove(CONTENT_LENGTH);
    error
}

fn copy_header(from: &HeaderMap, to: &mut HeaderMap, name: axum::http::HeaderName) {
    if let Some(value) = from.get(&name) {
        to.insert(name, value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listen_address_and_its_loopback_forms_are_allowed() {
        let p = EdgePolicy::new(
            "127.0.0.1:8080".parse().unwrap(),
            &["VCH.example.com".into()],
            None,
        );
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
            "vch.example.com:8080",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "localhost:8081",
            "127.0.0.1",
            "vch.example.com:9",
            "",
        ] {
            assert!(!p.allows(bad), "{bad}");
        }
        let p = EdgePolicy::new(
            "10.0.0.5:443".parse().unwrap(),
            &["vch.corp:8443".into()],
            None,
        );
        assert!(p.allows("10.0.0.5") && p.allows("10.0.0.5:443") && p.allows("vch.corp:8443"));
        assert!(!p.allows("localhost:443") && !p.allows("vch.corp"));
    }

    #[test]
    fn without_configuration_only_loopback_names_pass() {
        let p = EdgePolicy::default();
        assert!(p.allows("127.0.0.1:41234") && p.allows("localhost") && p.allows("[::1]:1"));
        assert!(!p.allows("evil.example:41234") && !p.allows("127.0.0.1.evil.example"));
    }

    #[test]
    fn the_vsphere_client_origin_is_an_https_origin() {
        assert_eq!(
            parse_origin("https://VC.example.com/ui/").unwrap(),
            "https://vc.example.com"
        );
        assert_eq!(
            parse_origin("https://10.0.0.5:9443").unwrap(),
            "https://10.0.0.5:9443"
        );
        assert!(parse_origin("http://vc.example.com").is_err());
        assert!(parse_origin("vc.example.com; script-src *").is_err());
    }

    #[test]
    fn finds_inline_scripts_only() {
        let html = "<head><script type=\"module\">import init from './a.js';\ninit();</script>\
                    <SCRIPT src=\"x.js\"></SCRIPT><script>b()</script></head>";
        assert_eq!(
            inline_scripts(html),
            ["import init from './a.js';\ninit();", "b()"]
        );
    }
}
