//! `upgrade`: moves a VCH to the appliance version of this installer's ISOs, following
//! vic-machine 1.5.8's sequence (docs/lifecycle.md): ISO versions, the VCH, the
//! `UpdateInProgress` lock, the version check (same or newer refused unless `--force`), upload of
//! the new ISOs into the appliance's datastore folder, a snapshot named for the upgrade, power
//! off, one `ReconfigVM_Task` swapping the CD-ROM's ISO and writing the re-encoded configuration
//! with the new version keys, power on, the readiness wait of create, and the older upgrade or
//! configure snapshot removed. Any failure after the snapshot reverts to it and powers the
//! appliance on again, on its old version. The lock is cleared at the end, whatever happened.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use shared::extraconfig::{self, Secrets, VirtualContainerHostConfigSpec};
use tokio_util::sync::CancellationToken;

use crate::vsphere::vm::VmInfo;
use crate::vsphere::vm_lifecycle::Cdrom;
use crate::vsphere::{Client, MoRef, TargetSpec};

use super::create::seal;
use super::iso::{self, IsoImage};
use super::progress::{EventKind, ObjectKind, ObjectRef, Progress, Step};
use super::rollback::{remove_older_snapshots, revert_to, wait_ready};
use super::vch::{self, Selector};
use super::{DeployError, RevertReport, StepError, lock};

/// How to run an upgrade.
#[derive(Debug, Clone)]
pub struct UpgradeOptions {
    /// The connection's target: uploads reuse its URL and TLS policy.
    pub target: TargetSpec,
    pub appliance_iso: PathBuf,
    pub bootstrap_iso: PathBuf,
    /// How long to wait for the appliance's client IP after power-on.
    pub timeout: Duration,
    /// Upgrade even to the same or an older version, or from an unsupported ISO.
    pub force: bool,
    /// Clear a stale `UpdateInProgress` lock first.
    pub reset_progress: bool,
}

/// What an upgrade did.
#[derive(Debug, Clone, Serialize)]
pub struct UpgradedVch {
    pub id: String,
    pub name: String,
    pub from_version: String,
    pub to_version: String,
    /// The snapshot kept for `vch upgrade --rollback`.
    pub snapshot: String,
    /// The CD-ROM's new ISO (`[ds] folder/<version>-appliance.iso`).
    pub appliance_iso: String,
    pub client_ip: Option<String>,
    pub warnings: Vec<String>,
    /// SOAP round trips of this run (uploads not counted).
    pub round_trips: u64,
}

/// The ISOs of this installer and the build they carry.
pub async fn installer_isos(
    appliance: &std::path::Path,
    bootstrap: &std::path::Path,
) -> Result<(IsoImage, IsoImage), DeployError> {
    Ok((
        iso::read_iso(appliance).await?,
        iso::read_iso(bootstrap).await?,
    ))
}

fn with_file_name(datastore_path: &str, file: &str) -> String {
    match datastore_path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{file}"),
        None => file.to_owned(),
    }
}

/// The re-encoded configuration at the new version, with keys the old encoding had and the new
/// one lacks blanked (vCenter deletes a key set to ""). 1.5.x appliances all read the same keys,
/// so the only migration is the version itself.
fn upgraded_extra_config(
    old: &VirtualContainerHostConfigSpec,
    installer: &shared::extraconfig::Build,
    bootstrap: &IsoImage,
) -> Result<Vec<(String, String)>, StepError> {
    let mut tree = old.clone();
    tree.executor.version = Some(shared::lifecycle::upgraded_build(
        installer,
        old.executor.version.as_ref(),
    ));
    tree.container.bootstrap_image_path = with_file_name(
        &old.container.bootstrap_image_path,
        &bootstrap.datastore_name("bootstrap"),
    );
    let mut extra = seal(&tree)?;
    let written: std::collections::BTreeSet<String> =
        extra.iter().map(|(k, _)| k.clone()).collect();
    extra.extend(
        extraconfig::encode_plain(old)
            .into_keys()
            .filter(|k| !written.contains(k))
            .map(|k| (k, String::new())),
    );
    Ok(extra)
}

struct Run<'a> {
    client: &'a Client,
    progress: &'a Progress,
    cancel: &'a CancellationToken,
    options: &'a UpgradeOptions,
    vm: MoRef,
    datacenter: String,
    datastore: String,
    folder: String,
    was_on: bool,
    snapshot: Option<MoRef>,
    /// `[ds] path` of each ISO this run uploaded (or began to), for removal after a failure.
    uploaded: Vec<String>,
    /// The ISOs the appliance used before: never removed.
    in_use: Vec<String>,
}

type Failure = (Step, StepError);

impl Run<'_> {
    fn started(&self, step: Step, percent: u8, message: impl Into<String>) {
        self.progress
            .emit(step, EventKind::Started, Some(percent), message, Vec::new());
    }

    fn finished(&self, step: Step, message: impl Into<String>) {
        self.progress
            .emit(step, EventKind::Finished, None, message, Vec::new());
    }

    async fn upload(&mut self, images: [(&IsoImage, &str); 2]) -> Result<(), Failure> {
        self.started(
            Step::UploadIsos,
            20,
            format!(
                "uploading the new ISO images to [{}] {}",
                self.datastore, self.folder
            ),
        );
        let uploader = self
            .client
            .uploader(&self.options.target)
            .await
            .map_err(|e| (Step::UploadIsos, StepError::Vsphere(e)))?;
        let mut result = Ok(());
        for (image, role) in images {
            let path = format!("{}/{}", self.folder, image.datastore_name(role));
            let full = format!("[{}] {path}", self.datastore);
            if !self.in_use.contains(&full) {
                self.uploaded.push(full);
            }
            if let Err(e) = uploader
                .upload_file(&image.path, &self.datacenter, &self.datastore, &path, None)
                .await
            {
                result = Err((Step::UploadIsos, StepError::Upload(e)));
                break;
            }
        }
        uploader.close().await;
        result?;
        self.finished(Step::UploadIsos, "ISO images uploaded");
        Ok(())
    }

    /// After a failure: the ISOs this run uploaded go, the ones in use stay.
    async fn remove_uploads(&self, datacenter: Option<&MoRef>) -> super::RollbackReport {
        let mut report = super::RollbackReport::default();
        let file_manager = match (datacenter, self.uploaded.is_empty()) {
            (_, true) => return report,
            (Some(_), false) => self.client.file_manager().await.ok(),
            (None, false) => None,
        };
        for path in &self.uploaded {
            let object = ObjectRef {
                kind: ObjectKind::DatastoreFile,
                id: path.clone(),
                name: path.rsplit('/').next().unwrap_or(path).to_owned(),
            };
            let removed = match (&file_manager, datacenter) {
                (Some(fm), Some(dc)) => self
                    .client
                    .delete_datastore_file(fm, path, dc)
                    .await
                    .map_err(|e| e.to_string()),
                _ => Err("the datacenter's file manager could not be found".to_owned()),
            };
            match removed {
                Ok(true) => report.removed.push(object),
                Ok(false) => {}
                Err(why) => report.failed.push((object, why)),
            }
        }
        report
    }

    async fn apply(
        &mut self,
        snapshot_name: &str,
        description: &str,
        cdrom: &Cdrom,
        iso_path: &str,
        extra: &[(String, String)],
    ) -> Result<Option<String>, Failure> {
        let client = self.client;
        self.started(
            Step::Snapshot,
            40,
            format!("taking snapshot {snapshot_name:?}"),
        );
        let snapshot = client
            .create_snapshot(&self.vm, snapshot_name, description)
            .await
            .map_err(|e| (Step::Snapshot, StepError::Vsphere(e)))?;
        self.snapshot = Some(snapshot.clone());
        self.finished(Step::Snapshot, format!("snapshot {}", snapshot.value));

        if self.was_on {
            self.started(Step::PowerOff, 50, "powering off the appliance");
            client
                .power_off_vm(&self.vm)
                .await
                .map_err(|e| (Step::PowerOff, StepError::Vsphere(e)))?;
            self.finished(Step::PowerOff, "appliance powered off");
        }
        self.started(
            Step::Configure,
            60,
            format!("switching the CD-ROM to {iso_path} and writing the new version"),
        );
        client
            .swap_cdrom_iso(&self.vm, cdrom, iso_path, extra)
            .await
            .map_err(|e| (Step::Configure, StepError::Vsphere(e)))?;
        self.finished(Step::Configure, "appliance reconfigured");

        self.started(Step::PowerOn, 75, "powering on the appliance");
        client
            .power_on_vm(&self.vm)
            .await
            .map_err(|e| (Step::PowerOn, StepError::Vsphere(e)))?;
        self.finished(Step::PowerOn, "appliance powered on");

        let ip = wait_ready(
            client,
            &self.vm,
            self.options.timeout,
            self.cancel,
            self.progress,
        )
        .await
        .map_err(|e| (Step::WaitForIp, StepError::Other(e.to_string())))?;
        Ok(ip)
    }
}

/// Upgrades the VCH `selector` names to the version of `options`' ISOs.
pub async fn upgrade(
    client: &Client,
    selector: &Selector,
    options: &UpgradeOptions,
    progress: &Progress,
    cancel: &CancellationToken,
) -> Result<UpgradedVch, DeployError> {
    let round_trips_before = client.round_trips();
    progress.emit(
        Step::ReadIsos,
        EventKind::Started,
        Some(0),
        "reading ISO versions",
        Vec::new(),
    );
    let (appliance, bootstrap) =
        installer_isos(&options.appliance_iso, &options.bootstrap_iso).await?;
    if !appliance.is_supported() && !options.force {
        return Err(DeployError::UnsupportedIso {
            path: appliance.path.clone(),
            version: appliance.version.clone(),
        });
    }
    let installer = appliance.build();
    progress.emit(
        Step::ReadIsos,
        EventKind::Finished,
        Some(5),
        format!("installer version {}", installer.short_version()),
        Vec::new(),
    );

    let (summary, inventory) = vch::find(client, selector).await?;
    let datacenter = inventory
        .datacenter(&summary.datacenter)
        .map(|dc| MoRef::new("Datacenter", &dc.id));
    let name = summary.name.clone();
    super::status::refuse_incomplete(&summary).map_err(DeployError::Refused)?;
    let vm_ref = MoRef::new("VirtualMachine", &summary.id);
    let before: VmInfo = vch::appliance(client, &summary.id).await?.vm;
    if options.reset_progress && lock::is_locked(&before) {
        lock::set_lock(client, &vm_ref, false).await?;
        progress.emit(
            Step::Validate,
            EventKind::Warning,
            None,
            "--reset-progress: cleared the UpdateInProgress flag",
            Vec::new(),
        );
    } else {
        lock::refuse_if_locked(&name, &before, "upgrade").map_err(DeployError::Refused)?;
    }
    let old_tree: VirtualContainerHostConfigSpec = extraconfig::decode_extra_config(
        before.extra_config.clone(),
        Secrets::FromOvfEnv,
    )
    .map_err(|e| {
        DeployError::Refused(format!(
            "the appliance's sealed settings of {name:?} cannot be read ({e}); nothing was changed"
        ))
    })?;
    let from = old_tree.executor.version.clone();
    let from_version = summary.version.clone();
    let mut warnings = Vec::new();
    match shared::lifecycle::check_upgrade(&installer, from.as_ref()) {
        Ok(()) => {}
        Err(refusal) if options.force => {
            warnings.push(format!("--force: {refusal}"));
        }
        Err(refusal) => {
            return Err(DeployError::Refused(format!(
                "VCH {name:?} ({}) was not upgraded: {refusal}",
                summary.id
            )));
        }
    }
    let (datastore, folder) = before.datastore_folder().ok_or_else(|| {
        DeployError::Refused(format!(
            "{} has no datastore path; nothing was changed",
            summary.id
        ))
    })?;
    let cdrom: Cdrom = client
        .vm_lifecycle_state(&vm_ref)
        .await?
        .cdrom
        .ok_or_else(|| {
            DeployError::Refused(format!(
                "VCH {name:?} has no CD-ROM drive to boot the new appliance ISO from; nothing was changed"
            ))
        })?;
    let extra = upgraded_extra_config(&old_tree, &installer, &bootstrap)
        .map_err(|e| DeployError::Refused(format!("{e}; nothing was changed")))?;
    let to_version = installer.short_version();
    progress.emit(
        Step::Validate,
        EventKind::Finished,
        Some(10),
        format!("upgrading {name} from {from_version} to {to_version}"),
        Vec::new(),
    );
    if cancel.is_cancelled() {
        return Err(DeployError::Cancelled {
            step: Step::Validate,
            rollback: super::RollbackReport::default(),
        });
    }

    lock::set_lock(client, &vm_ref, true).await?;
    let mut run = Run {
        client,
        progress,
        cancel,
        options,
        vm: vm_ref.clone(),
        datacenter: summary.datacenter.clone(),
        datastore: datastore.clone(),
        folder: folder.clone(),
        was_on: before.power_state == "poweredOn",
        snapshot: None,
        uploaded: Vec::new(),
        in_use: cdrom
            .iso
            .iter()
            .cloned()
            .chain(std::iter::once(
                old_tree.container.bootstrap_image_path.clone(),
            ))
            .collect(),
    };
    let iso_path = format!(
        "[{datastore}] {folder}/{}",
        appliance.datastore_name("appliance")
    );
    let snapshot_name = shared::lifecycle::upgrade_snapshot_name(&installer);
    let description =
        format!("taken by vch upgrade from {from_version}; `vch upgrade --rollback` returns to it");
    let outcome = match run
        .upload([(&appliance, "appliance"), (&bootstrap, "bootstrap")])
        .await
    {
        Err(failure) => Err(failure),
        Ok(()) if cancel.is_cancelled() => {
            let rollback = run.remove_uploads(datacenter.as_ref()).await;
            let _ = lock::set_lock(client, &vm_ref, false).await;
            return Err(DeployError::Cancelled {
                step: Step::UploadIsos,
                rollback,
            });
        }
        Ok(()) => {
            run.apply(&snapshot_name, &description, &cdrom, &iso_path, &extra)
                .await
        }
    };
    let result = match outcome {
        Ok(client_ip) => {
            let snapshot = run.snapshot.clone().expect("taken before success");
            warnings.extend(remove_older_snapshots(client, &vm_ref, &snapshot, progress).await);
            Ok(client_ip)
        }
        Err((step, cause)) => {
            progress.emit(step, EventKind::Failed, None, cause.to_string(), Vec::new());
            let revert = match &run.snapshot {
                Some(snapshot) => {
                    let mut report =
                        revert_to(client, &vm_ref, snapshot, true, true, progress).await;
                    if report.is_clean() {
                        report
                            .steps
                            .push(format!("the VCH runs {from_version} again"));
                    }
                    report
                }
                None => RevertReport {
                    steps: vec![format!(
                        "nothing was changed; the VCH still runs {from_version}"
                    )],
                    failures: Vec::new(),
                },
            };
            let rollback = run.remove_uploads(datacenter.as_ref()).await;
            Err(DeployError::ConfigureFailed {
                step,
                cause,
                revert,
                rollback,
            })
        }
    };
    // The snapshot holds the lock as set: clear it after any revert too.
    if let Err(e) = lock::set_lock(client, &vm_ref, false).await {
        warnings.push(format!(
            "could not clear the UpdateInProgress flag ({e}); the next run needs --reset-progress"
        ));
    }
    let client_ip = result?;
    progress.emit(
        Step::Done,
        EventKind::Finished,
        Some(100),
        format!("VCH {name} upgraded to {to_version}"),
        Vec::new(),
    );
    Ok(UpgradedVch {
        id: summary.id,
        name,
        from_version,
        to_version,
        snapshot: snapshot_name,
        appliance_iso: iso_path,
        client_ip,
        warnings,
        round_trips: client.round_trips() - round_trips_before,
    })
}
