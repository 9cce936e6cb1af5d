//! Going back to the snapshot an upgrade or configure took (`vch upgrade --rollback`,
//! `vch configure --rollback`), and the snapshot handling the two share: reverting after a failed
//! run, and removing the older life-cycle snapshot once a newer change succeeded
//! (docs/lifecycle.md).

use std::time::Duration;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::vsphere::vm::IpWait;
use crate::vsphere::vm_lifecycle::SnapshotEntry;
use crate::vsphere::{Client, MoRef};

use super::progress::{EventKind, Progress, Step};
use super::vch::{self, Selector};
use super::{DeployError, RevertReport, StepError, lock};

/// What a rollback did.
#[derive(Debug, Clone, Serialize)]
pub struct RolledBack {
    pub id: String,
    pub name: String,
    /// The snapshot reverted to (and then removed).
    pub snapshot: String,
    /// `ls` versions before and after.
    pub from_version: String,
    pub to_version: String,
    pub client_ip: Option<String>,
    pub warnings: Vec<String>,
    pub round_trips: u64,
}

/// How to run a rollback.
#[derive(Debug, Clone)]
pub struct RollbackOptions {
    /// How long to wait for the appliance's client IP after power-on.
    pub timeout: Duration,
    /// Clear a stale `UpdateInProgress` lock first.
    pub reset_progress: bool,
}

/// Back to `snapshot`: power off (a snapshot without memory comes back powered off on vSphere),
/// revert, power on when `power_on`, and remove the snapshot when `remove`. Failures are collected,
/// not returned: a revert does as much as it can.
pub(crate) async fn revert_to(
    client: &Client,
    vm: &MoRef,
    snapshot: &MoRef,
    power_on: bool,
    remove: bool,
    progress: &Progress,
) -> RevertReport {
    let mut report = RevertReport::default();
    progress.emit(
        Step::Revert,
        EventKind::Started,
        None,
        format!("reverting to snapshot {}", snapshot.value),
        Vec::new(),
    );
    if let Err(e) = client.power_off_vm(vm).await {
        report.failures.push(format!("power off: {e}"));
    }
    match client.revert_to_snapshot(snapshot).await {
        Ok(()) => report
            .steps
            .push(format!("reverted to snapshot {}", snapshot.value)),
        Err(e) => report
            .failures
            .push(format!("revert to snapshot {}: {e}", snapshot.value)),
    }
    if power_on {
        match client.power_on_vm(vm).await {
            Ok(()) => report.steps.push("powered the appliance on".into()),
            Err(e) => report.failures.push(format!("power on: {e}")),
        }
    }
    if remove {
        match client.remove_snapshot(snapshot).await {
            Ok(()) => report.steps.push("removed the snapshot".into()),
            Err(e) => report
                .failures
                .push(format!("remove snapshot {}: {e}", snapshot.value)),
        }
    }
    progress.emit(
        Step::Revert,
        if report.is_clean() {
            EventKind::Finished
        } else {
            EventKind::Failed
        },
        None,
        report.to_string().trim_start_matches("; ").to_owned(),
        Vec::new(),
    );
    report
}

/// Removes the upgrade/configure snapshots other than `keep`, as the original does after a
/// successful change: only the newest one is kept for a rollback. Returns warnings (a snapshot
/// left behind only costs space).
pub(crate) async fn remove_older_snapshots(
    client: &Client,
    vm: &MoRef,
    keep: &MoRef,
    progress: &Progress,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let state = match client.vm_lifecycle_state(vm).await {
        Ok(state) => state,
        Err(e) => {
            warnings.push(format!("could not list the appliance's snapshots: {e}"));
            return warnings;
        }
    };
    for old in state
        .snapshots
        .iter()
        .filter(|s| s.snapshot != *keep && shared::lifecycle::is_lifecycle_snapshot(&s.name))
    {
        match client.remove_snapshot(&old.snapshot).await {
            Ok(()) => progress.emit(
                Step::Snapshot,
                EventKind::Finished,
                None,
                format!("removed the older snapshot {:?}", old.name),
                Vec::new(),
            ),
            Err(e) => warnings.push(format!(
                "could not remove the older snapshot {:?}: {e}",
                old.name
            )),
        }
    }
    warnings
}

/// The snapshot a rollback returns to: the current one, if upgrade or configure took it.
pub(crate) fn rollback_target(
    name: &str,
    snapshots: Option<&SnapshotEntry>,
) -> Result<SnapshotEntry, String> {
    match snapshots {
        Some(s) if shared::lifecycle::is_lifecycle_snapshot(&s.name) => Ok(s.clone()),
        Some(s) => Err(format!(
            "VCH {name:?}'s current snapshot {:?} was not taken by upgrade or configure, so there is nothing to roll back to; revert it in the vSphere Client if that is what you want",
            s.name
        )),
        None => Err(format!(
            "VCH {name:?} has no upgrade or configure snapshot to roll back to (a rollback removes the snapshot it used, and only the last change can be undone)"
        )),
    }
}

/// `upgrade --rollback` / `configure --rollback`: revert to the last upgrade or configure
/// snapshot, power on, wait for the appliance, remove the snapshot.
pub async fn rollback(
    client: &Client,
    selector: &Selector,
    options: &RollbackOptions,
    progress: &Progress,
    cancel: &CancellationToken,
) -> Result<RolledBack, DeployError> {
    let round_trips_before = client.round_trips();
    let (summary, _) = vch::find(client, selector).await?;
    let vm = vch::appliance(client, &summary.id).await?.vm;
    let name = summary.name.clone();
    super::status::refuse_incomplete(&summary).map_err(DeployError::Refused)?;
    if options.reset_progress && lock::is_locked(&vm) {
        lock::set_lock(client, &vm.moref, false).await?;
    } else {
        lock::refuse_if_locked(&name, &vm, "upgrade --rollback").map_err(DeployError::Refused)?;
    }
    let state = client.vm_lifecycle_state(&vm.moref).await?;
    let target = rollback_target(&name, state.current_snapshot()).map_err(DeployError::Refused)?;
    progress.emit(
        Step::Validate,
        EventKind::Finished,
        Some(10),
        format!(
            "rolling {name} back to snapshot {:?} (now at {})",
            target.name, summary.version
        ),
        Vec::new(),
    );
    if cancel.is_cancelled() {
        return Err(DeployError::Cancelled {
            step: Step::Validate,
            rollback: super::RollbackReport::default(),
        });
    }
    lock::set_lock(client, &vm.moref, true).await?;
    let revert = revert_to(client, &vm.moref, &target.snapshot, true, true, progress).await;
    // The snapshot holds the lock as it was when it was taken (set): clear it whatever happened.
    let unlocked = lock::set_lock(client, &vm.moref, false).await;
    if !revert.is_clean() {
        return Err(DeployError::ConfigureFailed {
            step: Step::Revert,
            cause: StepError::Other(format!("rolling back to snapshot {:?}", target.name)),
            revert,
            rollback: super::RollbackReport::default(),
        });
    }
    let mut warnings = Vec::new();
    if let Err(e) = unlocked {
        warnings.push(format!(
            "could not clear the UpdateInProgress flag ({e}); run with --reset-progress"
        ));
    }
    let client_ip = wait_ready(client, &vm.moref, options.timeout, cancel, progress).await?;
    let (after, _) = vch::find(client, &Selector::Id(summary.id.clone())).await?;
    progress.emit(
        Step::Done,
        EventKind::Finished,
        Some(100),
        format!("VCH {name} rolled back to {}", after.version),
        Vec::new(),
    );
    Ok(RolledBack {
        id: summary.id,
        name,
        snapshot: target.name,
        from_version: summary.version,
        to_version: after.version,
        client_ip,
        warnings,
        round_trips: client.round_trips() - round_trips_before,
    })
}

/// The readiness wait of create: the appliance's client IP (or the guest IP), bounded.
pub(crate) async fn wait_ready(
    client: &Client,
    vm: &MoRef,
    timeout: Duration,
    cancel: &CancellationToken,
    progress: &Progress,
) -> Result<Option<String>, DeployError> {
    progress.emit(
        Step::WaitForIp,
        EventKind::Started,
        Some(90),
        format!(
            "waiting up to {} s for the appliance's client IP",
            timeout.as_secs()
        ),
        Vec::new(),
    );
    let waited = client
        .wait_for_client_ip(vm, timeout, Some(cancel))
        .await
        .map_err(DeployError::Vsphere)?;
    match waited {
        IpWait::Address { ip, source } => {
            progress.emit(
                Step::WaitForIp,
                EventKind::Finished,
                None,
                format!("client IP {ip} (from {source})"),
                Vec::new(),
            );
            Ok(Some(ip.to_string()))
        }
        IpWait::Cancelled => Err(DeployError::Cancelled {
            step: Step::WaitForIp,
            rollback: super::RollbackReport::default(),
        }),
        IpWait::TimedOut => Err(DeployError::Refused(format!(
            "the appliance {} did not report a client IP within {} s after power-on; look at its console or `vch inspect --id {}`",
            vm.value,
            timeout.as_secs(),
            vm.value
        ))),
        IpWait::PoweredOff { state } => Err(DeployError::Refused(format!(
            "the appliance {} stopped running (power state {state}) before reporting a client IP",
            vm.value
        ))),
    }
}
