//! Long operations (create, delete) run as jobs: a task on the server that outlives the request,
//! whose progress streams over Server-Sent Events with the whole history replayed to a late
//! subscriber, and that can be cancelled (the deploy module then rolls back what it made).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::Serialize;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::{ApiError, AppState};
use crate::deploy::{EventKind, ObjectRef, Progress, ProgressEvent};

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
    outcome: watch::Sender<Option<Outcome>>,
    /// A create's client certificate bundle (holds a private key): only the session that started
    /// the job may download it.
    bundle: Mutex<Option<ClientBundle>>,
}

/// A downloadable file a job produced.
#[derive(Clone)]
pub struct ClientBundle {
    pub owner: usize,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Job {
    pub fn set_bundle(&self, bundle: ClientBundle) {
        *self.bundle.lock().unwrap_or_else(|e| e.into_inner()) = Some(bundle);
    }

    pub fn bundle(&self) -> Option<ClientBundle> {
        self.bundle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn finish(&self, outcome: Outcome) {
        self.outcome.send_replace(Some(outcome));
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome.borrow().clone()
    }
}

/// Every job of this server process, by id. Jobs are few and small; they are kept for the
/// process lifetime so a browser that reloads can still read how its deploy ended.
#[derive(Default)]
pub struct Jobs {
    by_id: Mutex<HashMap<String, Arc<Job>>>,
}

impl Jobs {
    pub fn start(&self, kind: &'static str) -> (String, Arc<Job>) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (outcome, _) = watch::channel(None);
        let job = Arc::new(Job {
            kind,
            progress: Progress::new(),
            cancel: CancellationToken::new(),
            outcome,
            bundle: Mutex::new(None),
        });
        self.lock().insert(id.clone(), Arc::clone(&job));
        (id, job)
    }

    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.lock().get(id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Job>>> {
        self.by_id.lock().unwrap_or_else(|e| e.into_inner())
    }
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
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let job = state.jobs().get(&id).ok_or_else(|| job_not_found(&id))?;
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
    Path(id): Path<String>,
) -> Result<axum::Json<JobStatus>, ApiError> {
    let job = state.jobs().get(&id).ok_or_else(|| job_not_found(&id))?;
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
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let job = state.jobs().get(&id).ok_or_else(|| job_not_found(&id))?;
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
    super::session::CurrentSession(session): super::session::CurrentSession,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let job = state.jobs().get(&id).ok_or_else(|| job_not_found(&id))?;
    let bundle = job
        .bundle()
        .filter(|b| b.owner == session_key(&session))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no_client_bundle",
                "this job has no client certificate bundle for this session",
            )
            .with_hint("bundles exist for finished creates with client verification, for the session that started them")
        })?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/x-tar".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", bundle.file_name),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bundle.bytes,
    )
        .into_response())
}

/// Identifies a session without keeping it alive.
pub fn session_key(session: &Arc<super::session::Session>) -> usize {
    Arc::as_ptr(session) as usize
}

fn job_not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "job_not_found",
        format!("no job {id} on this server"),
    )
    .with_hint("jobs live as long as the vch server process that started them")
}
