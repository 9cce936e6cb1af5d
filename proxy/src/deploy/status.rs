//! What `ls` and `inspect` say about a VCH's life cycle: its version compared to this
//! installer's (vic-machine 1.5.8's `UPGRADE STATUS` column, docs/lifecycle.md, decided by
//! `shared::extraconfig::upgrade_status`), whether a change is in progress, its server
//! certificate and its log.

use serde::Serialize;
use shared::extraconfig::{Build, upgrade_status};

use crate::vsphere::{Client, MoRef};

use super::DeployError;
use super::vch::{self, VchSummary};

/// One `ls` row.
#[derive(Debug, Clone, Serialize)]
pub struct VchStatus {
    #[serde(flatten)]
    pub summary: VchSummary,
    /// `Up to date`, `Upgradeable to <version>`, `Upgrade in progress`, `VCH has newer version`;
    /// `None` when no installer version is known (no ISO).
    pub upgrade_status: Option<String>,
    /// The `UpdateInProgress` lock is set.
    pub update_in_progress: bool,
}

/// The status column for one VCH.
pub fn status_of(installer: &Build, version: &str, update_in_progress: Option<&str>) -> String {
    let vch = shared::lifecycle::parse_build(version);
    upgrade_status(installer, vch.as_ref(), update_in_progress).to_string()
}

/// Every VCH with its upgrade status against `installer` (one inventory read and one read of the
/// appliance VMs).
pub async fn list(
    client: &Client,
    installer: Option<&Build>,
) -> Result<Vec<VchStatus>, DeployError> {
    let summaries = vch::list(client).await?;
    let refs: Vec<MoRef> = summaries
        .iter()
        .map(|s| MoRef::new("VirtualMachine", &s.id))
        .collect();
    let vms = client.vm_info(&refs).await?;
    Ok(summaries
        .into_iter()
        .map(|summary| {
            let values = vms
                .iter()
                .find(|v| v.moref.value == summary.id)
                .map(|v| v.extra_config_map())
                .unwrap_or_default();
            let flag = shared::extraconfig::vch::update_in_progress(&values);
            VchStatus {
                upgrade_status: installer.map(|b| status_of(b, &summary.version, flag)),
                update_in_progress: super::lock::flag_set(flag),
                summary,
            }
        })
        .collect())
}

/// The VCH's server certificate (PEM), `None` when it runs without TLS. The certificate is not
/// sealed, so nothing secret is read.
pub async fn server_certificate(
    client: &Client,
    selector: &vch::Selector,
) -> Result<Option<String>, DeployError> {
    let (summary, _) = vch::find(client, selector).await?;
    let tree = vch::appliance(client, &summary.id).await?.tree;
    Ok(tree
        .certificate
        .host_certificate
        .map(|pair| String::from_utf8_lossy(&pair.cert.0).into_owned()))
}

/// The appliance's `tether.debug` (its serial-port log) from its datastore folder: the last
/// `limit` bytes, `None` when the file does not exist.
pub async fn appliance_log(
    client: &Client,
    target: &crate::vsphere::TargetSpec,
    selector: &vch::Selector,
    limit: usize,
) -> Result<Option<Vec<u8>>, DeployError> {
    let (summary, _) = vch::find(client, selector).await?;
    let vm = vch::appliance(client, &summary.id).await?.vm;
    let Some((datastore, folder)) = vm.datastore_folder() else {
        return Ok(None);
    };
    let uploader = client.uploader(target).await?;
    let result = uploader
        .download_tail(
            &summary.datacenter,
            &datastore,
            &format!("{folder}/tether.debug"),
            limit,
        )
        .await;
    uploader.close().await;
    result.map_err(|e| DeployError::Refused(format!("reading the appliance log: {e}")))
}

/// A VCH whose create never finished has no complete configuration to upgrade or roll back.
pub fn refuse_incomplete(summary: &VchSummary) -> Result<(), String> {
    if !summary.incomplete {
        return Ok(());
    }
    Err(format!(
        "VCH {:?} ({}) is incomplete: its create never finished, so it cannot be upgraded or rolled back; remove it with `vch delete --id {}` and create it again",
        summary.name, summary.id, summary.id
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_column() {
        let installer = shared::lifecycle::parse_build("v1.5.8-12345-2c978fe").unwrap();
        assert_eq!(
            status_of(&installer, "v1.5.7-12000-abcdef0", None),
            "Upgradeable to v1.5.8-12345-2c978fe"
        );
        assert_eq!(
            status_of(&installer, "v1.5.8-12345-2c978fe", None),
            "Up to date"
        );
        assert_eq!(
            status_of(&installer, "v1.5.7-12000-abcdef0", Some("true")),
            "Upgrade in progress"
        );
        assert_eq!(
            status_of(&installer, "v1.6.0-20000-abcdef0", None),
            "VCH has newer version"
        );
        assert!(status_of(&installer, "unknown", None).starts_with("Unknown"));
    }
}
