//! Operations every managed entity has: `Destroy_Task`, and finding a child by name
//! (`SearchIndex.FindChild`), which rollback uses when a create's reply was lost.

use std::time::Duration;

use super::envelope::Request;
use super::fault::FaultKind;
use super::task::wait_for_task;
use super::{Client, MoRef, VsphereError};

/// Destroying a VM deletes its files; a busy datastore can take a while.
const DESTROY_TIMEOUT: Duration = Duration::from_secs(300);

/// Whether the error says the object does not exist (any more).
pub(crate) fn is_gone(error: &VsphereError) -> bool {
    matches!(
        error.fault_kind(),
        Some(FaultKind::ManagedObjectNotFound { .. })
    )
}

impl Client {
    /// `Destroy_Task` and wait. An object that is already gone counts as destroyed.
    pub async fn destroy_entity(&self, entity: &MoRef) -> Result<(), VsphereError> {
        let task = self
            .with_session(|| async {
                let response = self
                    .transport()
                    .call(Request::new("Destroy_Task", entity))
                    .await?;
                response
                    .child_moref("returnval")
                    .ok_or_else(|| VsphereError::malformed("Destroy_Task", "no task returned"))
            })
            .await;
        let task = match task {
            Ok(task) => task,
            Err(e) if is_gone(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        match wait_for_task(self, &task, DESTROY_TIMEOUT).await {
            Ok(_) => Ok(()),
            Err(e) if is_gone(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `SearchIndex.FindChild`: the direct child of `parent` called `name` (folders, datacenters,
    /// compute resources, resource pools), or `None`.
    pub async fn find_child(
        &self,
        parent: &MoRef,
        name: &str,
    ) -> Result<Option<MoRef>, VsphereError> {
        let Some(search_index) = self.content().search_index.clone() else {
            return Err(VsphereError::NotFound(
                "the server has no SearchIndex".into(),
            ));
        };
        self.with_session(|| async {
            let mut request = Request::new("FindChild", &search_index);
            request.moref("entity", parent).text("name", name);
            let response = self.transport().call(request).await?;
            Ok(response.child_moref("returnval"))
        })
        .await
    }
}
