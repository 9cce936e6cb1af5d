//! Serves the built wizard, from a folder (`--ui-dir`) or from the copy embedded in `vch` at
//! build time (`build.rs`); unknown paths get `index.html` so client-side routes survive a
//! reload. Precompressed `.br`/`.gz` siblings are sent to clients that accept them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::Router;
use axum::extract::Request;
use axum::http::header::{
    ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, IF_MODIFIED_SINCE, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));
}

/// Where the wizard comes from.
#[derive(Debug, Clone)]
pub enum UiSource {
    /// A Trunk `dist/` folder on disk.
    Dir(PathBuf),
    /// The files compiled into this binary.
    Embedded,
}

impl UiSource {
    /// True when this binary carries a built wizard.
    pub fn embedded_available() -> bool {
        !embedded::FILES.is_empty()
    }
}

/// The service for every path the API does not claim.
pub fn service(source: &UiSource) -> Router {
    match source {
        UiSource::Dir(dir) => Router::new()
            .fallback_service(serve_dir(dir))
            .layer(axum::middleware::map_request(pages_in_full)),
        UiSource::Embedded => Router::new().fallback(serve_embedded),
    }
}

/// The page's inline loader script is allowed by a hash the server takes from the page it sends
/// (`security.rs`); a `304 Not Modified` carries no page, so the browser would run its cached copy
/// under a policy without the hash and block it (a blank page on reload). Pages are therefore
/// always sent whole; the assets, whose names change with their content, still revalidate.
async fn pages_in_full(mut request: Request) -> Request {
    let last = request.uri().path().rsplit('/').next().unwrap_or_default();
    if last.is_empty() || last.ends_with(".html") || !last.contains('.') {
        request.headers_mut().remove(IF_NONE_MATCH);
        request.headers_mut().remove(IF_MODIFIED_SINCE);
    }
    request
}

fn serve_dir(ui_dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(ui_dir)
        .precompressed_gzip()
        .precompressed_br()
        .fallback(ServeFile::new(ui_dir.join("index.html")))
}

fn files() -> &'static HashMap<&'static str, &'static [u8]> {
    static FILES: OnceLock<HashMap<&'static str, &'static [u8]>> = OnceLock::new();
    FILES.get_or_init(|| embedded::FILES.iter().copied().collect())
}

/// Shown when the binary was built without the wizard and no `--ui-dir` was given.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>vch: the wizard was not built</title></head><body><h1>The wizard was not built into this vch</h1>\
<p>Build it with <code>scripts/build-ui.sh</code> (Trunk writes <code>dist/</code>) and build \
<code>vch</code> again, or start <code>vch serve --ui-dir DIR</code> with a built <code>dist/</code>. \
The JSON API under <code>/api</code> works without it.</p></body></html>";

async fn serve_embedded(uri: Uri, headers: HeaderMap) -> Response {
    let accepts = headers
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    respond(files(), uri.path(), accepts)
}

/// The response for `path` from `files`: the file, else `index.html` (client-side routes), with
/// its `.br`/`.gz` sibling when the client accepts that encoding.
fn respond(files: &HashMap<&str, &'static [u8]>, path: &str, accepts: &str) -> Response {
    if !files.contains_key("index.html") {
        return (
            StatusCode::NOT_FOUND,
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            NOT_BUILT,
        )
            .into_response();
    }
    let requested = path.trim_start_matches('/');
    let path = if files.contains_key(requested) {
        requested
    } else {
        "index.html"
    };
    let content_type = mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream");
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    let mut body = files[path];
    for (encoding, suffix) in [("br", "br"), ("gzip", "gz")] {
        let compressed = files.get(format!("{path}.{suffix}").as_str());
        if let (Some(compressed), true) = (compressed, accepts_encoding(accepts, encoding)) {
            body = compressed;
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
            headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
            break;
        }
    }
    (headers, body).into_response()
}

/// Whether an `Accept-Encoding` value allows `encoding` (present and not `;q=0`).
fn accepts_encoding(header: &str, encoding: &str) -> bool {
    header.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        name.eq_ignore_ascii_case(encoding) && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec()
    }

    #[tokio::test]
    async fn serves_files_routes_and_precompressed_siblings() {
        let files: HashMap<&str, &'static [u8]> = [
            ("index.html", &b"<html>app</html>"[..]),
            ("app.js", b"plain js"),
            ("app.js.br", b"brotli js"),
            ("app.js.gz", b"gzip js"),
            ("app.wasm", b"\0asm"),
        ]
        .into_iter()
        .collect();
        let js = respond(&files, "/app.js", "gzip, br");
        assert_eq!(js.headers()[CONTENT_TYPE], "text/javascript");
        assert_eq!(js.headers()[CONTENT_ENCODING], "br");
        assert_eq!(body_of(js).await, b"brotli js");
        let gz = respond(&files, "/app.js", "gzip");
        assert_eq!(gz.headers()[CONTENT_ENCODING], "gzip");
        assert_eq!(body_of(gz).await, b"gzip js");
        let plain = respond(&files, "/app.js", "");
        assert!(plain.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(body_of(plain).await, b"plain js");
        let wasm = respond(&files, "/app.wasm", "br");
        assert_eq!(wasm.headers()[CONTENT_TYPE], "application/wasm");
        // A client-side route reloads into the app.
        let route = respond(&files, "/vchs/vm-42", "");
        assert_eq!(route.status(), StatusCode::OK);
        assert_eq!(body_of(route).await, b"<html>app</html>");
    }

    #[tokio::test]
    async fn without_a_built_wizard_says_how_to_build_it() {
        let response = respond(&HashMap::new(), "/", "");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = String::from_utf8(body_of(response).await).unwrap();
        assert!(body.contains("scripts/build-ui.sh"), "{body}");
    }

    #[test]
    fn reads_accept_encoding() {
        assert!(accepts_encoding("gzip, deflate, br", "br"));
        assert!(accepts_encoding("gzip;q=0.5", "gzip"));
        assert!(!accepts_encoding("gzip;q=0", "gzip"));
        assert!(!accepts_encoding("gzip", "br"));
        assert!(!accepts_encoding("", "gzip"));
    }
}
