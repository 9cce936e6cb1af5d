//! vim25 SOAP client: the only code in the workspace that talks to vCenter/ESXi.
//!
//! Plain reqwest + rustls + quick-xml, no generated SDK. A [`Client`] is a logged-in session,
//! cheap to clone; every operation re-logs in once, transparently, when the session expired.
//!
//! Layout: [`envelope`] builds requests and unwraps responses, [`xml_tree`] parses them,
//! [`fault`] types the faults, [`tls`] decides whom to trust, [`session`] carries the cookie and
//! counts round trips, [`property_collector`] reads properties, [`inventory`] turns them into the
//! shared [`shared::inventory::InventorySnapshot`], [`firewall`] opens or closes the VCH port,
//! [`task`] waits for tasks.

pub mod authorization;
pub mod cluster;
pub mod custom_fields;
pub mod datastore;
pub mod disks;
pub mod entity;
mod envelope;
mod error;
pub mod extension;
mod fault;
pub mod firewall;
pub mod folder;
pub mod guest;
pub mod host_network;
pub mod inventory;
mod property_collector;
pub mod resource_pool;
mod session;
pub mod snapshot;
pub mod task;
pub mod tls;
pub mod vm;
pub mod vm_lifecycle;
mod wait;
mod xml_tree;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use secrecy::{ExposeSecret, SecretString};
use url::Url;

pub use envelope::first_non_xml_char;
pub use error::VsphereError;
pub use fault::{Fault, FaultKind};
pub use tls::{InvalidThumbprint, Thumbprint, TlsPolicy};

use envelope::Request;
use property_collector::{Objects, PropertySpec};
use session::Transport;
pub use session::TransportLimits;

/// A managed object reference. The value is opaque text: vcsim uses slashes, spaces and `@`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MoRef {
    /// The managed object type (`HostSystem`, `Datastore`, ...).
    pub kind: String,
    pub value: String,
}

impl MoRef {
    pub fn new(kind: impl Into<String>, value: impl Into<String>) -> MoRef {
        MoRef {
            kind: kind.into(),
            value: value.into(),
        }
    }
}

/// `Type:value`, the form VIC stores in extraConfig (`VirtualMachine:vm-75`).
impl fmt::Display for MoRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.value)
    }
}

/// Where to connect and as whom. `Debug` never shows the password.
#[derive(Clone)]
pub struct TargetSpec {
    /// The SDK endpoint (`https://vc.example.com/sdk`), without credentials.
    pub url: Url,
    pub username: String,
    pub password: SecretString,
    pub tls: TlsPolicy,
}

impl fmt::Debug for TargetSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TargetSpec")
            .field("url", &self.url.as_str())
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("tls", &self.tls)
            .finish()
    }
}

impl TargetSpec {
    /// A target from a vic-machine style `--target`: `host`, `host:port`, `https://host`,
    /// `https://host/sdk`, optionally with `user:password@` (taken out of the URL; explicit
    /// `username`/`password` win) and a datacenter path (dropped here: the SDK endpoint is `/sdk`).
    pub fn parse(
        target: &str,
        username: Option<&str>,
        password: Option<SecretString>,
        tls: TlsPolicy,
    ) -> Result<TargetSpec, VsphereError> {
        let with_scheme = if target.contains("://") {
            target.to_owned()
        } else {
            format!("https://{target}")
        };
        let mut url = Url::parse(&with_scheme)
            .map_err(|e| VsphereError::InvalidTarget(format!("not a URL: {e}")))?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(VsphereError::InvalidTarget("no host name".into()));
        }
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let url_user = (!url.username().is_empty()).then(|| decode(url.username()));
        let url_password = url.password().map(decode);
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.set_path("/sdk");
        url.set_query(None);
        url.set_fragment(None);
        let username = username
            .map(str::to_owned)
            .or(url_user)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| VsphereError::InvalidTarget("no user name".into()))?;
        let password = password
            .or(url_password.map(SecretString::from))
            .ok_or_else(|| VsphereError::InvalidTarget("no password".into()))?;
        Ok(TargetSpec {
            url,
            username,
            password,
            tls,
        })
    }

    /// The target for a simulator we started: its generated certificate is trusted as a root
    /// (no verification is skipped); the built-in test certificate, which rustls cannot verify
    /// at all, needs [`TlsPolicy::Insecure`].
    pub fn from_simulator(sim: &crate::simulator::Simulator) -> Self {
        let tls = match sim.cert_pem() {
            Some(pem) => TlsPolicy::ExtraRootsPem(pem.to_owned()),
            None if sim.url().scheme() == "https" => TlsPolicy::Insecure,
            None => TlsPolicy::SystemRoots,
        };
        TargetSpec {
            url: sim.url().clone(),
            username: sim.username().to_owned(),
            password: SecretString::from(sim.password().to_owned()),
            tls,
        }
    }
}

/// What the endpoint says about itself (`ServiceContent.about`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct About {
    /// `VirtualCenter` or `HostAgent`.
    pub api_type: String,
    pub api_version: String,
    pub full_name: String,
    pub instance_uuid: Option<String>,
}

impl About {
    pub fn is_vcenter(&self) -> bool {
        self.api_type == "VirtualCenter"
    }
}

/// The managers we use, always taken from `RetrieveServiceContent` (their moids differ between
/// vCenter and ESXi).
#[derive(Debug, Clone)]
pub(crate) struct ServiceContent {
    pub root_folder: MoRef,
    pub property_collector: MoRef,
    pub view_manager: MoRef,
    pub session_manager: MoRef,
    pub search_index: Option<MoRef>,
    /// Absent on a standalone ESXi host (custom attributes are a vCenter feature).
    pub custom_fields_manager: Option<MoRef>,
    pub about: About,
}

impl ServiceContent {
    fn parse(node: &xml_tree::Node) -> Result<ServiceContent, VsphereError> {
        let method = "RetrieveServiceContent";
        let rv = node
            .child("returnval")
            .ok_or_else(|| VsphereError::malformed(method, "no returnval"))?;
        let moref = |name: &str| {
            rv.child_moref(name)
                .ok_or_else(|| VsphereError::malformed(method, format!("no {name}")))
        };
        let about = rv
            .child("about")
            .ok_or_else(|| VsphereError::malformed(method, "no about"))?;
        let text = |name: &str| about.child_text(name).unwrap_or_default().to_owned();
        Ok(ServiceContent {
            root_folder: moref("rootFolder")?,
            property_collector: moref("propertyCollector")?,
            view_manager: moref("viewManager")?,
            session_manager: moref("sessionManager")?,
            search_index: rv.child_moref("searchIndex"),
            custom_fields_manager: rv.child_moref("customFieldsManager"),
            about: About {
                api_type: text("apiType"),
                api_version: text("apiVersion"),
                full_name: text("fullName"),
                instance_uuid: about.child_text("instanceUuid").map(str::to_owned),
            },
        })
    }
}

struct Inner {
    transport: Transport,
    content: ServiceContent,
    username: String,
    password: SecretString,
    logins: AtomicU64,
    logged_out: AtomicBool,
    /// Serialises re-logins so concurrent callers that all saw an expired session log in once.
    relogin: tokio::sync::Mutex<()>,
    /// The key of the create marker's custom attribute, once known (`custom_fields.rs`).
    marker_key: std::sync::Mutex<Option<i32>>,
}

/// A logged-in vim25 session. Cheap to clone; clones share the session.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("host", &self.inner.transport.host())
            .field("username", &self.inner.username)
            .field("about", &self.inner.content.about)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// `RetrieveServiceContent` + `Login`: two round trips.
    pub async fn connect(spec: &TargetSpec) -> Result<Client, VsphereError> {
        let transport = Transport::new(&spec.url, &spec.tls)?;
        let response = transport
            .call(Request::new(
                "RetrieveServiceContent",
                &MoRef::new("ServiceInstance", "ServiceInstance"),
            ))
            .await?;
        let content = ServiceContent::parse(&response)?;
        if !content.about.api_version.is_empty() {
            transport.set_api_version(&content.about.api_version);
        }
        let client = Client {
            inner: Arc::new(Inner {
                transport,
                content,
                username: spec.username.clone(),
                password: spec.password.clone(),
                logins: AtomicU64::new(0),
                logged_out: AtomicBool::new(false),
                relogin: tokio::sync::Mutex::new(()),
                marker_key: std::sync::Mutex::new(None),
            }),
        };
        client.login().await?;
        Ok(client)
    }

    async fn login(&self) -> Result<(), VsphereError> {
        let inner = &self.inner;
        // A stale cookie would make vcsim answer InvalidLogin ("already logged in").
        inner.transport.clear_cookie();
        let mut request = Request::new("Login", &inner.content.session_manager);
        request
            .text("userName", &inner.username)
            .text("password", inner.password.expose_secret());
        inner.transport.call(request).await?;
        inner.logins.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Ends the session. Later calls fail with [`VsphereError::LoggedOut`].
    pub async fn logout(&self) -> Result<(), VsphereError> {
        if self.inner.logged_out.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let result = self
            .inner
            .transport
            .call(Request::new("Logout", &self.inner.content.session_manager))
            .await;
        self.inner.transport.clear_cookie();
        result.map(|_| ())
    }

    /// What the endpoint is (vCenter or ESXi, API version).
    pub fn about(&self) -> &About {
        &self.inner.content.about
    }

    /// SOAP round trips made so far by this session (all clones), including login.
    pub fn round_trips(&self) -> u64 {
        self.inner.transport.round_trips()
    }

    /// The SHA-1 thumbprint of the vSphere certificate this session verified, as vic-machine
    /// stores it for the appliance (`AA:BB:…`); `None` over plain http.
    pub fn server_thumbprint(&self) -> Option<Thumbprint> {
        self.inner.transport.server_thumbprint()
    }

    /// Whether this session can pass its credentials on (a cloned session has no password).
    pub fn has_password(&self) -> bool {
        !self.inner.password.expose_secret().is_empty()
    }

    /// Successful logins so far: 1 after `connect`, more after transparent re-logins.
    pub fn logins(&self) -> u64 {
        self.inner.logins.load(Ordering::Relaxed)
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    pub(crate) fn content(&self) -> &ServiceContent {
        &self.inner.content
    }

    /// Runs `op`; if the session turned out to have expired, logs in again and runs it once more.
    pub(crate) async fn with_session<T, F, Fut>(&self, op: F) -> Result<T, VsphereError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, VsphereError>>,
    {
        if self.inner.logged_out.load(Ordering::SeqCst) {
            return Err(VsphereError::LoggedOut);
        }
        let logins_before = self.logins();
        match op().await {
            Err(e) if e.is_not_authenticated() => {
                {
                    let _guard = self.inner.relogin.lock().await;
                    // Someone else may have logged in again while we waited.
                    if self.logins() == logins_before {
                        tracing::info!(target = %self.inner.transport.host(), "session expired; logging in again");
                        self.login().await?;
                    }
                }
                op().await
            }
            other => other,
        }
    }

    /// Ends the session on the server but keeps using its cookie, as if it had expired: lets
    /// tests check the transparent re-login against a simulator whose sessions never expire.
    #[doc(hidden)]
    pub async fn expire_session_for_tests(&self) -> Result<(), VsphereError> {
        self.inner
            .transport
            .call(Request::new("Logout", &self.inner.content.session_manager))
            .await
            .map(|_| ())
    }

    /// Datacenter names, via a container view: three round trips.
    pub async fn datacenters(&self) -> Result<Vec<String>, VsphereError> {
        self.with_session(|| async {
            let transport = self.transport();
            let content = self.content();
            let view = property_collector::create_container_view(
                transport,
                content,
                &content.root_folder,
                &["Datacenter"],
            )
            .await?;
            let objects = property_collector::retrieve(
                transport,
                content,
                &[PropertySpec {
                    kind: "Datacenter",
                    paths: &["name"],
                }],
                Objects::View(&view),
            )
            .await;
            let destroyed = property_collector::destroy_view(transport, &view).await;
            let mut names: Vec<String> = objects?
                .iter()
                .filter_map(|o| o.text("name").map(str::to_owned))
                .collect();
            destroyed?;
            names.sort();
            Ok(names)
        })
        .await
    }
}
