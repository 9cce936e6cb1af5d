//! Waiting for property changes: `CreateFilter` + a `WaitForUpdatesEx` long-poll loop +
//! `DestroyPropertyFilter`, instead of re-reading properties on a timer.
//!
//! Each `WaitForUpdatesEx` blocks on the server for at most [`MAX_WAIT_SECONDS`] (well under the
//! transport's request timeout); the loop echoes back whatever version the server sent (vcsim
//! always says `-`, vCenter sends increasing opaque strings).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::envelope::Request;
use super::xml_tree::Node;
use super::{Client, MoRef, VsphereError};

/// Longest single server-side wait: short enough that a deadline or a cancel is noticed promptly
/// even if the server ignores `maxWaitSeconds`, long enough not to spin.
const MAX_WAIT_SECONDS: u64 = 20;

/// Why [`Client::watch_object`] stopped without the condition being met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WatchEnd {
    TimedOut,
    Cancelled,
}

impl Client {
    /// Watches `paths` of `obj` until `done` returns `Some` for the current values (unset
    /// properties are absent from the map), the deadline passes, or `cancel` fires. The filter is
    /// destroyed in every case.
    pub(crate) async fn watch_object<T>(
        &self,
        obj: &MoRef,
        paths: &[&str],
        deadline: Instant,
        cancel: Option<&CancellationToken>,
        mut done: impl FnMut(&HashMap<String, Node>) -> Option<T>,
    ) -> Result<Result<T, WatchEnd>, VsphereError> {
        let filter = self
            .with_session(|| async {
                let mut request = Request::new("CreateFilter", &self.content().property_collector);
                request.open("spec").open("propSet").text("type", &obj.kind);
                for path in paths {
                    request.text("pathSet", path);
                }
                request
                    .close("propSet")
                    .open("objectSet")
                    .moref("obj", obj)
                    .close("objectSet")
                    .close("spec")
                    .bool("partialUpdates", false);
                let response = self.transport().call(request).await?;
                response
                    .child_moref("returnval")
                    .ok_or_else(|| VsphereError::malformed("CreateFilter", "no filter returned"))
            })
            .await?;
        let outcome = self.wait_loop(deadline, cancel, &mut done).await;
        let destroyed = self
            .with_session(|| async {
                self.transport()
                    .call(Request::new("DestroyPropertyFilter", &filter))
                    .await
                    .map(|_| ())
            })
            .await;
        let outcome = outcome?;
        // A filter left behind dies with the session; not worth failing a finished wait for.
        if let Err(e) = destroyed {
            tracing::debug!(error = %e, "DestroyPropertyFilter failed");
        }
        Ok(outcome)
    }

    async fn wait_loop<T>(
        &self,
        deadline: Instant,
        cancel: Option<&CancellationToken>,
        done: &mut impl FnMut(&HashMap<String, Node>) -> Option<T>,
    ) -> Result<Result<T, WatchEnd>, VsphereError> {
        let mut values: HashMap<String, Node> = HashMap::new();
        let mut version = String::new();
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(Err(WatchEnd::TimedOut));
            }
            let remaining = deadline - now;
            let wait_seconds = remaining.as_secs().clamp(1, MAX_WAIT_SECONDS);
            let call = self.with_session(|| async {
                let mut request =
                    Request::new("WaitForUpdatesEx", &self.content().property_collector);
                request
                    .text("version", &version)
                    .open("options")
                    .text("maxWaitSeconds", &wait_seconds.to_string())
                    .close("options");
                self.transport().call(request).await
            });
            let limit = remaining + Duration::from_secs(5);
            let response = match cancel {
                Some(token) => tokio::select! {
                    () = token.cancelled() => return Ok(Err(WatchEnd::Cancelled)),
                    r = tokio::time::timeout(limit, call) => r,
                },
                None => tokio::time::timeout(limit, call).await,
            };
            let Ok(response) = response else {
                return Ok(Err(WatchEnd::TimedOut));
            };
            let response = response?;
            // No returnval: nothing changed within maxWaitSeconds.
            let Some(update) = response.child("returnval") else {
                continue;
            };
            if let Some(v) = update.child_text("version") {
                version = v.to_owned();
            }
            for filter_update in update.children_named("filterSet") {
                for object in filter_update.children_named("objectSet") {
                    if object.child_text("kind") == Some("leave") {
                        values.clear();
                    }
                    for change in object.children_named("changeSet") {
                        let Some(name) = change.child_text("name") else {
                            continue;
                        };
                        match change.child_text("op") {
                            Some("remove" | "indirectRemove") => {
                                values.remove(name);
                            }
                            _ => match change.child("val") {
                                Some(val) => {
                                    values.insert(name.to_owned(), val.clone());
                                }
                                None => {
                                    values.remove(name);
                                }
                            },
                        }
                    }
                }
            }
            if let Some(result) = done(&values) {
                return Ok(Ok(result));
            }
        }
    }
}
