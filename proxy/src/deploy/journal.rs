//! The rollback journal of one create: what this run made, so a failure or a cancel can remove
//! exactly that, newest first, and nothing that was there before.
//!
//! An object is journalled as *pending* before the call that creates it. If the server answers
//! with a fault, nothing was made and the entry is dropped; if the answer is lost (connection cut,
//! cancel mid-call), the entry stays pending and rollback looks the object up by name under its
//! parent.

use crate::vsphere::datastore::FileManager;
use crate::vsphere::{Client, MoRef, VsphereError};

use super::progress::{EventKind, ObjectKind, ObjectRef, Progress, Step};

#[derive(Debug, Clone)]
enum Entry {
    Pool {
        parent: MoRef,
        name: String,
        moref: Option<MoRef>,
    },
    Folder {
        parent: MoRef,
        name: String,
        moref: Option<MoRef>,
    },
    Vm {
        folder: MoRef,
        name: String,
        moref: Option<MoRef>,
        /// `[ds] folder`: removed after the VM (uploads live there too).
        directory: Option<String>,
    },
    Directory {
        path: String,
    },
    VmGroup {
        cluster: MoRef,
        name: String,
    },
    /// The bridge vSwitch and port group made on a standalone ESXi host.
    VirtualSwitch {
        network_system: MoRef,
        name: String,
    },
    /// A role this run added (roles are shared by every VCH's ops user, so only a new one is
    /// journalled, and rollback leaves it if someone else started using it meanwhile).
    Role {
        manager: MoRef,
        name: String,
        id: Option<i32>,
    },
    /// The ops user's permission on an entity, with the one it replaced (restored on rollback).
    Permission {
        manager: MoRef,
        entity: MoRef,
        principal: String,
        previous: Option<(i32, bool)>,
    },
}

/// What a rollback removed and what it could not.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RollbackReport {
    pub removed: Vec<ObjectRef>,
    /// Objects left behind, each with the reason.
    pub failed: Vec<(ObjectRef, String)>,
}

impl RollbackReport {
    pub fn is_clean(&self) -> bool {
        self.failed.is_empty()
    }
}

impl std::fmt::Display for RollbackReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.removed.is_empty() && self.failed.is_empty() {
            return f.write_str("; nothing had been created");
        }
        if !self.removed.is_empty() {
            let list: Vec<String> = self.removed.iter().map(ToString::to_string).collect();
            write!(f, "; rolled back: removed {}", list.join(", "))?;
        }
        if !self.failed.is_empty() {
            let list: Vec<String> = self
                .failed
                .iter()
                .map(|(o, why)| format!("{o}: {why}"))
                .collect();
            write!(
                f,
                "; COULD NOT REMOVE {} (remove by hand or with `vch delete`)",
                list.join(", ")
            )?;
        }
        Ok(())
    }
}

/// The journal of one run.
#[derive(Debug, Default)]
pub struct Journal {
    entries: Vec<Entry>,
}

/// Handle to a journalled entry, to confirm or drop it once the call returns.
#[derive(Debug, Clone, Copy)]
pub struct Pending(usize);

impl Journal {
    pub fn pending_pool(&mut self, parent: &MoRef, name: &str) -> Pending {
        self.push(Entry::Pool {
            parent: parent.clone(),
            name: name.to_owned(),
            moref: None,
        })
    }

    pub fn pending_folder(&mut self, parent: &MoRef, name: &str) -> Pending {
        self.push(Entry::Folder {
            parent: parent.clone(),
            name: name.to_owned(),
            moref: None,
        })
    }

    pub fn pending_vm(&mut self, folder: &MoRef, name: &str) -> Pending {
        self.push(Entry::Vm {
            folder: folder.clone(),
            name: name.to_owned(),
            moref: None,
            directory: None,
        })
    }

    /// A datastore directory that did not exist before this run (journalled before the
    /// `MakeDirectory` call, so a lost reply still leaves it to roll back).
    pub fn directory(&mut self, path: &str) -> Pending {
        self.push(Entry::Directory {
            path: path.to_owned(),
        })
    }

    /// A DRS VM group, journalled before `ReconfigureComputeResource_Task`.
    pub fn pending_vm_group(&mut self, cluster: &MoRef, name: &str) -> Pending {
        self.push(Entry::VmGroup {
            cluster: cluster.clone(),
            name: name.to_owned(),
        })
    }

    /// The bridge vSwitch and port group, journalled before `AddVirtualSwitch` (removal treats
    /// a missing one as removed, so a lost reply is harmless).
    pub fn pending_vswitch(&mut self, network_system: &MoRef, name: &str) -> Pending {
        self.push(Entry::VirtualSwitch {
            network_system: network_system.clone(),
            name: name.to_owned(),
        })
    }

    /// A role, journalled before `AddAuthorizationRole`.
    pub fn pending_role(&mut self, manager: &MoRef, name: &str) -> Pending {
        self.push(Entry::Role {
            manager: manager.clone(),
            name: name.to_owned(),
            id: None,
        })
    }

    /// The new role's id, once known.
    pub fn role_created(&mut self, pending: Pending, role_id: i32) {
        if let Some(Entry::Role { id, .. }) = self.entries.get_mut(pending.0) {
            *id = Some(role_id);
        }
    }

    /// A permission, journalled before `SetEntityPermissions`, with what it replaces.
    pub fn pending_permission(
        &mut self,
        manager: &MoRef,
        entity: &MoRef,
        principal: &str,
        previous: Option<(i32, bool)>,
    ) -> Pending {
        self.push(Entry::Permission {
            manager: manager.clone(),
            entity: entity.clone(),
            principal: principal.to_owned(),
            previous,
        })
    }

    fn push(&mut self, entry: Entry) -> Pending {
        self.entries.push(entry);
        Pending(self.entries.len() - 1)
    }

    /// The call succeeded and made `moref`.
    pub fn created(&mut self, pending: Pending, made: &MoRef) {
        if let Some(
            Entry::Pool { moref, .. } | Entry::Folder { moref, .. } | Entry::Vm { moref, .. },
        ) = self.entries.get_mut(pending.0)
        {
            *moref = Some(made.clone());
        }
    }

    /// The VM's datastore folder, once known.
    pub fn vm_directory(&mut self, pending: Pending, path: &str) {
        if let Some(Entry::Vm { directory, .. }) = self.entries.get_mut(pending.0) {
            *directory = Some(path.to_owned());
        }
    }

    /// The call failed in a way that proves nothing was made (the server answered with a fault).
    pub fn not_created(&mut self, pending: Pending) {
        if pending.0 + 1 == self.entries.len() {
            self.entries.pop();
        }
    }

    /// Decides from the error whether the object may exist: only a server fault proves it does not.
    pub fn settle(&mut self, pending: Pending, error: &VsphereError) {
        if error.fault_kind().is_some() {
            self.not_created(pending);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes everything journalled, newest first, reporting each removal as a progress event.
    pub async fn roll_back(
        &mut self,
        client: &Client,
        datacenter: &MoRef,
        progress: &Progress,
    ) -> RollbackReport {
        let mut report = RollbackReport::default();
        if self.entries.is_empty() {
            return report;
        }
        progress.emit(
            Step::Rollback,
            EventKind::Started,
            None,
            "removing what this run created",
            Vec::new(),
        );
        let mut file_manager: Option<FileManager> = None;
        while let Some(entry) = self.entries.pop() {
            let outcome = undo(client, datacenter, &mut file_manager, &entry).await;
            for (object, result) in outcome {
                match result {
                    Ok(()) => {
                        progress.emit(
                            Step::Rollback,
                            EventKind::Removed,
                            None,
                            format!("removed {object}"),
                            vec![object.clone()],
                        );
                        report.removed.push(object);
                    }
                    Err(e) => {
                        progress.emit(
                            Step::Rollback,
                            EventKind::Failed,
                            None,
                            format!("could not remove {object}: {e}"),
                            vec![object.clone()],
                        );
                        report.failed.push((object, e.to_string()));
                    }
                }
            }
        }
        progress.emit(
            Step::Rollback,
            EventKind::Finished,
            None,
            format!("rollback finished{report}"),
            Vec::new(),
        );
        report
    }
}

type Undone = Vec<(ObjectRef, Result<(), VsphereError>)>;

async fn file_manager<'a>(
    client: &Client,
    cache: &'a mut Option<FileManager>,
) -> Result<&'a FileManager, VsphereError> {
    if cache.is_none() {
        *cache = Some(client.file_manager().await?);
    }
    cache
        .as_ref()
        .ok_or_else(|| VsphereError::NotFound("the file manager".into()))
}

/// Finds an object whose creation reply was lost.
async fn resolve(
    client: &Client,
    moref: Option<&MoRef>,
    parent: &MoRef,
    name: &str,
) -> Result<Option<MoRef>, VsphereError> {
    match moref {
        Some(m) => Ok(Some(m.clone())),
        None => client.find_child(parent, name).await,
    }
}

async fn undo(
    client: &Client,
    datacenter: &MoRef,
    fm: &mut Option<FileManager>,
    entry: &Entry,
) -> Undone {
    let object = |kind, id: &str, name: &str| ObjectRef {
        kind,
        id: id.to_owned(),
        name: name.to_owned(),
    };
    match entry {
        Entry::Pool {
            parent,
            name,
            moref,
        }
        | Entry::Folder {
            parent,
            name,
            moref,
        } => {
            let kind = if matches!(entry, Entry::Pool { .. }) {
                ObjectKind::ResourcePool
            } else {
                ObjectKind::Folder
            };
            match resolve(client, moref.as_ref(), parent, name).await {
                Ok(Some(found)) => {
                    let result = client.destroy_entity(&found).await;
                    vec![(object(kind, &found.value, name), result)]
                }
                Ok(None) => Vec::new(),
                Err(e) => vec![(object(kind, name, name), Err(e))],
            }
        }
        Entry::Vm {
            folder,
            name,
            moref,
            directory,
        } => {
            let mut out = Vec::new();
            match resolve(client, moref.as_ref(), folder, name).await {
                Ok(Some(vm)) => {
                    // A powered-on VM cannot be destroyed.
                    let result = match client.power_off_vm(&vm).await {
                        Ok(()) => client.destroy_entity(&vm).await,
                        Err(e) => Err(e),
                    };
                    out.push((object(ObjectKind::VirtualMachine, &vm.value, name), result));
                }
                Ok(None) => {}
                Err(e) => out.push((object(ObjectKind::VirtualMachine, name, name), Err(e))),
            }
            if let Some(path) = directory {
                let result = match file_manager(client, fm).await {
                    Ok(fm) => client.delete_datastore_file(fm, path, datacenter).await,
                    Err(e) => Err(e),
                };
                // Destroying the VM usually removed the directory already.
                match result {
                    Ok(false) => {}
                    Ok(true) => {
                        out.push((object(ObjectKind::DatastoreDirectory, path, path), Ok(())))
                    }
                    Err(e) => {
                        out.push((object(ObjectKind::DatastoreDirectory, path, path), Err(e)))
                    }
                }
            }
            out
        }
        Entry::VmGroup { cluster, name } => match client.remove_vm_group(cluster, name).await {
            Ok(false) => Vec::new(),
            result => vec![(
                object(ObjectKind::VmGroup, &cluster.value, name),
                result.map(|_| ()),
            )],
        },
        Entry::VirtualSwitch {
            network_system,
            name,
        } => match client.remove_vswitch_port_group(network_system, name).await {
            Ok(false) => Vec::new(),
            result => vec![(
                object(ObjectKind::VirtualSwitch, &network_system.value, name),
                result.map(|_| ()),
            )],
        },
        Entry::Role { manager, name, id } => {
            let id = match id {
                Some(id) => Some(*id),
                // The reply was lost: look the role up by name.
                None => match client.roles(manager).await {
                    Ok(roles) => roles.iter().find(|r| &r.name == name).map(|r| r.id),
                    Err(e) => return vec![(object(ObjectKind::Role, name, name), Err(e))],
                },
            };
            match id {
                // failIfUsed: another VCH's ops user may have been given it meanwhile.
                Some(id) => vec![(
                    object(ObjectKind::Role, &id.to_string(), name),
                    client.remove_role(manager, id, true).await,
                )],
                None => Vec::new(),
            }
        }
        Entry::Permission {
            manager,
            entity,
            principal,
            previous,
        } => {
            let result = match previous {
                Some((role, propagate)) => {
                    client
                        .set_user_permission(manager, entity, principal, *role, *propagate)
                        .await
                }
                None => {
                    client
                        .remove_user_permission(manager, entity, principal)
                        .await
                }
            };
            let label = format!("{principal} on {entity}");
            vec![(
                object(ObjectKind::Permission, &entity.value, &label),
                result,
            )]
        }
        Entry::Directory { path } => {
            let result = match file_manager(client, fm).await {
                Ok(fm) => client.delete_datastore_file(fm, path, datacenter).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(false) => Vec::new(),
                Ok(true) => vec![(object(ObjectKind::DatastoreDirectory, path, path), Ok(()))],
                Err(e) => vec![(object(ObjectKind::DatastoreDirectory, path, path), Err(e))],
            }
        }
    }
}
