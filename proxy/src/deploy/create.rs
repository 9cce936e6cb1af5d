//! `create`: the original's sequence (docs/original-sequences.md §1) on our vSphere operations.
//!
//! Nothing is touched until validation (static and inventory), placement, the ISO versions and the
//! certificates are all good. Then: resource pool, VM folder, appliance VM (NICs at the slots the
//! extraConfig names, the whole configuration in extraConfig with `CreatingVCH` as its id), volume
//! store directories, ISO uploads into the VM's folder, the final reconfigure (CD-ROM, the real id,
//! sessions), power-on and the wait for the client IP. Every created object goes into the
//! rollback journal first; any failure or cancel before the wait removes them, newest first.
//! A wait that times out leaves the VCH for inspection, as the original does.

use std::future::Future;
use std::net::IpAddr;

use rand::RngCore;
use shared::VchConfig;
use shared::extraconfig::{
    self, Build, DeploymentFacts, MoRef as ExtraMoRef, NONCE_LEN, Phase, SecretKey,
    VirtualContainerHostConfigSpec,
};
use tokio_util::sync::CancellationToken;

use crate::vsphere::vm::{IpWait, NicSpec, Reconfig, VmSpec};
use crate::vsphere::{Client, FaultKind, MoRef, VsphereError};

use super::bridge;
use super::certs::{self, TlsMaterial};
use super::iso::{self, IsoImage};
use super::journal::Journal;
use super::ownership;
use super::plan::{self, Plan};
use super::progress::{EventKind, ObjectKind, ObjectRef, Progress, Step};
use super::readiness::{self, NotReady, Ready};
use super::{CreateOptions, CreatedVch, DeployError, StepError};

/// Creates a VCH. Events go to `progress`; `cancel` stops the run and rolls it back.
pub async fn create(
    client: &Client,
    config: &VchConfig,
    options: &CreateOptions,
    progress: &Progress,
    cancel: &CancellationToken,
) -> Result<CreatedVch, DeployError> {
    let round_trips_before = client.round_trips();
    let config = with_target_server(config, &options.target);
    let resolved = config.resolved();
    let name = resolved.general.name.clone().unwrap_or_default();

    progress.emit(
        Step::Validate,
        EventKind::Started,
        Some(0),
        format!("validating VCH {name:?} against the inventory"),
        Vec::new(),
    );
    let snapshot = client.inventory().await?;
    let mut report = shared::validate(&config, Some(&snapshot));
    report.prepend(extraconfig::certificates::unread_files(&config));
    if !report.is_valid() {
        progress.emit(
            Step::Validate,
            EventKind::Failed,
            None,
            "the configuration is not valid",
            Vec::new(),
        );
        return Err(DeployError::Invalid { report });
    }
    let mut warnings: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == shared::Severity::Warning)
        .map(ToString::to_string)
        .collect();
    let plan = plan::resolve(&resolved, &snapshot)?;
    if let Some(dc) = snapshot.datacenter(&plan.datacenter_path)
        && let Some(existing) = dc.vchs.iter().find(|v| v.name == name || v.vm_name == name)
    {
        return Err(DeployError::NameInUse {
            name,
            datacenter: dc.path.clone(),
            id: existing.id.clone(),
        });
    }
    // T14: the ops password is needed for the credentials check and by the appliance.
    let ops = &resolved.operations;
    if ops.ops_user.as_deref().is_some_and(|u| !u.is_empty())
        && ops.ops_password.as_ref().is_none_or(|p| p.is_empty())
    {
        return Err(DeployError::Refused(
            "user/password for the operations user has not been set: pass --ops-password with --ops-user; nothing was created".into(),
        ));
    }
    // C8: the group is named after the VCH, so an existing one would be someone else's.
    if resolved.compute.affinity_vm_group && plan.compute.kind == "ClusterComputeResource" {
        let groups = client.cluster_groups(&plan.compute).await?;
        if groups.iter().any(|g| g.name == name) {
            return Err(DeployError::Refused(format!(
                "a DRS VM group named {name:?} already exists in cluster {}; choose another --name or remove the group; nothing was created",
                plan.compute_path
            )));
        }
    }
    progress.emit(
        Step::Validate,
        EventKind::Finished,
        Some(5),
        format!(
            "placing {name:?} in {} on datastore {}",
            plan.parent_pool_path, plan.datastore
        ),
        Vec::new(),
    );

    progress.emit(
        Step::ReadIsos,
        EventKind::Started,
        None,
        "reading ISO versions",
        Vec::new(),
    );
    let appliance = iso::read_iso(&options.appliance_iso).await?;
    let bootstrap = iso::read_iso(&options.bootstrap_iso).await?;
    if !appliance.is_supported() {
        if !options.force {
            return Err(DeployError::UnsupportedIso {
                path: appliance.path.clone(),
                version: appliance.version.clone(),
            });
        }
        let warning = format!(
            "--force: deploying appliance ISO version {} although this installer writes {}.x configurations",
            appliance.version,
            iso::SUPPORTED_SERIES
        );
        progress.emit(
            Step::ReadIsos,
            EventKind::Warning,
            None,
            &warning,
            Vec::new(),
        );
        warnings.push(warning);
    }
    progress.emit(
        Step::ReadIsos,
        EventKind::Finished,
        Some(8),
        format!(
            "appliance ISO {}, bootstrap ISO {}",
            appliance.version, bootstrap.version
        ),
        Vec::new(),
    );

    let static_ips: Vec<IpAddr> = [&resolved.network.client.ip, &resolved.network.public.ip]
        .into_iter()
        .flatten()
        .filter_map(|cidr| shared::address::parse_cidr(cidr))
        .map(|net| IpAddr::V4(net.addr()))
        .collect();
    let tls = certs::prepare(&resolved, &name, &static_ips)?;
    progress.emit(
        Step::Certificates,
        EventKind::Finished,
        Some(10),
        match (&tls.server, tls.verifies_clients()) {
            (None, _) => "no TLS (--no-tls)".to_owned(),
            (Some(_), false) => "server certificate ready; clients are not verified".to_owned(),
            (Some(_), true) => "server and client certificates ready".to_owned(),
        },
        Vec::new(),
    );

    let plan_datacenter = plan.datacenter_path.clone();
    let mut run = Run {
        client,
        progress,
        cancel,
        journal: Journal::default(),
        created: Vec::new(),
        warnings,
        plan,
        config,
        resolved,
        name,
        appliance,
        bootstrap,
        tls,
        options,
        datastores: datastore_refs(&snapshot, &plan_datacenter),
    };
    let outcome = run.steps().await;
    match outcome {
        Ok(mut created) => {
            created.round_trips = client.round_trips() - round_trips_before;
            Ok(created)
        }
        Err(Failure::Timeout { id, seconds }) => Err(DeployError::ApplianceTimeout {
            name: run.name.clone(),
            id,
            seconds,
        }),
        Err(Failure::Stopped { id, state }) => Err(DeployError::ApplianceStopped {
            name: run.name.clone(),
            id,
            state,
        }),
        Err(Failure::NotReady { id, cause }) => {
            progress.emit(
                Step::Readiness,
                EventKind::Failed,
                None,
                cause.to_string(),
                Vec::new(),
            );
            Err(DeployError::NotReady {
                name: run.name.clone(),
                id,
                cause: *cause,
            })
        }
        Err(Failure::Cancelled(step)) => {
            progress.emit(step, EventKind::Failed, None, "cancelled", Vec::new());
            let rollback = run
                .journal
                .roll_back(client, &run.plan.datacenter, progress)
                .await;
            Err(DeployError::Cancelled { step, rollback })
        }
        Err(Failure::Step(step, cause)) => {
            progress.emit(step, EventKind::Failed, None, cause.to_string(), Vec::new());
            let rollback = run
                .journal
                .roll_back(client, &run.plan.datacenter, progress)
                .await;
            Err(DeployError::Failed {
                step,
                cause,
                rollback,
            })
        }
    }
}

/// The config's target server, taken from the connection when the caller left it out (the API):
/// the appliance needs it to reach vSphere.
pub(super) fn with_target_server(
    config: &VchConfig,
    target: &crate::vsphere::TargetSpec,
) -> VchConfig {
    let mut config = config.clone();
    if config.target.server.as_deref().is_none_or(str::is_empty) {
        let url = &target.url;
        let host = url.host_str().unwrap_or_default();
        config.target.server = Some(match url.port() {
            Some(port) => format!("{}://{host}:{port}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        });
    }
    if config.target.user.as_deref().is_none_or(str::is_empty) {
        config.target.user = Some(target.username.clone());
    }
    if config.target.password.is_none() {
        config.target.password = Some(shared::secret::Secret::new(
            secrecy::ExposeSecret::expose_secret(&target.password),
        ));
    }
    config
}

enum Failure {
    Step(Step, StepError),
    Cancelled(Step),
    Timeout { id: String, seconds: u64 },
    Stopped { id: String, state: String },
    NotReady { id: String, cause: Box<NotReady> },
}

impl Failure {
    fn at(step: Step) -> impl FnOnce(VsphereError) -> Failure {
        move |e| Failure::Step(step, StepError::Vsphere(e))
    }
}

struct Run<'a> {
    client: &'a Client,
    progress: &'a Progress,
    cancel: &'a CancellationToken,
    journal: Journal,
    created: Vec<ObjectRef>,
    warnings: Vec<String>,
    plan: Plan,
    /// As given (plus the target server), for validation and the recorded create options.
    config: VchConfig,
    /// With the original's defaults filled in.
    resolved: VchConfig,
    name: String,
    appliance: IsoImage,
    bootstrap: IsoImage,
    tls: TlsMaterial,
    options: &'a CreateOptions,
    /// Datastore name → moref, for the existence checks before `MakeDirectory`.
    datastores: std::collections::BTreeMap<String, MoRef>,
}

/// Step start percentages; the upload and the wait are the long ones.
const PERCENT: &[(Step, u8)] = &[
    (Step::ResourcePool, 12),
    (Step::BridgeNetwork, 14),
    (Step::Folder, 15),
    (Step::ApplianceVm, 20),
    (Step::VolumeStores, 30),
    (Step::UploadIsos, 35),
    (Step::Configure, 75),
    (Step::PowerOn, 80),
    (Step::WaitForIp, 85),
    (Step::Readiness, 92),
];

fn percent(step: Step) -> Option<u8> {
    PERCENT.iter().find(|(s, _)| *s == step).map(|(_, p)| *p)
}

impl Run<'_> {
    fn start(&self, step: Step, message: impl Into<String>) -> Result<(), Failure> {
        if self.cancel.is_cancelled() {
            return Err(Failure::Cancelled(step));
        }
        self.progress
            .emit(step, EventKind::Started, percent(step), message, Vec::new());
        Ok(())
    }

    fn made(&mut self, step: Step, object: ObjectRef) {
        self.progress.emit(
            step,
            EventKind::Finished,
            None,
            format!("created {object}"),
            vec![object.clone()],
        );
        self.created.push(object);
    }

    fn warn(&mut self, step: Step, message: String) {
        self.progress
            .emit(step, EventKind::Warning, None, &message, Vec::new());
        self.warnings.push(message);
    }

    /// Runs one call, abandoning it if the run is cancelled (the journal copes with a lost reply).
    async fn call<T, E>(
        &self,
        step: Step,
        future: impl Future<Output = Result<T, E>>,
    ) -> Result<Result<T, E>, Failure> {
        tokio::select! {
            biased;
            () = self.cancel.cancelled() => Err(Failure::Cancelled(step)),
            result = future => Ok(result),
        }
    }

    fn facts(&self, phase: Phase, vm: &str, pool: &MoRef, folder: &str) -> DeploymentFacts {
        DeploymentFacts {
            phase,
            vm_moref: vm.to_owned(),
            installer: installer_build(&self.appliance),
            // What this session verified (typed, confirmed in the wizard or the plugin's), in
            // the SHA-1 form the appliance pins; a typed value only over plain http.
            thumbprint: self
                .client
                .server_thumbprint()
                .map(|t| t.to_string())
                .or_else(|| self.resolved.target.thumbprint.clone())
                .unwrap_or_default(),
            datacenter_name: self.plan.datacenter_name.clone(),
            cluster_path: self.plan.compute_path.clone(),
            parent_pool_path: self.plan.parent_pool_path.clone(),
            vch_pool: ExtraMoRef::new(&pool.kind, &pool.value),
            vm_folder: folder.to_owned(),
            bootstrap_iso_version: self.bootstrap.version.clone(),
            port_groups: self.plan.extraconfig_port_groups(),
            server_certificate: self.tls.server.clone(),
            client_ca_pem: self.tls.client_ca_pem.clone(),
            create_bridge_network: self.plan.create_bridge.is_some(),
            create_options: create_options(&self.config),
        }
    }

    fn appliance_tree(
        &self,
        phase: Phase,
        vm: &str,
        pool: &MoRef,
        folder: &str,
    ) -> Result<VirtualContainerHostConfigSpec, StepError> {
        Ok(extraconfig::build_appliance_config(
            &self.resolved,
            &self.facts(phase, vm, pool, folder),
        )?)
    }

    async fn steps(&mut self) -> Result<CreatedVch, Failure> {
        let client = self.client;
        let name = self.name.clone();

        // T13: the ops credentials must log in before anything is made.
        let authorization = self.check_ops_credentials().await?;

        // Resource pool.
        let pool = if self.plan.creates_pool() {
            self.start(
                Step::ResourcePool,
                format!(
                    "creating resource pool {name} in {}",
                    self.plan.parent_pool_path
                ),
            )?;
            let spec = resource_spec(&self.resolved)
                .map_err(|e| Failure::Step(Step::ResourcePool, StepError::Other(e)))?;
            let parent = self.plan.parent_pool.clone();
            let pending = self.journal.pending_pool(&parent, &name);
            let result = self
                .call(
                    Step::ResourcePool,
                    client.create_resource_pool(&parent, &name, &spec),
                )
                .await?;
            match result {
                Ok(pool) => {
                    self.journal.created(pending, &pool);
                    self.call(Step::ResourcePool, ownership::mark(client, &pool, &name))
                        .await?
                        .map_err(Failure::at(Step::ResourcePool))?;
                    self.made(
                        Step::ResourcePool,
                        object(ObjectKind::ResourcePool, &pool.value, &name),
                    );
                    pool
                }
                Err(e) => {
                    self.journal.settle(pending, &e);
                    return Err(Failure::Step(Step::ResourcePool, name_in_use(&name, e)));
                }
            }
        } else {
            self.warn(
                Step::ResourcePool,
                format!(
                    "DRS is off on {}: no resource pool is created and the CPU/memory limits are not applied; the VCH runs in {}",
                    self.plan.compute_path, self.plan.parent_pool_path
                ),
            );
            self.plan.parent_pool.clone()
        };

        // ESXi without the bridge port group: its vSwitch and port group (bridge.rs).
        if let Some((bridge_name, host)) = self.plan.create_bridge.clone() {
            self.start(
                Step::BridgeNetwork,
                format!("creating vSwitch and port group {bridge_name}"),
            )?;
            let mut journal = std::mem::take(&mut self.journal);
            let result = self
                .call(
                    Step::BridgeNetwork,
                    bridge::create(
                        client,
                        &mut journal,
                        &host,
                        &bridge_name,
                        &self.plan.datacenter_path,
                    ),
                )
                .await;
            self.journal = journal;
            let (port_group, network_system) = result?.map_err(Failure::at(Step::BridgeNetwork))?;
            self.plan
                .port_groups
                .insert(bridge_name.clone(), port_group);
            self.made(
                Step::BridgeNetwork,
                object(
                    ObjectKind::VirtualSwitch,
                    &network_system.value,
                    &bridge_name,
                ),
            );
        }

        // VM folder (vCenter only).
        let vm_folder_parent = if self.plan.is_vcenter {
            Some(
                client
                    .datacenter_vm_folder(&self.plan.datacenter)
                    .await
                    .map_err(Failure::at(Step::Folder))?,
            )
        } else {
            None
        };
        let folder = match &vm_folder_parent {
            Some(parent) => {
                self.start(Step::Folder, format!("creating VM folder {name}"))?;
                let pending = self.journal.pending_folder(parent, &name);
                match self
                    .call(Step::Folder, client.create_folder(parent, &name))
                    .await?
                {
                    Ok(folder) => {
                        self.journal.created(pending, &folder);
                        let marked_pool = self.plan.creates_pool();
                        let mark = ownership::mark_folder(client, &folder, &name, marked_pool);
                        self.call(Step::Folder, mark)
                            .await?
                            .map_err(Failure::at(Step::Folder))?;
                        self.made(
                            Step::Folder,
                            object(ObjectKind::Folder, &folder.value, &name),
                        );
                        folder
                    }
                    Err(e) => {
                        self.journal.settle(pending, &e);
                        return Err(Failure::Step(Step::Folder, name_in_use(&name, e)));
                    }
                }
            }
            None => client
                .datacenter_vm_folder(&self.plan.datacenter)
                .await
                .map_err(Failure::at(Step::Folder))?,
        };

        // Appliance VM.
        self.start(Step::ApplianceVm, format!("creating appliance VM {name}"))?;
        let vm_spec = self
            .vm_spec(&pool)
            .map_err(|e| Failure::Step(Step::ApplianceVm, e))?;
        let pending = self.journal.pending_vm(&folder, &name);
        let vm = match self
            .call(
                Step::ApplianceVm,
                client.create_vm(&folder, &pool, self.plan.host.as_ref(), &vm_spec),
            )
            .await?
        {
            Ok(vm) => {
                self.journal.created(pending, &vm);
                vm
            }
            Err(e) => {
                self.journal.settle(pending, &e);
                return Err(Failure::Step(Step::ApplianceVm, StepError::Vsphere(e)));
            }
        };
        self.made(
            Step::ApplianceVm,
            object(ObjectKind::VirtualMachine, &vm.value, &name),
        );
        let info = client
            .vm_info(std::slice::from_ref(&vm))
            .await
            .map_err(Failure::at(Step::ApplianceVm))?
            .into_iter()
            .next()
            .ok_or_else(|| {
                Failure::Step(
                    Step::ApplianceVm,
                    StepError::Other(format!("the new VM {vm} disappeared")),
                )
            })?;
        let (datastore, vm_dir) = info.datastore_folder().ok_or_else(|| {
            Failure::Step(
                Step::ApplianceVm,
                StepError::Other(format!("the new VM {vm} has no datastore path")),
            )
        })?;
        let vm_dir_path = format!("[{datastore}] {vm_dir}");
        self.journal.vm_directory(pending, &vm_dir_path);

        // Volume stores.
        let file_manager = client
            .file_manager()
            .await
            .map_err(Failure::at(Step::VolumeStores))?;
        if !self.plan.volume_dirs.is_empty() {
            self.start(Step::VolumeStores, "creating volume store directories")?;
        }
        for dir in self.plan.volume_dirs.clone() {
            // Taken out for the call so a cancel mid-call still leaves its entry in the journal.
            let mut journal = std::mem::take(&mut self.journal);
            let result = self
                .call(
                    Step::VolumeStores,
                    make_volume_directory(
                        client,
                        &mut journal,
                        &file_manager,
                        &self.datastores,
                        &dir,
                        &self.plan.datacenter,
                    ),
                )
                .await;
            self.journal = journal;
            let created = result?.map_err(Failure::at(Step::VolumeStores))?;
            if created {
                self.made(
                    Step::VolumeStores,
                    object(
                        ObjectKind::DatastoreDirectory,
                        &dir.datastore_path,
                        &dir.label,
                    ),
                );
            } else {
                self.progress.emit(
                    Step::VolumeStores,
                    EventKind::Finished,
                    None,
                    format!(
                        "volume store {} uses the existing directory {}",
                        dir.label, dir.datastore_path
                    ),
                    Vec::new(),
                );
            }
        }

        // ISO uploads into the VM's folder (removed with the VM on rollback).
        self.start(
            Step::UploadIsos,
            format!("uploading the ISO images to {vm_dir_path}"),
        )?;
        let uploader = client
            .uploader(&self.options.target)
            .await
            .map_err(Failure::at(Step::UploadIsos))?;
        let total = self.appliance.size + self.bootstrap.size;
        let mut done_before = 0u64;
        let mut upload_result = Ok(());
        let images = [
            (self.appliance.clone(), "appliance"),
            (self.bootstrap.clone(), "bootstrap"),
        ];
        for (image, role) in &images {
            let role = *role;
            let file_name = image.datastore_name(role);
            let progress = self.progress.clone();
            let base = done_before;
            let last_reported = std::sync::Arc::new(std::sync::atomic::AtomicU8::new(0));
            let callback: crate::vsphere::datastore::UploadProgress =
                std::sync::Arc::new(move |sent: u64| {
                    let fraction = (base + sent) as f64 / total.max(1) as f64;
                    // Upload spans 35..75 %.
                    let p = 35 + (fraction * 40.0) as u8;
                    if last_reported.swap(p, std::sync::atomic::Ordering::Relaxed) != p {
                        progress.emit(
                            Step::UploadIsos,
                            EventKind::Started,
                            Some(p),
                            format!("uploading {file_name}: {} MB", (base + sent) >> 20),
                            Vec::new(),
                        );
                    }
                });
            let path = format!("{vm_dir}/{}", image.datastore_name(role));
            let result = self
                .call(
                    Step::UploadIsos,
                    uploader.upload_file(
                        &image.path,
                        &self.plan.datacenter_path,
                        &datastore,
                        &path,
                        Some(callback),
                    ),
                )
                .await;
            match result {
                Ok(Ok(size)) => {
                    done_before += size;
                    let id = format!("[{datastore}] {path}");
                    self.made(
                        Step::UploadIsos,
                        object(ObjectKind::DatastoreFile, &id, &image.datastore_name(role)),
                    );
                }
                Ok(Err(e)) => {
                    upload_result = Err(Failure::Step(Step::UploadIsos, StepError::Upload(e)));
                    break;
                }
                Err(cancelled) => {
                    upload_result = Err(cancelled);
                    break;
                }
            }
        }
        uploader.close().await;
        upload_result?;

        if let Some(manager) = &authorization {
            self.grant_ops_permissions(manager, &pool, vm_folder_parent.as_ref().map(|_| &folder))
                .await?;
        }
        if self.resolved.compute.affinity_vm_group {
            self.create_vm_group(&vm).await?;
        }

        // Final configuration: real id, sessions, NIC slots, bootstrap path, CD-ROM.
        self.start(Step::Configure, "writing the appliance configuration")?;
        let tree = self
            .appliance_tree(Phase::Final, &vm.value, &pool, &vm_dir)
            .map_err(|e| Failure::Step(Step::Configure, e))?;
        let extra_config = seal(&tree).map_err(|e| Failure::Step(Step::Configure, e))?;
        let volume_stores: Vec<String> = tree.storage.volume_locations.keys().cloned().collect();
        let change = Reconfig {
            add_cdrom_iso: Some(format!(
                "[{datastore}] {vm_dir}/{}",
                self.appliance.datastore_name("appliance")
            )),
            // The appliance's console log, as the original keeps it (docs/appliance-vm.md).
            add_serial_file: Some(format!("[{datastore}] {vm_dir}/tether.debug")),
            extra_config,
        };
        self.call(Step::Configure, client.reconfigure_vm(&vm, &change))
            .await?
            .map_err(Failure::at(Step::Configure))?;
        self.progress.emit(
            Step::Configure,
            EventKind::Finished,
            None,
            "appliance configured",
            Vec::new(),
        );

        self.start(Step::PowerOn, format!("powering on {name}"))?;
        self.call(Step::PowerOn, client.power_on_vm(&vm))
            .await?
            .map_err(Failure::at(Step::PowerOn))?;
        self.progress.emit(
            Step::PowerOn,
            EventKind::Finished,
            None,
            "appliance powered on",
            Vec::new(),
        );

        let docker_port = if self.tls.server.is_some() {
            2376
        } else {
            2375
        };
        let pool_path = if self.plan.creates_pool() {
            format!("{}/{name}", self.plan.parent_pool_path)
        } else {
            self.plan.parent_pool_path.clone()
        };
        let mut created = CreatedVch {
            id: vm.value.clone(),
            name: name.clone(),
            datacenter: self.plan.datacenter_path.clone(),
            resource_pool: pool_path,
            version: self.appliance.build().short_version(),
            client_ip: None,
            client_ip_source: None,
            docker_port,
            docker_host: None,
            tls: self.tls.clone(),
            created: self.created.clone(),
            warnings: self.warnings.clone(),
            round_trips: 0,
        };
        if !self.options.wait_for_ip {
            self.progress.emit(
                Step::Done,
                EventKind::Finished,
                Some(100),
                "VCH created",
                Vec::new(),
            );
            return Ok(created);
        }

        self.start(
            Step::WaitForIp,
            format!(
                "waiting up to {} s for the appliance's client IP",
                self.options.timeout.as_secs()
            ),
        )?;
        // The --timeout bounds the whole wait: IP, components and Docker API.
        let deadline = std::time::Instant::now() + self.options.timeout;
        let waited = client
            .wait_for_client_ip(&vm, self.options.timeout, Some(self.cancel))
            .await
            .map_err(Failure::at(Step::WaitForIp))?;
        let ip = match waited {
            IpWait::Address { ip, source } => {
                created.client_ip = Some(ip);
                created.client_ip_source = Some(source.to_owned());
                created.docker_host = Some(match ip {
                    IpAddr::V4(v4) => format!("{v4}:{docker_port}"),
                    IpAddr::V6(v6) => format!("[{v6}]:{docker_port}"),
                });
                self.progress.emit(
                    Step::WaitForIp,
                    EventKind::Finished,
                    None,
                    format!("client IP {ip} (from {source})"),
                    Vec::new(),
                );
                ip
            }
            IpWait::Cancelled => return Err(Failure::Cancelled(Step::WaitForIp)),
            IpWait::TimedOut => {
                self.progress.emit(
                    Step::WaitForIp,
                    EventKind::Failed,
                    None,
                    format!(
                        "no client IP within {} s; the VCH is left in place",
                        self.options.timeout.as_secs()
                    ),
                    Vec::new(),
                );
                return Err(Failure::Timeout {
                    id: vm.value.clone(),
                    seconds: self.options.timeout.as_secs(),
                });
            }
            IpWait::PoweredOff { state } => {
                return Err(Failure::Stopped {
                    id: vm.value.clone(),
                    state,
                });
            }
        };
        self.start(
            Step::Readiness,
            "waiting for the appliance's components and its Docker API",
        )?;
        let host = created.docker_host.clone().unwrap_or_default();
        let check = readiness::Check {
            client,
            vm: &vm,
            ip,
            port: docker_port,
            tls: &self.tls,
            volume_stores,
            deadline,
            cancel: self.cancel,
            docker_command: readiness::docker_command(&host, &name, &self.tls),
        };
        match check.run().await {
            Ok(Ready::Serving) => self.progress.emit(
                Step::Readiness,
                EventKind::Finished,
                None,
                format!("the Docker API at {host} answers"),
                Vec::new(),
            ),
            Ok(Ready::Warning(warning)) => {
                created.warnings.push(warning.clone());
                self.warn(Step::Readiness, warning);
            }
            Ok(Ready::Cancelled) => return Err(Failure::Cancelled(Step::Readiness)),
            // Losing vSphere mid-wait is handled as in the IP wait: rolled back.
            Err(NotReady::Vsphere(e)) => return Err(Failure::at(Step::Readiness)(e)),
            Err(cause) => {
                return Err(Failure::NotReady {
                    id: vm.value.clone(),
                    cause: Box::new(cause),
                });
            }
        }
        self.progress.emit(
            Step::Done,
            EventKind::Finished,
            Some(100),
            format!(
                "VCH {name} is up: DOCKER_HOST={}",
                created.docker_host.clone().unwrap_or_default()
            ),
            Vec::new(),
        );
        Ok(created)
    }

    /// T13: logs in with the ops credentials in a second session. With `--ops-grant-perms`
    /// the ops user first gets ReadOnly on the datacenter (journalled), as the original does: a
    /// user without any permission cannot log in. Returns the AuthorizationManager when the
    /// permissions are to be granted later.
    async fn check_ops_credentials(&mut self) -> Result<Option<MoRef>, Failure> {
        let ops = self.resolved.operations.clone();
        let Some(user) = ops.ops_user.filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        let step = Step::OpsCredentials;
        self.start(step, format!("logging in as the operations user {user}"))?;
        let client = self.client;
        let mut manager = None;
        if ops.ops_grant_perms {
            manager = super::opsuser::grant_read_only(
                client,
                &mut self.journal,
                &user,
                &self.plan.datacenter,
            )
            .await
            .map_err(Failure::at(step))?;
            if manager.is_none() {
                self.warn(
                    step,
                    format!(
                        "--ops-grant-perms: {user} is an administrator (Admin on the vCenter root); its permissions are left as they are"
                    ),
                );
            }
        }
        let password = ops
            .ops_password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default();
        let check = super::opsuser::check_login(&self.options.target, &user, &password);
        self.call(step, check)
            .await?
            .map_err(|e| Failure::Step(step, e))?;
        self.progress.emit(
            step,
            EventKind::Finished,
            None,
            format!("the operations user {user} can log in"),
            Vec::new(),
        );
        Ok(manager)
    }

    /// Step 12: the `vic-vch-*` roles (added when missing) and the ops user's permissions on
    /// the root folder, datacenter, cluster, datastores, networks, VCH pool and VM folder.
    async fn grant_ops_permissions(
        &mut self,
        manager: &MoRef,
        pool: &MoRef,
        folder: Option<&MoRef>,
    ) -> Result<(), Failure> {
        let step = Step::Permissions;
        let user = self
            .resolved
            .operations
            .ops_user
            .clone()
            .unwrap_or_default();
        self.start(step, format!("granting {user} the VCH's permissions"))?;
        let mut endpoints = vec![pool.clone()];
        endpoints.extend(folder.cloned());
        let place = super::opsuser::VchPlace {
            plan: &self.plan,
            datastores: &self.datastores,
            endpoints,
            vm_group: self.resolved.compute.affinity_vm_group,
        };
        let (changed, objects) =
            super::opsuser::grant_vch(self.client, manager, &mut self.journal, &user, &place)
                .await
                .map_err(Failure::at(step))?;
        self.progress.emit(
            step,
            EventKind::Finished,
            None,
            format!("{user}: {changed} permission(s) set on {objects} object(s)"),
            Vec::new(),
        );
        Ok(())
    }

    /// Step 13: the DRS VM group named after the VCH, holding the appliance.
    async fn create_vm_group(&mut self, vm: &MoRef) -> Result<(), Failure> {
        let step = Step::VmGroup;
        let name = self.name.clone();
        self.start(step, format!("creating DRS VM group {name}"))?;
        let cluster = self.plan.compute.clone();
        let pending = self.journal.pending_vm_group(&cluster, &name);
        let result = self
            .call(
                step,
                self.client
                    .add_vm_group(&cluster, &name, std::slice::from_ref(vm)),
            )
            .await?;
        if let Err(e) = result {
            self.journal.settle(pending, &e);
            return Err(Failure::Step(step, StepError::Vsphere(e)));
        }
        self.made(step, object(ObjectKind::VmGroup, &cluster.value, &name));
        Ok(())
    }

    /// The `CreateVM_Task` spec: NICs at the slots the final tree assigns, the create-phase tree.
    fn vm_spec(&self, pool: &MoRef) -> Result<VmSpec, StepError> {
        let final_tree = self.appliance_tree(Phase::Final, "vm-0", pool, &self.name)?;
        let slots = extraconfig::from_vch_config::nic_slots(&final_tree);
        let mut nics = Vec::new();
        for (moref_text, slot) in &slots {
            let pg = self
                .plan
                .port_groups
                .values()
                .find(|pg| format!("{}:{}", pg.moref.kind, pg.moref.value) == *moref_text)
                .ok_or_else(|| {
                    StepError::Other(format!("no port group for NIC backing {moref_text}"))
                })?;
            nics.push(NicSpec {
                backing: pg.backing.clone(),
                pci_slot: *slot,
            });
        }
        nics.sort_by_key(|n| n.pci_slot);
        let create_tree = self.appliance_tree(Phase::CreateVm, "", pool, &self.name)?;
        let mut extra_config = seal(&create_tree)?;
        extra_config.push(("answer.msg.serial.file.open".into(), "Append".into()));
        let build = installer_build(&self.appliance);
        let number = |text: Option<&String>, what: &str| {
            text.and_then(|t| shared::quantity::parse_uint(t))
                .filter(|n| *n > 0)
                .ok_or_else(|| StepError::Other(format!("--{what} is not a positive number")))
        };
        Ok(VmSpec {
            name: self.name.clone(),
            guest_id: "otherGuest64".into(),
            alternate_guest_name: format!(
                "Photon - VCH {}, {}, {:>7}",
                build.version, build.build_number, build.git_commit
            ),
            annotation: String::new(),
            vm_path_name: format!("[{}]", self.plan.datastore),
            num_cpus: u32::try_from(number(
                self.resolved.compute.endpoint_cpu.as_ref(),
                "endpoint-cpu",
            )?)
            .unwrap_or(1),
            memory_mb: number(
                self.resolved.compute.endpoint_memory.as_ref(),
                "endpoint-memory",
            )?,
            nics,
            pvscsi_controller: true,
            extra_config,
        })
    }
}

fn object(kind: ObjectKind, id: &str, name: &str) -> ObjectRef {
    ObjectRef {
        kind,
        id: id.to_owned(),
        name: name.to_owned(),
    }
}

fn installer_build(appliance: &IsoImage) -> Build {
    appliance.build()
}

fn name_in_use(name: &str, error: VsphereError) -> StepError {
    match error.fault_kind() {
        Some(FaultKind::DuplicateName { object, .. }) => StepError::NameInUse {
            name: name.to_owned(),
            detail: object.as_ref().map_or_else(
                || "an object with that name exists".to_owned(),
                |o| format!("{o} exists"),
            ),
        },
        _ => StepError::Vsphere(error),
    }
}

/// A fresh secret key and nonces for each encode, as vic-machine does.
pub(super) fn seal(
    tree: &VirtualContainerHostConfigSpec,
) -> Result<Vec<(String, String)>, StepError> {
    let mut rng = rand::rng();
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    let key = SecretKey::from_bytes(key);
    let mut nonce = || {
        let mut n = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut n);
        n
    };
    Ok(extraconfig::encode_extra_config(tree, &key, &mut nonce)?)
}

/// `--cpu`/`--memory` limits (0 = unlimited), reservations and shares → the pool spec.
fn resource_spec(
    config: &VchConfig,
) -> Result<crate::vsphere::resource_pool::ResourceSpec, String> {
    resource_overlay(
        config,
        &crate::vsphere::resource_pool::ResourceSpec::default(),
    )
}

/// `base` with every CPU/memory limit, reservation and shares that `config` sets replaced;
/// what it leaves out stays as in `base` (configure changes only what was asked).
pub(super) fn resource_overlay(
    config: &VchConfig,
    base: &crate::vsphere::resource_pool::ResourceSpec,
) -> Result<crate::vsphere::resource_pool::ResourceSpec, String> {
    use crate::vsphere::resource_pool::{Allocation, ResourceSpec, Shares};
    let c = &config.compute;
    let number = |text: &Option<String>, option: &str| -> Result<Option<i64>, String> {
        match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => shared::quantity::parse_uint(t)
                .and_then(|n| i64::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| format!("--{option} {t:?} is not a number")),
        }
    };
    let shares = |text: &Option<String>, option: &str| -> Result<Option<Shares>, String> {
        match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some("normal") => Ok(Some(Shares::Normal)),
            Some("low") => Ok(Some(Shares::Low)),
            Some("high") => Ok(Some(Shares::High)),
            Some(t) => t
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(|n| Some(Shares::Custom(n)))
                .ok_or_else(|| format!("--{option} {t:?} is not low, normal, high or a number")),
        }
    };
    let allocation = |base: &Allocation,
                      limit: Option<i64>,
                      reservation: Option<i64>,
                      shares: Option<Shares>| Allocation {
        reservation: reservation.unwrap_or(base.reservation),
        expandable_reservation: base.expandable_reservation,
        limit: match limit {
            None => base.limit,
            Some(0) => -1,
            Some(n) => n,
        },
        shares: shares.unwrap_or(base.shares),
    };
    Ok(ResourceSpec {
        cpu: allocation(
            &base.cpu,
            number(&c.cpu_limit, "cpu")?,
            number(&c.cpu_reservation, "cpu-reservation")?,
            shares(&c.cpu_shares, "cpu-shares")?,
        ),
        memory: allocation(
            &base.memory,
            number(&c.memory_limit, "memory")?,
            number(&c.memory_reservation, "memory-reservation")?,
            shares(&c.memory_shares, "memory-shares")?,
        ),
    })
}

/// `vic_machine_create_options`: the flags of the equivalent command line, secrets and file
/// paths dropped (docs/appliance-extraconfig.md §4.3).
pub(super) fn create_options(config: &VchConfig) -> Vec<String> {
    let line =
        shared::vic_machine::generate(&config.without_secrets(), shared::vic_machine::Os::Linux);
    let words = shlex::split(&line).unwrap_or_default();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        let Some(body) = word.strip_prefix("--") else {
            continue;
        };
        if let Some((name, value)) = body.split_once('=') {
            pairs.push((name.to_owned(), value.to_owned()));
        } else if body == "timeout" && i < words.len() {
            // Recorded as Go prints a duration (`3m` → `3m0s`), as vic-machine does.
            let value = &words[i];
            i += 1;
            let go = shared::quantity::parse_go_duration_ms(value)
                .map_or_else(|| value.clone(), shared::quantity::format_go_duration_ms);
            pairs.push((body.to_owned(), go));
        } else if i < words.len() && !words[i].starts_with("--") {
            pairs.push((body.to_owned(), words[i].clone()));
            i += 1;
        } else {
            pairs.push((body.to_owned(), "true".to_owned()));
        }
    }
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    extraconfig::record_create_options(&borrowed)
}

/// Datastore name → moref in the plan's datacenter.
pub(super) fn datastore_refs(
    snapshot: &shared::inventory::InventorySnapshot,
    datacenter_path: &str,
) -> std::collections::BTreeMap<String, MoRef> {
    snapshot
        .datacenter(datacenter_path)
        .map(|dc| {
            dc.datastores
                .iter()
                .map(|ds| (ds.name.clone(), MoRef::new("Datastore", &ds.id)))
                .collect()
        })
        .unwrap_or_default()
}

/// Makes a volume store directory, journalling it only when this run provably made it: the
/// directory is looked for first, so a lost `MakeDirectory` reply leaves a journal entry for a
/// directory that did not exist before (rollback removes it), and one that already existed is
/// never journalled (it may hold another VCH's volumes). Returns whether the directory is new.
pub(super) async fn make_volume_directory(
    client: &Client,
    journal: &mut Journal,
    file_manager: &crate::vsphere::datastore::FileManager,
    datastores: &std::collections::BTreeMap<String, MoRef>,
    dir: &plan::VolumeDir,
    datacenter: &MoRef,
) -> Result<bool, VsphereError> {
    let datastore = datastores
        .get(&dir.datastore)
        .ok_or_else(|| VsphereError::NotFound(format!("datastore {}", dir.datastore)))?;
    if client
        .datastore_path_exists(datastore, &dir.datastore_path)
        .await?
    {
        return Ok(false);
    }
    let pending = journal.directory(&dir.datastore_path);
    match client
        .make_directory(file_manager, &dir.datastore_path, datacenter)
        .await
    {
        Ok(true) => Ok(true),
        // Someone made it between our look and our call: not provably ours.
        Ok(false) => {
            journal.not_created(pending);
            Ok(false)
        }
        Err(e) => {
            journal.settle(pending, &e);
            Err(e)
        }
    }
}
