//! `configure`: changes a running VCH (the configure sequence, docs/original-sequences.md §3),
//! including what the original refused: the public, client and management networks, and container networks
//! removed as well as added.
//!
//! The configuration is read back from the VM, the request merged into it, and the result
//! validated with the same rules as a create (the VCH's own name is not a clash). Only then:
//! new volume store directories, a snapshot, power off, one `ReconfigVM_Task` (NICs added,
//! rebound or removed at the slots the new tree assigns; CPU/memory; the re-encoded extraConfig
//! with vanished keys blanked), power on. Any failure after the snapshot reverts to it, checks
//! the VM really is as before (the simulator's revert does not restore the configuration) and
//! writes the old state back if not, powers the VM on again, and removes what this run made.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use shared::VchConfig;
use shared::extraconfig::{
    self, DeploymentFacts, MoRef as ExtraMoRef, Phase, Secrets, VirtualContainerHostConfigSpec,
};
use tokio_util::sync::CancellationToken;

use crate::vsphere::resource_pool::{Allocation, ResourceSpec};
use crate::vsphere::snapshot::{DeviceReconfig, NicChange};
use crate::vsphere::vm::{NicBacking, NicSpec, VmInfo};
use crate::vsphere::{Client, MoRef, TargetSpec, VsphereError};

use super::create::{seal, with_target_server};
use super::journal::Journal;
use super::plan::{self, Plan};
use super::progress::{EventKind, ObjectKind, ObjectRef, Progress, Step};
use super::vch::{self, Selector};
use super::{DeployError, StepError};

/// Findings that name the VCH itself: its own name and its own VM folder are no clash.
const OWN_NAME_FINDINGS: &[&str] = &["G12", "G14"];

/// How to run a configure.
#[derive(Debug, Clone)]
pub struct ConfigureOptions {
    /// The connection's target: fills the target server and user when the request leaves them out.
    pub target: TargetSpec,
}

/// What a configure changed.
#[derive(Debug, Clone, Serialize)]
pub struct ConfiguredVch {
    pub id: String,
    pub name: String,
    /// One line per change, for people.
    pub changes: Vec<String>,
    /// The `vic-machine create` line of the configuration now in place (no secrets).
    pub command_line: String,
    pub warnings: Vec<String>,
    /// SOAP round trips of this run (uploads not counted).
    pub round_trips: u64,
    /// New certificates (`--tls-cname`/`--organization`): the CA and client certificate to
    /// hand to Docker clients. Never serialised.
    #[serde(skip)]
    pub tls: Option<super::certs::TlsMaterial>,
}

/// Why a merge was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--{option} cannot be changed by configure ({why}); nothing was changed")]
pub struct Unchangeable {
    pub option: &'static str,
    pub why: String,
}

fn differs(requested: Option<&String>, current: Option<&String>) -> bool {
    requested.is_some_and(|r| Some(r) != current)
}

fn set<T: Clone>(target: &mut Option<T>, requested: &Option<T>) {
    if requested.is_some() {
        target.clone_from(requested);
    }
}

/// Label of a `--volume-store` value (`ds/path:label`; no label means `default`).
fn volume_label(store: &str) -> &str {
    match store.rsplit_once(':') {
        // `ds://` and `nfs://` have a colon before the path, never a label there.
        Some((_, label)) if !label.contains('/') && !label.is_empty() => label,
        _ => "default",
    }
}

/// The request merged into the current configuration. Everything the original's configure
/// accepts is overwritten when given; public/client/management networks per field; container
/// networks, DNS servers and registry lists are replaced when given (so networks can be removed);
/// volume stores are added. The name, bridge network, image store and placement are refused.
pub fn merge(current: &VchConfig, request: &VchConfig) -> Result<VchConfig, Unchangeable> {
    let resolved = current.resolved();
    let refuse = |option: &'static str, why: &str| Unchangeable {
        option,
        why: why.to_owned(),
    };
    if differs(
        request.general.name.as_ref(),
        resolved.general.name.as_ref(),
    ) {
        return Err(refuse("name", "select the VCH with --name or --id"));
    }
    let bridge = &request.network.bridge;
    if differs(
        bridge.port_group.as_ref(),
        resolved.network.bridge.port_group.as_ref(),
    ) || differs(
        bridge.ip_range.as_ref(),
        resolved.network.bridge.ip_range.as_ref(),
    ) || differs(
        bridge.width.as_ref(),
        resolved.network.bridge.width.as_ref(),
    ) {
        return Err(refuse(
            "bridge-network",
            "containers' addresses depend on it; create a new VCH",
        ));
    }
    if differs(
        request.storage.image_store.as_ref(),
        resolved.storage.image_store.as_ref(),
    ) {
        return Err(refuse("image-store", "the images live there"));
    }
    if differs(
        request.target.compute_resource.as_ref(),
        resolved.target.compute_resource.as_ref(),
    ) {
        return Err(refuse(
            "compute-resource",
            "moving a VCH is not a configure",
        ));
    }

    let mut merged = current.clone();
    let (m, r) = (&mut merged, request);
    set(&mut m.target.thumbprint, &r.target.thumbprint);

    set(
        &mut m.general.container_name_convention,
        &r.general.container_name_convention,
    );
    set(&mut m.general.debug, &r.general.debug);
    set(&mut m.general.syslog_address, &r.general.syslog_address);

    let (mc, rc) = (&mut m.compute, &r.compute);
    set(&mut mc.cpu_limit, &rc.cpu_limit);
    set(&mut mc.cpu_reservation, &rc.cpu_reservation);
    set(&mut mc.cpu_shares, &rc.cpu_shares);
    set(&mut mc.memory_limit, &rc.memory_limit);
    set(&mut mc.memory_reservation, &rc.memory_reservation);
    set(&mut mc.memory_shares, &rc.memory_shares);
    set(&mut mc.endpoint_cpu, &rc.endpoint_cpu);
    set(&mut mc.endpoint_memory, &rc.endpoint_memory);
    mc.affinity_vm_group |= rc.affinity_vm_group;

    set(&mut m.storage.base_image_size, &r.storage.base_image_size);
    set(&mut m.storage.storage_quota, &r.storage.storage_quota);
    set(&mut m.storage.containers, &r.storage.containers);
    let labels: BTreeSet<String> = m
        .storage
        .volume_stores
        .iter()
        .map(|s| volume_label(s).to_owned())
        .collect();
    for store in &r.storage.volume_stores {
        // An existing label keeps its location: volume stores are add-only.
        if !labels.contains(volume_label(store)) {
            m.storage.volume_stores.push(store.clone());
        }
    }

    let (mn, rn) = (&mut m.network, &r.network);
    for (mine, theirs) in [
        (&mut mn.public, &rn.public),
        (&mut mn.client, &rn.client),
        (&mut mn.management, &rn.management),
    ] {
        if theirs.port_group.is_some() && theirs.port_group != mine.port_group {
            // A new port group is a new segment: the old address and gateway do not carry over.
            mine.ip = None;
            mine.gateway = None;
        }
        set(&mut mine.port_group, &theirs.port_group);
        set(&mut mine.ip, &theirs.ip);
        set(&mut mine.gateway, &theirs.gateway);
    }
    if !rn.dns_servers.is_empty() {
        mn.dns_servers.clone_from(&rn.dns_servers);
    }
    if !rn.container_networks.is_empty() {
        // The request lists the networks to have; one it repeats keeps the settings it leaves out.
        let previous = std::mem::take(&mut mn.container_networks);
        for wanted in &rn.container_networks {
            let mut network = wanted.clone();
            if let Some(old) = previous
                .iter()
                .find(|o| o.port_group == wanted.port_group && o.alias == wanted.alias)
            {
                set(
                    &mut network.gateway,
                    &old.gateway.clone().filter(|_| wanted.gateway.is_none()),
                );
                if network.ip_ranges.is_empty() {
                    network.ip_ranges.clone_from(&old.ip_ranges);
                }
                if network.dns.is_empty() {
                    network.dns.clone_from(&old.dns);
                }
                set(
                    &mut network.firewall,
                    &old.firewall.clone().filter(|_| wanted.firewall.is_none()),
                );
            }
            mn.container_networks.push(network);
        }
    }
    mn.asymmetric_routes |= rn.asymmetric_routes;
    set(&mut mn.proxy.http_proxy, &rn.proxy.http_proxy);
    set(&mut mn.proxy.https_proxy, &rn.proxy.https_proxy);
    set(&mut mn.proxy.no_proxy, &rn.proxy.no_proxy);

    super::configure_scope::merge_security(&mut m.security, &r.security);

    if !r.registry.registry_ca.is_empty() {
        m.registry.registry_ca.clone_from(&r.registry.registry_ca);
    }
    if !r.registry.insecure_registries.is_empty() {
        m.registry
            .insecure_registries
            .clone_from(&r.registry.insecure_registries);
    }
    if !r.registry.whitelist_registries.is_empty() {
        m.registry
            .whitelist_registries
            .clone_from(&r.registry.whitelist_registries);
    }

    set(&mut m.operations.ops_user, &r.operations.ops_user);
    set(&mut m.operations.ops_password, &r.operations.ops_password);
    m.operations.ops_grant_perms |= r.operations.ops_grant_perms;
    Ok(merged)
}

/// The NIC changes that turn `have` into `want` (slot → backing).
fn nic_changes(
    have: &[crate::vsphere::vm::NicInfo],
    want: &BTreeMap<u32, NicBacking>,
) -> Vec<NicChange> {
    let mut changes = Vec::new();
    let by_slot: BTreeMap<u32, &crate::vsphere::vm::NicInfo> =
        have.iter().filter_map(|n| Some((n.pci_slot?, n))).collect();
    for (slot, backing) in want {
        let nic = NicSpec {
            backing: backing.clone(),
            pci_slot: *slot,
        };
        match by_slot.get(slot) {
            Some(existing) if existing.backing.as_ref() == Some(backing) => {}
            Some(existing) => changes.push(NicChange::Rebind {
                key: existing.key,
                nic,
            }),
            None => changes.push(NicChange::Add(nic)),
        }
    }
    for (slot, existing) in &by_slot {
        if !want.contains_key(slot) {
            changes.push(NicChange::Remove { key: existing.key });
        }
    }
    changes
}

fn describe(change: &NicChange, names: &BTreeMap<String, String>) -> String {
    let backing_name = |b: &NicBacking| match b {
        NicBacking::Standard { name, .. } => name.clone(),
        NicBacking::Distributed { portgroup_key, .. } => names
            .get(&format!("DistributedVirtualPortgroup:{portgroup_key}"))
            .cloned()
            .unwrap_or_else(|| portgroup_key.clone()),
    };
    match change {
        NicChange::Add(nic) => format!(
            "add a NIC at PCI slot {} on {}",
            nic.pci_slot,
            backing_name(&nic.backing)
        ),
        NicChange::Rebind { nic, .. } => format!(
            "move the NIC at PCI slot {} to {}",
            nic.pci_slot,
            backing_name(&nic.backing)
        ),
        NicChange::Remove { key } => format!("remove NIC {key}"),
    }
}

/// What writes `now` back to `before`: NICs, CPU/memory, and every extraConfig key whose last
/// value differs (keys `before` lacked are blanked).
fn restore_change(before: &VmInfo, now: &VmInfo) -> DeviceReconfig {
    let want: BTreeMap<u32, NicBacking> = before
        .nics
        .iter()
        .filter_map(|n| Some((n.pci_slot?, n.backing.clone()?)))
        .collect();
    let old = extraconfig::collect_extra_config(before.extra_config.clone());
    let new = extraconfig::collect_extra_config(now.extra_config.clone());
    let mut extra_config = Vec::new();
    for (key, value) in &new {
        match old.get(key) {
            Some(v) if v == value => {}
            Some(v) => extra_config.push((key.clone(), v.clone())),
            None => extra_config.push((key.clone(), String::new())),
        }
    }
    DeviceReconfig {
        num_cpus: before
            .num_cpus
            .filter(|n| Some(*n) != now.num_cpus)
            .and_then(|n| u32::try_from(n).ok()),
        memory_mb: before
            .memory_mb
            .filter(|n| Some(*n) != now.memory_mb)
            .and_then(|n| u64::try_from(n).ok()),
        nics: nic_changes(&now.nics, &want),
        extra_config,
    }
}

/// Changes a VCH. Events go to `progress`; `cancel` is honoured until the snapshot is taken
/// (after that the change runs to the end or reverts).
pub async fn configure(
    client: &Client,
    selector: &Selector,
    request: &VchConfig,
    options: &ConfigureOptions,
    progress: &Progress,
    cancel: &CancellationToken,
) -> Result<ConfiguredVch, DeployError> {
    let round_trips_before = client.round_trips();
    progress.emit(
        Step::Validate,
        EventKind::Started,
        Some(0),
        format!("reading the configuration of {selector}"),
        Vec::new(),
    );
    let (current, old_line) = vch::inspect_config(client, selector).await?;
    let (summary, snapshot) = vch::find(client, selector).await?;
    let name = summary.name.clone();
    let vm_ref = MoRef::new("VirtualMachine", &summary.id);
    let before = client
        .vm_info(std::slice::from_ref(&vm_ref))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| DeployError::NotFound(selector.to_string()))?;
    super::lock::refuse_if_locked(&name, &before, "configure").map_err(DeployError::Refused)?;
    let old_tree: VirtualContainerHostConfigSpec = extraconfig::decode_extra_config(
        before.extra_config.clone(),
        Secrets::FromOvfEnv,
    )
    .map_err(|e| {
        DeployError::Refused(format!(
            "the appliance's sealed settings of {name:?} cannot be read ({e}); nothing was changed"
        ))
    })?;

    if let Some(report) = super::configure_scope::check(request, &old_tree) {
        return Err(DeployError::Invalid { report });
    }
    let merged = merge(&current, request).map_err(|e| DeployError::Refused(e.to_string()))?;
    let merged = with_target_server(&merged, &options.target);
    let mut report = shared::validate(&merged, Some(&snapshot));
    report.prepend(extraconfig::certificates::unread_files(request));
    report
        .findings
        .retain(|f| !OWN_NAME_FINDINGS.contains(&f.code.as_str()));
    if !report.is_valid() {
        progress.emit(
            Step::Validate,
            EventKind::Failed,
            None,
            "the new configuration is not valid",
            Vec::new(),
        );
        return Err(DeployError::Invalid { report });
    }
    let mut warnings: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == shared::Severity::Warning)
        .map(ToString::to_string)
        .collect();
    let resolved = merged.resolved();
    let plan = plan::resolve(&resolved, &snapshot)?;
    super::configure_scope::check_ops_credentials(&options.target, request, &merged).await?;

    let verified = client.server_thumbprint().map(|t| t.to_string());
    let regenerated = super::configure_scope::regenerate(request, &merged, &name)
        .map_err(|cause| DeployError::Refused(format!("{cause}; nothing was changed")))?;
    let new_tree = new_tree(
        &merged,
        request,
        &old_tree,
        &before,
        &plan,
        verified,
        regenerated.as_ref(),
    )
    .map_err(|cause| DeployError::Refused(format!("{cause}; nothing was changed")))?;
    // As `inspect config` will show it afterwards: read back from the tree that gets stored.
    let command_line = shared::vic_machine::generate(
        &extraconfig::to_vch_config(&new_tree, &vch::port_group_names(&snapshot)),
        shared::vic_machine::Os::Linux,
    );
    let names = port_group_names(&plan);
    let change = planned_change(&new_tree, &old_tree, &before, &plan, &resolved)
        .map_err(|cause| DeployError::Refused(format!("{cause}; nothing was changed")))?;
    let mut changes: Vec<String> = change.nics.iter().map(|c| describe(c, &names)).collect();
    if let Some(n) = change.num_cpus {
        changes.push(format!("{n} vCPUs"));
    }
    if let Some(n) = change.memory_mb {
        changes.push(format!("{n} MB of memory"));
    }
    let pool = pool_change(client, &before, request)
        .await
        .map_err(|cause| DeployError::Refused(format!("{cause}; nothing was changed")))?;
    match &pool {
        PoolChange::Update { old, new, .. } => changes.push(describe_pool(old, new)),
        PoolChange::NoPool => warnings.push(
            "the VCH has no resource pool of its own (DRS was off when it was created): the CPU/memory limits, reservations and shares were not applied".into(),
        ),
        PoolChange::None => {}
    }
    let new_line =
        shared::vic_machine::generate(&merged.without_secrets(), shared::vic_machine::Os::Linux);
    if regenerated.is_some() {
        changes.push("new server certificate (and a client certificate from a new CA)".into());
    }
    let secrets_given = request.operations.ops_password.is_some()
        || request.security.tls_server_cert.is_some()
        || !request.security.tls_ca.is_empty()
        || !request.registry.registry_ca.is_empty();
    let old_generated = shared::vic_machine::generate(&current, shared::vic_machine::Os::Linux);
    if changes.is_empty() && !secrets_given && new_line_equivalent(&old_generated, &new_line) {
        progress.emit(
            Step::Done,
            EventKind::Finished,
            Some(100),
            "nothing to change",
            Vec::new(),
        );
        return Ok(ConfiguredVch {
            id: summary.id,
            name,
            changes,
            command_line: old_line,
            warnings,
            round_trips: client.round_trips() - round_trips_before,
            tls: None,
        });
    }
    changes.push("appliance configuration re-encoded".to_owned());
    progress.emit(
        Step::Validate,
        EventKind::Finished,
        Some(10),
        format!("{name}: {}", changes.join("; ")),
        Vec::new(),
    );
    if cancel.is_cancelled() {
        return Err(DeployError::Cancelled {
            step: Step::Validate,
            rollback: super::RollbackReport::default(),
        });
    }

    let mut run = Apply {
        client,
        progress,
        journal: Journal::default(),
        snapshot: None,
        was_on: before.power_state == "poweredOn",
        vm: vm_ref,
        datastores: super::create::datastore_refs(&snapshot, &plan.datacenter_path),
        pool,
        pool_changed: false,
    };
    let access = super::configure_scope::Access {
        plan: &plan,
        datastores: &run.datastores,
        request,
        merged: &merged,
        old: &old_tree,
        vm: &before,
    };
    match access.apply(client, &mut run.journal).await {
        Ok(made) => changes.extend(made),
        Err((step, cause)) => {
            let rollback = run
                .journal
                .roll_back(client, &plan.datacenter, progress)
                .await;
            return Err(DeployError::ConfigureFailed {
                step,
                cause,
                revert: RevertReport::default(),
                rollback,
            });
        }
    }
    match run.apply(&plan, &old_tree, &change).await {
        Ok(()) => {
            progress.emit(
                Step::Done,
                EventKind::Finished,
                Some(100),
                format!("VCH {name} reconfigured"),
                Vec::new(),
            );
            Ok(ConfiguredVch {
                id: summary.id,
                name,
                changes,
                command_line,
                warnings,
                round_trips: client.round_trips() - round_trips_before,
                tls: regenerated,
            })
        }
        Err((step, cause)) => {
            progress.emit(step, EventKind::Failed, None, cause.to_string(), Vec::new());
            let revert = run.revert(&before).await;
            let rollback = run
                .journal
                .roll_back(client, &plan.datacenter, progress)
                .await;
            Err(DeployError::ConfigureFailed {
                step,
                cause,
                revert,
                rollback,
            })
        }
    }
}

/// The generated lines are compared without the target section, which the request may not carry.
fn new_line_equivalent(old: &str, new: &str) -> bool {
    let strip = |line: &str| {
        let words = shlex::split(line).unwrap_or_default();
        let mut out = Vec::new();
        let mut skip = false;
        for w in words {
            if skip {
                skip = false;
                continue;
            }
            if ["--target", "--user", "--thumbprint", "--timeout"].contains(&w.as_str()) {
                skip = true;
                continue;
            }
            out.push(w);
        }
        out
    };
    strip(old) == strip(new)
}

fn port_group_names(plan: &Plan) -> BTreeMap<String, String> {
    plan.port_groups
        .values()
        .map(|pg| (pg.moref.to_string(), pg.name.clone()))
        .collect()
}

/// The tree the appliance will run with: built from the merged configuration like a create's
/// final tree, with the sealed values the request did not replace carried over.
fn new_tree(
    merged: &VchConfig,
    request: &VchConfig,
    old: &VirtualContainerHostConfigSpec,
    vm: &VmInfo,
    plan: &Plan,
    verified_thumbprint: Option<String>,
    regenerated: Option<&super::certs::TlsMaterial>,
) -> Result<VirtualContainerHostConfigSpec, StepError> {
    let (_, vm_folder) = vm
        .datastore_folder()
        .ok_or_else(|| StepError::Other(format!("{} has no datastore path", vm.moref)))?;
    let bootstrap_iso_version = old
        .container
        .bootstrap_image_path
        .rsplit('/')
        .next()
        .and_then(|f| f.strip_suffix("-bootstrap.iso"))
        .unwrap_or_default()
        .to_owned();
    let (server_certificate, client_ca_pem) =
        super::configure_scope::certificates(request, old, regenerated)?;
    let vch_pool = old
        .container
        .compute_resources
        .first()
        .cloned()
        .or_else(|| {
            vm.resource_pool
                .as_ref()
                .map(|p| ExtraMoRef::new(&p.kind, &p.value))
        })
        .ok_or_else(|| StepError::Other(format!("{} has no resource pool", vm.moref)))?;
    let facts = DeploymentFacts {
        phase: Phase::Final,
        vm_moref: vm.moref.value.clone(),
        installer: old.executor.version.clone().unwrap_or_default(),
        thumbprint: verified_thumbprint
            .or_else(|| merged.target.thumbprint.clone())
            .unwrap_or_else(|| old.connection.target_thumbprint.clone()),
        datacenter_name: plan.datacenter_name.clone(),
        cluster_path: plan.compute_path.clone(),
        parent_pool_path: plan.parent_pool_path.clone(),
        vch_pool,
        vm_folder,
        bootstrap_iso_version,
        port_groups: plan.extraconfig_port_groups(),
        server_certificate,
        client_ca_pem,
        create_bridge_network: old.create_bridge_network,
        // Written by create only; the original's configure keeps the stored value.
        create_options: old.vic_machine_create_options.clone(),
    };
    let mut tree = extraconfig::build_appliance_config(merged, &facts)?;
    // Keep the appliance's vSphere address as created: the request's target is how *we* reached it.
    tree.connection.target.clone_from(&old.connection.target);
    if request.operations.ops_password.is_none() {
        tree.connection.token.clone_from(&old.connection.token);
    }
    if request.registry.registry_ca.is_empty() {
        tree.certificate
            .registry_certificate_authorities
            .clone_from(&old.certificate.registry_certificate_authorities);
    }
    Ok(tree)
}

/// What the appliance wrote about itself (read-write keys: assigned addresses, DHCP results,
/// session details) stays: the original re-encodes the decoded configuration, which still holds
/// them. Only whether each component started is reset (blanked), as the original does.
fn appliance_state(key: &str) -> bool {
    key.starts_with("guestinfo.vice..") && !key.ends_with(".started")
}

/// The one `ReconfigVM_Task`: NICs, CPU/memory and the sealed extraConfig, with keys of the
/// old tree that the new one lacks blanked (vCenter deletes a key set to "").
fn planned_change(
    new_tree: &VirtualContainerHostConfigSpec,
    old_tree: &VirtualContainerHostConfigSpec,
    vm: &VmInfo,
    plan: &Plan,
    resolved: &VchConfig,
) -> Result<DeviceReconfig, StepError> {
    let mut want = BTreeMap::new();
    for (moref_text, slot) in extraconfig::from_vch_config::nic_slots(new_tree) {
        let pg = plan
            .port_groups
            .values()
            .find(|pg| pg.moref.to_string() == moref_text)
            .ok_or_else(|| {
                StepError::Other(format!("no port group for NIC backing {moref_text}"))
            })?;
        want.insert(slot, pg.backing.clone());
    }
    let mut extra_config = seal(new_tree)?;
    let written: BTreeSet<&str> = extra_config.iter().map(|(k, _)| k.as_str()).collect();
    let blank: Vec<(String, String)> = extraconfig::encode_plain(old_tree)
        .into_keys()
        .filter(|k| !written.contains(k.as_str()) && !appliance_state(k))
        .map(|k| (k, String::new()))
        .collect();
    extra_config.extend(blank);
    let number = |text: Option<&String>| text.and_then(|t| shared::quantity::parse_uint(t));
    Ok(DeviceReconfig {
        num_cpus: number(resolved.compute.endpoint_cpu.as_ref())
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| Some(i64::from(*n)) != vm.num_cpus),
        memory_mb: number(resolved.compute.endpoint_memory.as_ref())
            .filter(|n| i64::try_from(*n).ok() != vm.memory_mb),
        nics: nic_changes(&vm.nics, &want),
        extra_config,
    })
}

/// The state of one apply, for the revert.
struct Apply<'a> {
    client: &'a Client,
    progress: &'a Progress,
    journal: Journal,
    snapshot: Option<MoRef>,
    was_on: bool,
    vm: MoRef,
    datastores: BTreeMap<String, MoRef>,
    pool: PoolChange,
    /// `UpdateConfig` was sent: the revert writes the old allocations back.
    pool_changed: bool,
}

/// What configure does to the VCH's resource pool.
#[derive(Debug, Clone)]
// One value per configure run: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
enum PoolChange {
    None,
    /// Limits were asked for, but the VCH runs in its cluster's root pool.
    NoPool,
    Update {
        pool: MoRef,
        old: ResourceSpec,
        new: ResourceSpec,
    },
}

/// Whether the request changes the pool's allocations: what it sets, on top of what the pool has
/// now (read from the pool, the source of truth, not from the stored configuration).
async fn pool_change(
    client: &Client,
    vm: &VmInfo,
    request: &VchConfig,
) -> Result<PoolChange, String> {
    let c = &request.compute;
    let asked = [
        &c.cpu_limit,
        &c.cpu_reservation,
        &c.cpu_shares,
        &c.memory_limit,
        &c.memory_reservation,
        &c.memory_shares,
    ]
    .iter()
    .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()));
    if !asked {
        return Ok(PoolChange::None);
    }
    // The VCH's own pool is named after its VM, as delete decides too.
    let info = match &vm.resource_pool {
        Some(pool) if pool.kind == "ResourcePool" => client
            .resource_pool_info(pool)
            .await
            .map_err(|e| format!("reading the resource pool: {e}"))?
            .filter(|p| {
                p.name == vm.name && p.parent.as_ref().is_some_and(|p| p.kind == "ResourcePool")
            }),
        _ => None,
    };
    let Some(info) = info else {
        return Ok(PoolChange::NoPool);
    };
    let new = super::create::resource_overlay(request, &info.spec)?;
    if new == info.spec {
        return Ok(PoolChange::None);
    }
    Ok(PoolChange::Update {
        pool: info.moref,
        old: info.spec,
        new,
    })
}

fn describe_pool(old: &ResourceSpec, new: &ResourceSpec) -> String {
    let one = |what: &str, unit: &str, o: &Allocation, n: &Allocation| {
        let mut parts = Vec::new();
        let limit = |l: i64| {
            if l < 0 {
                "unlimited".to_owned()
            } else {
                format!("{l} {unit}")
            }
        };
        if o.limit != n.limit {
            parts.push(format!("{what} limit {}", limit(n.limit)));
        }
        if o.reservation != n.reservation {
            parts.push(format!("{what} reservation {} {unit}", n.reservation));
        }
        if o.shares != n.shares {
            parts.push(format!("{what} shares {:?}", n.shares).to_lowercase());
        }
        parts
    };
    let mut parts = one("CPU", "MHz", &old.cpu, &new.cpu);
    parts.extend(one("memory", "MB", &old.memory, &new.memory));
    format!("resource pool: {}", parts.join(", "))
}

type StepFailure = (Step, StepError);

fn at(step: Step) -> impl FnOnce(VsphereError) -> StepFailure {
    move |e| (step, StepError::Vsphere(e))
}

impl Apply<'_> {
    fn started(&self, step: Step, percent: u8, message: impl Into<String>) {
        self.progress
            .emit(step, EventKind::Started, Some(percent), message, Vec::new());
    }

    fn finished(&self, step: Step, message: impl Into<String>) {
        self.progress
            .emit(step, EventKind::Finished, None, message, Vec::new());
    }

    async fn apply(
        &mut self,
        plan: &Plan,
        old_tree: &VirtualContainerHostConfigSpec,
        change: &DeviceReconfig,
    ) -> Result<(), StepFailure> {
        let client = self.client;
        // The pool first, as the original does (step 7); the revert writes it back.
        if let PoolChange::Update { pool, new, .. } = &self.pool {
            self.started(Step::ResourcePool, 12, "updating the resource pool");
            self.pool_changed = true;
            client
                .update_resource_pool(pool, new)
                .await
                .map_err(at(Step::ResourcePool))?;
            self.finished(Step::ResourcePool, "resource pool updated");
        }
        // New volume stores only; existing labels keep their directories.
        let new_dirs: Vec<_> = plan
            .volume_dirs
            .iter()
            .filter(|d| !old_tree.storage.volume_locations.contains_key(&d.label))
            .cloned()
            .collect();
        if !new_dirs.is_empty() {
            self.started(
                Step::VolumeStores,
                15,
                "creating new volume store directories",
            );
            let datastores = &self.datastores;
            let file_manager = client
                .file_manager()
                .await
                .map_err(at(Step::VolumeStores))?;
            for dir in &new_dirs {
                let made = super::create::make_volume_directory(
                    client,
                    &mut self.journal,
                    &file_manager,
                    datastores,
                    dir,
                    &plan.datacenter,
                )
                .await
                .map_err(at(Step::VolumeStores))?;
                let object = ObjectRef {
                    kind: ObjectKind::DatastoreDirectory,
                    id: dir.datastore_path.clone(),
                    name: dir.label.clone(),
                };
                self.progress.emit(
                    Step::VolumeStores,
                    EventKind::Finished,
                    None,
                    if made {
                        format!("created {object}")
                    } else {
                        format!("volume store {} uses the existing directory", dir.label)
                    },
                    if made { vec![object] } else { Vec::new() },
                );
            }
        }

        self.started(Step::Snapshot, 25, "taking a snapshot of the appliance");
        let build = old_tree
            .executor
            .version
            .as_ref()
            .map(|b| b.short_version())
            .unwrap_or_default();
        let snapshot = client
            .create_snapshot(
                &self.vm,
                &format!("{}{build}", shared::lifecycle::CONFIGURE_SNAPSHOT_PREFIX),
                "taken by vch configure; `vch configure --rollback` returns to it",
            )
            .await
            .map_err(at(Step::Snapshot))?;
        self.snapshot = Some(snapshot.clone());
        self.finished(Step::Snapshot, format!("snapshot {}", snapshot.value));

        if self.was_on {
            self.started(Step::PowerOff, 40, "powering off the appliance");
            client
                .power_off_vm(&self.vm)
                .await
                .map_err(at(Step::PowerOff))?;
            self.finished(Step::PowerOff, "appliance powered off");
        }

        self.started(Step::Configure, 55, "reconfiguring the appliance");
        client
            .reconfigure_vm_devices(&self.vm, change)
            .await
            .map_err(at(Step::Configure))?;
        self.finished(Step::Configure, "appliance reconfigured");

        if self.was_on {
            self.started(Step::PowerOn, 75, "powering on the appliance");
            client
                .power_on_vm(&self.vm)
                .await
                .map_err(at(Step::PowerOn))?;
            self.finished(Step::PowerOn, "appliance powered on");
        }

        // This snapshot stays for `configure --rollback`; the older life-cycle one goes. A
        // snapshot left behind only costs space, so say so and go on.
        for warning in
            super::rollback::remove_older_snapshots(client, &self.vm, &snapshot, self.progress)
                .await
        {
            self.progress.emit(
                Step::Snapshot,
                EventKind::Warning,
                None,
                warning,
                Vec::new(),
            );
        }
        Ok(())
    }

    /// Back to how the VM was: the snapshot, then a check (and, where the server's revert did not
    /// restore it, an explicit write-back), then power as before, then the snapshot removed.
    async fn revert(&mut self, before: &VmInfo) -> RevertReport {
        let client = self.client;
        let mut report = RevertReport::default();
        if let (true, PoolChange::Update { pool, old, .. }) = (self.pool_changed, &self.pool) {
            match client.update_resource_pool(pool, old).await {
                Ok(()) => report
                    .steps
                    .push("restored the resource pool's allocations".into()),
                Err(e) => report
                    .failures
                    .push(format!("restoring the resource pool's allocations: {e}")),
            }
        }
        let Some(snapshot) = self.snapshot.clone() else {
            if report.steps.is_empty() && report.failures.is_empty() {
                report.steps.push("nothing had been changed".into());
            }
            return report;
        };
        self.started(Step::Revert, 0, "reverting to the snapshot");
        match client.revert_to_snapshot(&snapshot).await {
            Ok(()) => report
                .steps
                .push(format!("reverted to snapshot {}", snapshot.value)),
            Err(e) => report
                .failures
                .push(format!("revert to snapshot {}: {e}", snapshot.value)),
        }
        let now = client
            .vm_info(std::slice::from_ref(&self.vm))
            .await
            .ok()
            .and_then(|v| v.into_iter().next());
        match now {
            Some(now) => {
                let restore = restore_change(before, &now);
                if !restore.is_empty() {
                    match client.reconfigure_vm_devices(&self.vm, &restore).await {
                        Ok(()) => report
                            .steps
                            .push("wrote the previous configuration back".into()),
                        Err(e) => report
                            .failures
                            .push(format!("writing the previous configuration back: {e}")),
                    }
                }
            }
            None => report
                .failures
                .push("could not read the appliance back after the revert".into()),
        }
        if self.was_on {
            match client.power_on_vm(&self.vm).await {
                Ok(()) => report.steps.push("powered the appliance on".into()),
                Err(e) => report.failures.push(format!("power on: {e}")),
            }
        }
        match client.remove_snapshot(&snapshot).await {
            Ok(()) => report.steps.push("removed the snapshot".into()),
            Err(e) => report
                .failures
                .push(format!("remove snapshot {}: {e}", snapshot.value)),
        }
        self.progress.emit(
            Step::Revert,
            if report.failures.is_empty() {
                EventKind::Finished
            } else {
                EventKind::Failed
            },
            None,
            report.to_string(),
            Vec::new(),
        );
        report
    }
}

/// What a revert did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RevertReport {
    pub steps: Vec<String>,
    pub failures: Vec<String>,
}

impl RevertReport {
    pub fn is_clean(&self) -> bool {
        self.failures.is_empty()
    }
}

impl std::fmt::Display for RevertReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "; {}", self.steps.join(", "))?;
        if !self.failures.is_empty() {
            write!(
                f,
                "; COULD NOT REVERT: {} (check the VCH with `vch inspect`)",
                self.failures.join(", ")
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(args: &[&str]) -> VchConfig {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        shared::vic_machine::parse_args(&args)
            .map(|p| p.config)
            .unwrap_or_default()
    }

    #[test]
    fn merge_overrides_roles_and_replaces_container_networks() {
        let current = config(&[
            "--name",
            "v",
            "--bridge-network",
            "b",
            "--public-network",
            "p",
            "--management-network",
            "m",
            "--management-network-ip",
            "10.0.3.10/24",
            "--container-network",
            "c1:net1",
            "--volume-store",
            "ds/a:default",
        ]);
        let request = config(&[
            "--management-network",
            "m2",
            "--container-network",
            "c2:net2",
            "--volume-store",
            "ds/b:second",
            "--volume-store",
            "ds/other:default",
        ]);
        let merged = merge(&current, &request).expect("merge");
        assert_eq!(merged.network.management.port_group.as_deref(), Some("m2"));
        assert_eq!(merged.network.management.ip, None);
        assert_eq!(merged.network.container_networks.len(), 1);
        assert_eq!(merged.network.container_networks[0].port_group, "c2");
        assert_eq!(
            merged.storage.volume_stores,
            ["ds/a:default", "ds/b:second"]
        );
    }

    #[test]
    fn merge_refuses_the_bridge_and_the_name() {
        let current = config(&[
            "--name",
            "v",
            "--bridge-network",
            "b",
            "--public-network",
            "p",
        ]);
        let err = merge(&current, &config(&["--bridge-network", "b2"])).expect_err("bridge");
        assert_eq!(err.option, "bridge-network");
        let err = merge(&current, &config(&["--name", "w"])).expect_err("name");
        assert_eq!(err.option, "name");
        assert!(merge(&current, &config(&["--name", "v"])).is_ok());
    }
}
