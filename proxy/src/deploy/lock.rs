//! The `UpdateInProgress` lock: a hidden extraConfig key (no `guestinfo.` prefix, so the guest
//! never sees it) that upgrade and configure set to `true` while they change a VCH and back to
//! `false` when they are done, whatever the outcome. Another upgrade, configure or delete refuses
//! while it is set; `--reset-progress` clears a lock an interrupted run left behind
//! (docs/lifecycle.md).

use shared::extraconfig::vch::{UPDATE_IN_PROGRESS_KEY, update_in_progress};

use crate::vsphere::vm::VmInfo;
use crate::vsphere::{Client, MoRef, VsphereError};

use super::DeployError;

/// Whether an `UpdateInProgress` value means set (Go's `strconv.ParseBool` true spellings).
pub fn flag_set(value: Option<&str>) -> bool {
    matches!(value, Some("1" | "t" | "T" | "true" | "TRUE" | "True"))
}

/// Whether the VM's extraConfig says a change is in progress.
pub fn is_locked(vm: &VmInfo) -> bool {
    flag_set(update_in_progress(&vm.extra_config_map()))
}

/// The refusal while the lock is set (for [`DeployError::Refused`]); `what` is the refused command
/// (`upgrade`, `configure`, ...).
pub fn refuse_if_locked(name: &str, vm: &VmInfo, what: &str) -> Result<(), String> {
    if !is_locked(vm) {
        return Ok(());
    }
    Err(format!(
        "VCH {name:?} ({id}) is being changed by another upgrade or configure ({UPDATE_IN_PROGRESS_KEY} is set), so `vch {what}` did not start. Wait for that run to finish; if none is running (it was interrupted), clear the flag with `vch upgrade --reset-progress --id {id}` (or `vch configure --reset-progress --id {id}`)",
        id = vm.moref.value
    ))
}

/// Sets or clears the lock (one `ReconfigVM_Task`).
pub async fn set_lock(client: &Client, vm: &MoRef, locked: bool) -> Result<(), VsphereError> {
    client
        .reconfigure_extra_config(
            vm,
            &[(
                UPDATE_IN_PROGRESS_KEY,
                if locked { "true" } else { "false" },
            )],
        )
        .await
}

/// `--reset-progress`: clears the lock of the VCH `selector` names. Returns whether it was set.
pub async fn reset_progress(
    client: &Client,
    selector: &super::vch::Selector,
) -> Result<bool, DeployError> {
    let (summary, _) = super::vch::find(client, selector).await?;
    let vm = super::vch::appliance(client, &summary.id).await?.vm;
    if !is_locked(&vm) {
        return Ok(false);
    }
    set_lock(client, &vm.moref, false).await?;
    Ok(true)
}
