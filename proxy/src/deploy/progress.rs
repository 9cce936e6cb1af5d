//! Progress of one deployment: every step is an event, broadcast live and kept in a history so a
//! late subscriber (an SSE client that reconnects) can replay what it missed.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;
use tokio::sync::broadcast;

/// The steps of a create (and the rollback that may follow), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Validate,
    ReadIsos,
    Certificates,
    ResourcePool,
    /// ESXi: the bridge network's vSwitch and port group.
    BridgeNetwork,
    Folder,
    ApplianceVm,
    VolumeStores,
    UploadIsos,
    Configure,
    /// `--ops-user`: a second login with the operations credentials (and, with
    /// `--ops-grant-perms`, ReadOnly on the datacenter first so that login can succeed).
    OpsCredentials,
    /// `--ops-grant-perms`: the ops user's roles and permissions.
    Permissions,
    /// `--affinity-vm-group`: the DRS VM group named after the VCH.
    VmGroup,
    /// `configure`: the snapshot taken before anything changes.
    Snapshot,
    /// `configure`: the appliance is powered off while its devices change.
    PowerOff,
    PowerOn,
    WaitForIp,
    /// The appliance's components report started and its Docker API answers.
    Readiness,
    Done,
    Rollback,
    /// `configure`: back to the snapshot after a failure.
    Revert,
    Delete,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::Validate => "validate the configuration",
            Step::ReadIsos => "read the ISO images",
            Step::Certificates => "prepare certificates",
            Step::ResourcePool => "create the resource pool",
            Step::BridgeNetwork => "create the bridge network's vSwitch",
            Step::Folder => "create the VM folder",
            Step::ApplianceVm => "create the appliance VM",
            Step::VolumeStores => "create the volume stores",
            Step::UploadIsos => "upload the ISO images",
            Step::Configure => "configure the appliance",
            Step::OpsCredentials => "check the operations user's credentials",
            Step::Permissions => "grant the operations user's permissions",
            Step::VmGroup => "create the DRS VM group",
            Step::Snapshot => "snapshot the appliance",
            Step::PowerOff => "power off the appliance",
            Step::PowerOn => "power on the appliance",
            Step::WaitForIp => "wait for the appliance's client IP",
            Step::Readiness => "check that the VCH serves the Docker API",
            Step::Done => "done",
            Step::Rollback => "roll back",
            Step::Revert => "revert to the snapshot",
            Step::Delete => "delete",
        }
    }
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What kind of vSphere object a deployment created (or removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    ResourcePool,
    Folder,
    VirtualMachine,
    DatastoreDirectory,
    DatastoreFile,
    /// A DRS VM group (id: the cluster's moid).
    VmGroup,
    /// An authorization role (id: the role id).
    Role,
    /// A permission of the ops user (id: the entity's moid).
    Permission,
    /// ESXi: the bridge network's vSwitch and port group of the same name (id: the host's
    /// network system).
    VirtualSwitch,
}

/// One vSphere object, for progress events and rollback/delete reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    pub kind: ObjectKind,
    /// The managed object id (`resgroup-86`) or the datastore path (`[LocalDS_0] vch1`).
    pub id: String,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            ObjectKind::ResourcePool => "resource pool",
            ObjectKind::Folder => "VM folder",
            ObjectKind::VirtualMachine => "VM",
            ObjectKind::DatastoreDirectory => "datastore directory",
            ObjectKind::DatastoreFile => "datastore file",
            ObjectKind::VmGroup => "DRS VM group",
            ObjectKind::Role => "role",
            ObjectKind::Permission => "permission",
            ObjectKind::VirtualSwitch => "vSwitch and port group",
        };
        if self.id == self.name {
            write!(f, "{kind} {}", self.name)
        } else {
            write!(f, "{kind} {} ({})", self.name, self.id)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Started,
    Finished,
    Warning,
    Failed,
    /// An object was removed by rollback or delete.
    Removed,
}

/// One progress event. `seq` increases by one per event of a run, so a client can resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressEvent {
    pub seq: u64,
    pub step: Step,
    pub kind: EventKind,
    /// 0–100 for the whole run.
    pub percent: u8,
    pub message: String,
    /// Objects created (or, for `Removed`, removed) by this step.
    pub objects: Vec<ObjectRef>,
    pub elapsed_ms: u64,
}

struct State {
    history: Vec<ProgressEvent>,
    percent: u8,
}

/// The event sink of one run. Cheap to clone; clones share the history.
#[derive(Clone)]
pub struct Progress {
    sender: broadcast::Sender<ProgressEvent>,
    state: Arc<Mutex<State>>,
    started: Instant,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress").finish_non_exhaustive()
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress {
    pub fn new() -> Progress {
        // Only live subscribers read the channel; the history holds everything, so a slow one
        // that lags can resync from it.
        let (sender, _) = broadcast::channel(256);
        Progress {
            sender,
            state: Arc::new(Mutex::new(State {
                history: Vec::new(),
                percent: 0,
            })),
            started: Instant::now(),
        }
    }

    /// Everything so far plus a receiver for what follows, with nothing lost or repeated in between.
    pub fn subscribe(&self) -> (Vec<ProgressEvent>, broadcast::Receiver<ProgressEvent>) {
        let state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (state.history.clone(), self.sender.subscribe())
    }

    pub fn history(&self) -> Vec<ProgressEvent> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .history
            .clone()
    }

    /// Records and broadcasts one event. `percent` never goes backwards.
    pub fn emit(
        &self,
        step: Step,
        kind: EventKind,
        percent: Option<u8>,
        message: impl Into<String>,
        objects: Vec<ObjectRef>,
    ) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(p) = percent {
            state.percent = state.percent.max(p.min(100));
        }
        let event = ProgressEvent {
            seq: state.history.len() as u64,
            step,
            kind,
            percent: state.percent,
            message: message.into(),
            objects,
            elapsed_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        state.history.push(event.clone());
        // No receiver is fine: the history keeps the event.
        let _ = self.sender.send(event);
    }
}
