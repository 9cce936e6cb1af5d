//! `debug`: opens a VCH appliance for diagnosis the way vic-machine 1.5.8 does
//! (docs/lifecycle.md): through VMware Tools guest operations it runs `enable-ssh <authorized
//! key>` and `passwd <password>` inside the appliance, then says how to log in. The changes last
//! until the appliance reboots. Guest operations need the appliance powered on and Tools running;
//! both are checked first so the refusal says which.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::vsphere::Client;
use crate::vsphere::MoRef;

use super::DeployError;
use super::progress::{EventKind, Progress, Step};
use super::vch::{self, Selector};

/// How long one guest program may take (both are instant on the appliance).
const PROGRAM_TIMEOUT: Duration = Duration::from_secs(60);

/// What to open.
#[derive(Debug, Clone, Default)]
pub struct DebugOptions {
    pub enable_ssh: bool,
    /// An OpenSSH public key line for root's authorized_keys.
    pub authorized_key: Option<String>,
    pub root_password: Option<SecretString>,
}

/// What a debug run did.
#[derive(Debug, Clone, Serialize)]
pub struct DebugReport {
    pub id: String,
    pub name: String,
    /// The guest programs run, without their arguments (which carry the password).
    pub programs: Vec<String>,
    /// The address to log in to.
    pub ip: Option<String>,
    /// `ssh root@<ip>` when SSH was enabled.
    pub ssh_hint: Option<String>,
}

/// Runs the guest programs `options` asks for in the appliance of `selector`.
pub async fn debug(
    client: &Client,
    selector: &Selector,
    options: &DebugOptions,
    progress: &Progress,
) -> Result<DebugReport, DeployError> {
    if !options.enable_ssh && options.root_password.is_none() {
        return Err(DeployError::Refused(
            "nothing to do: give --enable-ssh (with --authorized-key FILE for key login) and/or --rootpw PASSWORD".into(),
        ));
    }
    if options.authorized_key.is_some() && !options.enable_ssh {
        return Err(DeployError::Refused(
            "--authorized-key only applies with --enable-ssh".into(),
        ));
    }
    let details = vch::inspect(client, selector).await?;
    let name = details.summary.name.clone();
    let vm = MoRef::new("VirtualMachine", &details.summary.id);
    let state = client.guest_state(&vm).await?;
    if state.power_state != "poweredOn" {
        return Err(DeployError::Refused(format!(
            "VCH {name:?} ({}) is not powered on (power state {}), so its appliance cannot be reached; power it on first",
            vm.value, state.power_state
        )));
    }
    if !state.tools_running() {
        return Err(DeployError::Refused(format!(
            "VMware Tools is not running in the appliance of VCH {name:?} ({}; guest.toolsRunningStatus = {}), so guest operations cannot reach it; wait until the appliance has booted, then try again",
            vm.value,
            if state.tools_running_status.is_empty() {
                "not reported"
            } else {
                state.tools_running_status.as_str()
            }
        )));
    }
    let mut programs = Vec::new();
    let run = |program: &'static str, arguments: String| {
        let client = client.clone();
        let vm = vm.clone();
        async move {
            progress.emit(
                Step::Configure,
                EventKind::Started,
                None,
                format!("running {program} in the appliance"),
                Vec::new(),
            );
            // The appliance's guest agent accepts any credentials; the original sends none.
            client
                .run_in_guest(&vm, "", "", program, &arguments, PROGRAM_TIMEOUT)
                .await
                .map_err(|e| {
                    DeployError::Refused(format!(
                        "could not run {program} in the appliance of {}: {e}",
                        vm.value
                    ))
                })?;
            progress.emit(
                Step::Configure,
                EventKind::Finished,
                None,
                format!("{program} done"),
                Vec::new(),
            );
            Ok::<_, DeployError>(program)
        }
    };
    if options.enable_ssh {
        let key = options
            .authorized_key
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        programs.push(run("enable-ssh", key).await?.to_owned());
    }
    if let Some(password) = &options.root_password {
        programs.push(
            run("passwd", password.expose_secret().to_owned())
                .await?
                .to_owned(),
        );
    }
    let ip = details
        .client_ip
        .map(|ip| ip.to_string())
        .or(state.ip_address);
    let ssh_hint = options
        .enable_ssh
        .then(|| ip.as_ref().map(|ip| format!("ssh root@{ip}")))
        .flatten();
    progress.emit(
        Step::Done,
        EventKind::Finished,
        Some(100),
        match &ssh_hint {
            Some(hint) => format!("SSH enabled until the appliance reboots: {hint}"),
            None => "done; the changes last until the appliance reboots".to_owned(),
        },
        Vec::new(),
    );
    Ok(DebugReport {
        id: details.summary.id,
        name,
        programs,
        ip,
        ssh_hint,
    })
}
