//! `delete`: removes a VCH the way vic-machine does (docs/original-sequences.md §2): its container VMs
//! (their disks detached first, so volumes survive), volume stores only with `--force`, the
//! appliance and its files, then its folder and pool if they are its own and empty. Works on a VCH
//! a dead create left half-made (`CreatingVCH`), and on one that died before its VM existed: then
//! only its marked pool and folder remain (docs/crash-safety.md), and they go if they are empty.

use serde::Serialize;

use crate::vsphere::{Client, MoRef, VsphereError};

use super::DeployError;
use super::progress::{EventKind, ObjectKind, ObjectRef, Progress, Step};
use super::vch::{self, Appliance, Selector};

/// What a delete did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeleteReport {
    pub id: String,
    pub name: String,
    pub removed: Vec<ObjectRef>,
    /// Volume stores kept because `--force` was not given (`[ds] path`).
    pub kept_volume_stores: Vec<String>,
    pub warnings: Vec<String>,
}

struct Deleter<'a> {
    client: &'a Client,
    progress: &'a Progress,
    report: DeleteReport,
    failures: Vec<String>,
}

impl Deleter<'_> {
    fn record(&mut self, object: ObjectRef, result: Result<bool, VsphereError>) {
        match result {
            Ok(true) => {
                self.progress.emit(
                    Step::Delete,
                    EventKind::Removed,
                    None,
                    format!("removed {object}"),
                    vec![object.clone()],
                );
                self.report.removed.push(object);
            }
            Ok(false) => {}
            Err(e) => {
                self.progress.emit(
                    Step::Delete,
                    EventKind::Failed,
                    None,
                    format!("could not remove {object}: {e}"),
                    vec![object.clone()],
                );
                self.failures.push(format!("{object}: {e}"));
            }
        }
    }

    async fn remove_vm(&mut self, vm: &MoRef, name: &str) {
        self.remove_vm_keeping_disks(vm, name, false).await;
    }

    /// Container VMs keep their disks (the original's DeleteExceptDisks): `Destroy_Task` would
    /// delete every attached disk, and a container's volumes are disks in the volume stores.
    /// Its own folder, with its writable layer, is removed afterwards.
    async fn remove_vm_keeping_disks(&mut self, vm: &MoRef, name: &str, keep_disks: bool) {
        let client = self.client;
        let result = async {
            client.power_off_vm(vm).await?;
            if keep_disks {
                client.detach_disks(vm).await?;
            }
            client.destroy_entity(vm).await.map(|()| true)
        }
        .await;
        self.record(
            ObjectRef {
                kind: ObjectKind::VirtualMachine,
                id: vm.value.clone(),
                name: name.to_owned(),
            },
            result,
        );
    }
}

fn datastore_path(url: &shared::extraconfig::GoUrl) -> Option<String> {
    if url.scheme != "ds" {
        return None;
    }
    Some(if url.path.starts_with('[') {
        url.path.clone()
    } else {
        format!("[{}] {}", url.host, url.path)
    })
}

/// Deletes the VCH `selector` names. Without `force`, powered-on container VMs make it refuse
/// before anything is removed, and volume stores are kept.
pub async fn delete(
    client: &Client,
    selector: &Selector,
    force: bool,
    progress: &Progress,
) -> Result<DeleteReport, DeployError> {
    let (summary, snapshot) = match (vch::find(client, selector).await, selector) {
        (Err(DeployError::NotFound(what)), Selector::Name(name)) => {
            return delete_unmarked(client, name, force, progress, what).await;
        }
        (found, _) => found?,
    };
    if summary.vm_name.is_empty() && !summary.leftovers.is_empty() {
        return delete_leftovers(client, summary, progress).await;
    }
    let Appliance { vm, tree } = vch::appliance(client, &summary.id).await?;
    // A stuck lock must not make a VCH undeletable: --force goes ahead anyway.
    if !force {
        super::lock::refuse_if_locked(&summary.name, &vm, "delete")
            .map_err(DeployError::Refused)?;
    }
    let datacenter = snapshot
        .datacenter(&summary.datacenter)
        .map(|dc| MoRef::new("Datacenter", &dc.id))
        .ok_or_else(|| DeployError::NotFound(format!("the datacenter of {}", summary.id)))?;
    progress.emit(
        Step::Delete,
        EventKind::Started,
        Some(0),
        format!("deleting VCH {} ({})", summary.name, summary.id),
        Vec::new(),
    );

    // The VCH's own folder and pool are named after its VM; anything else (the datacenter's VM
    // folder, a cluster's root pool when DRS was off) is never removed.
    let folder = match &vm.parent {
        Some(parent) if parent.kind == "Folder" => client
            .folder_info(parent)
            .await?
            .filter(|f| f.name == vm.name),
        _ => None,
    };
    let pool = match &vm.resource_pool {
        Some(pool) if pool.kind == "ResourcePool" => {
            client.resource_pool_info(pool).await?.filter(|p| {
                p.name == vm.name && p.parent.as_ref().is_some_and(|p| p.kind == "ResourcePool")
            })
        }
        _ => None,
    };

    // Container VMs: the other VMs of its folder, else of its pool.
    let mut container_refs: Vec<MoRef> = match (&folder, &pool) {
        (Some(f), _) => f
            .children
            .iter()
            .filter(|c| c.kind == "VirtualMachine")
            .cloned()
            .collect(),
        (None, Some(p)) => p.vms.clone(),
        (None, None) => Vec::new(),
    };
    container_refs.retain(|c| *c != vm.moref);
    let containers = client.vm_info(&container_refs).await?;
    let running: Vec<&str> = containers
        .iter()
        .filter(|c| c.power_state == "poweredOn")
        .map(|c| c.name.as_str())
        .collect();
    if !running.is_empty() && !force {
        return Err(DeployError::ContainersRunning {
            name: summary.name.clone(),
            containers: running.join(", "),
        });
    }

    // --force removes the volume stores: never one that another VCH also uses (rule S18 keeps
    // new ones apart; older VCHs may still share).
    if force && let Some(dc) = snapshot.datacenter(&summary.datacenter) {
        let shared: Vec<String> = tree
            .storage
            .volume_locations
            .values()
            .filter_map(datastore_path)
            .filter_map(|path| {
                let users: Vec<String> = dc
                    .vchs
                    .iter()
                    .filter(|v| v.id != summary.id && v.volume_stores.contains(&path))
                    .map(|v| format!("{:?} ({})", v.name, v.id))
                    .collect();
                (!users.is_empty()).then(|| format!("{path} is also used by {}", users.join(", ")))
            })
            .collect();
        if !shared.is_empty() {
            return Err(DeployError::Refused(format!(
                "--force would delete volume stores that other VCHs use: {}; delete without --force (the volume stores are kept) or remove the other VCH first; nothing was deleted",
                shared.join("; ")
            )));
        }
    }

    // Step 15's cluster, found now: the pool it is looked up by is removed before then.
    let vm_group = if tree.container.use_vm_group {
        let group = if tree.container.vm_group_name.is_empty() {
            vm.name.clone()
        } else {
            tree.container.vm_group_name.clone()
        };
        let pool_id = vm.resource_pool.as_ref().map(|p| p.value.clone());
        snapshot
            .datacenter(&summary.datacenter)
            .and_then(|dc| {
                dc.compute_resources.iter().find(|cr| {
                    cr.kind == shared::inventory::ComputeKind::Cluster
                        && cr
                            .resource_pools
                            .iter()
                            .any(|p| Some(&p.id) == pool_id.as_ref())
                })
            })
            .map(|cr| (MoRef::new("ClusterComputeResource", &cr.id), group))
    } else {
        None
    };

    let mut deleter = Deleter {
        client,
        progress,
        report: DeleteReport {
            id: summary.id.clone(),
            name: summary.name.clone(),
            ..DeleteReport::default()
        },
        failures: Vec::new(),
    };
    let file_manager = client.file_manager().await?;
    for container in &containers {
        deleter
            .remove_vm_keeping_disks(&container.moref, &container.name, true)
            .await;
        if let Some((ds, dir)) = container.datastore_folder() {
            let path = format!("[{ds}] {dir}");
            let result = client
                .delete_datastore_file(&file_manager, &path, &datacenter)
                .await;
            deleter.record(
                ObjectRef {
                    kind: ObjectKind::DatastoreDirectory,
                    id: path.clone(),
                    name: path,
                },
                result,
            );
        }
    }

    // Images under a custom --image-store path live in `[ds] path/VIC/<uuid>`; with the default
    // path they are in the appliance's folder, removed with it below.
    if let (Some(store), Some(uuid)) = (tree.storage.image_stores.first(), vm.uuid.as_deref())
        && store.scheme == "ds"
    {
        let path = store.path.trim_matches('/');
        let in_vm_folder = vm
            .datastore_folder()
            .is_some_and(|(ds, dir)| ds == store.host && dir == path);
        if !path.is_empty() && !in_vm_folder {
            let images = format!("[{}] {path}/VIC/{uuid}", store.host);
            let result = client
                .delete_datastore_file(&file_manager, &images, &datacenter)
                .await;
            deleter.record(
                ObjectRef {
                    kind: ObjectKind::DatastoreDirectory,
                    id: images.clone(),
                    name: images,
                },
                result,
            );
        }
    }

    for (label, url) in &tree.storage.volume_locations {
        let Some(path) = datastore_path(url) else {
            continue;
        };
        if force {
            let result = client
                .delete_datastore_file(&file_manager, &path, &datacenter)
                .await;
            deleter.record(
                ObjectRef {
                    kind: ObjectKind::DatastoreDirectory,
                    id: path.clone(),
                    name: label.clone(),
                },
                result,
            );
        } else {
            deleter.report.kept_volume_stores.push(path.clone());
            let warning = format!(
                "volume store {label} ({path}) was kept; delete with --force to remove it and its volumes"
            );
            progress.emit(Step::Delete, EventKind::Warning, None, &warning, Vec::new());
            deleter.report.warnings.push(warning);
        }
    }

    // The appliance and its datastore folder (ISOs, logs).
    deleter.remove_vm(&vm.moref, &vm.name).await;
    if let Some((ds, dir)) = vm.datastore_folder() {
        let path = format!("[{ds}] {dir}");
        let result = client
            .delete_datastore_file(&file_manager, &path, &datacenter)
            .await;
        deleter.record(
            ObjectRef {
                kind: ObjectKind::DatastoreDirectory,
                id: path.clone(),
                name: path,
            },
            result,
        );
    }

    // ESXi: the bridge vSwitch and port group create made (bridge.rs), now that no VM uses them.
    if tree.create_bridge_network
        && let Some(endpoint) = tree.executor.networks.get("bridge")
        && let Some(dc) = snapshot.datacenter(&summary.datacenter)
        && let Some(host) = dc.hosts.first()
    {
        let names = vch::port_group_names(&snapshot);
        let id = &endpoint.network.common.id;
        let name = names.get(id).cloned().unwrap_or_else(|| id.clone());
        let host = MoRef::new("HostSystem", &host.id);
        let result = match client.host_network_system(&host).await {
            Ok(ns) => client
                .remove_vswitch_port_group(&ns, &name)
                .await
                .map(|removed| (ns, removed)),
            Err(e) => Err(e),
        };
        let id = result
            .as_ref()
            .map(|(ns, _)| ns.value.clone())
            .unwrap_or_else(|_| host.value.clone());
        deleter.record(
            ObjectRef {
                kind: ObjectKind::VirtualSwitch,
                id,
                name,
            },
            result.map(|(_, removed)| removed),
        );
    }

    if let Some(folder) = &folder {
        let now = client.folder_info(&folder.moref).await?;
        match now {
            Some(f) if f.children.is_empty() => {
                let result = client.destroy_entity(&f.moref).await.map(|()| true);
                deleter.record(
                    ObjectRef {
                        kind: ObjectKind::Folder,
                        id: f.moref.value.clone(),
                        name: f.name.clone(),
                    },
                    result,
                );
            }
            Some(f) => deleter
                .report
                .warnings
                .push(format!("VM folder {} is not empty and was kept", f.name)),
            None => {}
        }
    }
    if let Some(pool) = &pool {
        let now = client.resource_pool_info(&pool.moref).await?;
        match now {
            Some(p) if p.vms.is_empty() && p.child_pools.is_empty() => {
                let result = client.destroy_entity(&p.moref).await.map(|()| true);
                deleter.record(
                    ObjectRef {
                        kind: ObjectKind::ResourcePool,
                        id: p.moref.value.clone(),
                        name: p.name.clone(),
                    },
                    result,
                );
            }
            Some(p) => deleter.report.warnings.push(format!(
                "resource pool {} is not empty and was kept",
                p.name
            )),
            None => {}
        }
    }

    // Step 15: the DRS VM group named after the VCH (only when the VCH says it made one).
    if let Some((cluster, group)) = &vm_group {
        let result = client.remove_vm_group(cluster, group).await;
        deleter.record(
            ObjectRef {
                kind: ObjectKind::VmGroup,
                id: cluster.value.clone(),
                name: group.clone(),
            },
            result,
        );
    }

    deleter
        .finish()
        .map_err(|(name, failures)| DeployError::DeleteIncomplete { name, failures })
}

impl Deleter<'_> {
    /// The report, or the VCH's name and what could not be removed.
    fn finish(self) -> Result<DeleteReport, (String, String)> {
        if !self.failures.is_empty() {
            return Err((self.report.name, self.failures.join("; ")));
        }
        self.progress.emit(
            Step::Delete,
            EventKind::Finished,
            Some(100),
            format!("VCH {} deleted", self.report.name),
            Vec::new(),
        );
        Ok(self.report)
    }
}

/// An incomplete VCH without a VM: its marked folder and pool, each only if it is empty (whatever
/// was put in them since is not ours to remove). No `--force` needed: nothing of it ever ran.
async fn delete_leftovers(
    client: &Client,
    summary: vch::VchSummary,
    progress: &Progress,
) -> Result<DeleteReport, DeployError> {
    let what: Vec<String> = summary
        .leftovers
        .iter()
        .map(|p| format!("{} {}", p.kind, p.path))
        .collect();
    progress.emit(
        Step::Delete,
        EventKind::Started,
        Some(0),
        format!(
            "deleting incomplete VCH {} (no appliance VM; {})",
            summary.name,
            what.join(", ")
        ),
        Vec::new(),
    );
    let mut deleter = Deleter {
        client,
        progress,
        report: DeleteReport {
            id: summary.id.clone(),
            name: summary.name.clone(),
            ..DeleteReport::default()
        },
        failures: Vec::new(),
    };
    let mut parts = summary.leftovers.clone();
    // Folders first: nothing else depends on them.
    parts.sort_by_key(|p| p.kind != "Folder");
    for part in &parts {
        let moref = MoRef::new(&part.kind, &part.id);
        let (kind, contents) = if part.kind == "Folder" {
            let info = client.folder_info(&moref).await?;
            (ObjectKind::Folder, info.map(|f| f.children.len()))
        } else {
            let info = client.resource_pool_info(&moref).await?;
            (
                ObjectKind::ResourcePool,
                info.map(|p| p.vms.len() + p.child_pools.len()),
            )
        };
        let object = ObjectRef {
            kind,
            id: part.id.clone(),
            name: part.path.clone(),
        };
        match contents {
            // Gone since it was listed.
            None => {}
            Some(0) => {
                let result = client.destroy_entity(&moref).await.map(|()| true);
                deleter.record(object, result);
            }
            Some(n) => deleter.failures.push(format!(
                "{object} holds {n} object(s) that this create did not make; it was kept (move them out, then delete again)"
            )),
        }
    }
    deleter
        .finish()
        .map_err(|(name, failures)| DeployError::DeleteIncomplete { name, failures })
}

/// No VCH has the name: a create killed in the instant between making its pool (or, DRS off, its
/// folder) and marking it, or one on a standalone ESXi host (no custom attributes), leaves an
/// unmarked empty pool or folder of the name (docs/crash-safety.md). Those, and only empty ones,
/// are named in the error; `--force` removes them.
async fn delete_unmarked(
    client: &Client,
    name: &str,
    force: bool,
    progress: &Progress,
    not_found: String,
) -> Result<DeleteReport, DeployError> {
    let snapshot = client.inventory().await?;
    let mut candidates: Vec<ObjectRef> = Vec::new();
    for dc in &snapshot.datacenters {
        // Pools named so, never a compute resource's root pool (`…/Resources`).
        let mut pools: Vec<(String, String)> = Vec::new();
        for cr in &dc.compute_resources {
            let root = format!("{}/Resources", cr.path);
            for p in &cr.resource_pools {
                if p.name == name && !p.is_vapp && p.path != root {
                    pools.push((p.id.clone(), p.path.clone()));
                }
            }
        }
        for (id, path) in pools {
            let moref = MoRef::new("ResourcePool", &id);
            if client
                .resource_pool_info(&moref)
                .await?
                .is_some_and(|p| p.vms.is_empty() && p.child_pools.is_empty())
            {
                candidates.push(ObjectRef {
                    kind: ObjectKind::ResourcePool,
                    id,
                    name: path,
                });
            }
        }
        if !snapshot.is_vcenter() {
            continue;
        }
        let path = format!("{}/vm/{name}", dc.path);
        if let Some(moref) = client.find_by_inventory_path(&path).await?
            && moref.kind == "Folder"
            && client
                .folder_info(&moref)
                .await?
                .is_some_and(|f| f.children.is_empty())
        {
            candidates.push(ObjectRef {
                kind: ObjectKind::Folder,
                id: moref.value.clone(),
                name: path,
            });
        }
    }
    if candidates.is_empty() {
        return Err(DeployError::NotFound(not_found));
    }
    let list: Vec<String> = candidates.iter().map(ToString::to_string).collect();
    if !force {
        return Err(DeployError::Refused(format!(
            "no VCH is named {name:?}, but {} exist(s) empty and unmarked, as a create killed before it could mark them leaves them (docs/crash-safety.md); `vch delete --name {name} --force` removes them",
            list.join(", ")
        )));
    }
    progress.emit(
        Step::Delete,
        EventKind::Started,
        Some(0),
        format!("--force: removing the empty, unmarked {}", list.join(", ")),
        Vec::new(),
    );
    let mut deleter = Deleter {
        client,
        progress,
        report: DeleteReport {
            id: candidates[0].id.clone(),
            name: name.to_owned(),
            ..DeleteReport::default()
        },
        failures: Vec::new(),
    };
    // Folders first, as for every delete.
    candidates.sort_by_key(|c| c.kind != ObjectKind::Folder);
    for object in candidates {
        let moref = MoRef::new(
            if object.kind == ObjectKind::Folder {
                "Folder"
            } else {
                "ResourcePool"
            },
            &object.id,
        );
        let result = client.destroy_entity(&moref).await.map(|()| true);
        deleter.record(object, result);
    }
    deleter
        .finish()
        .map_err(|(name, failures)| DeployError::DeleteIncomplete { name, failures })
}
