//! The JSON form of a datacenter: each distinct host list once (`host_sets`), and per network
//! and per datastore the position of its list (`network_hosts`, `datastore_hosts`, in list
//! order). Without it every port group would repeat every host of its switch.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::host_list::{HostList, Interner};
use super::{ComputeResource, Datacenter, Datastore, Host, Network, SCHEMA_VERSION, Vch};

#[derive(Serialize)]
struct DatacenterOut<'a> {
    name: &'a str,
    path: &'a str,
    id: &'a str,
    compute_resources: &'a [ComputeResource],
    hosts: &'a [Host],
    networks: &'a [Network],
    datastores: &'a [Datastore],
    vchs: &'a [Vch],
    host_sets: Vec<&'a [String]>,
    network_hosts: Vec<u32>,
    datastore_hosts: Vec<u32>,
}

#[derive(Deserialize)]
pub(super) struct DatacenterIn {
    name: String,
    path: String,
    id: String,
    #[serde(default)]
    compute_resources: Vec<ComputeResource>,
    #[serde(default)]
    hosts: Vec<Host>,
    #[serde(default)]
    networks: Vec<Network>,
    #[serde(default)]
    datastores: Vec<Datastore>,
    #[serde(default)]
    vchs: Vec<Vch>,
    #[serde(default)]
    host_sets: Vec<Vec<String>>,
    #[serde(default)]
    network_hosts: Vec<u32>,
    #[serde(default)]
    datastore_hosts: Vec<u32>,
}

impl Serialize for Datacenter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Shared lists are recognised by identity first, so equal lists are hashed once.
        let mut by_identity: HashMap<usize, u32> = HashMap::new();
        let mut interner = Interner::default();
        let mut position = |list: &HostList| {
            *by_identity
                .entry(list.identity())
                .or_insert_with(|| interner.intern(list).1)
        };
        let network_hosts: Vec<u32> = self.networks.iter().map(|n| position(&n.hosts)).collect();
        let datastore_hosts: Vec<u32> =
            self.datastores.iter().map(|d| position(&d.hosts)).collect();
        DatacenterOut {
            name: &self.name,
            path: &self.path,
            id: &self.id,
            compute_resources: &self.compute_resources,
            hosts: &self.hosts,
            networks: &self.networks,
            datastores: &self.datastores,
            vchs: &self.vchs,
            host_sets: interner.table.iter().map(|l| &l[..]).collect(),
            network_hosts,
            datastore_hosts,
        }
        .serialize(serializer)
    }
}

impl From<DatacenterIn> for Datacenter {
    fn from(wire: DatacenterIn) -> Datacenter {
        let sets: Vec<HostList> = wire.host_sets.into_iter().map(HostList::new).collect();
        // A position past the table (a hand-edited document) reads as "no host".
        let list = |at: Option<&u32>| {
            at.and_then(|&i| sets.get(i as usize))
                .cloned()
                .unwrap_or_default()
        };
        let mut networks = wire.networks;
        for (i, n) in networks.iter_mut().enumerate() {
            n.hosts = list(wire.network_hosts.get(i));
        }
        let mut datastores = wire.datastores;
        for (i, d) in datastores.iter_mut().enumerate() {
            d.hosts = list(wire.datastore_hosts.get(i));
        }
        Datacenter {
            name: wire.name,
            path: wire.path,
            id: wire.id,
            compute_resources: wire.compute_resources,
            hosts: wire.hosts,
            networks,
            datastores,
            vchs: wire.vchs,
            index: Default::default(),
        }
    }
}

/// The snapshot layout version; a document of another version is refused rather than misread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Schema;

impl Serialize for Schema {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(SCHEMA_VERSION)
    }
}

impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Schema, D::Error> {
        let version = u32::deserialize(deserializer)?;
        if version == SCHEMA_VERSION {
            Ok(Schema)
        } else {
            Err(serde::de::Error::custom(format!(
                "inventory snapshot schema {version}, but this build reads schema {SCHEMA_VERSION}; read the inventory again"
            )))
        }
    }
}
