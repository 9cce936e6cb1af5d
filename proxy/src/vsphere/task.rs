//! Waiting for vim25 tasks.
//!
//! vcsim finishes tasks before `*_Task` returns; real vCenter runs them asynchronously, so the
//! state is polled with a growing interval until it is final.

use std::time::{Duration, Instant};

use super::property_collector::{self, Objects, PropertySpec};
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
                let fault = match error.and_then(|e| e.child("fault")) {
                    Some(node) => Fault::from_node(node, message),
                    None => Fault::from_node(&Default::default(), message),
                };
                return Err(VsphereError::Fault {
                    method: format!("task {}", task.value),
                    fault,
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
