//! What `vic-machine ls`/`inspect` derive from a decoded tree (§4): is this VM a VCH, its version,
//! its upgrade status, and the recorded `vic_machine_create_options`.

use std::collections::BTreeMap;
use std::fmt;

use super::executor::CREATING_VCH;
use super::values::Build;
use super::vch_spec::VirtualContainerHostConfigSpec;

/// Hidden extraConfig key that configure/upgrade set to `true`/`false` around their work.
pub const UPDATE_IN_PROGRESS_KEY: &str = "UpdateInProgress";

/// The appliance version key the migration code reads; container VMs have it without `init/`.
pub const PLUGIN_VERSION_KEY: &str = "guestinfo.vice./init/version/PluginVersion";

/// The `init/common/id` of a finished VCH whose VM moref value is `vm_value` (`vm-75`).
pub fn vch_id_for(vm_value: &str) -> String {
    format!("VirtualMachine:{vm_value}")
}

/// VIC's `isVCH`: the stored executor ID is this VM's own moref, or a create is (or was) in progress.
/// A clone carries the ID of another VM and is not a VCH.
pub fn is_vch(spec: &VirtualContainerHostConfigSpec, vm_value: &str) -> bool {
    let id = &spec.executor.common.id;
    *id == vch_id_for(vm_value) || is_creating(spec)
}

/// Whether the tree was written by a create that has not reached its post-create reconfigure.
/// VIC's `IsCreating` tests the prefix, so we do too.
pub fn is_creating(spec: &VirtualContainerHostConfigSpec) -> bool {
    spec.executor.common.id.starts_with(CREATING_VCH)
}

/// The `VERSION` column of `ls`: `<Version>-<BuildNumber>-<GitCommit>`, or `unknown` without version keys.
pub fn version_column(spec: &VirtualContainerHostConfigSpec) -> String {
    spec.executor
        .version
        .as_ref()
        .map_or_else(|| "unknown".to_string(), Build::short_version)
}

/// The `UPGRADE STATUS` column of `ls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpgradeStatus {
    UpToDate,
    InProgress,
    /// Carries the installer's short version.
    Upgradeable(String),
    VchNewer,
    /// Carries the reason the build numbers could not be compared.
    Unknown(String),
}

impl fmt::Display for UpgradeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpgradeStatus::UpToDate => f.write_str("Up to date"),
            UpgradeStatus::InProgress => f.write_str("Upgrade in progress"),
            UpgradeStatus::Upgradeable(v) => write!(f, "Upgradeable to {v}"),
            UpgradeStatus::VchNewer => f.write_str("VCH has newer version"),
            UpgradeStatus::Unknown(why) => write!(f, "Unknown: {why}"),
        }
    }
}

/// Compares the installer's build with the VCH's, in vic-machine's order: equal build numbers first,
/// then the `UpdateInProgress` flag (raw extraConfig value, if any), then the numeric comparison.
pub fn upgrade_status(
    installer: &Build,
    vch: Option<&Build>,
    update_in_progress: Option<&str>,
) -> UpgradeStatus {
    let Some(vch) = vch else {
        return UpgradeStatus::Unknown("the VCH records no version".to_string());
    };
    if vch.build_number == installer.build_number {
        return UpgradeStatus::UpToDate;
    }
    if update_in_progress.is_some_and(|v| parse_go_bool(v) == Some(true)) {
        return UpgradeStatus::InProgress;
    }
    let parse = |n: &str| {
        n.parse::<i64>()
            .map_err(|_| format!("build number {n:?} is not a number"))
    };
    match (parse(&installer.build_number), parse(&vch.build_number)) {
        (Ok(ours), Ok(theirs)) if ours > theirs => {
            UpgradeStatus::Upgradeable(installer.short_version())
        }
        (Ok(_), Ok(_)) => UpgradeStatus::VchNewer,
        (Err(why), _) | (_, Err(why)) => UpgradeStatus::Unknown(why),
    }
}

/// The `UpdateInProgress` value from collected extraConfig, for [`upgrade_status`].
pub fn update_in_progress(values: &BTreeMap<String, String>) -> Option<&str> {
    values.get(UPDATE_IN_PROGRESS_KEY).map(String::as_str)
}

fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// `vic-machine create` long flag names in flag-definition order: the order `vic_machine_create_options`
/// lists them in, whatever the command-line order was (§4.3).
pub const CREATE_FLAG_ORDER: &[&str] = &[
    "target",
    "user",
    "password",
    "thumbprint",
    "name",
    "compute-resource",
    "ops-user",
    "ops-password",
    "ops-grant-perms",
    "image-store",
    "base-image-size",
    "affinity-vm-group",
    "container-name-convention",
    "volume-store",
    "dns-server",
    "bridge-network",
    "bridge-network-range",
    "bridge-network-width",
    "client-network",
    "client-network-gateway",
    "client-network-ip",
    "public-network",
    "public-network-gateway",
    "public-network-ip",
    "management-network",
    "management-network-gateway",
    "management-network-ip",
    "container-network",
    "container-network-gateway",
    "container-network-ip-range",
    "container-network-dns",
    "container-network-firewall",
    "memory",
    "memory-reservation",
    "memory-shares",
    "endpoint-memory",
    "cpu",
    "cpu-reservation",
    "cpu-shares",
    "endpoint-cpu",
    "storage-quota",
    "containers",
    "tls-server-key",
    "tls-server-cert",
    "tls-cname",
    "tls-cert-path",
    "no-tlsverify",
    "organization",
    "certificate-key-size",
    "tls-ca",
    "no-tls",
    "registry-ca",
    "insecure-registry",
    "whitelist-registry",
    "https-proxy",
    "http-proxy",
    "no-proxy",
    "syslog-address",
    "appliance-iso",
    "bootstrap-iso",
    "force",
    "timeout",
    "asymmetric-routes",
    "debug",
    "extended-help",
];

/// Flags vic-machine never records: credentials and local file paths.
pub const CREATE_FLAGS_NOT_RECORDED: &[&str] = &[
    "user",
    "password",
    "ops-password",
    "tls-server-cert",
    "tls-cert-path",
    "tls-server-key",
    "registry-ca",
    "tls-ca",
];

/// Builds `vic_machine_create_options` from the explicitly set flags, given as (long name, value) with
/// values already formatted the way vic-machine prints them (`--debug=3`, `--force=true`, `5m0s`), and the
/// `target` already stripped of its user info. Repeated flags keep their relative order. Unknown flag
/// names are dropped, as vic-machine only walks its own flag list.
pub fn record_create_options(set_flags: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    for flag in CREATE_FLAG_ORDER {
        if CREATE_FLAGS_NOT_RECORDED.contains(flag) {
            continue;
        }
        for (name, value) in set_flags {
            if name == flag {
                out.push(format!("--{name}={value}"));
            }
        }
    }
    out
}

/// Splits recorded options back into (long name, value). Entries that are not `--name=value` are
/// returned with the whole text as the name and an empty value, so nothing recorded is lost.
pub fn parse_create_options(options: &[String]) -> Vec<(String, String)> {
    options
        .iter()
        .map(|option| {
            let body = option.strip_prefix("--").unwrap_or(option);
            match body.split_once('=') {
                Some((name, value)) => (name.to_string(), value.to_string()),
                None => (body.to_string(), String::new()),
            }
        })
        .collect()
}
