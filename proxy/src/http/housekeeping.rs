//! How long server-side state lives: the background sweep that logs out expired sessions and
//! evicts finished jobs, and the orderly shutdown that lets running jobs roll back.

use std::sync::Weak;
use std::time::Duration;

use super::session::SessionLimits;
use super::{AppState, Inner};

/// The bounds on sessions and jobs; `vch serve` flags set them, tests shorten them.
#[derive(Debug, Clone)]
pub struct Limits {
    pub sessions: SessionLimits,
    /// A finished job is evicted (its client key wiped) this long after it ended.
    pub job_retention: Duration,
    /// How often the sweep runs.
    pub sweep_every: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            sessions: SessionLimits::default(),
            job_retention: super::jobs::DEFAULT_RETENTION,
            sweep_every: Duration::from_secs(30),
        }
    }
}

/// Starts the sweep on the current Tokio runtime. It holds the state weakly, so it ends when the
/// last handle to the state is dropped.
pub(super) fn spawn_sweeper(state: &AppState) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: expired sessions and finished jobs are not swept");
        return;
    };
    let weak: Weak<Inner> = std::sync::Arc::downgrade(&state.inner);
    let every = state.inner.limits.sweep_every;
    runtime.spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let Some(inner) = weak.upgrade() else { return };
            sweep(&AppState { inner }).await;
        }
    });
}

/// One pass: log out the sessions past their idle or absolute lifetime, evict old finished jobs.
async fn sweep(state: &AppState) {
    for session in state.sessions().take_expired() {
        tracing::info!(user = %session.user, target = %session.target, "session expired");
        if let Err(err) = session.client.logout().await {
            tracing::warn!(error = %err, "could not log out an expired session");
        }
    }
    let evicted = state.jobs().evict_finished();
    if evicted > 0 {
        tracing::debug!(evicted, "finished jobs evicted");
    }
}

/// At shutdown: refuse new jobs, cancel running ones and wait up to `limit` for their
/// rollbacks, then log out every browser session. False when some job was still running at the
/// limit.
pub async fn shutdown(state: &AppState, limit: Duration) -> bool {
    state
        .inner
        .stopping
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let ended = state.jobs().cancel_all_and_wait(limit).await;
    if !ended {
        tracing::warn!(
            ?limit,
            "some jobs were still rolling back at the shutdown limit"
        );
    }
    for session in state.sessions().take_all() {
        let _ = session.client.logout().await;
    }
    ended
}
