//! Virtual machines: `CreateVM_Task` with NICs and extraConfig, `ReconfigVM_Task` (extraConfig,
//! CD-ROM), power on/off, reading a VM back, and waiting for the appliance's client IP.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use base64::Engine as _;
use tokio_util::sync::CancellationToken;

use super::envelope::Request;
use super::fault::FaultKind;
use super::property_collector::{self, Objects, PropertySpec};
use super::task::wait_for_task;
use super::wait::WatchEnd;
use super::xml_tree::Node;
use super::{Client, MoRef, VsphereError};

/// Creating a VM with four NICs takes seconds on a healthy vCenter; leave room for a busy one.
const VM_TASK_TIMEOUT: Duration = Duration::from_secs(300);

/// What a vNIC is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NicBacking {
    /// A standard vSwitch port group (`Network`).
    Standard { name: String, network: MoRef },
    /// A distributed port group.
    Distributed {
        switch_uuid: String,
        portgroup_key: String,
    },
}

/// One vmxnet3 NIC at a fixed PCI slot (the appliance finds its roles by slot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NicSpec {
    pub backing: NicBacking,
    pub pci_slot: u32,
}

/// The parts of a `VirtualMachineConfigSpec` the appliance needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VmSpec {
    pub name: String,
    pub guest_id: String,
    pub alternate_guest_name: String,
    pub annotation: String,
    /// `[ds]` lets the server pick (and name) the VM's folder.
    pub vm_path_name: String,
    pub num_cpus: u32,
    pub memory_mb: u64,
    pub nics: Vec<NicSpec>,
    /// Adds a paravirtual SCSI controller, as the original appliance has.
    pub pvscsi_controller: bool,
    pub extra_config: Vec<(String, String)>,
}

/// A change to an existing VM.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reconfig {
    /// Adds a CD-ROM on IDE 200 backed by this ISO (`[ds] folder/file.iso`).
    pub add_cdrom_iso: Option<String>,
    /// Adds a serial port writing to this file (`[ds] folder/tether.debug`): the appliance's
    /// console log.
    pub add_serial_file: Option<String>,
    pub extra_config: Vec<(String, String)>,
}

/// A VM's NIC as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NicInfo {
    pub key: i64,
    pub device_type: String,
    pub backing: Option<NicBacking>,
    pub pci_slot: Option<u32>,
    pub mac_address: Option<String>,
}

/// What the deploy logic reads about a VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmInfo {
    pub moref: MoRef,
    pub name: String,
    pub parent: Option<MoRef>,
    pub resource_pool: Option<MoRef>,
    pub power_state: String,
    /// `config.files.vmPathName`, e.g. `[LocalDS_0] vch1/vch1.vmx`.
    pub vm_path_name: Option<String>,
    pub num_cpus: Option<i64>,
    pub memory_mb: Option<i64>,
    pub ip_address: Option<String>,
    pub networks: Vec<MoRef>,
    pub nics: Vec<NicInfo>,
    pub cdrom_isos: Vec<String>,
    /// Raw pairs in server order; duplicates possible (vcsim appends), the last one wins.
    pub extra_config: Vec<(String, String)>,
    /// `config.uuid`: names the VCH's image directory (`VIC/<uuid>`).
    pub uuid: Option<String>,
}

impl VmInfo {
    /// The folder part of `[ds] folder/file.vmx` (`folder`), and the datastore name.
    pub fn datastore_folder(&self) -> Option<(String, String)> {
        let path = self.vm_path_name.as_deref()?;
        let (ds, rest) = path.strip_prefix('[')?.split_once(']')?;
        let rest = rest.trim();
        let folder = rest.rsplit_once('/').map_or(rest, |(dir, _)| dir);
        Some((ds.to_owned(), folder.to_owned()))
    }

    pub fn extra_config_map(&self) -> BTreeMap<String, String> {
        self.extra_config.iter().cloned().collect()
    }
}

/// How the client-IP wait ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpWait {
    /// The appliance reported its client address (`source` names the property that said so).
    Address {
        ip: IpAddr,
        source: &'static str,
    },
    /// The VM left `poweredOn` (the appliance crashed or someone powered it off).
    PoweredOff {
        state: String,
    },
    TimedOut,
    Cancelled,
}

/// How a wait for appliance-written extraConfig keys ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeysWait {
    /// Every key has a value other than empty or `<nil>`: the values, by key.
    Values(BTreeMap<String, String>),
    /// The VM left `poweredOn`.
    PoweredOff {
        state: String,
    },
    /// The deadline passed; what the keys held then (unset ones absent).
    TimedOut(BTreeMap<String, String>),
    Cancelled,
}

/// Read-write key the appliance writes once the client interface is configured (docs/appliance-extraconfig.md §5.2).
pub const CLIENT_IP_KEY: &str = "guestinfo.vice..init.networks|client.assigned.IP";

fn write_connectable(request: &mut Request) {
    request
        .open("connectable")
        .bool("startConnected", true)
        .bool("allowGuestControl", true)
        .bool("connected", true)
        .close("connectable");
}

/// A NIC's `backing`: a standard port group by name and moref, or a distributed port group by
/// switch UUID and port-group key.
pub(super) fn write_backing(request: &mut Request, backing: &NicBacking) {
    match backing {
        NicBacking::Standard { name, network } => {
            request
                .open_typed("backing", "VirtualEthernetCardNetworkBackingInfo")
                .text("deviceName", name)
                .moref("network", network)
                .close("backing");
        }
        NicBacking::Distributed {
            switch_uuid,
            portgroup_key,
        } => {
            request
                .open_typed(
                    "backing",
                    "VirtualEthernetCardDistributedVirtualPortBackingInfo",
                )
                .open("port")
                .text("switchUuid", switch_uuid)
                .text("portgroupKey", portgroup_key)
                .close("port")
                .close("backing");
        }
    }
}

fn write_nic(request: &mut Request, key: i64, nic: &NicSpec) {
    request
        .open("deviceChange")
        .text("operation", "add")
        .open_typed("device", "VirtualVmxnet3")
        .text("key", &key.to_string());
    write_backing(request, &nic.backing);
    write_connectable(request);
    request
        .open_typed("slotInfo", "VirtualDevicePciBusSlotInfo")
        .text("pciSlotNumber", &nic.pci_slot.to_string())
        .close("slotInfo")
        .text("addressType", "generated")
        .close("device")
        .close("deviceChange");
}

fn write_extra_config(request: &mut Request, entries: &[(String, String)]) {
    for (key, value) in entries {
        // Without the value's xsi:type vcsim stores the key with no value.
        request
            .open_typed("extraConfig", "OptionValue")
            .text("key", key)
            .open_typed("value", "xsd:string")
            .content(value)
            .close("value")
            .close("extraConfig");
    }
}

pub(super) fn task_of(method: &str, response: &Node) -> Result<MoRef, VsphereError> {
    response
        .child_moref("returnval")
        .ok_or_else(|| VsphereError::malformed(method, "no task returned"))
}

fn parse_backing(node: &Node) -> Option<NicBacking> {
    match node.xsi_type.as_deref() {
        Some("VirtualEthernetCardDistributedVirtualPortBackingInfo") => {
            let port = node.child("port")?;
            Some(NicBacking::Distributed {
                switch_uuid: port.child_text("switchUuid").unwrap_or_default().to_owned(),
                portgroup_key: port
                    .child_text("portgroupKey")
                    .unwrap_or_default()
                    .to_owned(),
            })
        }
        Some("VirtualEthernetCardNetworkBackingInfo") => Some(NicBacking::Standard {
            name: node.child_text("deviceName").unwrap_or_default().to_owned(),
            network: node.child_moref("network")?,
        }),
        _ => None,
    }
}

fn parse_devices(node: Option<&Node>) -> (Vec<NicInfo>, Vec<String>) {
    let mut nics = Vec::new();
    let mut isos = Vec::new();
    let Some(node) = node else {
        return (nics, isos);
    };
    for device in &node.children {
        let kind = device.xsi_type.as_deref().unwrap_or_default();
        let backing = device.child("backing");
        if kind == "VirtualCdrom" {
            if let Some(file) = backing
                .filter(|b| b.xsi_type.as_deref() == Some("VirtualCdromIsoBackingInfo"))
                .and_then(|b| b.child_text("fileName"))
            {
                isos.push(file.to_owned());
            }
            continue;
        }
        // Every VirtualEthernetCard subtype carries addressType.
        if device.child("addressType").is_none() && !kind.starts_with("VirtualVmxnet") {
            continue;
        }
        nics.push(NicInfo {
            key: device.child_i64("key").unwrap_or_default(),
            device_type: kind.to_owned(),
            backing: backing.and_then(parse_backing),
            pci_slot: device
                .child("slotInfo")
                .and_then(|s| s.child_i64("pciSlotNumber"))
                .and_then(|n| u32::try_from(n).ok()),
            mac_address: device.child_text("macAddress").map(str::to_owned),
        });
    }
    (nics, isos)
}

fn parse_extra_config(node: Option<&Node>) -> Vec<(String, String)> {
    node.map(|n| {
        n.children
            .iter()
            .filter_map(|o| {
                Some((
                    o.child_text("key")?.to_owned(),
                    o.child_text("value").unwrap_or_default().to_owned(),
                ))
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The appliance's client address from its extraConfig: base64 of 4 or 16 bytes.
fn client_ip_from_extra_config(node: Option<&Node>) -> Option<IpAddr> {
    let value = parse_extra_config(node)
        .into_iter()
        .rev()
        .find(|(k, _)| k == CLIENT_IP_KEY)
        .map(|(_, v)| v)?;
    if value.is_empty() || value == "<nil>" {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes.as_slice()).ok().map(IpAddr::from),
        16 => {
            let v6 = std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes.as_slice()).ok()?);
            Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4))
        }
        _ => None,
    }
    .filter(|ip| !ip.is_unspecified())
}

const VM_PATHS: &[&str] = &[
    "name",
    "parent",
    "resourcePool",
    "runtime.powerState",
    "config.files.vmPathName",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "config.hardware.device",
    "config.extraConfig",
    "config.uuid",
    "guest.ipAddress",
    "network",
];

impl Client {
    /// `Folder.CreateVM_Task` in `folder` and `pool` (optionally on `host`), waits, returns the VM.
    pub async fn create_vm(
        &self,
        folder: &MoRef,
        pool: &MoRef,
        host: Option<&MoRef>,
        spec: &VmSpec,
    ) -> Result<MoRef, VsphereError> {
        let task = self
            .with_session(|| async {
                let mut request = Request::new("CreateVM_Task", folder);
                // VirtualMachineConfigSpec fields in WSDL order.
                request
                    .open("config")
                    .text("name", &spec.name)
                    .text("guestId", &spec.guest_id);
                if !spec.alternate_guest_name.is_empty() {
                    request.text("alternateGuestName", &spec.alternate_guest_name);
                }
                if !spec.annotation.is_empty() {
                    request.text("annotation", &spec.annotation);
                }
                request
                    .open("files")
                    .text("vmPathName", &spec.vm_path_name)
                    .close("files")
                    .text("numCPUs", &spec.num_cpus.to_string())
                    .text("memoryMB", &spec.memory_mb.to_string());
                let mut key = -1i64;
                if spec.pvscsi_controller {
                    request
                        .open("deviceChange")
                        .text("operation", "add")
                        .open_typed("device", "ParaVirtualSCSIController")
                        .text("key", &key.to_string())
                        .text("busNumber", "0")
                        .text("sharedBus", "noSharing")
                        .close("device")
                        .close("deviceChange");
                    key -= 1;
                }
                for nic in &spec.nics {
                    write_nic(&mut request, key, nic);
                    key -= 1;
                }
                write_extra_config(&mut request, &spec.extra_config);
                request.close("config").moref("pool", pool);
                if let Some(host) = host {
                    request.moref("host", host);
                }
                let response = self.transport().call(request).await?;
                task_of("CreateVM_Task", &response)
            })
            .await?;
        wait_for_task(self, &task, VM_TASK_TIMEOUT)
            .await?
            .ok_or_else(|| VsphereError::malformed("CreateVM_Task", "the task returned no VM"))
    }

    /// `ReconfigVM_Task` and wait.
    pub async fn reconfigure_vm(&self, vm: &MoRef, change: &Reconfig) -> Result<(), VsphereError> {
        let task = self
            .with_session(|| async {
                let mut request = Request::new("ReconfigVM_Task", vm);
                request.open("spec");
                if let Some(iso) = &change.add_cdrom_iso {
                    request
                        .open("deviceChange")
                        .text("operation", "add")
                        .open_typed("device", "VirtualCdrom")
                        .text("key", "-1")
                        .open_typed("backing", "VirtualCdromIsoBackingInfo")
                        .text("fileName", iso)
                        .close("backing");
                    write_connectable(&mut request);
                    request
                        .text("controllerKey", "200")
                        .text("unitNumber", "0")
                        .close("device")
                        .close("deviceChange");
                }
                if let Some(file) = &change.add_serial_file {
                    request
                        .open("deviceChange")
                        .text("operation", "add")
                        .open_typed("device", "VirtualSerialPort")
                        .text("key", "-2")
                        .open_typed("backing", "VirtualSerialPortFileBackingInfo")
                        .text("fileName", file)
                        .close("backing");
                    write_connectable(&mut request);
                    request
                        .bool("yieldOnPoll", true)
                        .close("device")
                        .close("deviceChange");
                }
                write_extra_config(&mut request, &change.extra_config);
                request.close("spec");
                let response = self.transport().call(request).await?;
                task_of("ReconfigVM_Task", &response)
            })
            .await?;
        wait_for_task(self, &task, VM_TASK_TIMEOUT).await?;
        Ok(())
    }

    /// `PowerOnVM_Task` and wait. Already on is fine.
    pub async fn power_on_vm(&self, vm: &MoRef) -> Result<(), VsphereError> {
        self.power_task("PowerOnVM_Task", vm).await
    }

    /// `PowerOffVM_Task` and wait. Already off is fine.
    pub async fn power_off_vm(&self, vm: &MoRef) -> Result<(), VsphereError> {
        self.power_task("PowerOffVM_Task", vm).await
    }

    async fn power_task(&self, method: &'static str, vm: &MoRef) -> Result<(), VsphereError> {
        let result = async {
            let task = self
                .with_session(|| async {
                    let response = self.transport().call(Request::new(method, vm)).await?;
                    task_of(method, &response)
                })
                .await?;
            wait_for_task(self, &task, VM_TASK_TIMEOUT).await
        }
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.fault_kind(), Some(FaultKind::InvalidPowerState)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Reads VMs in one round trip; VMs that no longer exist are left out.
    pub async fn vm_info(&self, vms: &[MoRef]) -> Result<Vec<VmInfo>, VsphereError> {
        if vms.is_empty() {
            return Ok(Vec::new());
        }
        let objects = self
            .with_session(|| async {
                property_collector::retrieve(
                    self.transport(),
                    self.content(),
                    &[PropertySpec {
                        kind: "VirtualMachine",
                        paths: VM_PATHS,
                    }],
                    Objects::List(vms),
                )
                .await
            })
            .await;
        let objects = match objects {
            Ok(objects) => objects,
            // One vanished VM fails the whole read on some servers: fall back to one at a time.
            Err(e) if super::entity::is_gone(&e) && vms.len() > 1 => {
                let mut out = Vec::new();
                for vm in vms {
                    out.extend(Box::pin(self.vm_info(std::slice::from_ref(vm))).await?);
                }
                return Ok(out);
            }
            Err(e) if super::entity::is_gone(&e) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(objects
            .into_iter()
            .filter(|o| o.text("name").is_some())
            .map(|o| {
                let (nics, cdrom_isos) = parse_devices(o.get("config.hardware.device"));
                VmInfo {
                    moref: o.obj.clone(),
                    name: o.text("name").unwrap_or_default().to_owned(),
                    parent: o.moref("parent"),
                    resource_pool: o.moref("resourcePool"),
                    power_state: o.text("runtime.powerState").unwrap_or_default().to_owned(),
                    vm_path_name: o.text("config.files.vmPathName").map(str::to_owned),
                    num_cpus: o
                        .get("config.hardware.numCPU")
                        .and_then(|n| n.text.trim().parse().ok()),
                    memory_mb: o
                        .get("config.hardware.memoryMB")
                        .and_then(|n| n.text.trim().parse().ok()),
                    ip_address: o
                        .text("guest.ipAddress")
                        .filter(|ip| !ip.is_empty())
                        .map(str::to_owned),
                    networks: o.morefs("network"),
                    nics,
                    cdrom_isos,
                    extra_config: parse_extra_config(o.get("config.extraConfig")),
                    uuid: o
                        .text("config.uuid")
                        .filter(|u| !u.is_empty())
                        .map(str::to_owned),
                }
            })
            .collect())
    }

    /// Waits (with `WaitForUpdatesEx`) until every one of `keys` holds a value in the VM's
    /// extraConfig (the appliance reports each component's start this way). Stops early if the VM
    /// leaves `poweredOn`.
    pub async fn wait_for_extra_config_keys(
        &self,
        vm: &MoRef,
        keys: &[String],
        deadline: Instant,
        cancel: Option<&CancellationToken>,
    ) -> Result<KeysWait, VsphereError> {
        let mut last = BTreeMap::new();
        let outcome = self
            .watch_object(
                vm,
                &["config.extraConfig", "runtime.powerState"],
                deadline,
                cancel,
                |values| {
                    last = parse_extra_config(values.get("config.extraConfig"))
                        .into_iter()
                        .filter(|(k, v)| keys.contains(k) && !v.is_empty() && v != "<nil>")
                        .collect();
                    if last.len() == keys.len() {
                        return Some(KeysWait::Values(last.clone()));
                    }
                    match values.get("runtime.powerState").map(|n| n.text.as_str()) {
                        Some(state) if state != "poweredOn" => Some(KeysWait::PoweredOff {
                            state: state.to_owned(),
                        }),
                        _ => None,
                    }
                },
            )
            .await?;
        Ok(match outcome {
            Ok(found) => found,
            Err(WatchEnd::TimedOut) => KeysWait::TimedOut(last),
            Err(WatchEnd::Cancelled) => KeysWait::Cancelled,
        })
    }

    /// Waits (with `WaitForUpdatesEx`, not polling) for whichever comes first: the appliance's
    /// client-IP extraConfig key, or `guest.ipAddress`. Stops early if the VM leaves `poweredOn`.
    pub async fn wait_for_client_ip(
        &self,
        vm: &MoRef,
        timeout: Duration,
        cancel: Option<&CancellationToken>,
    ) -> Result<IpWait, VsphereError> {
        let deadline = Instant::now() + timeout;
        let outcome = self
            .watch_object(
                vm,
                &[
                    "config.extraConfig",
                    "guest.ipAddress",
                    "runtime.powerState",
                ],
                deadline,
                cancel,
                |values| {
                    if let Some(ip) = client_ip_from_extra_config(values.get("config.extraConfig"))
                    {
                        return Some(IpWait::Address {
                            ip,
                            source: CLIENT_IP_KEY,
                        });
                    }
                    if let Some(ip) = values
                        .get("guest.ipAddress")
                        .and_then(|n| n.text.trim().parse::<IpAddr>().ok())
                    {
                        return Some(IpWait::Address {
                            ip,
                            source: "guest.ipAddress",
                        });
                    }
                    match values.get("runtime.powerState").map(|n| n.text.as_str()) {
                        Some(state) if state != "poweredOn" => Some(IpWait::PoweredOff {
                            state: state.to_owned(),
                        }),
                        _ => None,
                    }
                },
            )
            .await?;
        Ok(match outcome {
            Ok(found) => found,
            Err(WatchEnd::TimedOut) => IpWait::TimedOut,
            Err(WatchEnd::Cancelled) => IpWait::Cancelled,
        })
    }
}
