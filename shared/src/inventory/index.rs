//! Lookups over one datacenter of a snapshot, built the first time a rule or picker needs them
//! and kept beside the snapshot, so a keystroke's validation costs lookups rather than scans.
//!
//! The index also memoises suggestion lists: ranking thousands of port groups by closeness is the
//! one costly step of a validation, and its inputs (what was typed, where the VCH goes) rarely
//! change between keystrokes on other fields.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use super::Datacenter;

/// Suggestion lists kept per datacenter before the memo starts over (bounds its memory).
const MAX_MEMOISED: usize = 256;

/// The lazily built index of a [`Datacenter`]. Not serialised; a clone starts empty.
#[derive(Default)]
pub struct DcIndex {
    built: Mutex<Option<Arc<Built>>>,
}

impl DcIndex {
    /// Forgets the index, for code that changes a datacenter after it was first read. Changes
    /// that alter how many objects there are are noticed without it.
    pub fn reset(&self) {
        *self.built.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    pub(super) fn get(&self, dc: &Datacenter) -> Arc<Built> {
        let mut slot = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        let fingerprint = fingerprint(dc);
        match slot.as_ref() {
            Some(built) if built.fingerprint == fingerprint => built.clone(),
            _ => {
                let built = Arc::new(Built::new(dc, fingerprint));
                *slot = Some(built.clone());
                built
            }
        }
    }
}

impl Clone for DcIndex {
    fn clone(&self) -> DcIndex {
        DcIndex::default()
    }
}

impl PartialEq for DcIndex {
    /// An index is derived data: two datacenters are equal whatever their indexes hold.
    fn eq(&self, _: &DcIndex) -> bool {
        true
    }
}

impl fmt::Debug for DcIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DcIndex")
    }
}

fn fingerprint(dc: &Datacenter) -> [usize; 5] {
    [
        dc.hosts.len(),
        dc.compute_resources.len(),
        dc.networks.len(),
        dc.datastores.len(),
        dc.vchs.len(),
    ]
}

/// Positions (into the datacenter's lists) by name and by path.
pub(crate) struct Built {
    fingerprint: [usize; 5],
    networks: HashMap<String, Vec<u32>>,
    datastores: HashMap<String, Vec<u32>>,
    hosts: HashMap<String, u32>,
    compute: HashMap<String, u32>,
    suggestions: Mutex<HashMap<String, Vec<String>>>,
}

fn position(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Name and path both lead to the object, in list order.
fn by_name_and_path<'a>(
    items: impl Iterator<Item = (&'a str, &'a str)>,
) -> HashMap<String, Vec<u32>> {
    let mut keys: HashMap<String, Vec<u32>> = HashMap::new();
    for (i, (name, path)) in items.enumerate() {
        let i = position(i);
        for key in [name, path] {
            let list = keys.entry(key.to_owned()).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    keys
}

impl Built {
    fn new(dc: &Datacenter, fingerprint: [usize; 5]) -> Built {
        let networks = by_name_and_path(
            dc.networks
                .iter()
                .map(|n| (n.name.as_str(), n.path.as_str())),
        );
        let datastores = by_name_and_path(
            dc.datastores
                .iter()
                .map(|d| (d.name.as_str(), d.path.as_str())),
        );
        let positions = |paths: &mut dyn Iterator<Item = &String>| -> HashMap<String, u32> {
            let mut map = HashMap::new();
            for (i, p) in paths.enumerate() {
                map.entry(p.clone()).or_insert(position(i));
            }
            map
        };
        Built {
            fingerprint,
            networks,
            datastores,
            hosts: positions(&mut dc.hosts.iter().map(|h| &h.path)),
            compute: positions(&mut dc.compute_resources.iter().map(|c| &c.path)),
            suggestions: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn networks(&self, name_or_path: &str) -> &[u32] {
        self.networks.get(name_or_path).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn datastores(&self, name_or_path: &str) -> &[u32] {
        self.datastores.get(name_or_path).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn host(&self, path: &str) -> Option<usize> {
        self.hosts.get(path).map(|&i| i as usize)
    }

    pub(crate) fn compute_resource(&self, path: &str) -> Option<usize> {
        self.compute.get(path).map(|&i| i as usize)
    }

    /// The suggestion list stored under `key`, computed by `rank` the first time. `key` must name
    /// every input of `rank` besides this datacenter.
    pub(crate) fn suggestions(
        &self,
        key: String,
        rank: impl FnOnce() -> Vec<String>,
    ) -> Vec<String> {
        let memo = || {
            self.suggestions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        let found = memo().get(&key).cloned();
        if let Some(found) = found {
            return found;
        }
        // Ranked without the lock held: `rank` may itself read this datacenter's index.
        let ranked = rank();
        let mut stored = memo();
        if stored.len() >= MAX_MEMOISED {
            stored.clear();
        }
        stored.insert(key, ranked.clone());
        ranked
    }
}
