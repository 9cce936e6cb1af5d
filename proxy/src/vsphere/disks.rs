//! Detaching a VM's virtual disks without deleting their files: what the original does to a
//! container VM before destroying it (its `DeleteExceptDisks`), because `Destroy_Task` deletes
//! every attached disk, and a container's volumes are disks in the VCH's volume stores.

use std::time::Duration;

use super::envelope::Request;
use super::task::wait_for_task;
use super::vm::task_of;
use super::xml_tree::Node;
use super::{Client, MoRef, VsphereError};

const TASK_TIMEOUT: Duration = Duration::from_secs(300);

/// One attached disk, as much of it as a remove spec needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskInfo {
    pub key: i64,
    pub file_name: String,
    controller_key: Option<i64>,
    unit_number: Option<i64>,
    capacity_kb: Option<i64>,
    backing_type: String,
    disk_mode: Option<String>,
}

fn parse_disks(devices: Option<&Node>) -> Vec<DiskInfo> {
    let Some(devices) = devices else {
        return Vec::new();
    };
    devices
        .children
        .iter()
        .filter(|d| d.xsi_type.as_deref() == Some("VirtualDisk"))
        .filter_map(|d| {
            let backing = d.child("backing")?;
            Some(DiskInfo {
                key: d.child_i64("key")?,
                file_name: backing
                    .child_text("fileName")
                    .unwrap_or_default()
                    .to_owned(),
                controller_key: d.child_i64("controllerKey"),
                unit_number: d.child_i64("unitNumber"),
                capacity_kb: d.child_i64("capacityInKB"),
                backing_type: backing
                    .xsi_type
                    .clone()
                    .unwrap_or_else(|| "VirtualDiskFlatVer2BackingInfo".to_owned()),
                disk_mode: backing.child_text("diskMode").map(str::to_owned),
            })
        })
        .collect()
}

impl Client {
    /// The disks attached to `vm`.
    pub async fn vm_disks(&self, vm: &MoRef) -> Result<Vec<DiskInfo>, VsphereError> {
        let objects = self
            .properties_of(vm, "VirtualMachine", &["config.hardware.device"])
            .await
            .map(Vec::from_iter)?;
        Ok(objects
            .first()
            .map(|o| parse_disks(o.get("config.hardware.device")))
            .unwrap_or_default())
    }

    /// Removes every disk from `vm`, keeping the files (no `fileOperation`). Returns the files
    /// that were attached.
    pub async fn detach_disks(&self, vm: &MoRef) -> Result<Vec<String>, VsphereError> {
        let disks = self.vm_disks(vm).await?;
        if disks.is_empty() {
            return Ok(Vec::new());
        }
        let task = self
            .with_session(|| async {
                let mut request = Request::new("ReconfigVM_Task", vm);
                request.open("spec");
                for disk in &disks {
                    request
                        .open("deviceChange")
                        .text("operation", "remove")
                        .open_typed("device", "VirtualDisk")
                        .text("key", &disk.key.to_string())
                        .open_typed("backing", &disk.backing_type)
                        .text("fileName", &disk.file_name);
                    if let Some(mode) = &disk.disk_mode {
                        request.text("diskMode", mode);
                    }
                    request.close("backing");
                    if let Some(c) = disk.controller_key {
                        request.text("controllerKey", &c.to_string());
                    }
                    if let Some(u) = disk.unit_number {
                        request.text("unitNumber", &u.to_string());
                    }
                    if let Some(kb) = disk.capacity_kb {
                        request.text("capacityInKB", &kb.to_string());
                    }
                    request.close("device").close("deviceChange");
                }
                request.close("spec");
                let response = self.transport().call(request).await?;
                task_of("ReconfigVM_Task", &response)
            })
            .await?;
        wait_for_task(self, &task, TASK_TIMEOUT).await?;
        Ok(disks.into_iter().map(|d| d.file_name).collect())
    }
}
