//! T10, T11, T12: the operations user.

use crate::config::VchConfig;
use crate::finding::Finding;

/// T14: an operations user without a password. vic-machine prompts for it and the proxy refuses a
/// create without one; a front end that cannot prompt (the wizard) reports it as this error while
/// the user types, instead of after Finish.
pub fn missing_ops_password(config: &VchConfig) -> Option<Finding> {
    let ops = &config.operations;
    let has_user = ops
        .ops_user
        .as_deref()
        .is_some_and(|u| !u.trim().is_empty());
    let has_password = ops.ops_password.as_ref().is_some_and(|p| !p.is_empty());
    (has_user && !has_password).then(|| {
        Finding::error(
            "T14",
            "ops-password",
            "operations.ops_password",
            "The operations user needs its password: the VCH signs in with it. Enter the password, or clear the operations user.",
        )
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn an_operations_user_needs_a_password() {
        let mut c = VchConfig::default();
        assert!(missing_ops_password(&c).is_none());
        c.operations.ops_user = Some("ops@vsphere.local".into());
        let f = missing_ops_password(&c).expect("T14");
        assert_eq!(
            (f.code.as_str(), f.path.as_str()),
            ("T14", "operations.ops_password")
        );
        c.operations.ops_password = Some(Secret::new("pw"));
        assert!(missing_ops_password(&c).is_none());
    }
}
