//! vCenter `ExtensionManager`: registering the vSphere Client remote plugin.
//!
//! vsphere-ui finds remote plugins through the extension registry: an extension whose client
//! entry has type `vsphere-client-remote` and whose first server entry (`MANIFEST_SERVER`) points
//! at the plugin's `plugin.json`. It downloads the manifest server-side and re-reads it reliably
//! only when the extension's version changes, hence [`Client::ensure_plugin_registered`] updates
//! on a new version and refuses to silently change anything else under the same version.
//!
//! Requests are written in WSDL field order (docs/vsphere-notes.md §4.1); ESXi has no ExtensionManager,
//! so every operation first checks that the target is a vCenter Server.

use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use url::Url;

use super::envelope::Request;
use super::tls::{self, Thumbprint, TlsPolicy};
use super::xml_tree::Node;
use super::{Client, FaultKind, MoRef, VsphereError};

/// The extension key of the vch-deploy plugin: stable across versions, so a newer `vch` updates
/// the registration of an older one instead of adding a second plugin.
pub const PLUGIN_EXTENSION_KEY: &str = "io.vch-deploy.plugin";
/// `ExtensionClientInfo.type` of a vSphere Client remote plugin (7.0+).
pub const REMOTE_PLUGIN_CLIENT_TYPE: &str = "vsphere-client-remote";
/// `ExtensionServerInfo.type` of the server entry that carries the manifest URL.
pub const MANIFEST_SERVER_TYPE: &str = "MANIFEST_SERVER";

/// What went wrong with an extension operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtensionError {
    /// ESXi hosts (and anything else that is not vCenter) have no extension registry.
    #[error(
        "{product} is not a vCenter Server: vSphere Client plugins can only be registered with \
         vCenter Server 7.0 or later"
    )]
    NotVcenter { product: String },

    #[error("no extension {key} is registered")]
    NotRegistered { key: String },

    #[error("an extension {key} is already registered (version {version}); update it instead")]
    AlreadyRegistered { key: String, version: String },

    /// Same version, different manifest URL or thumbprint: vsphere-ui would keep its cached
    /// manifest, so the change would only half happen.
    #[error(
        "{key} {version} is registered with {registered_url}; to point it at {requested_url} \
         give a new version (the vSphere Client re-reads a plugin only when its version changes)"
    )]
    VersionNotBumped {
        key: String,
        version: String,
        registered_url: String,
        requested_url: String,
    },

    #[error("invalid plugin registration: {0}")]
    InvalidSpec(String),

    /// Boxed: `VsphereError` is large and every `Result` here would carry its size.
    #[error(transparent)]
    Vsphere(Box<VsphereError>),
}

impl From<VsphereError> for ExtensionError {
    fn from(err: VsphereError) -> Self {
        ExtensionError::Vsphere(Box::new(err))
    }
}

/// Everything a registration writes. [`ExtensionSpec::remote_plugin`] fills in the defaults.
#[derive(Debug, Clone)]
pub struct ExtensionSpec {
    pub key: String,
    pub version: String,
    pub label: String,
    pub summary: String,
    pub company: String,
    /// The `plugin.json` URL, as vCenter will fetch it.
    pub manifest_url: Url,
    /// The manifest server's certificate thumbprint (SHA-1, colon-separated, as vCenter
    /// expects); required for https URLs.
    pub server_thumbprint: Option<Thumbprint>,
    pub admin_email: String,
    pub shown_in_solution_manager: bool,
}

impl ExtensionSpec {
    /// The vch-deploy plugin at `manifest_url`, with its stable key and descriptions.
    pub fn remote_plugin(
        manifest_url: Url,
        version: impl Into<String>,
        server_thumbprint: Option<Thumbprint>,
    ) -> ExtensionSpec {
        ExtensionSpec {
            key: PLUGIN_EXTENSION_KEY.to_owned(),
            version: version.into(),
            label: "Virtual Container Hosts".to_owned(),
            summary: "Deploy and manage Virtual Container Hosts (vch-deploy)".to_owned(),
            company: "vch-deploy".to_owned(),
            manifest_url,
            server_thumbprint,
            admin_email: "administrator@vsphere.local".to_owned(),
            shown_in_solution_manager: false,
        }
    }

    /// Catches what vCenter would only reject later (or accept and never load).
    pub fn check(&self) -> Result<(), ExtensionError> {
        let invalid = |m: &str| Err(ExtensionError::InvalidSpec(m.to_owned()));
        if self.key.trim().is_empty() {
            return invalid("the extension key is empty");
        }
        if self.version.trim().is_empty() {
            return invalid("the version is empty");
        }
        match self.manifest_url.scheme() {
            "https" if self.server_thumbprint.is_none() => {
                return invalid(
                    "an https manifest URL needs the plugin server's certificate thumbprint",
                );
            }
            "https" | "http" => {}
            other => {
                return Err(ExtensionError::InvalidSpec(format!(
                    "the manifest URL must be https (or http), not {other}"
                )));
            }
        }
        if self.manifest_url.host_str().is_none_or(str::is_empty) {
            return invalid("the manifest URL has no host");
        }
        if !self.manifest_url.username().is_empty() || self.manifest_url.password().is_some() {
            // vCenter stores the URL in clear and shows it to every administrator.
            return invalid("the manifest URL must not contain credentials");
        }
        Ok(())
    }

    /// The thumbprint as vCenter stores it. vsphere-ui compares SHA-1 thumbprints; a SHA-256 one
    /// is sent as given for newer vCenters.
    fn thumbprint_text(&self) -> Option<String> {
        match self.manifest_url.scheme() {
            "https" => self.server_thumbprint.as_ref().map(Thumbprint::to_string),
            _ => None,
        }
    }
}

/// One `ExtensionServerInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtensionServer {
    pub url: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub thumbprint: Option<String>,
}

/// One `ExtensionClientInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtensionClient {
    pub version: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// A registered extension, as `FindExtension` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtensionInfo {
    pub key: String,
    /// Absent in some old registrations.
    pub version: Option<String>,
    pub label: String,
    pub company: Option<String>,
    pub servers: Vec<ExtensionServer>,
    pub clients: Vec<ExtensionClient>,
    pub last_heartbeat_time: Option<String>,
}

impl ExtensionInfo {
    /// The first client entry: what vsphere-ui loads.
    pub fn client(&self) -> Option<&ExtensionClient> {
        self.clients.first()
    }

    /// The manifest server entry (or, for registrations made by older tools, the first server).
    pub fn manifest_server(&self) -> Option<&ExtensionServer> {
        self.servers
            .iter()
            .find(|s| s.kind == MANIFEST_SERVER_TYPE)
            .or_else(|| self.servers.first())
    }

    pub fn is_remote_plugin(&self) -> bool {
        self.client()
            .is_some_and(|c| c.kind == REMOTE_PLUGIN_CLIENT_TYPE)
    }

    fn parse(node: &Node) -> ExtensionInfo {
        let text = |n: &Node, name: &str| n.child_text(name).map(|t| t.trim().to_owned());
        ExtensionInfo {
            key: text(node, "key").unwrap_or_default(),
            version: text(node, "version").filter(|v| !v.is_empty()),
            label: node
                .child("description")
                .and_then(|d| text(d, "label"))
                .unwrap_or_default(),
            company: text(node, "company"),
            servers: node
                .children_named("server")
                .map(|s| ExtensionServer {
                    url: text(s, "url").unwrap_or_default(),
                    kind: text(s, "type").unwrap_or_default(),
                    thumbprint: text(s, "serverThumbprint").filter(|t| !t.is_empty()),
                })
                .collect(),
            clients: node
                .children_named("client")
                .map(|c| ExtensionClient {
                    version: text(c, "version").unwrap_or_default(),
                    kind: text(c, "type").unwrap_or_default(),
                    url: text(c, "url").unwrap_or_default(),
                })
                .collect(),
            last_heartbeat_time: text(node, "lastHeartbeatTime"),
        }
    }
}

/// What [`Client::ensure_plugin_registered`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RegistrationOutcome {
    Registered,
    Updated {
        previous_version: Option<String>,
    },
    /// The same version with the same URL and thumbprint is already registered.
    Unchanged,
}

impl Client {
    /// The extension registered under `key`, or `None`.
    pub async fn find_extension(&self, key: &str) -> Result<Option<ExtensionInfo>, ExtensionError> {
        let manager = self.extension_manager().await?;
        let response = self
            .with_session(|| async {
                let mut request = Request::new("FindExtension", &manager);
                request.text("extensionKey", key);
                self.transport().call(request).await
            })
            .await?;
        Ok(response.child("returnval").map(ExtensionInfo::parse))
    }

    /// `RegisterExtension`: fails with [`ExtensionError::AlreadyRegistered`] when the key is taken.
    pub async fn register_extension(&self, spec: &ExtensionSpec) -> Result<(), ExtensionError> {
        spec.check()?;
        let manager = self.extension_manager().await?;
        let result = self
            .with_session(|| async {
                let mut request = Request::new("RegisterExtension", &manager);
                write_extension(&mut request, spec, &now_rfc3339());
                self.transport().call(request).await
            })
            .await;
        match result {
            Ok(_) => Ok(()),
            // vCenter names no specific fault for a duplicate key (our simulator answers
            // InvalidArgument); ask rather than guess from the fault.
            Err(err) if matches!(err.fault_kind(), Some(FaultKind::InvalidArgument { .. })) => {
                match self.find_extension(&spec.key).await? {
                    Some(existing) => Err(ExtensionError::AlreadyRegistered {
                        key: spec.key.clone(),
                        version: existing.version.unwrap_or_else(|| "unknown".into()),
                    }),
                    None => Err(err.into()),
                }
            }
            Err(err) => Err(err.into()),
        }
    }

    /// `UpdateExtension`: replaces the whole registration of `spec.key`.
    pub async fn update_extension(&self, spec: &ExtensionSpec) -> Result<(), ExtensionError> {
        spec.check()?;
        let manager = self.extension_manager().await?;
        let result = self
            .with_session(|| async {
                let mut request = Request::new("UpdateExtension", &manager);
                write_extension(&mut request, spec, &now_rfc3339());
                self.transport().call(request).await
            })
            .await;
        not_found_as_unregistered(result, &spec.key)
    }

    /// `UnregisterExtension`.
    pub async fn unregister_extension(&self, key: &str) -> Result<(), ExtensionError> {
        let manager = self.extension_manager().await?;
        let result = self
            .with_session(|| async {
                let mut request = Request::new("UnregisterExtension", &manager);
                request.text("extensionKey", key);
                self.transport().call(request).await
            })
            .await;
        not_found_as_unregistered(result, key)
    }

    /// Registers the plugin, or updates it when a different version is registered; an identical
    /// registration is left alone.
    pub async fn ensure_plugin_registered(
        &self,
        spec: &ExtensionSpec,
    ) -> Result<RegistrationOutcome, ExtensionError> {
        spec.check()?;
        let Some(existing) = self.find_extension(&spec.key).await? else {
            self.register_extension(spec).await?;
            return Ok(RegistrationOutcome::Registered);
        };
        if existing.version.as_deref() != Some(spec.version.as_str()) {
            self.update_extension(spec).await?;
            return Ok(RegistrationOutcome::Updated {
                previous_version: existing.version,
            });
        }
        let wanted_url = spec.manifest_url.as_str();
        let same_url = existing.client().is_some_and(|c| c.url == wanted_url)
            && existing
                .manifest_server()
                .is_some_and(|s| s.url == wanted_url);
        let registered_thumbprint = existing
            .manifest_server()
            .and_then(|s| s.thumbprint.as_deref())
            .and_then(|t| t.parse::<Thumbprint>().ok());
        let wanted_thumbprint = spec.thumbprint_text().and(spec.server_thumbprint.clone());
        let same_thumbprint = registered_thumbprint == wanted_thumbprint;
        if same_url && same_thumbprint && existing.is_remote_plugin() {
            return Ok(RegistrationOutcome::Unchanged);
        }
        Err(ExtensionError::VersionNotBumped {
            key: spec.key.clone(),
            version: spec.version.clone(),
            registered_url: existing
                .client()
                .map(|c| c.url.clone())
                .unwrap_or_else(|| "no client URL".into()),
            requested_url: wanted_url.to_owned(),
        })
    }

    /// The ExtensionManager's reference. Not part of the cached service content, so it is read
    /// here, once per call (registration is rare).
    async fn extension_manager(&self) -> Result<MoRef, ExtensionError> {
        let about = self.about();
        if !about.is_vcenter() {
            return Err(ExtensionError::NotVcenter {
                product: if about.full_name.is_empty() {
                    about.api_type.clone()
                } else {
                    about.full_name.clone()
                },
            });
        }
        let response = self
            .transport()
            .call(Request::new(
                "RetrieveServiceContent",
                &MoRef::new("ServiceInstance", "ServiceInstance"),
            ))
            .await?;
        response
            .child("returnval")
            .and_then(|rv| rv.child_moref("extensionManager"))
            .ok_or_else(|| ExtensionError::NotVcenter {
                product: about.full_name.clone(),
            })
    }
}

fn not_found_as_unregistered<T>(
    result: Result<T, VsphereError>,
    key: &str,
) -> Result<(), ExtensionError> {
    match result {
        Ok(_) => Ok(()),
        Err(err) if matches!(err.fault_kind(), Some(FaultKind::NotFound)) => {
            Err(ExtensionError::NotRegistered {
                key: key.to_owned(),
            })
        }
        Err(err) => Err(err.into()),
    }
}

/// `<extension>` in WSDL order: description, key, company, version, server*, client*,
/// lastHeartbeatTime, shownInSolutionManager.
fn write_extension(request: &mut Request, spec: &ExtensionSpec, heartbeat: &str) {
    let url = spec.manifest_url.as_str();
    let description = |request: &mut Request| {
        request
            .open("description")
            .text("label", &spec.label)
            .text("summary", &spec.summary)
            .close("description");
    };
    request.open("extension");
    description(request);
    request
        .text("key", &spec.key)
        .text("company", &spec.company)
        .text("version", &spec.version);

    request.open("server").text("url", url);
    description(request);
    request
        .text("company", &spec.company)
        .text("type", MANIFEST_SERVER_TYPE)
        .text("adminEmail", &spec.admin_email);
    if let Some(thumbprint) = spec.thumbprint_text() {
        request.text("serverThumbprint", &thumbprint);
    }
    request.close("server");

    request.open("client").text("version", &spec.version);
    description(request);
    request
        .text("company", &spec.company)
        .text("type", REMOTE_PLUGIN_CLIENT_TYPE)
        .text("url", url)
        .close("client");

    request
        .text("lastHeartbeatTime", heartbeat)
        .bool("shownInSolutionManager", spec.shown_in_solution_manager)
        .close("extension");
}

/// What the plugin server presented when its manifest was fetched.
#[derive(Debug, Clone)]
pub struct ManifestProbe {
    /// SHA-1 thumbprint of the server certificate (https only).
    pub sha1: Option<Thumbprint>,
    pub sha256: Option<Thumbprint>,
    /// The manifest's `manifestVersion`, proving it is a plugin manifest and not some page.
    pub manifest_version: String,
}

/// Fetches the manifest the way vCenter will, and reads the server's certificate thumbprint.
///
/// With `pinned`, the certificate must match it; without, any certificate is accepted and its
/// thumbprint returned, for the caller to show and register (trust on first use, as the VMware
/// registration tool's `-pt` lookup does).
pub async fn probe_manifest(
    url: &Url,
    pinned: Option<&Thumbprint>,
) -> Result<ManifestProbe, VsphereError> {
    let method = "GET plugin.json";
    let host = url.host_str().unwrap_or_default().to_owned();
    let policy = match pinned {
        Some(thumbprint) => TlsPolicy::Pinned(thumbprint.clone()),
        None => TlsPolicy::Insecure,
    };
    let (config, verifier) = tls::client_config(&policy)?;
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(config)
        .tls_info(true)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| VsphereError::TlsSetup(e.to_string()))?;
    let response = match http.get(url.clone()).send().await {
        Ok(response) => response,
        Err(source) => {
            if let Some(refusal) = verifier.take_refusal() {
                return Err(refusal.into_error(&host));
            }
            return Err(VsphereError::Transport {
                method: method.to_owned(),
                host,
                source: source.without_url(),
            });
        }
    };
    let (sha1, sha256) = match response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
    {
        Some(der) => (
            Some(Thumbprint::sha1_of(der)),
            Some(Thumbprint::sha256_of(der)),
        ),
        None => (None, None),
    };
    if !response.status().is_success() {
        return Err(VsphereError::HttpStatus {
            method: method.to_owned(),
            status: response.status().as_u16(),
        });
    }
    let manifest: serde_json::Value =
        response
            .json()
            .await
            .map_err(|e| VsphereError::MalformedResponse {
                method: method.to_owned(),
                reason: format!("not JSON: {}", e.without_url()),
            })?;
    let manifest_version = manifest
        .get("manifestVersion")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| {
            VsphereError::malformed(method, "no manifestVersion: not a plugin manifest")
        })?
        .to_owned();
    Ok(ManifestProbe {
        sha1,
        sha256,
        manifest_version,
    })
}

// --- Sessions for the plugin's iframe -------------------------------------------------------
//
// Inside the vSphere Client the wizard must not ask for a password: vsphere-ui gives it a
// session token (`htmlClientSdk.app.getSessionInfo`), vCenter turns that into a one-time clone
// ticket (`/api/ui/vcenter/session/clone-ticket`), and `CloneSession` turns the ticket into a
// vim25 session of the same user. These live here, beside the registration, because they only
// exist for the plugin.

/// What vsphere-ui's clone-ticket endpoint answers.
#[derive(serde::Deserialize)]
struct CloneTicketReply {
    session_clone_ticket: String,
}

/// Asks vCenter for a clone ticket of the vSphere Client session `session_token`
/// (`POST https://<vc>/api/ui/vcenter/session/clone-ticket`, header `vmware-api-session-id`,
/// body `{"vc_guid": <vCenter instance UUID>}`).
pub async fn clone_ticket_from_ui_session(
    vcenter: &Url,
    tls_policy: &TlsPolicy,
    session_token: &SecretString,
    vc_guid: &str,
) -> Result<SecretString, VsphereError> {
    let method = "POST /api/ui/vcenter/session/clone-ticket";
    let host = vcenter.host_str().unwrap_or_default().to_owned();
    let mut endpoint = vcenter.clone();
    endpoint.set_path("/api/ui/vcenter/session/clone-ticket");
    endpoint.set_query(None);
    // The session token must never follow a redirect.
    let mut builder = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none());
    let verifier = match endpoint.scheme() {
        "https" | "http" => {
            let (config, verifier) = tls::client_config(tls_policy)?;
            builder = builder.use_preconfigured_tls(config);
            verifier
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
    let response = http
        .post(endpoint)
        .header("vmware-api-session-id", session_token.expose_secret())
        .json(&serde_json::json!({ "vc_guid": vc_guid }))
        .send()
        .await
        .map_err(|source| match verifier.take_refusal() {
            Some(refusal) => refusal.into_error(&host),
            None => VsphereError::Transport {
                method: method.to_owned(),
                host: host.clone(),
                source: source.without_url(),
            },
        })?;
    if !response.status().is_success() {
        return Err(VsphereError::HttpStatus {
            method: method.to_owned(),
            status: response.status().as_u16(),
        });
    }
    let reply: CloneTicketReply =
        response
            .json()
            .await
            .map_err(|e| VsphereError::MalformedResponse {
                method: method.to_owned(),
                reason: format!("no session_clone_ticket: {}", e.without_url()),
            })?;
    Ok(SecretString::from(reply.session_clone_ticket))
}

impl Client {
    /// `SessionManager.AcquireCloneTicket`: a one-time ticket for [`clone_session`].
    pub async fn acquire_clone_ticket(&self) -> Result<SecretString, VsphereError> {
        let manager = self.content().session_manager.clone();
        let response = self
            .with_session(|| async {
                self.transport()
                    .call(Request::new("AcquireCloneTicket", &manager))
                    .await
            })
            .await?;
        response
            .child_text("returnval")
            .filter(|t| !t.is_empty())
            .map(|t| SecretString::from(t.to_owned()))
            .ok_or_else(|| VsphereError::malformed("AcquireCloneTicket", "no ticket"))
    }
}

/// A session from a clone ticket (`SessionManager.CloneSession`): same user, no password.
///
/// `spec.username` and `spec.password` are ignored; the user name comes from the server. Such a
/// session cannot log in again by itself: once it expires, calls fail with `InvalidLogin` and
/// the caller must clone again.
pub async fn clone_session(
    url: &Url,
    tls_policy: &TlsPolicy,
    ticket: &SecretString,
) -> Result<Client, VsphereError> {
    let transport = super::session::Transport::new(url, tls_policy)?;
    let response = transport
        .call(Request::new(
            "RetrieveServiceContent",
            &MoRef::new("ServiceInstance", "ServiceInstance"),
        ))
        .await?;
    let content = super::ServiceContent::parse(&response)?;
    if !content.about.api_version.is_empty() {
        transport.set_api_version(&content.about.api_version);
    }
    let mut request = Request::new("CloneSession", &content.session_manager);
    request.text("cloneTicket", ticket.expose_secret());
    let session = transport.call(request).await?;
    let username = session
        .child("returnval")
        .and_then(|rv| rv.child_text("userName"))
        .unwrap_or_default()
        .to_owned();
    Ok(Client {
        inner: std::sync::Arc::new(super::Inner {
            transport,
            content,
            username,
            // Re-login with an empty password fails cleanly with InvalidLogin.
            password: SecretString::from(String::new()),
            logins: std::sync::atomic::AtomicU64::new(1),
            logged_out: std::sync::atomic::AtomicBool::new(false),
            relogin: tokio::sync::Mutex::new(()),
            marker_key: std::sync::Mutex::new(None),
        }),
    })
}

impl Client {
    /// The user this session belongs to (for cloned sessions: as the server reported it).
    pub fn user_name(&self) -> &str {
        &self.inner.username
    }
}

/// The current UTC time as `xsd:dateTime`, without a date library.
fn now_rfc3339() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339_of(seconds)
}

fn rfc3339_of(unix_seconds: u64) -> String {
    let days = unix_seconds / 86_400;
    let rest = unix_seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vsphere::xml_tree;

    fn spec(url: &str, thumbprint: Option<&str>) -> ExtensionSpec {
        ExtensionSpec::remote_plugin(
            Url::parse(url).unwrap(),
            "1.2.3",
            thumbprint.map(|t| t.parse().unwrap()),
        )
    }

    #[test]
    fn dates_are_xsd_date_times() {
        assert_eq!(rfc3339_of(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_of(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_of(1_795_305_599), "2026-11-21T23:59:59Z");
    }

    #[test]
    fn writes_the_extension_in_wsdl_order() {
        let thumbprint = "9F:F0:DF:BA:7F:E2:89:F0:98:E4:A6:D1:58:24:68:74:8A:9B:25:6F";
        let spec = spec(
            "https://proxy.example:8443/plugin/plugin.json",
            Some(thumbprint),
        );
        let mut request = Request::new(
            "RegisterExtension",
            &MoRef::new("ExtensionManager", "ExtensionManager"),
        );
        write_extension(&mut request, &spec, "2026-11-22T00:00:00Z");
        let xml = request.finish();
        let tree = xml_tree::parse(&xml).unwrap();
        let extension = tree.child("Body").unwrap().children[0]
            .child("extension")
            .unwrap();
        let names = |n: &Node| {
            n.children
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(extension),
            [
                "description",
                "key",
                "company",
                "version",
                "server",
                "client",
                "lastHeartbeatTime",
                "shownInSolutionManager"
            ]
        );
        let server = extension.child("server").unwrap();
        assert_eq!(
            names(server),
            [
                "url",
                "description",
                "company",
                "type",
                "adminEmail",
                "serverThumbprint"
            ]
        );
        assert_eq!(server.child_text("serverThumbprint"), Some(thumbprint));
        assert_eq!(server.child_text("type"), Some("MANIFEST_SERVER"));
        let client = extension.child("client").unwrap();
        assert_eq!(
            names(client),
            ["version", "description", "company", "type", "url"]
        );
        assert_eq!(client.child_text("type"), Some("vsphere-client-remote"));
        assert_eq!(
            client.child_text("url"),
            Some("https://proxy.example:8443/plugin/plugin.json")
        );
    }

    #[test]
    fn http_manifests_carry_no_thumbprint_and_https_needs_one() {
        let plain = spec("http://proxy.example/plugin/plugin.json", None);
        assert!(plain.check().is_ok());
        assert_eq!(plain.thumbprint_text(), None);
        assert!(matches!(
            spec("https://proxy.example/plugin/plugin.json", None).check(),
            Err(ExtensionError::InvalidSpec(_))
        ));
        assert!(matches!(
            spec(
                "https://u:p@proxy.example/plugin/plugin.json",
                Some(&"ab".repeat(20))
            )
            .check(),
            Err(ExtensionError::InvalidSpec(_))
        ));
        assert!(
            spec("ftp://proxy.example/plugin.json", None)
                .check()
                .is_err()
        );
    }
}
