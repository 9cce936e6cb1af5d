//! `delete`: removes a VCH the way vic-machine does (vic-original.md §4.4): its container VMs
//! (their disks detached first, so volumes survive), volume stores only with `--force`, the appliance and its files, then its folder and pool if they
//! are its own and empty. Works on a VCH a dead create left half-made (`CreatingVCH`).

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
    let (summary, snapshot) = vch::find(client, selector).await?;
    let Appliance { vm, tree } = vch::appliance(client, &summary.id).await?;
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

    if !deleter.failures.is_empty() {
        return Err(DeployError::DeleteIncomplete {
            name: summary.name,
            failures: deleter.failures.join("; "),
        });
    }
    progress.emit(
        Step::Delete,
        EventKind::Finished,
        Some(100),
        format!("VCH {} deleted", deleter.report.name),
        Vec::new(),
    );
    Ok(deleter.report)
}
