//! What every page shares: the vSphere session, the inventory snapshot cached once per session,
//! and which page is shown.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::inventory::InventorySnapshot;

use crate::api::{self, FetchError, SessionInfo};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// Waiting for `GET ./api/session` to say whether a session exists.
    Starting,
    Connect,
    Home,
    NewVch,
    /// Following a job; the title is known when this page started it, else read from the job.
    Job {
        id: String,
        title: Option<String>,
    },
    /// One deployed VCH, by its appliance VM id.
    Vch {
        id: String,
    },
    /// The wizard opened on a deployed VCH's configuration.
    Configure {
        id: String,
    },
}

impl Page {
    /// The stand-alone page's address for this page (`#/jobs/<id>`), so a reload or a bookmark
    /// comes back to it. Pages that need no session have none.
    pub fn hash(&self) -> Option<String> {
        let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
        match self {
            Self::Starting | Self::Connect => None,
            Self::Home => Some("#/".into()),
            Self::NewVch => Some("#/new".into()),
            Self::Job { id, .. } => Some(format!("#/jobs/{}", enc(id))),
            Self::Vch { id } => Some(format!("#/vch/{}", enc(id))),
            Self::Configure { id } => Some(format!("#/vch/{}/configure", enc(id))),
        }
    }

    /// The page a `#/…` address names; `None` for anything else (in-page links such as
    /// `#f-general-name` are not routes).
    pub fn from_hash(hash: &str) -> Option<Self> {
        let path = hash.strip_prefix('#')?.strip_prefix('/')?;
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let dec = |s: &str| {
            js_sys::decode_uri_component(s)
                .ok()
                .and_then(|v| v.as_string())
                .filter(|v| !v.is_empty())
        };
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            [""] => Some(Self::Home),
            ["new"] => Some(Self::NewVch),
            ["jobs", id] => Some(Self::Job {
                id: dec(id)?,
                title: None,
            }),
            ["vch", id] => Some(Self::Vch { id: dec(id)? }),
            ["vch", id, "configure"] => Some(Self::Configure { id: dec(id)? }),
            _ => None,
        }
    }
}

/// The inventory as the pickers and the inventory-aware rules see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Inventory {
    NotLoaded,
    Loading,
    Loaded(Arc<InventorySnapshot>),
    Failed(FetchError),
}

impl Inventory {
    pub fn snapshot(&self) -> Option<Arc<InventorySnapshot>> {
        match self {
            Self::Loaded(s) => Some(Arc::clone(s)),
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
pub struct AppContext {
    pub session: RwSignal<Option<SessionInfo>>,
    pub inventory: RwSignal<Inventory>,
    pub page: RwSignal<Page>,
    /// `(session target, SHA-1 thumbprint)` of the certificate the person confirmed at connect, for
    /// `--thumbprint` in generated command lines (what vic-machine takes).
    pub thumbprint: RwSignal<Option<(String, String)>>,
    /// The page the address asked for at start-up, shown once the session is known.
    pub wanted: RwSignal<Option<Page>>,
    /// The new VCH's draft, with its operations password, until a create succeeds: a create the
    /// server refuses goes back to the wizard with every entry intact.
    pub draft: RwSignal<Option<shared::VchConfig>>,
    /// Why the server refused the last create, shown when the wizard comes back.
    pub refused: RwSignal<Option<String>>,
}

impl AppContext {
    pub fn new() -> Self {
        Self {
            session: RwSignal::new(None),
            inventory: RwSignal::new(Inventory::NotLoaded),
            page: RwSignal::new(Page::Starting),
            thumbprint: RwSignal::new(crate::draft::confirmed_thumbprint()),
            wanted: RwSignal::new(None),
            draft: RwSignal::new(None),
            refused: RwSignal::new(None),
        }
    }

    /// Reads the snapshot once; the wizard then validates against this copy on every keystroke.
    pub fn load_inventory(self, refresh: bool) {
        self.inventory.set(Inventory::Loading);
        spawn_local(async move {
            let loaded = match api::inventory(refresh).await {
                Ok(snapshot) => Inventory::Loaded(Arc::new(snapshot)),
                Err(e) => Inventory::Failed(e),
            };
            self.inventory.set(loaded);
        });
    }

    /// Re-reads the snapshot from vSphere (after a change such as opening the firewall) while
    /// the old one stays in use, so the pickers don't flicker; a failure keeps the old one.
    pub async fn reload_inventory(self) -> Result<(), FetchError> {
        let snapshot = api::inventory(true).await?;
        self.inventory.set(Inventory::Loaded(Arc::new(snapshot)));
        Ok(())
    }

    pub fn connected(self, session: SessionInfo) {
        self.session.set(Some(session));
        let page = self.wanted.try_update(Option::take).flatten();
        self.page.set(page.unwrap_or(Page::Home));
        self.load_inventory(false);
    }

    pub fn disconnected(self) {
        self.session.set(None);
        self.inventory.set(Inventory::NotLoaded);
        self.page.set(Page::Connect);
    }
}

impl Default for AppContext {
    fn default() -> Self {
        Self::new()
    }
}
