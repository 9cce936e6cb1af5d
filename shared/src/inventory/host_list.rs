//! Which hosts see a network or mount a datastore, held so that the snapshot grows with the
//! number of objects rather than with hosts × port groups.
//!
//! In memory a [`HostList`] is a shared, immutable list of host paths: every port group of one
//! distributed switch points at the same list. On the wire a datacenter writes each distinct list
//! once (`host_sets`) and each network and datastore names its list by position
//! (`network_hosts`, `datastore_hosts`); see [`super::Datacenter`]'s serde.

use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Sorted, de-duplicated host paths; cheap to clone (shared).
#[derive(Clone, Default)]
pub struct HostList(Arc<[String]>);

impl HostList {
    /// A list from paths in any order, sorted and de-duplicated as the snapshot keeps them.
    pub fn new(mut paths: Vec<String>) -> HostList {
        paths.sort();
        paths.dedup();
        HostList(paths.into())
    }

    /// Identity of the shared list: lists built once and shared compare equal here, which lets a
    /// rule work out "does the compute resource see this list" once per list, not per object.
    pub fn identity(&self) -> usize {
        Arc::as_ptr(&self.0).cast::<u8>() as usize
    }

    pub fn includes(&self, path: &str) -> bool {
        self.0.binary_search_by(|p| p.as_str().cmp(path)).is_ok()
    }
}

impl Deref for HostList {
    type Target = [String];
    fn deref(&self) -> &[String] {
        &self.0
    }
}

impl From<Vec<String>> for HostList {
    fn from(paths: Vec<String>) -> HostList {
        HostList::new(paths)
    }
}

impl fmt::Debug for HostList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl PartialEq for HostList {
    fn eq(&self, other: &HostList) -> bool {
        self.0 == other.0
    }
}

impl Eq for HostList {}

impl PartialEq<Vec<String>> for HostList {
    fn eq(&self, other: &Vec<String>) -> bool {
        *self.0 == **other
    }
}

impl<const N: usize> PartialEq<[String; N]> for HostList {
    fn eq(&self, other: &[String; N]) -> bool {
        *self.0 == *other
    }
}

impl<const N: usize> PartialEq<[&str; N]> for HostList {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.0.len() == N && self.0.iter().zip(other).all(|(a, b)| a == b)
    }
}

/// Gives equal lists one shared copy, and (for the wire form) one table position.
#[derive(Default)]
pub struct Interner {
    positions: HashMap<Arc<[String]>, u32>,
    pub(super) table: Vec<HostList>,
}

impl Interner {
    /// The shared copy of `list` and its position in the table.
    pub fn intern(&mut self, list: &[String]) -> (HostList, u32) {
        if let Some(&at) = self.positions.get(list) {
            return (self.table[at as usize].clone(), at);
        }
        let shared: Arc<[String]> = list.into();
        let at = u32::try_from(self.table.len()).unwrap_or(u32::MAX);
        self.positions.insert(shared.clone(), at);
        self.table.push(HostList(shared));
        (self.table[at as usize].clone(), at)
    }
}
