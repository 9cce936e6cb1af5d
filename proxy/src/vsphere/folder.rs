//! VM folders: a datacenter's VM folder, `CreateFolder`, and what a folder holds.

use super::envelope::Request;
use super::{Client, MoRef, VsphereError};

/// A folder's name, parent and direct children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    pub moref: MoRef,
    pub name: String,
    pub parent: Option<MoRef>,
    pub children: Vec<MoRef>,
}

impl Client {
    /// `Datacenter.vmFolder`.
    pub async fn datacenter_vm_folder(&self, datacenter: &MoRef) -> Result<MoRef, VsphereError> {
        let objects = self
            .properties_of(datacenter, "Datacenter", &["vmFolder"])
            .await?;
        objects
            .as_ref()
            .and_then(|o| o.moref("vmFolder"))
            .ok_or_else(|| VsphereError::NotFound(format!("the VM folder of {datacenter}")))
    }

    /// `Folder.CreateFolder`. A taken name comes back as the `DuplicateName` fault.
    pub async fn create_folder(&self, parent: &MoRef, name: &str) -> Result<MoRef, VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("CreateFolder", parent);
            request.text("name", name);
            let response = self.transport().call(request).await?;
            response
                .child_moref("returnval")
                .ok_or_else(|| VsphereError::malformed("CreateFolder", "no folder returned"))
        })
        .await
    }

    /// A folder's name, parent and children; `None` if it no longer exists.
    pub async fn folder_info(&self, folder: &MoRef) -> Result<Option<FolderInfo>, VsphereError> {
        let objects = self
            .properties_of(folder, "Folder", &["name", "parent", "childEntity"])
            .await
            .map(Vec::from_iter);
        let objects = match objects {
            Ok(objects) => objects,
            Err(e) if super::entity::is_gone(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(objects
            .into_iter()
            .next()
            .filter(|o| o.text("name").is_some())
            .map(|o| FolderInfo {
                moref: o.obj.clone(),
                name: o.text("name").unwrap_or_default().to_owned(),
                parent: o.moref("parent"),
                children: o.morefs("childEntity"),
            }))
    }
}
