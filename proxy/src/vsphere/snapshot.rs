//! VM snapshots (`CreateSnapshot_Task`, `RevertToSnapshot_Task`, `RemoveSnapshot_Task`) and the
//! device-level reconfigure a snapshot guards: NICs added, rebound or removed, CPU and memory,
//! extraConfig. `vm.rs`'s `Reconfig` only adds a CD-ROM; `configure` needs the rest, always under
//! a snapshot, so the two live together here.

use std::time::Duration;

use super::envelope::Request;
use super::task::wait_for_task;
use super::vm::{NicSpec, write_backing};
use super::{Client, MoRef, VsphereError};

/// A snapshot of a powered-off appliance is metadata only; a busy vCenter still takes a while.
const SNAPSHOT_TIMEOUT: Duration = Duration::from_secs(300);

/// One NIC change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NicChange {
    Add(NicSpec),
    /// Rebinds the existing device `key` (same slot, same MAC) to another port group.
    Rebind {
        key: i64,
        nic: NicSpec,
    },
    Remove {
        key: i64,
    },
}

/// A `ReconfigVM_Task` spec beyond extraConfig.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceReconfig {
    pub num_cpus: Option<u32>,
    pub memory_mb: Option<u64>,
    pub nics: Vec<NicChange>,
    pub extra_config: Vec<(String, String)>,
}

impl DeviceReconfig {
    pub fn is_empty(&self) -> bool {
        self.num_cpus.is_none()
            && self.memory_mb.is_none()
            && self.nics.is_empty()
            && self.extra_config.is_empty()
    }
}

fn write_nic_change(request: &mut Request, new_key: i64, change: &NicChange) {
    let (operation, key, nic) = match change {
        NicChange::Add(nic) => ("add", new_key, Some(nic)),
        NicChange::Rebind { key, nic } => ("edit", *key, Some(nic)),
        NicChange::Remove { key } => ("remove", *key, None),
    };
    request
        .open("deviceChange")
        .text("operation", operation)
        .open_typed("device", "VirtualVmxnet3")
        .text("key", &key.to_string());
    if let Some(nic) = nic {
        // vcsim dereferences deviceInfo on an edit (and real vCenter regenerates it anyway).
        request
            .open("deviceInfo")
            .text("label", "Network adapter")
            .text("summary", "vmxnet3")
            .close("deviceInfo");
        write_backing(request, &nic.backing);
        request
            .open("connectable")
            .bool("startConnected", true)
            .bool("allowGuestControl", true)
            .bool("connected", true)
            .close("connectable")
            .open_typed("slotInfo", "VirtualDevicePciBusSlotInfo")
            .text("pciSlotNumber", &nic.pci_slot.to_string())
            .close("slotInfo")
            .text("addressType", "generated");
    }
    request.close("device").close("deviceChange");
}

fn task_of(method: &str, response: &super::xml_tree::Node) -> Result<MoRef, VsphereError> {
    response
        .child_moref("returnval")
        .ok_or_else(|| VsphereError::malformed(method, "no task returned"))
}

impl Client {
    /// `CreateSnapshot_Task` without memory or quiescing (the appliance is powered off first),
    /// returns the snapshot.
    pub async fn create_snapshot(
        &self,
        vm: &MoRef,
        name: &str,
        description: &str,
    ) -> Result<MoRef, VsphereError> {
        let task = self
            .with_session(|| async {
                let mut request = Request::new("CreateSnapshot_Task", vm);
                request
                    .text("name", name)
                    .text("description", description)
                    .bool("memory", false)
                    .bool("quiesce", false);
                let response = self.transport().call(request).await?;
                task_of("CreateSnapshot_Task", &response)
            })
            .await?;
        wait_for_task(self, &task, SNAPSHOT_TIMEOUT)
            .await?
            .ok_or_else(|| VsphereError::malformed("CreateSnapshot_Task", "no snapshot returned"))
    }

    /// `RevertToSnapshot_Task`: the VM's configuration (devices, extraConfig) as it was.
    pub async fn revert_to_snapshot(&self, snapshot: &MoRef) -> Result<(), VsphereError> {
        let task = self
            .with_session(|| async {
                let response = self
                    .transport()
                    .call(Request::new("RevertToSnapshot_Task", snapshot))
                    .await?;
                task_of("RevertToSnapshot_Task", &response)
            })
            .await?;
        wait_for_task(self, &task, SNAPSHOT_TIMEOUT).await?;
        Ok(())
    }

    /// `RemoveSnapshot_Task` (children kept, disks consolidated). An already-removed snapshot is fine.
    pub async fn remove_snapshot(&self, snapshot: &MoRef) -> Result<(), VsphereError> {
        let task = self
            .with_session(|| async {
                let mut request = Request::new("RemoveSnapshot_Task", snapshot);
                request
                    .bool("removeChildren", false)
                    .bool("consolidate", true);
                let response = self.transport().call(request).await?;
                task_of("RemoveSnapshot_Task", &response)
            })
            .await;
        let result = match task {
            Ok(task) => wait_for_task(self, &task, SNAPSHOT_TIMEOUT)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
        match result {
            Err(e) if super::entity::is_gone(&e) => Ok(()),
            other => other,
        }
    }

    /// `ReconfigVM_Task` with CPU, memory, NIC changes and extraConfig, and wait.
    pub async fn reconfigure_vm_devices(
        &self,
        vm: &MoRef,
        change: &DeviceReconfig,
    ) -> Result<(), VsphereError> {
        let task = self
            .with_session(|| async {
                let mut request = Request::new("ReconfigVM_Task", vm);
                // VirtualMachineConfigSpec fields in WSDL order.
                request.open("spec");
                if let Some(cpus) = change.num_cpus {
                    request.text("numCPUs", &cpus.to_string());
                }
                if let Some(memory) = change.memory_mb {
                    request.text("memoryMB", &memory.to_string());
                }
                let mut new_key = -100i64;
                for nic in &change.nics {
                    write_nic_change(&mut request, new_key, nic);
                    new_key -= 1;
                }
                for (key, value) in &change.extra_config {
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
                task_of("ReconfigVM_Task", &response)
            })
            .await?;
        wait_for_task(self, &task, SNAPSHOT_TIMEOUT).await?;
        Ok(())
    }
}

impl Client {
    /// Whether `[ds] path` exists, by `SearchDatastore_Task` on the path itself (FileNotFound
    /// when it does not). Lives here rather than in `datastore.rs` only because of file
    /// ownership: `configure` and `create` need it before `MakeDirectory`, so a lost reply can
    /// be told apart from a directory someone else made.
    pub async fn datastore_path_exists(
        &self,
        datastore: &MoRef,
        datastore_path: &str,
    ) -> Result<bool, VsphereError> {
        let browser = self
            .properties_of(datastore, "Datastore", &["browser"])
            .await
            .map(Vec::from_iter)?
            .first()
            .and_then(|o| o.moref("browser"))
            .ok_or_else(|| VsphereError::malformed("RetrieveProperties", "no datastore browser"))?;
        let task = self
            .with_session(|| async {
                let mut request = Request::new("SearchDatastore_Task", &browser);
                request.text("datastorePath", datastore_path);
                let response = self.transport().call(request).await?;
                task_of("SearchDatastore_Task", &response)
            })
            .await;
        let result = match task {
            Ok(task) => wait_for_task(self, &task, SNAPSHOT_TIMEOUT)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.fault_kind(), Some(super::FaultKind::FileNotFound)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
