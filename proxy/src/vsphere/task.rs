//! Waiting for vim25 tasks.
//!
//! vcsim finishes tasks before `*_Task` returns; real vCenter runs them asynchronously, so the
//! state is polled with a growing interval until it is final.

use std::time::{Duration, Instant};

use super::property_collector::{self, Objects, PropertySpec};
use super::xml_tree::Node;
use super::{Client, Fault, MoRef, VsphereError};

/// Polls `Task.info` until the task succeeds (returning `info.result` when it is a MoRef) or fails
/// (returning the task's fault, typed).
pub async fn wait_for_task(
    client: &Client,
    task: &MoRef,
    timeout: Duration,
) -> Result<Option<MoRef>, VsphereError> {
    let started = Instant::now();
    let mut interval = Duration::from_millis(100);
    loop {
        let objects = client
            .with_session(|| async {
                property_collector::retrieve(
                    client.transport(),
                    client.content(),
                    &[PropertySpec {
                        kind: "Task",
                        paths: &["info.state", "info.result", "info.error"],
                    }],
                    Objects::List(std::slice::from_ref(task)),
                )
                .await
            })
            .await?;
        let state = objects
            .first()
            .and_then(|o| o.text("info.state"))
            .unwrap_or_default()
            .to_owned();
        match state.as_str() {
            "success" => return Ok(objects.first().and_then(|o| o.moref("info.result"))),
            "error" => {
                let error = objects.first().and_then(|o| o.get("info.error"));
                let message = error
                    .and_then(|e| e.child_text("localizedMessage"))
                    .unwrap_or_default()
                    .to_owned();
                let unknown = Node {
                    name: "SystemError".into(),
                    ..Node::default()
                };
                let fault = Fault::from_node(
                    error.and_then(|e| e.child("fault")).unwrap_or(&unknown),
                    message,
                );
                return Err(VsphereError::Fault {
                    method: format!("task {}", task.value),
                    fault: Box::new(fault),
                });
            }
            _ => {}
        }
        if started.elapsed() >= timeout {
            return Err(VsphereError::TaskTimeout {
                task: task.value.clone(),
                seconds: timeout.as_secs(),
            });
        }
        tokio::time::sleep(interval).await;
        interval = (interval * 2).min(Duration::from_secs(2));
    }
}

/// Long enough for a reconfigure on a busy vCenter.
const RECONFIGURE_TIMEOUT: Duration = Duration::from_secs(120);

impl Client {
    /// `ReconfigVM_Task` setting extraConfig keys (each value typed `xsd:string`, without which
    /// vcsim stores the key with no value), then waits for the task.
    pub async fn reconfigure_extra_config(
        &self,
        vm: &MoRef,
        entries: &[(&str, &str)],
    ) -> Result<(), VsphereError> {
        let task = self
            .with_session(|| async {
                let mut request = super::envelope::Request::new("ReconfigVM_Task", vm);
                request.open("spec");
                for (key, value) in entries {
                    request
                        .open_typed("extraConfig", "OptionValue")
                        .text("key", key)
                        .open_typed("value", "xsd:string");
                    request.content(value).close("value").close("extraConfig");
                }
                request.close("spec");
                let response = self.transport().call(request).await?;
                response
                    .child_moref("returnval")
                    .ok_or_else(|| VsphereError::malformed("ReconfigVM_Task", "no task returned"))
            })
            .await?;
        wait_for_task(self, &task, RECONFIGURE_TIMEOUT).await?;
        Ok(())
    }
}
