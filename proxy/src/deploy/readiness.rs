//! After the client IP: is the new VCH serving? (docs/readiness.md)
//!
//! As the original does, wait until the appliance reports each of its components started (the
//! `sessions|<id>.started` keys it writes into extraConfig), then ask the Docker API for `/info` at
//! the reported address, once a second, until it answers well or the create's `--timeout` runs
//! out. A wrong answer is an error; nothing answering at all is only a warning, since the machine
//! running `vch` often has no route to the client network.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::vsphere::vm::KeysWait;
use crate::vsphere::{Client, MoRef, VsphereError};

use super::certs::TlsMaterial;
use super::docker_info::{Answer, Endpoint};

/// The appliance's components, as the sessions in its configuration name them.
pub const COMPONENTS: [&str; 3] = ["docker-personality", "port-layer", "vicadmin"];

/// The read-write key where the appliance reports whether component `id` started.
pub fn started_key(id: &str) -> String {
    format!("guestinfo.vice..init.sessions|{id}.started")
}

/// Why a VCH that reported its IP is not serving.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("its component {component} did not start: {message}")]
    Component { component: String, message: String },
    #[error(
        "its components did not all report started within the --timeout ({waiting} still starting)"
    )]
    Starting { waiting: String },
    #[error("it stopped running (power state {state}) while its components started")]
    Stopped { state: String },
    #[error(
        "the Docker API at {url} failed the TLS handshake ({cause}); likely cause: the appliance does not present the certificate it was given, or the clocks of this machine and the ESXi host differ"
    )]
    Tls { url: String, cause: String },
    #[error("the Docker API at {url} is not ready: {cause}")]
    Api { url: String, cause: String },
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Vsphere(#[from] VsphereError),
}

/// How the readiness check ended without error.
#[derive(Debug)]
pub enum Ready {
    /// The Docker API answered as a running VIC engine.
    Serving,
    /// Something a user should know (nothing answered, or the TLS refusal that was expected).
    Warning(String),
    Cancelled,
}

pub struct Check<'a> {
    pub client: &'a Client,
    pub vm: &'a MoRef,
    pub ip: IpAddr,
    pub port: u16,
    pub tls: &'a TlsMaterial,
    /// Labels of the configured volume stores, each expected in `/info`.
    pub volume_stores: Vec<String>,
    pub deadline: Instant,
    pub cancel: &'a CancellationToken,
    /// `docker ... info` with this VCH's flags, for the user to run from a client network.
    pub docker_command: String,
}

impl Check<'_> {
    /// Components first, then the Docker API.
    pub async fn run(&self) -> Result<Ready, NotReady> {
        match self.components().await? {
            Some(()) => self.docker_api().await,
            None => Ok(Ready::Cancelled),
        }
    }

    /// Waits for the components to report started.
    pub async fn components(&self) -> Result<Option<()>, NotReady> {
        let keys: Vec<String> = COMPONENTS.iter().map(|c| started_key(c)).collect();
        let waited = self
            .client
            .wait_for_extra_config_keys(self.vm, &keys, self.deadline, Some(self.cancel))
            .await?;
        let values: BTreeMap<String, String> = match waited {
            KeysWait::Values(values) => values,
            KeysWait::Cancelled => return Ok(None),
            KeysWait::PoweredOff { state } => return Err(NotReady::Stopped { state }),
            KeysWait::TimedOut(partial) => {
                // A component that already failed says more than the ones still starting.
                failed_component(&partial)?;
                let waiting: Vec<&str> = COMPONENTS
                    .iter()
                    .copied()
                    .filter(|c| !partial.contains_key(&started_key(c)))
                    .collect();
                return Err(NotReady::Starting {
                    waiting: waiting.join(", "),
                });
            }
        };
        failed_component(&values)?;
        Ok(Some(()))
    }

    /// Asks the Docker API until it answers well, fails for good, or the deadline passes.
    pub async fn docker_api(&self) -> Result<Ready, NotReady> {
        let endpoint = Endpoint::new(self.ip, self.port, self.tls)
            .map_err(|e| NotReady::Setup(e.to_string()))?;
        let url = endpoint.url();
        let mut connected = false;
        let mut last: String;
        loop {
            let attempt_started = Instant::now();
            let answer = tokio::select! {
                answer = endpoint.ask(&self.volume_stores) => answer,
                () = self.cancel.cancelled() => return Ok(Ready::Cancelled),
            };
            match answer {
                Answer::Ready => return Ok(Ready::Serving),
                Answer::Tls(cause) if endpoint.refusal_expected => {
                    return Ok(Ready::Warning(format!(
                        "the Docker API at {url} refused this machine's TLS handshake as expected (clients must present a certificate from the given --tls-ca, and none was generated here): {cause}; check it with `{}`",
                        self.docker_command
                    )));
                }
                Answer::Tls(cause) => return Err(NotReady::Tls { url, cause }),
                Answer::NoConnection(cause) => last = cause,
                Answer::NotReady(cause) => {
                    connected = true;
                    last = cause;
                }
            }
            let next = attempt_started + Duration::from_secs(1);
            if next >= self.deadline {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep_until(next.into()) => {}
                () = self.cancel.cancelled() => return Ok(Ready::Cancelled),
            }
        }
        if connected {
            return Err(NotReady::Api { url, cause: last });
        }
        Ok(Ready::Warning(format!(
            "nothing answered at the Docker API endpoint {url} from this machine ({last}); it may have no route to the client network. From a machine on that network, check the VCH with `{}`",
            self.docker_command
        )))
    }
}

/// The first component whose `started` holds an error text instead of `true`.
fn failed_component(values: &BTreeMap<String, String>) -> Result<(), NotReady> {
    for component in COMPONENTS {
        if let Some(message) = values.get(&started_key(component))
            && message != "true"
        {
            return Err(NotReady::Component {
                component: component.to_owned(),
                message: message.clone(),
            });
        }
    }
    Ok(())
}

/// The `docker info` command line for this VCH, with the client certificates `vch create` writes
/// into `./<name>/` (as the original prints it).
pub fn docker_command(host: &str, name: &str, tls: &TlsMaterial) -> String {
    if tls.client_cert_pem.is_some() {
        format!(
            "docker -H {host} --tlsverify --tlscacert={name}/ca.pem --tlscert={name}/cert.pem --tlskey={name}/key.pem info"
        )
    } else if tls.server.is_some() {
        format!("docker -H {host} --tls info")
    } else {
        format!("docker -H {host} info")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_error_text_is_reported_and_true_is_not() {
        let mut values: BTreeMap<String, String> = COMPONENTS
            .iter()
            .map(|c| (started_key(c), "true".to_owned()))
            .collect();
        assert!(failed_component(&values).is_ok());
        values.insert(started_key("port-layer"), "exec failed".into());
        let err = failed_component(&values).unwrap_err().to_string();
        assert_eq!(err, "its component port-layer did not start: exec failed");
    }
}
