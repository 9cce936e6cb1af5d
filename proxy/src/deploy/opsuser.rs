//! The operations user (`--ops-user`): the credentials check (T13/T14) and, with
//! `--ops-grant-perms`, the original's roles and permissions (docs/original-sequences.md §1 step 12).
//!
//! Every role added and every permission set goes into the rollback journal, a permission with
//! the one it replaced, so a failed create leaves the authorization model as it found it.

use std::collections::BTreeMap;

use secrecy::SecretString;

use crate::vsphere::authorization::Role;
use crate::vsphere::{Client, MoRef, TargetSpec, VsphereError};

use super::StepError;
use super::journal::Journal;
use super::plan::Plan;

/// The prefix of the roles the original creates (`vic-vch-<role>`).
pub const ROLE_PREFIX: &str = "vic-vch-";

/// The built-in role given on the datacenter before the credentials check: a user without any
/// permission cannot log in to vCenter at all.
pub const READ_ONLY: &str = "ReadOnly";

/// vCenter's built-in Admin role: a user holding it is not narrowed down (the original skips).
const ADMIN_ROLE_ID: i32 = -1;

const VCENTER: &[&str] = &["Datastore.Config"];
const DATACENTER: &[&str] = &["Datastore.Config", "Datastore.FileManagement"];
const DATASTORE: &[&str] = &[
    "Datastore.AllocateSpace",
    "Datastore.Browse",
    "Datastore.Config",
    "Datastore.DeleteFile",
    "Datastore.FileManagement",
    "Host.Config.SystemManagement",
];
/// The datastore privileges plus editing the cluster: VM groups need it.
const CLUSTER: &[&str] = &[
    "Datastore.AllocateSpace",
    "Datastore.Browse",
    "Datastore.Config",
    "Datastore.DeleteFile",
    "Datastore.FileManagement",
    "Host.Config.SystemManagement",
    "Host.Inventory.EditCluster",
];
const NETWORK: &[&str] = &["Network.Assign"];
const ENDPOINT: &[&str] = &[
    "DVPortgroup.Modify",
    "DVPortgroup.PolicyOp",
    "DVPortgroup.ScopeOp",
    "Resource.AssignVMToPool",
    "Resource.ColdMigrate",
    "VirtualMachine.Config.AddExistingDisk",
    "VirtualMachine.Config.AddNewDisk",
    "VirtualMachine.Config.AddRemoveDevice",
    "VirtualMachine.Config.AdvancedConfig",
    "VirtualMachine.Config.EditDevice",
    "VirtualMachine.Config.RemoveDisk",
    "VirtualMachine.Config.Rename",
    "VirtualMachine.GuestOperations.Execute",
    "VirtualMachine.Interact.DeviceConnection",
    "VirtualMachine.Interact.PowerOff",
    "VirtualMachine.Interact.PowerOn",
    "VirtualMachine.Inventory.Create",
    "VirtualMachine.Inventory.Delete",
    "VirtualMachine.Inventory.Register",
    "VirtualMachine.Inventory.Unregister",
];

/// The roles, by suffix after [`ROLE_PREFIX`], with their privileges.
pub fn role_privileges(suffix: &str) -> Vec<&'static str> {
    match suffix {
        "vcenter" => VCENTER.to_vec(),
        "datacenter" => DATACENTER.to_vec(),
        "cluster" => CLUSTER.to_vec(),
        "datastore" => DATASTORE.to_vec(),
        "network" => NETWORK.to_vec(),
        "endpoint" => ENDPOINT.to_vec(),
        // Without DRS there is no VCH pool: the endpoint privileges go on the cluster.
        "endpoint-datastore" => {
            let mut all = DATASTORE.to_vec();
            all.extend_from_slice(ENDPOINT);
            all
        }
        _ => Vec::new(),
    }
}

/// Where the ops user gets which role.
#[derive(Debug, Clone)]
pub struct Grant {
    pub entity: MoRef,
    /// A suffix for [`ROLE_PREFIX`] roles, or [`READ_ONLY`].
    pub role: &'static str,
    pub propagate: bool,
}

/// The original's permission layout: root (vcenter), datacenter, cluster (datastore with DRS,
/// endpoint-datastore without, cluster with VM groups), each datastore used, each network used,
/// the VCH pool and VM folder (endpoint).
#[allow(clippy::too_many_arguments)]
pub fn layout(
    root: &MoRef,
    datacenter: &MoRef,
    cluster: &MoRef,
    drs: bool,
    vm_group: bool,
    datastores: &[MoRef],
    networks: &[MoRef],
    endpoints: &[MoRef],
) -> Vec<Grant> {
    let cluster_role = if vm_group {
        "cluster"
    } else if drs {
        "datastore"
    } else {
        "endpoint-datastore"
    };
    let mut grants = vec![
        grant(root, "vcenter", false),
        grant(datacenter, "datacenter", true),
        grant(cluster, cluster_role, true),
    ];
    grants.extend(datastores.iter().map(|d| grant(d, "datastore", false)));
    grants.extend(networks.iter().map(|n| grant(n, "network", true)));
    grants.extend(endpoints.iter().map(|e| grant(e, "endpoint", true)));
    // One permission per user and entity: the last wins, as on the server.
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<Grant> = grants
        .into_iter()
        .rev()
        .filter(|g| seen.insert(g.entity.clone()))
        .collect();
    unique.reverse();
    unique
}

fn grant(entity: &MoRef, role: &'static str, propagate: bool) -> Grant {
    Grant {
        entity: entity.clone(),
        role,
        propagate,
    }
}

/// T13: a second session with the ops credentials, logged out again right away.
pub async fn check_login(target: &TargetSpec, user: &str, password: &str) -> Result<(), StepError> {
    let spec = TargetSpec {
        url: target.url.clone(),
        username: user.to_owned(),
        password: SecretString::from(password.to_owned()),
        tls: target.tls.clone(),
    };
    let session = Client::connect(&spec)
        .await
        .map_err(|cause| StepError::OpsLogin {
            user: user.to_owned(),
            cause: Box::new(cause),
        })?;
    // The check is the login; a failed logout only leaves an idle session to expire.
    if let Err(e) = session.logout().await {
        tracing::warn!(user, error = %e, "logging out the ops-credentials check failed");
    }
    Ok(())
}

/// Whether `user` holds Admin directly on the root folder (then the original leaves it alone:
/// narrowing an administrator's permissions would lock them out). Group membership is not seen.
pub async fn is_admin(
    client: &Client,
    manager: &MoRef,
    root: &MoRef,
    user: &str,
) -> Result<bool, VsphereError> {
    Ok(client
        .entity_permissions(manager, root)
        .await?
        .iter()
        .any(|p| !p.group && p.principal == user && p.role_id == ADMIN_ROLE_ID))
}

/// Looks up (or adds, journalled) the roles `grants` need: role name → id.
pub async fn ensure_roles(
    client: &Client,
    manager: &MoRef,
    journal: &mut Journal,
    grants: &[Grant],
) -> Result<std::collections::BTreeMap<String, i32>, VsphereError> {
    let existing: Vec<Role> = client.roles(manager).await?;
    let mut ids = std::collections::BTreeMap::new();
    let mut added = Vec::new();
    for g in grants {
        let name = role_name(g.role);
        if ids.contains_key(&name) || added.iter().any(|(_, n)| *n == name) {
            continue;
        }
        if let Some(role) = existing.iter().find(|r| r.name == name) {
            ids.insert(name, role.id);
            continue;
        }
        if g.role == READ_ONLY {
            return Err(VsphereError::NotFound(format!(
                "the built-in role {READ_ONLY}"
            )));
        }
        let pending = journal.pending_role(manager, &name);
        match client
            .add_role(manager, &name, &role_privileges(g.role))
            .await
        {
            // vcsim answers without the new id (it sends 0), so ids are read back below.
            Ok(_) => added.push((pending, name)),
            Err(e) => {
                journal.settle(pending, &e);
                return Err(e);
            }
        }
    }
    if !added.is_empty() {
        let now = client.roles(manager).await?;
        for (pending, name) in added {
            let id = now
                .iter()
                .find(|r| r.name == name)
                .map(|r| r.id)
                .ok_or_else(|| VsphereError::NotFound(format!("the new role {name}")))?;
            journal.role_created(pending, id);
            ids.insert(name, id);
        }
    }
    Ok(ids)
}

/// The full role name of a grant's role.
pub fn role_name(role: &str) -> String {
    if role == READ_ONLY {
        role.to_owned()
    } else {
        format!("{ROLE_PREFIX}{role}")
    }
}

/// Sets the ops user's permission on one entity, journalled with the one it replaces. Returns
/// whether anything changed.
pub async fn set_permission(
    client: &Client,
    manager: &MoRef,
    journal: &mut Journal,
    user: &str,
    entity: &MoRef,
    role_id: i32,
    propagate: bool,
) -> Result<bool, VsphereError> {
    let previous = client
        .entity_permissions(manager, entity)
        .await?
        .into_iter()
        .find(|p| !p.group && p.principal == user)
        .map(|p| (p.role_id, p.propagate));
    if previous == Some((role_id, propagate)) {
        return Ok(false);
    }
    let pending = journal.pending_permission(manager, entity, user, previous);
    match client
        .set_user_permission(manager, entity, user, role_id, propagate)
        .await
    {
        Ok(()) => Ok(true),
        Err(e) => {
            journal.settle(pending, &e);
            Err(e)
        }
    }
}

/// With `--ops-grant-perms`, before the credentials check: ReadOnly on the datacenter
/// (journalled), as the original does: a user without any permission cannot log in. `None` when
/// the user holds Admin on the root (left alone); else the AuthorizationManager for
/// [`grant_vch`].
pub async fn grant_read_only(
    client: &Client,
    journal: &mut Journal,
    user: &str,
    datacenter: &MoRef,
) -> Result<Option<MoRef>, VsphereError> {
    let manager = client.authorization_manager().await?;
    let root = client.content().root_folder.clone();
    if is_admin(client, &manager, &root, user).await? {
        return Ok(None);
    }
    let grants = [Grant {
        entity: datacenter.clone(),
        role: READ_ONLY,
        propagate: false,
    }];
    let roles = ensure_roles(client, &manager, journal, &grants).await?;
    let read_only = roles
        .get(READ_ONLY)
        .copied()
        .ok_or_else(|| VsphereError::NotFound(format!("the built-in role {READ_ONLY}")))?;
    set_permission(
        client, &manager, journal, user, datacenter, read_only, false,
    )
    .await?;
    Ok(Some(manager))
}

/// Where a VCH lives, as far as its operations user's permissions go.
pub struct VchPlace<'a> {
    pub plan: &'a Plan,
    /// Datastore name → moref in the plan's datacenter.
    pub datastores: &'a BTreeMap<String, MoRef>,
    /// The VCH's pool and VM folder.
    pub endpoints: Vec<MoRef>,
    pub vm_group: bool,
}

/// Step 12: the `vic-vch-*` roles (added when missing) and the ops user's permissions on the
/// root folder, datacenter, cluster, datastores, networks and `endpoints`, journalled. Returns
/// (permissions changed, objects covered). Create and configure both grant through here.
pub async fn grant_vch(
    client: &Client,
    manager: &MoRef,
    journal: &mut Journal,
    user: &str,
    place: &VchPlace<'_>,
) -> Result<(usize, usize), VsphereError> {
    let plan = place.plan;
    let mut datastores: Vec<MoRef> = Vec::new();
    let used = std::iter::once(plan.datastore.clone())
        .chain(plan.volume_dirs.iter().map(|d| d.datastore.clone()));
    for ds in used {
        if let Some(moref) = place.datastores.get(&ds)
            && !datastores.contains(moref)
        {
            datastores.push(moref.clone());
        }
    }
    let mut networks: Vec<MoRef> = Vec::new();
    for pg in plan.port_groups.values() {
        if !networks.contains(&pg.moref) {
            networks.push(pg.moref.clone());
        }
    }
    let grants = layout(
        &client.content().root_folder,
        &plan.datacenter,
        &plan.compute,
        plan.creates_pool(),
        place.vm_group,
        &datastores,
        &networks,
        &place.endpoints,
    );
    let roles = ensure_roles(client, manager, journal, &grants).await?;
    let mut changed = 0;
    for g in &grants {
        let role_name = role_name(g.role);
        let role = roles
            .get(&role_name)
            .copied()
            .ok_or_else(|| VsphereError::NotFound(format!("the role {role_name}")))?;
        if set_permission(client, manager, journal, user, &g.entity, role, g.propagate).await? {
            changed += 1;
        }
    }
    Ok((changed, grants.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_role_follows_drs_and_vm_groups() {
        let m = |v: &str| MoRef::new("X", v);
        let roles = |drs, group| {
            layout(&m("root"), &m("dc"), &m("c"), drs, group, &[], &[], &[])
                .into_iter()
                .find(|g| g.entity == m("c"))
                .map(|g| g.role)
        };
        assert_eq!(roles(true, false), Some("datastore"));
        assert_eq!(roles(false, false), Some("endpoint-datastore"));
        assert_eq!(roles(true, true), Some("cluster"));
        assert_eq!(
            role_privileges("endpoint-datastore").len(),
            DATASTORE.len() + ENDPOINT.len()
        );
    }
}
