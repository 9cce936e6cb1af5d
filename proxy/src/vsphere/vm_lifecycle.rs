//! What upgrade and rollback read and change on the appliance VM beyond `snapshot.rs`: the
//! snapshot tree (to find the life-cycle snapshot to revert to or remove) and the CD-ROM the
//! appliance boots from (swapped to the new ISO in the same `ReconfigVM_Task` as the extraConfig).

use std::time::Duration;

use super::envelope::Request;
use super::task::wait_for_task;
use super::xml_tree::Node;
use super::{Client, MoRef, VsphereError};

const RECONFIGURE_TIMEOUT: Duration = Duration::from_secs(300);

/// One snapshot of a VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotEntry {
    pub snapshot: MoRef,
    pub name: String,
    pub description: String,
    /// `createTime` as the server wrote it (ISO 8601).
    pub create_time: String,
    /// Whether it is `snapshot.currentSnapshot`.
    pub current: bool,
}

/// The appliance's CD-ROM drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cdrom {
    pub key: i64,
    pub controller_key: i64,
    pub unit_number: Option<i64>,
    /// `[ds] folder/file.iso` when ISO-backed.
    pub iso: Option<String>,
}

/// The snapshot tree, flattened parent before child, and the first CD-ROM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VmLifecycleState {
    pub snapshots: Vec<SnapshotEntry>,
    pub cdrom: Option<Cdrom>,
}

impl VmLifecycleState {
    pub fn current_snapshot(&self) -> Option<&SnapshotEntry> {
        self.snapshots.iter().find(|s| s.current)
    }
}

fn flatten(node: &Node, current: Option<&MoRef>, out: &mut Vec<SnapshotEntry>) {
    for tree in node.children_named("rootSnapshotList") {
        flatten_tree(tree, current, out);
    }
}

fn flatten_tree(tree: &Node, current: Option<&MoRef>, out: &mut Vec<SnapshotEntry>) {
    if let Some(snapshot) = tree.child_moref("snapshot") {
        out.push(SnapshotEntry {
            current: current == Some(&snapshot),
            snapshot,
            name: tree.child_text("name").unwrap_or_default().to_owned(),
            description: tree
                .child_text("description")
                .unwrap_or_default()
                .to_owned(),
            create_time: tree.child_text("createTime").unwrap_or_default().to_owned(),
        });
    }
    for child in tree.children_named("childSnapshotList") {
        flatten_tree(child, current, out);
    }
}

fn parse_cdrom(devices: Option<&Node>) -> Option<Cdrom> {
    devices?
        .children
        .iter()
        .find(|d| d.xsi_type.as_deref() == Some("VirtualCdrom"))
        .map(|d| Cdrom {
            key: d.child_i64("key").unwrap_or_default(),
            controller_key: d.child_i64("controllerKey").unwrap_or_default(),
            unit_number: d.child_i64("unitNumber"),
            iso: d
                .child("backing")
                .filter(|b| b.xsi_type.as_deref() == Some("VirtualCdromIsoBackingInfo"))
                .and_then(|b| b.child_text("fileName"))
                .map(str::to_owned),
        })
}

impl Client {
    /// Snapshots and CD-ROM of a VM (one round trip).
    pub async fn vm_lifecycle_state(&self, vm: &MoRef) -> Result<VmLifecycleState, VsphereError> {
        let objects = self
            .properties_of(
                vm,
                "VirtualMachine",
                &["snapshot", "config.hardware.device"],
            )
            .await
            .map(Vec::from_iter)?;
        let Some(o) = objects.first() else {
            return Err(VsphereError::NotFound(format!(
                "virtual machine {}",
                vm.value
            )));
        };
        let mut snapshots = Vec::new();
        if let Some(info) = o.get("snapshot") {
            let current = info.child_moref("currentSnapshot");
            flatten(info, current.as_ref(), &mut snapshots);
        }
        Ok(VmLifecycleState {
            snapshots,
            cdrom: parse_cdrom(o.get("config.hardware.device")),
        })
    }

    /// One `ReconfigVM_Task`: the CD-ROM `cdrom` now backed by `iso`, and `extra_config`.
    pub async fn swap_cdrom_iso(
        &self,
        vm: &MoRef,
        cdrom: &Cdrom,
        iso: &str,
        extra_config: &[(String, String)],
    ) -> Result<(), VsphereError> {
        let task = self
            .with_session(|| async {
                let mut request = Request::new("ReconfigVM_Task", vm);
                request
                    .open("spec")
                    .open("deviceChange")
                    .text("operation", "edit")
                    .open_typed("device", "VirtualCdrom")
                    .text("key", &cdrom.key.to_string())
                    // vcsim dereferences deviceInfo on an edit.
                    .open("deviceInfo")
                    .text("label", "CD/DVD drive 1")
                    .text("summary", "ISO")
                    .close("deviceInfo")
                    .open_typed("backing", "VirtualCdromIsoBackingInfo")
                    .text("fileName", iso)
                    .close("backing")
                    .open("connectable")
                    .bool("startConnected", true)
                    .bool("allowGuestControl", true)
                    .bool("connected", true)
                    .close("connectable")
                    .text("controllerKey", &cdrom.controller_key.to_string());
                if let Some(unit) = cdrom.unit_number {
                    request.text("unitNumber", &unit.to_string());
                }
                request.close("device").close("deviceChange");
                for (key, value) in extra_config {
                    request
                        .open_typed("extraConfig", "OptionValue")
                        .text("key", key)
                        .open_typed("value", "xsd:string")
                        .content(value)
                        .close("value")
                        .close("extraConfig");
                }
                request.close("spec");
                let response = self.transport().call(request).await?;
                response
                    .child_moref("returnval")
                    .ok_or_else(|| VsphereError::malformed("ReconfigVM_Task", "no task returned"))
            })
            .await?;
        wait_for_task(self, &task, RECONFIGURE_TIMEOUT).await?;
        Ok(())
    }
}
