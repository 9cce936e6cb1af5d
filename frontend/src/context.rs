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
    /// Following a create or delete job.
    Job {
        id: String,
        title: String,
    },
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
}

impl AppContext {
    pub fn new() -> Self {
        Self {
            session: RwSignal::new(None),
            inventory: RwSignal::new(Inventory::NotLoaded),
            page: RwSignal::new(Page::Starting),
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
        self.page.set(Page::Home);
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
