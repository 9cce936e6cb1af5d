//! Serialisable snapshot of a vSphere inventory, read by the proxy and cached by the browser so that
//! inventory-aware rules run locally.
//!
//! The proxy fills it from a handful of property-collector calls (`proxy::vsphere::inventory`);
//! nothing here does I/O. Everything is keyed by **inventory path** (`/DC0/host/DC0_C0`), the form
//! users type and vic-machine prints; `id`s are the opaque managed-object ids, kept for the deploy
//! step and for de-duplication, never for display. Names inside paths are as vSphere stores them
//! (a `/` in a name is already escaped as `%2f`). Lists are sorted by path so two reads of the same
//! inventory serialise identically.
//!
//! Size: the document grows with the number of objects, not with hosts × port groups. Host lists
//! are shared ([`HostList`]) and written once per datacenter (`wire.rs`); host firewalls keep only
//! the rulesets that can open the VCH's port. Lookups go through a per-datacenter index built on
//! first use (`index.rs`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

mod host_list;
pub(crate) mod index;
mod wire;

pub use host_list::HostList;
pub use index::DcIndex;
pub use wire::Schema;

/// The port ESXi connects out to on the VCH's management interface (the F rules).
pub const VCH_PORT: u32 = 2377;

/// Layout version of the serialised snapshot (`schema`). 2: shared host lists.
pub const SCHEMA_VERSION: u32 = 2;

/// Everything the inventory-aware rules need to know about a target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InventorySnapshot {
    /// Always [`SCHEMA_VERSION`]; reading another version fails with a clear message.
    pub schema: Schema,
    /// What the target is. `None` only in snapshots built by hand (tests, fixtures).
    #[serde(default)]
    pub target: Option<TargetInfo>,
    #[serde(default)]
    pub datacenters: Vec<Datacenter>,
}

/// The endpoint's own description (`ServiceContent.about`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    pub kind: TargetKind,
    /// `about.apiVersion`, e.g. `6.5`.
    pub api_version: String,
    /// `about.fullName`, e.g. `VMware vCenter Server 6.5.0 build-5973321`.
    pub full_name: String,
    /// The session has no password to pass on (a clone of the vSphere Client's session): the VCH
    /// then needs an operations user (T20).
    #[serde(default)]
    pub session_without_password: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TargetKind {
    /// `about.apiType = VirtualCenter`.
    #[serde(rename = "vcenter")]
    VCenter,
    /// `about.apiType = HostAgent`: a host managed directly.
    #[serde(rename = "esxi")]
    Esxi,
}

/// One datacenter and everything below it. Serialised through `wire.rs` (shared host lists).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(from = "wire::DatacenterIn")]
pub struct Datacenter {
    pub name: String,
    /// `/DC0`, or `/Folder/DC0` when the datacenter sits in a folder.
    pub path: String,
    pub id: String,
    /// Clusters and standalone hosts (`host` folder children, recursively).
    #[serde(default)]
    pub compute_resources: Vec<ComputeResource>,
    /// Every host of the datacenter, in clusters or standalone.
    #[serde(default)]
    pub hosts: Vec<Host>,
    /// Port groups a VCH can use. Uplink port groups of distributed switches are left out.
    #[serde(default)]
    pub networks: Vec<Network>,
    #[serde(default)]
    pub datastores: Vec<Datastore>,
    /// Existing Virtual Container Hosts (by vic-machine or by us).
    #[serde(default)]
    pub vchs: Vec<Vch>,
    /// Lookups built on first use; see [`DcIndex::reset`] for changing a datacenter after that.
    #[serde(skip)]
    pub index: DcIndex,
}

/// A cluster or a standalone host's compute resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComputeResource {
    pub name: String,
    /// `/DC0/host/DC0_C0`.
    pub path: String,
    pub id: String,
    pub kind: ComputeKind,
    /// DRS on? `None` for standalone hosts (no DRS) and when the cluster config was unreadable.
    pub drs_enabled: Option<bool>,
    /// Paths of the member hosts.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Every resource pool and vApp under this compute resource, the root pool (`Resources`) first.
    #[serde(default)]
    pub resource_pools: Vec<ResourcePool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComputeKind {
    Cluster,
    StandaloneHost,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourcePool {
    pub name: String,
    /// `/DC0/host/DC0_C0/Resources/DC0_C0_RP1`.
    pub path: String,
    pub id: String,
    /// A vApp rather than a plain resource pool.
    #[serde(default)]
    pub is_vapp: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Host {
    pub name: String,
    /// `/DC0/host/DC0_C0/DC0_C0_H0`, or `/DC0/host/DC0_H0/DC0_H0` for a standalone host.
    pub path: String,
    pub id: String,
    /// Path of the cluster or standalone compute resource it belongs to.
    pub compute_resource: String,
    /// `runtime.connectionState`: `connected`, `disconnected`, `notResponding`.
    pub connection_state: String,
    #[serde(default)]
    pub in_maintenance_mode: bool,
    /// `None` when the host's firewall could not be read (rule F7).
    pub firewall: Option<HostFirewall>,
}

/// A host's firewall (`HostFirewallSystem.firewallInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostFirewall {
    /// Whether the firewall filters at all. vim25 has no such flag; it is derived from the default
    /// policy (blocking either direction by default means the firewall is on), which is what a
    /// disabled ESXi firewall (`esxcli network firewall set --enabled false`) changes.
    pub enabled: bool,
    pub incoming_blocked: bool,
    pub outgoing_blocked: bool,
    /// The rulesets with a rule that can open the VCH's port (outbound 2377/tcp), with only
    /// those rules: the rest never changes a finding, and a host has dozens.
    #[serde(default)]
    pub rulesets: Vec<FirewallRuleset>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirewallRuleset {
    /// `vSPC`, `vic-engine`, `sshServer`, ...
    pub key: String,
    #[serde(default)]
    pub label: String,
    pub enabled: bool,
    #[serde(default)]
    pub rules: Vec<FirewallRule>,
    pub allowed_hosts: AllowedHosts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirewallRule {
    pub port: u32,
    /// Last port of a range (`port..=end_port`); `None` for a single port.
    pub end_port: Option<u32>,
    pub direction: Direction,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// Whether `port` is the source or the destination port; `None` when the host does not say.
    pub port_type: Option<PortType>,
}

impl FirewallRule {
    /// Whether the rule lets the host connect out to `port`/tcp (a rule on the source port does
    /// not). Snapshots keep only the rules for which this holds for the VCH's port.
    pub fn allows_outbound_tcp(&self, port: u32) -> bool {
        self.direction == Direction::Outbound
            && self.protocol.eq_ignore_ascii_case("tcp")
            && self.port_type != Some(PortType::Src)
            && self.covers_port(port)
    }

    /// Whether the rule covers `port` (inclusive range when `end_port` is set).
    pub fn covers_port(&self, port: u32) -> bool {
        match self.end_port {
            Some(end) if end >= self.port => (self.port..=end).contains(&port),
            _ => self.port == port,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortType {
    Src,
    Dst,
}

/// Which remote addresses a ruleset lets through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedHosts {
    /// Every address (the lists below are then irrelevant).
    pub all_ip: bool,
    /// Single addresses as the host reports them (IPv4 or IPv6 text).
    #[serde(default)]
    pub ip_addresses: Vec<String>,
    #[serde(default)]
    pub ip_networks: Vec<IpNetwork>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpNetwork {
    /// Network address text, e.g. `10.0.0.0`.
    pub network: String,
    pub prefix_length: u8,
}

/// A network a VCH interface can attach to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    pub name: String,
    /// `/DC0/network/DC0_DVPG0`, or deeper when the network sits in a folder.
    pub path: String,
    pub id: String,
    pub kind: NetworkKind,
    /// For distributed port groups: the switch, which a NIC backing needs.
    pub switch: Option<DistributedSwitch>,
    /// For distributed port groups: the port group key (a NIC backing's `portgroupKey`).
    pub portgroup_key: Option<String>,
    /// Paths of the hosts that see this network (for a distributed port group: the switch's
    /// member hosts). Serialised by the datacenter (`network_hosts`).
    #[serde(skip)]
    pub hosts: HostList,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    /// A standard vSwitch port group (`Network`).
    Standard,
    /// `DistributedVirtualPortgroup` (uplink port groups are never listed).
    DistributedPortGroup,
    /// `OpaqueNetwork` (NSX).
    Opaque,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributedSwitch {
    pub name: String,
    pub uuid: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Datastore {
    pub name: String,
    /// `/DC0/datastore/LocalDS_0`.
    pub path: String,
    pub id: String,
    /// `VMFS`, `NFS`, `vsan`, ... (`OTHER` in the simulator).
    pub kind: String,
    pub capacity_bytes: u64,
    pub free_bytes: u64,
    pub accessible: bool,
    /// `normal`, `enteringMaintenance`, `inMaintenance`; `None` when not reported.
    pub maintenance_mode: Option<String>,
    /// Paths of the hosts that mount it. Serialised by the datacenter (`datastore_hosts`).
    #[serde(skip)]
    pub hosts: HostList,
}

/// An existing Virtual Container Host, recognised from its appliance VM's extraConfig the way
/// vic-machine does (`guestinfo.vice./init/common/id` names the VM itself, or `CreatingVCH`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vch {
    /// The VCH name (`init/common/name`), else the VM name.
    pub name: String,
    /// The appliance VM's name.
    pub vm_name: String,
    /// The appliance VM's id (`vm-75`).
    pub id: String,
    /// Path of the resource pool or vApp the appliance runs in.
    pub resource_pool: Option<String>,
    /// `<Version>-<BuildNumber>-<GitCommit>` as `vic-machine ls` shows it, if recorded.
    pub version: Option<String>,
    /// `poweredOn`, `poweredOff`, `suspended`.
    pub power_state: Option<String>,
    /// `true` while a create is in progress or died half-way (`common/id` = `CreatingVCH`).
    #[serde(default)]
    pub creating: bool,
    /// Names of the port groups it uses (its NICs and its configured container networks), sorted.
    #[serde(default)]
    pub networks: Vec<String>,
    /// A create that died before its appliance VM existed: the pool and folder it left, found by
    /// their `vch-deploy.vch` marker (docs/crash-safety.md); `vm_name` is then empty and `id` is
    /// the first of these. Empty for a VCH that has its VM.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leftovers: Vec<VchPart>,
    /// Datastore paths of its `ds://` volume stores (`[ds] path`), sorted.
    #[serde(default)]
    pub volume_stores: Vec<String>,
}

/// A pool or folder a create made before it died (see [`Vch::leftovers`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VchPart {
    /// `ResourcePool`, `VirtualApp` or `Folder`.
    pub kind: String,
    pub id: String,
    /// Inventory path (`/DC0/vm/vch1`).
    pub path: String,
}

impl InventorySnapshot {
    /// The datacenter with this name or path (`DC0`, `/DC0`, `/Folder/DC0`).
    pub fn datacenter(&self, name_or_path: &str) -> Option<&Datacenter> {
        self.datacenters
            .iter()
            .find(|dc| dc.path == name_or_path || dc.name == name_or_path)
            .or_else(|| {
                let with_slash = format!("/{}", name_or_path.trim_start_matches('/'));
                self.datacenters.iter().find(|dc| dc.path == with_slash)
            })
    }

    pub fn is_vcenter(&self) -> bool {
        self.target
            .as_ref()
            .is_some_and(|t| t.kind == TargetKind::VCenter)
    }
}

impl Datacenter {
    pub(crate) fn lookups(&self) -> Arc<index::Built> {
        self.index.get(self)
    }

    /// Networks whose name or path is `name_or_path` (several when names repeat across folders
    /// or switches), in snapshot order.
    pub fn networks_named(&self, name_or_path: &str) -> impl Iterator<Item = &Network> + '_ {
        let found: Vec<&Network> = self
            .lookups()
            .networks(name_or_path)
            .iter()
            .filter_map(|&i| self.networks.get(i as usize))
            .collect();
        found.into_iter()
    }

    pub fn datastores_named(&self, name_or_path: &str) -> impl Iterator<Item = &Datastore> + '_ {
        let found: Vec<&Datastore> = self
            .lookups()
            .datastores(name_or_path)
            .iter()
            .filter_map(|&i| self.datastores.get(i as usize))
            .collect();
        found.into_iter()
    }

    pub fn host(&self, path: &str) -> Option<&Host> {
        self.lookups().host(path).and_then(|i| self.hosts.get(i))
    }

    /// The cluster or standalone host's compute resource at `path`.
    pub fn compute_resource(&self, path: &str) -> Option<&ComputeResource> {
        self.lookups()
            .compute_resource(path)
            .and_then(|i| self.compute_resources.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_are_inclusive() {
        let rule = FirewallRule {
            port: 0,
            end_port: Some(65535),
            direction: Direction::Outbound,
            protocol: "tcp".into(),
            port_type: Some(PortType::Dst),
        };
        assert!(rule.covers_port(2377));
        let single = FirewallRule {
            port: 2377,
            end_port: None,
            ..rule
        };
        assert!(single.covers_port(2377));
        assert!(!single.covers_port(2376));
    }

    #[test]
    fn round_trips_through_json() {
        let snapshot = InventorySnapshot {
            schema: Schema,
            target: Some(TargetInfo {
                kind: TargetKind::VCenter,
                api_version: "6.5".into(),
                full_name: "VMware vCenter Server 6.5.0".into(),
                session_without_password: false,
            }),
            datacenters: vec![Datacenter {
                name: "DC0".into(),
                path: "/DC0".into(),
                id: "datacenter-2".into(),
                ..Datacenter::default()
            }],
        };
        let json = serde_json::to_string(&snapshot).unwrap();
        assert!(json.contains("\"kind\":\"vcenter\""), "{json}");
        let back: InventorySnapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, snapshot);
        assert!(back.is_vcenter());
        assert_eq!(back.datacenter("DC0").unwrap().id, "datacenter-2");
        assert_eq!(back.datacenter("/DC0").unwrap().id, "datacenter-2");
    }
}
