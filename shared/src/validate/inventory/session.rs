//! T20: a session without a password (the vSphere Client plugin's cloned session) has no
//! credentials to hand to the appliance, which logs in to vSphere on its own.

use crate::config::VchConfig;
use crate::finding::Finding;
use crate::inventory::InventorySnapshot;

pub(super) fn check(config: &VchConfig, snapshot: &InventorySnapshot, out: &mut Vec<Finding>) {
    let passwordless = snapshot
        .target
        .as_ref()
        .is_some_and(|t| t.session_without_password);
    let ops_user = config
        .operations
        .ops_user
        .as_deref()
        .is_some_and(|u| !u.trim().is_empty());
    if passwordless && !ops_user {
        out.push(
            Finding::error(
                "T20",
                "ops-user",
                "operations.ops_user",
                "This session came from the vSphere Client and carries no password, so it cannot give the VCH \
                 credentials to reach vSphere. Set an operations user and its password.",
            )
            .with_suggestion("--ops-user vch-ops@vsphere.local --ops-password …"),
        );
    }
}
