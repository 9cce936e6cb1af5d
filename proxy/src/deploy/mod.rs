//! Deploying and managing Virtual Container Hosts: the orchestration on top of [`crate::vsphere`].
//!
//! Shared by the CLI (`vch create|ls|inspect|delete`) and the HTTP API; everything returns data,
//! nothing prints. vSphere is the source of truth: VCHs are found by reading appliance VMs'
//! extraConfig, never from a local database.
//!
//! * [`create`]: validation, then the original's create sequence (docs/original-sequences.md §1) with a
//!   progress event per step ([`progress`]) and a rollback journal ([`journal`]) that removes what
//!   the run made if it fails or is cancelled.
//! * [`vch::list`], [`vch::inspect`], [`vch::inspect_config`]: what exists.
//! * [`delete::delete`]: removes a VCH, including one a dead create left half-made.

mod bridge;
pub mod certs;
pub mod configure;
pub mod configure_scope;
mod create;
pub mod debug;
pub mod delete;
mod docker_info;
pub mod iso;
pub mod journal;
pub mod lock;
pub mod opsuser;
pub mod ownership;
mod placement_host;
pub mod plan;
pub mod progress;
pub mod readiness;
pub mod rollback;
pub mod status;
pub mod upgrade;
pub mod vch;

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use shared::Report;
use shared::extraconfig::{MappingError, SecretError};

use crate::vsphere::datastore::UploadError;
use crate::vsphere::{TargetSpec, VsphereError};

pub use configure::{ConfigureOptions, ConfiguredVch, RevertReport, configure};
pub use create::create;
pub use journal::RollbackReport;
pub use progress::{EventKind, ObjectKind, ObjectRef, Progress, ProgressEvent, Step};

/// How to run a create, beyond the configuration itself.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// The target the client connected with: uploads reuse its URL and TLS policy.
    pub target: TargetSpec,
    pub appliance_iso: PathBuf,
    pub bootstrap_iso: PathBuf,
    /// How long to wait for the appliance's client IP after power-on.
    pub timeout: Duration,
    /// Accept an ISO whose version our encoder does not support.
    pub force: bool,
    /// Wait for the client IP (the CLI does; an API may return right after power-on).
    pub wait_for_ip: bool,
}

impl CreateOptions {
    /// Options from the configuration's target section: `--appliance-iso`/`--bootstrap-iso`
    /// (default `appliance.iso`/`bootstrap.iso` in the working directory), `--timeout` (default
    /// 3m), `--force`.
    pub fn from_config(config: &shared::VchConfig, target: TargetSpec) -> CreateOptions {
        let t = &config.target;
        let path = |given: &Option<String>, default: &str| {
            PathBuf::from(
                given
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .unwrap_or(default),
            )
        };
        let timeout_ms = t
            .timeout
            .as_deref()
            .and_then(shared::quantity::parse_go_duration_ms)
            .unwrap_or(180_000);
        CreateOptions {
            target,
            appliance_iso: path(&t.appliance_iso, "appliance.iso"),
            bootstrap_iso: path(&t.bootstrap_iso, "bootstrap.iso"),
            timeout: Duration::from_millis(timeout_ms),
            force: t.force,
            wait_for_ip: true,
        }
    }
}

/// A VCH that was created (and, unless told not to wait, answered with its client IP).
#[derive(Debug, Clone, Serialize)]
pub struct CreatedVch {
    /// The appliance VM's id (`vm-75`).
    pub id: String,
    pub name: String,
    pub datacenter: String,
    /// Inventory path of the VCH's resource pool.
    pub resource_pool: String,
    pub version: String,
    pub client_ip: Option<IpAddr>,
    /// Which property reported the client IP.
    pub client_ip_source: Option<String>,
    /// 2376 with TLS, 2375 without.
    pub docker_port: u16,
    /// `ip:port`, once the client IP is known.
    pub docker_host: Option<String>,
    pub tls: certs::TlsMaterial,
    /// Every object the run created, in order.
    pub created: Vec<ObjectRef>,
    pub warnings: Vec<String>,
    /// SOAP round trips of this run (uploads not counted).
    pub round_trips: u64,
}

impl CreatedVch {
    /// The `<name>.env` file vic-machine writes beside the client certificates: what `docker`
    /// needs in its environment, with the certificates in `cert_path`. `None` until the appliance
    /// reported its address.
    pub fn docker_env(&self, cert_path: &str) -> Option<String> {
        let host = self.docker_host.as_deref()?;
        let mut env = format!("DOCKER_HOST={host}\n");
        if self.tls.client_cert_pem.is_some() {
            env.push_str(&format!(
                "DOCKER_TLS_VERIFY=1\nDOCKER_CERT_PATH={cert_path}\n"
            ));
        }
        if self.tls.server.is_some() {
            env.push_str("COMPOSE_TLS_VERSION=TLSv1_2\n");
        }
        Some(env)
    }
}

/// Why a step failed.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Vsphere(#[from] VsphereError),
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error(
        "the name {name:?} is already in use ({detail}); choose another --name or delete the existing VCH"
    )]
    NameInUse { name: String, detail: String },
    #[error("building the appliance configuration: {0}")]
    Mapping(#[from] MappingError),
    #[error("sealing the appliance secrets: {0}")]
    Secret(#[from] SecretError),
    #[error(
        "failed to validate the operations credentials: {user:?} cannot log in ({cause}); check --ops-user and --ops-password"
    )]
    OpsLogin {
        user: String,
        cause: Box<VsphereError>,
    },
    #[error("{0}")]
    Other(String),
}

/// Everything a deploy operation can fail with. Messages say what, where and how to fix; they
/// never contain a credential.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("the configuration is not valid; nothing was created:\n{}", errors(.report))]
    Invalid { report: Report },
    #[error("{0}; nothing was created")]
    Placement(#[from] plan::PlacementError),
    #[error(
        "a VCH named {name:?} already exists in {datacenter} ({id}); choose another --name, or remove it with `vch delete --name {name}`"
    )]
    NameInUse {
        name: String,
        datacenter: String,
        id: String,
    },
    #[error(transparent)]
    Iso(#[from] iso::IsoError),
    #[error(
        "the appliance ISO {} is version {version}, which this installer cannot configure (it writes VIC {}.x appliances); use a {}.x ISO, or --force to try anyway",
        path.display(), iso::SUPPORTED_SERIES, iso::SUPPORTED_SERIES
    )]
    UnsupportedIso { path: PathBuf, version: String },
    #[error(transparent)]
    Certificates(#[from] certs::CertError),
    #[error("could not {step}: {cause}{rollback}")]
    Failed {
        step: Step,
        cause: StepError,
        rollback: RollbackReport,
    },
    #[error("cancelled while trying to {step}{rollback}")]
    Cancelled {
        step: Step,
        rollback: RollbackReport,
    },
    #[error(
        "VCH {name:?} ({id}) did not report a client IP address within {seconds} s (timed out). It was left in place for inspection: look at its console or `vch inspect --id {id}`, then `vch delete --id {id}`; a longer --timeout may help"
    )]
    ApplianceTimeout {
        name: String,
        id: String,
        seconds: u64,
    },
    #[error(
        "VCH {name:?} ({id}) stopped running (power state {state}) before reporting a client IP; it was left in place for inspection (`vch delete --id {id}` removes it)"
    )]
    ApplianceStopped {
        name: String,
        id: String,
        state: String,
    },
    #[error(
        "VCH {name:?} ({id}) reported its address but is not serving: {cause}. It was left in place for inspection (`vch inspect --id {id}`); `vch delete --id {id}` removes it"
    )]
    NotReady {
        name: String,
        id: String,
        cause: readiness::NotReady,
    },
    #[error("{0}")]
    Vsphere(#[from] VsphereError),
    #[error("no VCH matches {0}; `vch ls` lists them")]
    NotFound(String),
    #[error("{what} matches several VCHs ({ids}); select one with --id")]
    Ambiguous { what: String, ids: String },
    #[error(
        "VCH {name:?} has powered-on container VMs ({containers}); stop them first or pass --force to power them off and delete them"
    )]
    ContainersRunning { name: String, containers: String },
    #[error("{0}")]
    Refused(String),
    #[error("could not {step}: {cause}{revert}{rollback}")]
    ConfigureFailed {
        step: Step,
        cause: StepError,
        revert: RevertReport,
        rollback: RollbackReport,
    },
    #[error("deleting VCH {name:?} left objects behind: {failures}")]
    DeleteIncomplete { name: String, failures: String },
}

fn errors(report: &Report) -> String {
    report
        .errors()
        .map(|f| format!("  {f}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl DeployError {
    /// The rollback report, when the error came after something was created.
    pub fn rollback(&self) -> Option<&RollbackReport> {
        match self {
            DeployError::Failed { rollback, .. }
            | DeployError::Cancelled { rollback, .. }
            | DeployError::ConfigureFailed { rollback, .. } => Some(rollback),
            _ => None,
        }
    }
}
