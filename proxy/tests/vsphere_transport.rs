//! The SOAP transport against hostile loopback servers: a redirect is never followed (the password
//! of a `Login` must not travel to the redirect target, https to http included) and a response
//! beyond the size limit is refused naming the limit.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use proxy::vsphere::{Client, TargetSpec, TlsPolicy, VsphereError};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use url::Url;

const PASSWORD: &str = "pa55-w0rd-never-redirected";

const SERVICE_CONTENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval>
<rootFolder type="Folder">group-d1</rootFolder>
<propertyCollector type="PropertyCollector">propertyCollector</propertyCollector>
<viewManager type="ViewManager">ViewManager</viewManager>
<sessionManager type="SessionManager">SessionManager</sessionManager>
<about><apiType>VirtualCenter</apiType><apiVersion>6.5</apiVersion><fullName>hostile</fullName></about>
</returnval></RetrieveServiceContentResponse></soapenv:Body></soapenv:Envelope>"#;

/// What the hostile server answers to a `Login`.
#[derive(Clone)]
enum LoginAnswer {
    Redirect(String),
    /// A 200 whose body is this many bytes of padding, with or without a Content-Length.
    Huge {
        bytes: usize,
        declared: bool,
    },
}

/// Reads one HTTP/1.1 request (headers and a Content-Length body); `None` at end of stream.
fn read_request(reader: &mut impl BufRead) -> Option<String> {
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

/// Serves one connection: the service content, then the chosen answer to `Login`. Every request
/// body is recorded.
fn serve(stream: impl Read + Write, answer: &LoginAnswer, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream);
    while let Some(body) = read_request(&mut reader) {
        seen.lock().unwrap().push(body.clone());
        let out = reader.get_mut();
        let response = if body.contains("RetrieveServiceContent") {
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{SERVICE_CONTENT}",
                SERVICE_CONTENT.len()
            )
        } else {
            match answer {
                LoginAnswer::Redirect(location) => format!(
                    "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
                ),
                LoginAnswer::Huge { bytes, declared } => {
                    let length = if *declared {
                        format!("Content-Length: {bytes}")
                    } else {
                        "Connection: close".to_owned()
                    };
                    let head =
                        format!("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n{length}\r\n\r\n");
                    let _ = out.write_all(head.as_bytes());
                    let chunk = vec![b' '; 64 * 1024];
                    let mut left = *bytes;
                    while left > 0 {
                        let n = left.min(chunk.len());
                        if out.write_all(&chunk[..n]).is_err() {
                            return;
                        }
                        left -= n;
                    }
                    if !*declared {
                        return;
                    }
                    continue;
                }
            }
        };
        if out.write_all(response.as_bytes()).is_err() {
            return;
        }
        let _ = out.flush();
    }
}

struct Hostile {
    url: Url,
    seen: Arc<Mutex<Vec<String>>>,
}

/// A loopback server on a thread; with `tls`, it speaks HTTPS with a fresh self-signed certificate.
fn hostile(answer: LoginAnswer, tls: bool) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let tls_config = tls.then(server_tls_config);
    let recorded = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let (answer, seen, tls_config) = (answer.clone(), recorded.clone(), tls_config.clone());
            std::thread::spawn(move || match tls_config {
                Some(config) => {
                    let conn = rustls::ServerConnection::new(config).unwrap();
                    serve(rustls::StreamOwned::new(conn, stream), &answer, &seen);
                }
                None => serve(stream, &answer, &seen),
            });
        }
    });
    let scheme = if tls { "https" } else { "http" };
    Hostile {
        url: Url::parse(&format!("{scheme}://127.0.0.1:{port}/sdk")).unwrap(),
        seen,
    }
}

fn server_tls_config() -> Arc<rustls::ServerConfig> {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap(),
    )
}

fn spec(url: &Url) -> TargetSpec {
    TargetSpec {
        url: url.clone(),
        username: "administrator@vsphere.local".to_owned(),
        password: PASSWORD.to_owned().into(),
        tls: TlsPolicy::Insecure,
    }
}

/// A listener nobody should ever connect to: anything the client sent would wait in its backlog.
fn bystander() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let location = format!(
        "http://127.0.0.1:{}/sdk",
        listener.local_addr().unwrap().port()
    );
    (listener, location)
}

fn assert_untouched(listener: &TcpListener) {
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((mut stream, _)) => {
            let mut sent = String::new();
            let _ = stream.set_nonblocking(false);
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(1)));
            let _ = stream.read_to_string(&mut sent);
            panic!("the redirect target was contacted: {sent:?}");
        }
        Err(e) => panic!("accept: {e}"),
    }
}

async fn login_is_redirected(tls: bool) {
    let (target, location) = bystander();
    let server = hostile(LoginAnswer::Redirect(location.clone()), tls);
    let err = Client::connect(&spec(&server.url)).await.unwrap_err();
    match &err {
        VsphereError::Redirected {
            method,
            status,
            location: named,
        } => {
            assert_eq!(method, "Login");
            assert_eq!(*status, 307);
            assert_eq!(named, &location);
        }
        other => panic!("expected Redirected, got {other:?}"),
    }
    assert!(err.to_string().contains(&location), "{err}");
    assert!(!err.to_string().contains(PASSWORD));
    // The hostile server did get the login (so the redirect was an answer to it) ...
    let seen = server.seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|b| b.contains("<Login") && b.contains(PASSWORD))
    );
    // ... and the place it pointed to got nothing at all.
    assert_untouched(&target);
}

#[tokio::test]
async fn a_login_answered_with_307_is_not_followed() {
    login_is_redirected(false).await;
}

#[tokio::test]
async fn an_https_login_redirected_to_http_is_not_followed() {
    login_is_redirected(true).await;
}

#[tokio::test]
async fn a_response_beyond_the_size_limit_is_refused_naming_the_limit() {
    let limit = proxy::vsphere::TransportLimits::configured().max_response_bytes;
    // Announced by its Content-Length, and streamed without one (read up to the limit only).
    for declared in [true, false] {
        let server = hostile(
            LoginAnswer::Huge {
                bytes: limit + 1,
                declared,
            },
            false,
        );
        let err = Client::connect(&spec(&server.url)).await.unwrap_err();
        assert!(
            matches!(&err, VsphereError::ResponseTooLarge { method, limit: l, .. }
                if *l == limit && method == "Login"),
            "{err:?}"
        );
        assert!(err.to_string().contains(&limit.to_string()), "{err}");
    }
}
