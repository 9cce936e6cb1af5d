//! `AuthorizationManager`: roles and permissions, for `--ops-grant-perms`
//! (docs/original-sequences.md §1 step 12). Roles are read from the `roleList` property (vcsim has
//! no `RetrieveRoles` method; vCenter has both).

use super::envelope::Request;
use super::{Client, FaultKind, MoRef, VsphereError};

/// One authorization role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: i32,
    pub name: String,
    /// Built in (`Admin`, `ReadOnly`, ...): cannot be changed.
    pub system: bool,
    pub privileges: Vec<String>,
}

/// One permission: `principal` has role `role_id` on `entity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub entity: MoRef,
    pub principal: String,
    pub group: bool,
    pub role_id: i32,
    pub propagate: bool,
}

impl Client {
    /// `ServiceContent.authorizationManager`. Asked for when needed rather than kept with the
    /// session: only `--ops-grant-perms` uses it.
    pub async fn authorization_manager(&self) -> Result<MoRef, VsphereError> {
        let response = self
            .transport()
            .call(Request::new(
                "RetrieveServiceContent",
                &MoRef::new("ServiceInstance", "ServiceInstance"),
            ))
            .await?;
        response
            .child("returnval")
            .and_then(|rv| rv.child_moref("authorizationManager"))
            .ok_or_else(|| VsphereError::NotFound("the server's AuthorizationManager".into()))
    }

    /// Every role (`AuthorizationManager.roleList`).
    pub async fn roles(&self, manager: &MoRef) -> Result<Vec<Role>, VsphereError> {
        let objects = self
            .properties_of(manager, "AuthorizationManager", &["roleList"])
            .await
            .map(Vec::from_iter)?;
        let Some(list) = objects.first().and_then(|o| o.get("roleList")) else {
            return Ok(Vec::new());
        };
        Ok(list
            .children
            .iter()
            .filter_map(|r| {
                Some(Role {
                    id: i32::try_from(r.child_i64("roleId")?).ok()?,
                    name: r.child_text("name")?.to_owned(),
                    system: r.child_bool("system").unwrap_or(false),
                    privileges: r
                        .children_named("privilege")
                        .map(|p| p.text.clone())
                        .collect(),
                })
            })
            .collect())
    }

    /// `AddAuthorizationRole`: returns the id the server reports (vcsim always says 0: read
    /// [`Client::roles`] back for the real one). A taken name is `AlreadyExists`.
    pub async fn add_role(
        &self,
        manager: &MoRef,
        name: &str,
        privileges: &[&str],
    ) -> Result<i32, VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("AddAuthorizationRole", manager);
            request.text("name", name);
            for privilege in privileges {
                request.text("privIds", privilege);
            }
            let response = self.transport().call(request).await?;
            response
                .child_text("returnval")
                .and_then(|t| t.trim().parse().ok())
                .ok_or_else(|| VsphereError::malformed("AddAuthorizationRole", "no role id"))
        })
        .await
    }

    /// `RemoveAuthorizationRole`. With `fail_if_used` a role someone still holds stays (fault).
    pub async fn remove_role(
        &self,
        manager: &MoRef,
        id: i32,
        fail_if_used: bool,
    ) -> Result<(), VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("RemoveAuthorizationRole", manager);
            request
                .text("roleId", &id.to_string())
                .bool("failIfUsed", fail_if_used);
            self.transport().call(request).await.map(|_| ())
        })
        .await
    }

    /// `RetrieveEntityPermissions` set directly on `entity` (not inherited).
    pub async fn entity_permissions(
        &self,
        manager: &MoRef,
        entity: &MoRef,
    ) -> Result<Vec<Permission>, VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("RetrieveEntityPermissions", manager);
            request.moref("entity", entity).bool("inherited", false);
            let response = self.transport().call(request).await?;
            Ok(response
                .children_named("returnval")
                .filter_map(|p| {
                    Some(Permission {
                        entity: p.child_moref("entity").unwrap_or_else(|| entity.clone()),
                        principal: p.child_text("principal")?.to_owned(),
                        group: p.child_bool("group").unwrap_or(false),
                        role_id: i32::try_from(p.child_i64("roleId")?).ok()?,
                        propagate: p.child_bool("propagate").unwrap_or(false),
                    })
                })
                .collect())
        })
        .await
    }

    /// `SetEntityPermissions` for one user: replaces that user's permission on `entity`.
    pub async fn set_user_permission(
        &self,
        manager: &MoRef,
        entity: &MoRef,
        principal: &str,
        role_id: i32,
        propagate: bool,
    ) -> Result<(), VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("SetEntityPermissions", manager);
            // Permission in WSDL order: entity, principal, group, roleId, propagate.
            request
                .moref("entity", entity)
                .open("permission")
                .moref("entity", entity)
                .text("principal", principal)
                .bool("group", false)
                .text("roleId", &role_id.to_string())
                .bool("propagate", propagate)
                .close("permission");
            self.transport().call(request).await.map(|_| ())
        })
        .await
    }

    /// `RemoveEntityPermission` of a user; one that is not there counts as removed.
    pub async fn remove_user_permission(
        &self,
        manager: &MoRef,
        entity: &MoRef,
        principal: &str,
    ) -> Result<(), VsphereError> {
        let result = self
            .with_session(|| async {
                let mut request = Request::new("RemoveEntityPermission", manager);
                request
                    .moref("entity", entity)
                    .text("user", principal)
                    .bool("isGroup", false);
                self.transport().call(request).await.map(|_| ())
            })
            .await;
        match result {
            Err(e) if matches!(e.fault_kind(), Some(FaultKind::NotFound)) => Ok(()),
            Err(e) if super::entity::is_gone(&e) => Ok(()),
            other => other,
        }
    }
}
