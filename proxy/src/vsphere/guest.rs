//! Guest operations: running a program inside a VM through VMware Tools
//! (`GuestOperationsManager.processManager` → `StartProgramInGuest`, `ListProcessesInGuest`),
//! which is how `vch debug` reaches into the appliance. Guest operations need the VM powered on
//! and Tools running; both are checked first so the caller gets a plain reason rather than a fault.

use std::time::{Duration, Instant};

use super::envelope::Request;
use super::{Client, MoRef, VsphereError};

/// One process as the guest reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestProcess {
    pub pid: i64,
    pub name: String,
    /// `"program" arguments`, as vSphere formats it.
    pub cmd_line: String,
    /// Set once the process has exited.
    pub exit_code: Option<i32>,
}

/// Whether guest operations can run, from `runtime.powerState` and `guest.toolsRunningStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestState {
    pub power_state: String,
    /// `guestToolsRunning`, `guestToolsNotRunning`, `guestToolsExecutingScripts`.
    pub tools_running_status: String,
    pub ip_address: Option<String>,
}

impl GuestState {
    pub fn tools_running(&self) -> bool {
        self.tools_running_status == "guestToolsRunning"
    }
}

/// Why a guest program could not be run or did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum GuestError {
    #[error(transparent)]
    Vsphere(#[from] VsphereError),
    #[error("{program} exited with status {code} in the guest")]
    Exit { program: String, code: i32 },
    #[error("{program} did not finish within {seconds} s in the guest")]
    Timeout { program: String, seconds: u64 },
}

fn write_auth(request: &mut Request, user: &str, password: &str) {
    request
        .open_typed("auth", "NamePasswordAuthentication")
        .bool("interactiveSession", false)
        .text("username", user)
        .text("password", password)
        .close("auth");
}

impl Client {
    /// Power and Tools state of a VM (one round trip).
    pub async fn guest_state(&self, vm: &MoRef) -> Result<GuestState, VsphereError> {
        let objects = self
            .properties_of(
                vm,
                "VirtualMachine",
                &[
                    "runtime.powerState",
                    "guest.toolsRunningStatus",
                    "guest.ipAddress",
                ],
            )
            .await
            .map(Vec::from_iter)?;
        let o = objects
            .first()
            .ok_or_else(|| VsphereError::NotFound(format!("virtual machine {}", vm.value)))?;
        Ok(GuestState {
            power_state: o.text("runtime.powerState").unwrap_or_default().to_owned(),
            tools_running_status: o
                .text("guest.toolsRunningStatus")
                .unwrap_or_default()
                .to_owned(),
            ip_address: o
                .text("guest.ipAddress")
                .filter(|ip| !ip.is_empty())
                .map(str::to_owned),
        })
    }

    /// `ServiceContent.guestOperationsManager` → its `processManager` (two round trips).
    async fn guest_process_manager(&self) -> Result<MoRef, VsphereError> {
        let manager = self
            .with_session(|| async {
                let response = self
                    .transport()
                    .call(Request::new(
                        "RetrieveServiceContent",
                        &MoRef::new("ServiceInstance", "ServiceInstance"),
                    ))
                    .await?;
                response
                    .child("returnval")
                    .and_then(|rv| rv.child_moref("guestOperationsManager"))
                    .ok_or_else(|| VsphereError::NotFound("guest operations on this server".into()))
            })
            .await?;
        let objects = self
            .properties_of(&manager, "GuestOperationsManager", &["processManager"])
            .await?;
        objects
            .as_ref()
            .and_then(|o| o.moref("processManager"))
            .ok_or_else(|| VsphereError::NotFound("a guest process manager".into()))
    }

    /// Starts `program arguments` in the guest and waits until it exits with status 0.
    /// `user`/`password` are the guest credentials (the VIC appliance accepts any).
    pub async fn run_in_guest(
        &self,
        vm: &MoRef,
        user: &str,
        password: &str,
        program: &str,
        arguments: &str,
        timeout: Duration,
    ) -> Result<GuestProcess, GuestError> {
        let manager = self.guest_process_manager().await?;
        let pid = self
            .with_session(|| async {
                let mut request = Request::new("StartProgramInGuest", &manager);
                request.moref("vm", vm);
                write_auth(&mut request, user, password);
                request
                    .open_typed("spec", "GuestProgramSpec")
                    .text("programPath", program)
                    .text("arguments", arguments)
                    .close("spec");
                let response = self.transport().call(request).await?;
                response
                    .child_text("returnval")
                    .and_then(|t| t.trim().parse::<i64>().ok())
                    .ok_or_else(|| VsphereError::malformed("StartProgramInGuest", "no pid"))
            })
            .await?;
        let started = Instant::now();
        let mut interval = Duration::from_millis(100);
        loop {
            let processes = self
                .guest_processes(vm, &manager, user, password, &[pid])
                .await?;
            if let Some(done) = processes
                .into_iter()
                .find(|p| p.pid == pid && p.exit_code.is_some())
            {
                return match done.exit_code {
                    Some(code) if code != 0 => Err(GuestError::Exit {
                        program: program.to_owned(),
                        code,
                    }),
                    _ => Ok(done),
                };
            }
            if started.elapsed() >= timeout {
                return Err(GuestError::Timeout {
                    program: program.to_owned(),
                    seconds: timeout.as_secs(),
                });
            }
            tokio::time::sleep(interval).await;
            interval = (interval * 2).min(Duration::from_secs(2));
        }
    }

    /// `ListProcessesInGuest` for `pids` (all processes when empty).
    pub async fn list_guest_processes(
        &self,
        vm: &MoRef,
        user: &str,
        password: &str,
    ) -> Result<Vec<GuestProcess>, VsphereError> {
        let manager = self.guest_process_manager().await?;
        self.guest_processes(vm, &manager, user, password, &[])
            .await
    }

    async fn guest_processes(
        &self,
        vm: &MoRef,
        manager: &MoRef,
        user: &str,
        password: &str,
        pids: &[i64],
    ) -> Result<Vec<GuestProcess>, VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("ListProcessesInGuest", manager);
            request.moref("vm", vm);
            write_auth(&mut request, user, password);
            for pid in pids {
                request.text("pids", &pid.to_string());
            }
            let response = self.transport().call(request).await?;
            Ok(response
                .children_named("returnval")
                .map(|p| GuestProcess {
                    pid: p.child_i64("pid").unwrap_or_default(),
                    name: p.child_text("name").unwrap_or_default().to_owned(),
                    cmd_line: p.child_text("cmdLine").unwrap_or_default().to_owned(),
                    exit_code: p.child("endTime").map(|_| {
                        p.child_i64("exitCode")
                            .and_then(|c| i32::try_from(c).ok())
                            .unwrap_or(0)
                    }),
                })
                .collect())
        })
        .await
    }
}
