//! Inventory-aware rules, run only when the caller has an [`InventorySnapshot`]; documented in
//! `docs/validation-rules-inventory.md`.
//!
//! The datacenter is resolved first and everything else is skipped without one: every other object
//! is looked up inside it, so reporting them as missing would only repeat T7/T8. The compute
//! resource comes next; rules that need its hosts (S12–S14, NV13, F*) are skipped when it does not
//! resolve, while existence checks still run against the whole datacenter.
//!
//! Rules here must stay pure functions of the config and the snapshot, so the browser can run them
//! against a cached snapshot and get the same answer as the proxy.

mod compute;
mod datacenter;
mod datastores;
mod existing_vchs;
mod firewall;
mod networks;
mod opaque;
mod session;
mod shared_volume_stores;
mod suggestions;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use crate::config::VchConfig;
use crate::finding::Finding;
use crate::inventory::{
    ComputeResource, Datacenter, HostList, InventorySnapshot, ResourcePool, TargetKind,
};

/// Runs every inventory-aware rule.
pub fn check(config: &VchConfig, snapshot: &InventorySnapshot, out: &mut Vec<Finding>) {
    session::check(config, snapshot, out);
    let Some(dc) = datacenter::check(config, snapshot, out) else {
        return;
    };
    let kind = snapshot.target.as_ref().map(|t| t.kind);
    let compute = compute::check(config, kind, dc, out);
    let scope = Scope::new(kind, dc, compute);
    // Defaults (client → public, management → client, bridge → name) as the deploy applies them.
    let resolved = config.resolved();
    let image = datastores::check(config, &scope, out);
    networks::check(config, &resolved, &scope, out);
    opaque::check(&resolved, &scope, out);
    firewall::check(config, &resolved, &scope, image, out);
    existing_vchs::check(&resolved, &scope, out);
    shared_volume_stores::check(&resolved, &scope, out);
}

/// Where the VCH would go, as far as the config and the snapshot tell.
pub(super) struct Scope<'a> {
    /// `None` for hand-built snapshots: rules that differ between vCenter and ESXi are skipped.
    kind: Option<TargetKind>,
    dc: &'a Datacenter,
    compute: Option<Placement<'a>>,
    /// The compute resource's hosts, for membership tests.
    placement_hosts: Option<HashSet<&'a str>>,
    /// Whether a host list (by identity: port groups of one switch share theirs) reaches one of
    /// those hosts, worked out once per list and validation.
    reaches: RefCell<HashMap<usize, bool>>,
}

impl<'a> Scope<'a> {
    fn new(kind: Option<TargetKind>, dc: &'a Datacenter, compute: Option<Placement<'a>>) -> Self {
        let placement_hosts = compute
            .as_ref()
            .map(|p| p.resource.hosts.iter().map(String::as_str).collect());
        Scope {
            kind,
            dc,
            compute,
            placement_hosts,
            reaches: RefCell::default(),
        }
    }

    /// Whether an object seen by `hosts` is visible from the compute resource (always, when it
    /// is unresolved).
    fn sees(&self, hosts: &HostList) -> bool {
        let Some(mine) = &self.placement_hosts else {
            return true;
        };
        *self
            .reaches
            .borrow_mut()
            .entry(hosts.identity())
            .or_insert_with(|| hosts.iter().any(|h| mine.contains(h.as_str())))
    }

    /// A suggestion list memoised for this snapshot under `code` and `inputs` (plus where the
    /// VCH goes), computed by `rank` the first time.
    fn suggestions(
        &self,
        code: &str,
        inputs: &[&str],
        rank: impl FnOnce() -> Vec<String>,
    ) -> Vec<String> {
        let placement = self
            .compute
            .as_ref()
            .map_or("", |p| p.resource.path.as_str());
        let mut key = format!("{code}\u{1f}{:?}\u{1f}{placement}", self.kind);
        for input in inputs {
            key.push('\u{1f}');
            key.push_str(input);
        }
        self.dc.lookups().suggestions(key, rank)
    }

    fn is_vcenter(&self) -> bool {
        self.kind == Some(TargetKind::VCenter)
    }

    fn is_esxi(&self) -> bool {
        self.kind == Some(TargetKind::Esxi)
    }

    /// Paths of the hosts the VCH may run on; `None` when the compute resource is unresolved.
    fn hosts(&self) -> Option<&[String]> {
        self.compute.as_ref().map(|p| p.resource.hosts.as_slice())
    }
}

/// A resolved `--compute-resource`.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub resource: &'a ComputeResource,
    /// The pool the VCH's own pool would be created in (the root pool for a cluster or host).
    pub pool: Option<&'a ResourcePool>,
    /// Inventory path of the object the text matched, for ambiguity suggestions.
    pub matched: &'a str,
}

/// Where `--compute-resource` places a VCH in `dc`, resolved exactly as the C1–C3 rules resolve
/// it, so what validates is what the deployer uses. The error holds those rules' findings.
pub fn resolve_compute<'a>(
    config: &VchConfig,
    dc: &'a Datacenter,
) -> Result<Placement<'a>, Vec<Finding>> {
    let mut findings = Vec::new();
    compute::resolve(config, dc, &mut findings).ok_or(findings)
}

/// Host names for messages: vSphere shows names, and paths repeat the cluster on every line.
fn host_names(dc: &Datacenter, paths: &[&str]) -> String {
    paths
        .iter()
        .map(|p| {
            let name = dc.host(p).map_or(*p, |h| h.name.as_str());
            format!("\"{name}\"")
        })
        .collect::<Vec<_>>()
        .join(", ")
}
