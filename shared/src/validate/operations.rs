//! T10, T11, T12: the operations user.

use crate::config::VchConfig;
use crate::finding::Finding;

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let ops = &config.operations;
    let has_user = ops
        .ops_user
        .as_deref()
        .is_some_and(|u| !u.trim().is_empty());
    if !has_user && ops.ops_password.is_some() {
        out.push(Finding::error(
            "T10",
            "ops-password",
            "operations.ops_password",
            "An operations password was given without an operations user. Add --ops-user or drop --ops-password.",
        ));
    }
    if !has_user && ops.ops_grant_perms {
        out.push(Finding::error(
            "T11",
            "ops-grant-perms",
            "operations.ops_grant_perms",
            "--ops-grant-perms needs --ops-user: there is no operations user to grant permissions to.",
        ));
    }
    if !has_user {
        out.push(Finding::warning(
            "T12",
            "ops-user",
            "operations.ops_user",
            "No operations user given, so the VCH will run with the administrative credentials. \
             Set --ops-user (and --ops-password) to a less privileged account.",
        ));
    }
}
