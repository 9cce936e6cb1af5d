//! Long operations (create, delete) run as jobs: a task on the server that outlives the request,
//! whose progress streams over Server-Sent Events with the whole history replayed to a late
//! subscriber, and that can be cancelled (the deploy module then rolls back what it made).

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::Serialize;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;
use zeroize::Zeroizing;

use super::session::{OptionalSession, Session};
use super::{ApiError, AppState};
use crate::deploy::{EventKind, ObjectRef, Progress, ProgressEvent};
use crate::vsphere::{Client, TargetSpec};

/// How a job ended.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// `succeeded`, `failed` or `cancelled`.
    pub state: &'static str,
    /// What the job produced (for a create: the Docker endpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<JobError>,
    /// What rollback removed, and what it could not.
    pub removed: Vec<String>,
    pub left_behind: Vec<String>,
}

impl Outcome {
    /// A job that did what it was asked; `removed` lists what a delete took away.
    pub fn succeeded(result: serde_json::Value, removed: Vec<String>) -> Outcome {
        Outcome {
            state: "succeeded",
            result: Some(result),
            error: None,
            removed,
            left_behind: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct JobError {
    pub message: String,
    /// Validation findings when the configuration was refused before anything was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<serde_json::Value>,
}

/// One running or finished job.
pub struct Job {
    pub kind: &'static str,
    pub progress: Progress,
    pub cancel: CancellationToken,
    /// The id of the session that started the job (or that the same browser logged in to
    /// since): only it sees the job. Compared by id, never by the session's address in memory.
    owner: Mutex<String>,
    outcome: watch::Sender<Option<Outcome>>,
    finished_at: Mutex<Option<Instant>>,
    /// A create's client certificate bundle (holds a private key); wiped when the job is evicted.
    bundle: Mutex<Option<ClientBundle>>,
}

/// A downloadable file a job produced.
pub struct ClientBundle {
    pub file_name: String,
    /// Zeroed when dropped: the archive holds the client's private key.
    pub bytes: Zeroizing<Vec<u8>>,
}

impl Job {
    pub fn set_bundle(&self, bundle: ClientBundle) {
        *lock(&self.bundle) = Some(bundle);
    }

    /// The bundle's file name and a copy of its bytes (the copy goes into one response).
    fn bundle(&self) -> Option<(String, Vec<u8>)> {
        lock(&self.bundle)
            .as_ref()
            .map(|b| (b.file_name.clone(), b.bytes.to_vec()))
    }

    pub fn finish(&self, outcome: Outcome) {
        *lock(&self.finished_at) = Some(Instant::now());
        self.outcome.send_replace(Some(outcome));
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome.borrow().clone()
    }

    fn owned_by(&self, session_id: &str) -> bool {
        *lock(&self.owner) == session_id
    }

    /// Drops what the job holds that is secret (the zeroing happens in `Zeroizing`'s drop).
    fn wipe(&self) {
        lock(&self.bundle).take();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves the value itself consistent.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every job of this server process, by id. A finished job is kept for the retention period so
/// a browser that reloads can still read how its deploy ended, then evicted.
pub struct Jobs {
    by_id: Mutex<HashMap<String, Arc<Job>>>,
    retention: Duration,
}

/// How long a finished job stays readable when nothing else is configured.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(60 * 60);

impl Default for Jobs {
    fn default() -> Self {
        Jobs::new(DEFAULT_RETENTION)
    }
}

impl Jobs {
    pub fn new(retention: Duration) -> Self {
        Jobs {
            by_id: Mutex::default(),
            retention,
        }
    }

    fn insert(&self, kind: &'static str, owner: &str) -> (String, Arc<Job>) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (outcome, _) = watch::channel(None);
        let job = Arc::new(Job {
            kind,
            progress: Progress::new(),
            cancel: CancellationToken::new(),
            owner: Mutex::new(owner.to_owned()),
            outcome,
            finished_at: Mutex::new(None),
            bundle: Mutex::new(None),
        });
        lock(&self.by_id).insert(id.clone(), Arc::clone(&job));
        (id, job)
    }

    /// Any job by id, whoever owns it: for the server itself and tests, never for a request.
    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        lock(&self.by_id).get(id).cloned()
    }

    /// The job if `session` started it; `None` (a 404, as for an unknown id) otherwise, so a job
    /// id reveals nothing to anyone else.
    fn get_owned(&self, id: &str, session: Option<&Session>) -> Option<Arc<Job>> {
        let session = session?;
        self.get(id).filter(|job| job.owned_by(&session.id))
    }

    /// Hands the jobs of session `from` to session `to` (the same browser logged in again).
    pub(super) fn transfer(&self, from: &str, to: &str) {
        for job in lock(&self.by_id).values() {
            let mut owner = lock(&job.owner);
            if *owner == from {
                to.clone_into(&mut owner);
            }
        }
    }

    /// How many jobs are kept (running and finished).
    pub fn len(&self) -> usize {
        lock(&self.by_id).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Evicts the jobs finished longer ago than the retention period and wipes their secrets.
    pub(super) fn evict_finished(&self) -> usize {
        let now = Instant::now();
        let retention = self.retention;
        let mut map = lock(&self.by_id);
        let old: Vec<String> = map
            .iter()
            .filter(|(_, job)| {
                lock(&job.finished_at)
                    .is_some_and(|at| now.saturating_duration_since(at) > retention)
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &old {
            if let Some(job) = map.remove(id) {
                // A stream may still hold the job: the secret goes now, not when it lets go.
                job.wipe();
            }
        }
        old.len()
    }

    /// Cancels every running job and waits up to `limit` for all of them to end (a cancelled
    /// create ends once its rollback is done). True when they all ended in time.
    pub async fn cancel_all_and_wait(&self, limit: Duration) -> bool {
        let running: Vec<Arc<Job>> = lock(&self.by_id)
            .values()
            .filter(|job| job.outcome().is_none())
            .cloned()
            .collect();
        for job in &running {
            job.cancel.cancel();
        }
        let all_ended = futures::future::join_all(running.iter().map(|job| {
            let mut outcome = job.outcome.subscribe();
            async move {
                let _ = outcome.wait_for(Option::is_some).await;
            }
        }));
        tokio::time::timeout(limit, all_ended).await.is_ok()
    }
}

/// What a job's work gets: its own vSphere session (logged out when the job ends), the target
/// it was made from, and the job to report progress to.
pub struct JobContext {
    pub client: Client,
    pub spec: TargetSpec,
    pub job: Arc<Job>,
}

/// Starts a job of `kind` for `session`: the one way every job (create, configure, delete, …)
/// begins. The job gets a vSphere session of its own, so the browser's logout or expiry cannot
/// stop it half way; it belongs to `session`'s id; `work` runs as its own task and its outcome
/// (or a panic, reported as a failure) finishes the job; then the job's vSphere session is
/// logged out. Returns the job id.
pub async fn spawn_job<F, Fut>(
    state: &AppState,
    session: &Arc<Session>,
    kind: &'static str,
    work: F,
) -> Result<String, ApiError>
where
    F: FnOnce(JobContext) -> Fut + Send + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    if state.is_stopping() {
        return Err(shutting_down());
    }
    let client = session.new_vsphere_session().await?;
    let (id, job) = state.jobs().insert(kind, &session.id);
    // Shutdown may have begun while we logged in: it would not wait for this job.
    if state.is_stopping() {
        job.finish(refused_at_shutdown());
        let _ = client.logout().await;
        return Err(shutting_down());
    }
    let context = JobContext {
        client: client.clone(),
        spec: session.spec.clone(),
        job: Arc::clone(&job),
    };
    let browser_session = Arc::downgrade(session);
    let job_id = id.clone();
    tokio::spawn(async move {
        let outcome = match tokio::spawn(work(context)).await {
            Ok(outcome) => outcome,
            Err(err) => {
                tracing::error!(job = %job_id, error = %err, "job task failed");
                failed(format!("the job stopped unexpectedly: {err}"))
            }
        };
        job.finish(outcome);
        if let Err(err) = client.logout().await {
            tracing::warn!(job = %job_id, error = %err, "could not log out the job's vSphere session");
        }
        // What the job changed shows in the browser's next inventory read, if it is still there.
        if let Some(session) = browser_session.upgrade() {
            session.invalidate_inventory().await;
        }
    });
    Ok(id)
}

/// The JSON of one SSE message: a progress step, or the final state.
#[derive(Debug, Serialize)]
struct EventData<'a> {
    seq: u64,
    step: String,
    percent: u8,
    message: &'a str,
    kind: EventKind,
    created: Vec<String>,
    removed: Vec<String>,
    /// `running` until the last message, then the outcome's state.
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a JobError>,
}

fn progress_event(event: &ProgressEvent) -> Event {
    let objects: Vec<String> = event.objects.iter().map(ObjectRef::to_string).collect();
    let (created, removed) = if event.kind == EventKind::Removed {
        (Vec::new(), objects)
    } else {
        (objects, Vec::new())
    };
    let data = EventData {
        seq: event.seq,
        step: event.step.label().to_owned(),
        percent: event.percent,
        message: &event.message,
        kind: event.kind,
        created,
        removed,
        state: "running",
        result: None,
        error: None,
    };
    Event::default()
        .id(event.seq.to_string())
        .event("progress")
        .json_data(&data)
        .unwrap_or_else(|_| Event::default().event("progress"))
}

fn final_event(outcome: &Outcome, seq: u64, percent: u8) -> Event {
    let message = match (outcome.state, &outcome.error) {
        (_, Some(error)) => error.message.clone(),
        ("succeeded", None) => "done".to_owned(),
        (state, None) => state.to_owned(),
    };
    let data = EventData {
        seq,
        step: "finished".to_owned(),
        percent: if outcome.state == "succeeded" {
            100
        } else {
            percent
        },
        message: &message,
        kind: if outcome.state == "succeeded" {
            EventKind::Finished
        } else {
            EventKind::Failed
        },
        created: Vec::new(),
        removed: outcome.removed.clone(),
        state: outcome.state,
        result: outcome.result.as_ref(),
        error: outcome.error.as_ref(),
    };
    Event::default()
        .id(seq.to_string())
        .event("end")
        .json_data(&data)
        .unwrap_or_else(|_| Event::default().event("end"))
}

/// Where the stream of one subscriber is.
struct Cursor {
    job: Arc<Job>,
    backlog: std::collections::VecDeque<ProgressEvent>,
    live: broadcast::Receiver<ProgressEvent>,
    outcome: watch::Receiver<Option<Outcome>>,
    next_seq: u64,
    percent: u8,
    ended: bool,
}

impl Cursor {
    fn take(&mut self, event: ProgressEvent) -> Option<Event> {
        // The backlog and the live channel can overlap by an event; `seq` removes the repeat.
        if event.seq < self.next_seq {
            return None;
        }
        self.next_seq = event.seq + 1;
        self.percent = event.percent;
        Some(progress_event(&event))
    }

    /// The job's history from the first event this subscriber has not seen.
    fn not_yet_sent(&self) -> Vec<ProgressEvent> {
        self.job
            .progress
            .history()
            .into_iter()
            .filter(|e| e.seq >= self.next_seq)
            .collect()
    }

    async fn next(&mut self) -> Option<Event> {
        loop {
            if self.ended {
                return None;
            }
            if let Some(event) = self.backlog.pop_front() {
                if let Some(e) = self.take(event) {
                    return Some(e);
                }
                continue;
            }
            if let Some(outcome) = self.outcome.borrow().clone() {
                // Anything emitted before the job finished is in the history: flush it first.
                let rest = self.not_yet_sent();
                if !rest.is_empty() {
                    self.backlog.extend(rest);
                    continue;
                }
                self.ended = true;
                return Some(final_event(&outcome, self.next_seq, self.percent));
            }
            tokio::select! {
                received = self.live.recv() => match received {
                    Ok(event) => {
                        if let Some(e) = self.take(event) {
                            return Some(e);
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let missed = self.not_yet_sent();
                        self.backlog.extend(missed);
                    }
                    // The sender lives in the job; closed means it was dropped: wait for the outcome.
                    Err(broadcast::error::RecvError::Closed) => {
                        let _ = self.outcome.changed().await;
                    }
                },
                _ = self.outcome.changed() => {}
            }
        }
    }
}

/// `GET /api/jobs/{id}/events`: the job's progress as Server-Sent Events (`progress` events, then
/// one `end` event with the outcome), history first.
#[utoipa::path(get, path = "/api/jobs/{id}/events", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "text/event-stream of `progress` events and one final `end` event"),
        (status = 404, body = super::error::ErrorBody),
    ))]
pub async fn events(
    State(state): State<AppState>,
    OptionalSession(session): OptionalSession,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let job = owned_job(&state, session.as_deref(), &id)?;
    let (history, live) = job.progress.subscribe();
    let cursor = Cursor {
        outcome: job.outcome.subscribe(),
        job,
        backlog: history.into(),
        live,
        next_seq: 0,
        percent: 0,
        ended: false,
    };
    let stream = futures::stream::unfold(cursor, |mut cursor| async move {
        cursor.next().await.map(|event| (Ok(event), cursor))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobStatus {
    pub kind: &'static str,
    /// `running`, `succeeded`, `failed` or `cancelled`.
    pub state: &'static str,
    #[schema(value_type = Object)]
    pub outcome: Option<Outcome>,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<ProgressEvent>,
}

/// `GET /api/jobs/{id}`: the state of a job and its events so far (for clients without SSE).
#[utoipa::path(get, path = "/api/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses((status = 200, body = JobStatus), (status = 404, body = super::error::ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    OptionalSession(session): OptionalSession,
    Path(id): Path<String>,
) -> Result<axum::Json<JobStatus>, ApiError> {
    let job = owned_job(&state, session.as_deref(), &id)?;
    let outcome = job.outcome();
    Ok(axum::Json(JobStatus {
        kind: job.kind,
        state: outcome.as_ref().map_or("running", |o| o.state),
        outcome,
        events: job.progress.history(),
    }))
}

/// `POST /api/jobs/{id}/cancel`: stop the job; a create rolls back what it made.
#[utoipa::path(post, path = "/api/jobs/{id}/cancel", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 202, description = "Cancellation requested; the event stream tells how it ended"),
        (status = 404, body = super::error::ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    OptionalSession(session): OptionalSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let job = owned_job(&state, session.as_deref(), &id)?;
    job.cancel.cancel();
    Ok(StatusCode::ACCEPTED)
}

/// `GET /api/jobs/{id}/client-bundle`: the Docker client certificates of a created VCH as a tar
/// archive (`ca.pem`, `cert.pem`, `key.pem`, `<name>.env`), for the session that created it.
#[utoipa::path(get, path = "/api/jobs/{id}/client-bundle", tag = "jobs",
    params(("id" = String, Path, description = "Job id of a create")),
    responses(
        (status = 200, description = "application/x-tar", content_type = "application/x-tar"),
        (status = 404, description = "No such job, not finished, not this session's, or no client certificates (--no-tlsverify/--no-tls)", body = super::error::ErrorBody),
    ))]
pub async fn client_bundle(
    State(state): State<AppState>,
    OptionalSession(session): OptionalSession,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let job = owned_job(&state, session.as_deref(), &id)?;
    let (file_name, bytes) = job.bundle().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_client_bundle",
            "this job has no client certificate bundle",
        )
        .with_hint("bundles exist for finished creates with client verification")
    })?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/x-tar".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// The job `id` if the request's session owns it; the same 404 for an unknown job, another
/// session's job and a request without a session.
fn owned_job(state: &AppState, session: Option<&Session>, id: &str) -> Result<Arc<Job>, ApiError> {
    state
        .jobs()
        .get_owned(id, session)
        .ok_or_else(|| job_not_found(id))
}

fn shutting_down() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "shutting_down",
        "this server is shutting down and starts no new job",
    )
    .with_hint("start the job again once the server is back")
}

fn refused_at_shutdown() -> Outcome {
    failed("the server began shutting down before the job started".to_owned())
}

fn failed(message: String) -> Outcome {
    Outcome {
        state: "failed",
        result: None,
        error: Some(JobError {
            message,
            findings: None,
        }),
        removed: Vec::new(),
        left_behind: Vec::new(),
    }
}

fn job_not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "job_not_found",
        format!("no job {id} on this server"),
    )
    .with_hint(
        "a job is visible only to the session that started it, and only for a while after it ends",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done() -> Outcome {
        Outcome::succeeded(serde_json::Value::Null, Vec::new())
    }

    #[test]
    fn eviction_takes_only_finished_jobs_and_wipes_their_bundles() {
        let jobs = Jobs::new(Duration::ZERO);
        let (finished_id, finished) = jobs.insert("create", "owner");
        let (running_id, _running) = jobs.insert("create", "owner");
        finished.set_bundle(ClientBundle {
            file_name: "x.tar".to_owned(),
            bytes: b"private key".to_vec().into(),
        });
        finished.finish(done());
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(jobs.evict_finished(), 1);
        assert!(jobs.get(&finished_id).is_none());
        assert!(
            jobs.get(&running_id).is_some(),
            "a running job is never evicted"
        );
        // A subscriber that still holds the job no longer reaches the key.
        assert!(finished.bundle().is_none());
    }

    #[test]
    fn a_job_follows_its_browser_to_a_new_session_only() {
        let jobs = Jobs::default();
        let (id, job) = jobs.insert("delete", "old");
        let (_, other) = jobs.insert("delete", "someone-else");
        jobs.transfer("old", "new");
        assert!(job.owned_by("new") && !job.owned_by("old"));
        assert!(other.owned_by("someone-else"));
        assert!(jobs.get(&id).is_some());
    }
}
