//! DRS VM groups on a cluster: read `configurationEx.group`, add or remove a `ClusterVmGroup`
//! with `ReconfigureComputeResource_Task` (`--affinity-vm-group`, docs/original-sequences.md §1 step 13).

use std::time::Duration;

use super::envelope::Request;
use super::task::wait_for_task;
use super::{Client, MoRef, VsphereError};

/// A cluster reconfigure touches every host's DRS state; give a busy vCenter time.
const RECONFIGURE_TIMEOUT: Duration = Duration::from_secs(120);

/// One DRS group of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterGroup {
    pub name: String,
    /// `ClusterVmGroup` or `ClusterHostGroup`.
    pub kind: String,
    /// The VMs of a VM group (empty for host groups).
    pub vms: Vec<MoRef>,
}

enum GroupChange<'a> {
    Add { name: &'a str, vms: &'a [MoRef] },
    Remove { name: &'a str },
}

impl Client {
    /// The DRS groups of a cluster (`configurationEx.group`).
    pub async fn cluster_groups(&self, cluster: &MoRef) -> Result<Vec<ClusterGroup>, VsphereError> {
        let objects = self
            .properties_of(cluster, "ClusterComputeResource", &["configurationEx"])
            .await
            .map(Vec::from_iter)?;
        let Some(config) = objects.first().and_then(|o| o.get("configurationEx")) else {
            return Ok(Vec::new());
        };
        Ok(config
            .children_named("group")
            .map(|g| ClusterGroup {
                name: g.child_text("name").unwrap_or_default().to_owned(),
                kind: g.xsi_type.clone().unwrap_or_default(),
                vms: g
                    .children_named("vm")
                    .filter_map(super::xml_tree::Node::as_moref)
                    .collect(),
            })
            .collect())
    }

    /// Adds the VM group `name` holding `vms`. A taken name comes back as a fault
    /// (`InvalidArgument` on vcsim, `AlreadyExists` on vCenter).
    pub async fn add_vm_group(
        &self,
        cluster: &MoRef,
        name: &str,
        vms: &[MoRef],
    ) -> Result<(), VsphereError> {
        self.reconfigure_groups(cluster, GroupChange::Add { name, vms })
            .await
    }

    /// Removes the group `name`: `false` when it was not there (or the cluster is gone).
    pub async fn remove_vm_group(&self, cluster: &MoRef, name: &str) -> Result<bool, VsphereError> {
        let groups = match self.cluster_groups(cluster).await {
            Ok(groups) => groups,
            Err(e) if super::entity::is_gone(&e) => return Ok(false),
            Err(e) => return Err(e),
        };
        if !groups.iter().any(|g| g.name == name) {
            return Ok(false);
        }
        self.reconfigure_groups(cluster, GroupChange::Remove { name })
            .await?;
        Ok(true)
    }

    async fn reconfigure_groups(
        &self,
        cluster: &MoRef,
        change: GroupChange<'_>,
    ) -> Result<(), VsphereError> {
        let task = self
            .with_session(|| async {
                let mut request = Request::new("ReconfigureComputeResource_Task", cluster);
                // `spec` is declared as ComputeResourceConfigSpec: without the xsi:type the
                // server reads the base type and drops groupSpec. ArrayUpdateSpec order:
                // operation, removeKey; then ClusterGroupSpec.info.
                request.open_typed("spec", "ClusterConfigSpecEx");
                request.open("groupSpec");
                match &change {
                    GroupChange::Add { name, vms } => {
                        request
                            .text("operation", "add")
                            .open_typed("info", "ClusterVmGroup")
                            .text("name", name);
                        for vm in *vms {
                            request.moref("vm", vm);
                        }
                        request.close("info");
                    }
                    GroupChange::Remove { name } => {
                        // removeKey is xsd:anyType; the group's key is its name.
                        request
                            .text("operation", "remove")
                            .open_typed("removeKey", "xsd:string")
                            .content(name)
                            .close("removeKey");
                    }
                }
                request.close("groupSpec").close("spec");
                // modify=true: change only what the spec names, keep the rest of the config.
                request.bool("modify", true);
                let response = self.transport().call(request).await?;
                response.child_moref("returnval").ok_or_else(|| {
                    VsphereError::malformed("ReconfigureComputeResource_Task", "no task returned")
                })
            })
            .await?;
        wait_for_task(self, &task, RECONFIGURE_TIMEOUT).await?;
        Ok(())
    }
}
