//! Datastore files: `FileManager.MakeDirectory` / `DeleteDatastoreFile_Task`, and uploads over the
//! datastore HTTP endpoint (`PUT /folder/<path>?dcPath=&dsName=`).
//!
//! Uploads stream the file from disk in fixed-size chunks with an explicit `Content-Length` (real
//! hosts refuse chunked uploads), so memory stays constant whatever the ISO size. They use their own
//! HTTP client and their own short session: the SOAP transport's client has a whole-request timeout
//! sized for SOAP calls, and a multi-gigabyte upload must not share it.

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HeaderValue, SET_COOKIE};
use secrecy::ExposeSecret;
use url::Url;

use super::envelope::{self, Request};
use super::fault::FaultKind;
use super::task::wait_for_task;
use super::{Client, MoRef, TargetSpec, VsphereError, tls};

const SESSION_COOKIE: &str = "vmware_soap_session";
/// Reads of this size keep memory flat and syscalls few.
const CHUNK: usize = 256 * 1024;
const DELETE_TIMEOUT: Duration = Duration::from_secs(300);
/// Attempts per file; the original retries uploads too (D4), a flaky link is common.
const UPLOAD_ATTEMPTS: u32 = 3;

/// `ServiceContent.fileManager`, read once per operation batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileManager(pub MoRef);

/// Why an upload failed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("uploading {file} to the datastore failed: {reason}")]
    Http { file: String, reason: String },
    #[error(transparent)]
    Vsphere(#[from] VsphereError),
}

/// Called with the number of bytes sent so far.
pub type UploadProgress = Arc<dyn Fn(u64) + Send + Sync>;

impl Client {
    /// Reads `ServiceContent.fileManager` (not kept by the session: one more round trip).
    pub async fn file_manager(&self) -> Result<FileManager, VsphereError> {
        self.with_session(|| async {
            let response = self
                .transport()
                .call(Request::new(
                    "RetrieveServiceContent",
                    &MoRef::new("ServiceInstance", "ServiceInstance"),
                ))
                .await?;
            response
                .child("returnval")
                .and_then(|rv| rv.child_moref("fileManager"))
                .map(FileManager)
                .ok_or_else(|| VsphereError::malformed("RetrieveServiceContent", "no fileManager"))
        })
        .await
    }

    /// `MakeDirectory("[ds] path")`, creating missing parents. Returns whether the directory is new
    /// (an existing one is fine, and must not be removed by a rollback).
    pub async fn make_directory(
        &self,
        file_manager: &FileManager,
        datastore_path: &str,
        datacenter: &MoRef,
    ) -> Result<bool, VsphereError> {
        // Without createParentDirectories an existing directory is reported (FileAlreadyExists);
        // with it, vcsim and vCenter succeed silently and we could not tell.
        match self
            .mkdir(file_manager, datastore_path, datacenter, false)
            .await
        {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.fault_kind(), Some(FaultKind::FileAlreadyExists)) => Ok(false),
            Err(e) if matches!(e.fault_kind(), Some(FaultKind::FileNotFound)) => self
                .mkdir(file_manager, datastore_path, datacenter, true)
                .await
                .map(|()| true),
            Err(e) => Err(e),
        }
    }

    async fn mkdir(
        &self,
        file_manager: &FileManager,
        datastore_path: &str,
        datacenter: &MoRef,
        parents: bool,
    ) -> Result<(), VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("MakeDirectory", &file_manager.0);
            request
                .text("name", datastore_path)
                .moref("datacenter", datacenter)
                .bool("createParentDirectories", parents);
            self.transport().call(request).await.map(|_| ())
        })
        .await
    }

    /// `DeleteDatastoreFile_Task` on a file or a whole directory. Returns `false` when there was
    /// nothing to delete.
    pub async fn delete_datastore_file(
        &self,
        file_manager: &FileManager,
        datastore_path: &str,
        datacenter: &MoRef,
    ) -> Result<bool, VsphereError> {
        let task = self
            .with_session(|| async {
                let mut request = Request::new("DeleteDatastoreFile_Task", &file_manager.0);
                request
                    .text("name", datastore_path)
                    .moref("datacenter", datacenter);
                let response = self.transport().call(request).await?;
                response.child_moref("returnval").ok_or_else(|| {
                    VsphereError::malformed("DeleteDatastoreFile_Task", "no task returned")
                })
            })
            .await;
        let outcome = match task {
            Ok(task) => wait_for_task(self, &task, DELETE_TIMEOUT).await.map(|_| ()),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.fault_kind(), Some(FaultKind::FileNotFound)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Opens a session for datastore uploads (see [`Uploader`]). `target` must be the spec this
    /// client connected with: its URL and TLS policy are reused. A session with a password logs
    /// in again; one without (the plugin's clone) hands over a clone ticket of itself, so the
    /// upload never tries an empty password.
    pub async fn uploader(&self, target: &TargetSpec) -> Result<Uploader, VsphereError> {
        let http = upload_http_client(target)?;
        let request = if self.has_password() {
            let mut request = Request::new("Login", &self.content().session_manager);
            request
                .text("userName", &self.inner.username)
                .text("password", self.inner.password.expose_secret());
            request
        } else {
            let ticket = self.acquire_clone_ticket().await?;
            let mut request = Request::new("CloneSession", &self.content().session_manager);
            request.text("cloneTicket", ticket.expose_secret());
            request
        };
        let method = request.method();
        let (cookie, _) = soap_call(&http, &target.url, None, request).await?;
        let cookie = cookie
            .ok_or_else(|| VsphereError::malformed(method, "the server sent no session cookie"))?;
        Ok(Uploader {
            http,
            endpoint: target.url.clone(),
            cookie,
            session_manager: self.content().session_manager.clone(),
        })
    }
}

fn upload_http_client(target: &TargetSpec) -> Result<reqwest::Client, VsphereError> {
    let (config, _) = tls::client_config(&target.tls)?;
    reqwest::Client::builder()
        .use_preconfigured_tls(config)
        .connect_timeout(Duration::from_secs(20))
        // No whole-request timeout: a large ISO takes as long as it takes; a stalled peer is
        // caught by the read timeout instead.
        .read_timeout(Duration::from_secs(300))
        // Never re-send the login or the cookie to where a redirect points.
        .redirect(reqwest::redirect::Policy::none())
        .http1_only()
        .user_agent(concat!("vch-deploy/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| VsphereError::TlsSetup(e.to_string()))
}

/// One SOAP call on the upload session; returns the session cookie if the server set one.
async fn soap_call(
    http: &reqwest::Client,
    endpoint: &Url,
    cookie: Option<&str>,
    request: Request,
) -> Result<(Option<String>, ()), VsphereError> {
    let method = request.method();
    request.check()?;
    let host = endpoint.host_str().unwrap_or_default().to_owned();
    let mut builder = http
        .post(endpoint.clone())
        .header(CONTENT_TYPE, "text/xml; charset=utf-8")
        .header("SOAPAction", "\"urn:vim25/6.5\"");
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(c).ok()) {
        builder = builder.header(COOKIE, value);
    }
    let transport = |source: reqwest::Error| VsphereError::Transport {
        method: method.to_owned(),
        host: host.clone(),
        source: source.without_url(),
    };
    let response = builder
        .body(request.finish())
        .send()
        .await
        .map_err(transport)?;
    if response.status().is_redirection() {
        return Err(super::session::redirect_error(
            method,
            response.status(),
            response.headers(),
        ));
    }
    let new_cookie = session_cookie(response.headers().get_all(SET_COOKIE).iter());
    let body = response.text().await.map_err(transport)?;
    envelope::parse_response(method, &body)?;
    Ok((new_cookie, ()))
}

fn session_cookie<'a>(headers: impl Iterator<Item = &'a HeaderValue>) -> Option<String> {
    headers
        .filter_map(|h| h.to_str().ok())
        .map(|h| h.split(';').next().unwrap_or_default().trim())
        .find(|pair| {
            pair.split_once('=')
                .is_some_and(|(name, _)| name.trim() == SESSION_COOKIE)
        })
        .map(str::to_owned)
}

/// A logged-in session for datastore HTTP transfers. Call [`Uploader::close`] when done.
pub struct Uploader {
    http: reqwest::Client,
    endpoint: Url,
    cookie: String,
    session_manager: MoRef,
}

impl std::fmt::Debug for Uploader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uploader")
            .field("endpoint", &self.endpoint.as_str())
            .finish_non_exhaustive()
    }
}

impl Uploader {
    /// The `/folder/...` URL of `path` (relative to the datastore root) on `datastore`.
    pub fn file_url(&self, datacenter_path: &str, datastore: &str, path: &str) -> Url {
        let mut url = self.endpoint.clone();
        url.set_path("/");
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.clear().push("folder");
            for segment in path.split('/').filter(|s| !s.is_empty()) {
                segments.push(segment);
            }
        }
        url.query_pairs_mut()
            .clear()
            .append_pair("dcPath", datacenter_path.trim_start_matches('/'))
            .append_pair("dsName", datastore);
        url
    }

    /// Streams a local file to `path` on `datastore`, retrying transient failures.
    pub async fn upload_file(
        &self,
        local: &std::path::Path,
        datacenter_path: &str,
        datastore: &str,
        path: &str,
        progress: Option<UploadProgress>,
    ) -> Result<u64, UploadError> {
        let url = self.file_url(datacenter_path, datastore, path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.put_once(local, &url, path, progress.clone()).await {
                Ok(size) => return Ok(size),
                Err(UploadError::Http { file, reason }) if attempt < UPLOAD_ATTEMPTS => {
                    tracing::warn!(file, reason, attempt, "datastore upload failed; retrying");
                    tokio::time::sleep(Duration::from_secs(u64::from(attempt))).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn put_once(
        &self,
        local: &std::path::Path,
        url: &Url,
        path: &str,
        progress: Option<UploadProgress>,
    ) -> Result<u64, UploadError> {
        let read_error = |source| UploadError::Read {
            path: local.display().to_string(),
            source,
        };
        let file = tokio::fs::File::open(local).await.map_err(read_error)?;
        let size = file.metadata().await.map_err(read_error)?.len();
        let mut sent = 0u64;
        let stream =
            tokio_util::io::ReaderStream::with_capacity(file, CHUNK).inspect_ok(move |chunk| {
                sent += chunk.len() as u64;
                if let Some(progress) = &progress {
                    progress(sent);
                }
            });
        let mut request = self
            .http
            .put(url.clone())
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(CONTENT_LENGTH, size)
            .body(reqwest::Body::wrap_stream(stream));
        if let Ok(cookie) = HeaderValue::from_str(&self.cookie) {
            request = request.header(COOKIE, cookie);
        }
        let http_error = |reason: String| UploadError::Http {
            file: path.to_owned(),
            reason,
        };
        let response = request
            .send()
            .await
            .map_err(|e| http_error(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            Ok(size)
        } else {
            Err(http_error(format!("the server answered HTTP {status}")))
        }
    }

    /// Reads `path` on `datastore`: at most the last `limit` bytes (a log's tail), so memory
    /// stays bounded whatever the file's size. `None` when the file does not exist.
    pub async fn download_tail(
        &self,
        datacenter_path: &str,
        datastore: &str,
        path: &str,
        limit: usize,
    ) -> Result<Option<Vec<u8>>, UploadError> {
        let url = self.file_url(datacenter_path, datastore, path);
        let http_error = |reason: String| UploadError::Http {
            file: path.to_owned(),
            reason,
        };
        let mut request = self.http.get(url);
        if let Ok(cookie) = HeaderValue::from_str(&self.cookie) {
            request = request.header(COOKIE, cookie);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| http_error(e.without_url().to_string()))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(http_error(format!("the server answered HTTP {status}")));
        }
        let mut tail = std::collections::VecDeque::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| http_error(e.without_url().to_string()))?
        {
            tail.extend(chunk.iter().copied());
            let excess = tail.len().saturating_sub(limit);
            tail.drain(..excess);
        }
        Ok(Some(tail.into()))
    }

    /// Ends the upload session.
    pub async fn close(self) {
        let request = Request::new("Logout", &self.session_manager);
        if let Err(e) = soap_call(&self.http, &self.endpoint, Some(&self.cookie), request).await {
            tracing::debug!(error = %e, "logging out the upload session");
        }
    }
}
