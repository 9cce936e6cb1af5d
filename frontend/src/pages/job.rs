//! Following a create or delete job: a progress bar and a step log fed by the job's Server-Sent
//! Events, Cancel (the server rolls back), and the outcome with the Docker endpoint or the error
//! and what rollback removed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, MessageEvent};

use crate::api;
use crate::context::{AppContext, Page};
use crate::dom::focus_first_later;

/// One event's data as the contract describes it.
#[derive(Debug, Clone, Default, Deserialize)]
struct JobEvent {
    #[serde(default)]
    step: String,
    #[serde(default)]
    percent: u8,
    #[serde(default)]
    message: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    created: Vec<String>,
    #[serde(default)]
    removed: Vec<String>,
    #[serde(default)]
    result: Option<DeployResult>,
    #[serde(default)]
    error: Option<JobErrorBody>,
}

/// The `error` of a job's last event; its validation findings are not shown here.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
struct JobErrorBody {
    #[serde(default)]
    message: String,
    /// Present when the configuration was refused before anything was made.
    #[serde(default)]
    findings: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
struct DeployResult {
    #[serde(default)]
    docker_host: Option<String>,
    #[serde(default)]
    docker_command: Option<String>,
    /// `vch_id` from create; upgrade, rollback and debug report it as `id`.
    #[serde(default, alias = "id")]
    vch_id: Option<String>,
    /// Upgrade and rollback: the version before and after.
    #[serde(default)]
    from_version: Option<String>,
    #[serde(default)]
    to_version: Option<String>,
    /// Debug: how to log in.
    #[serde(default)]
    ssh_hint: Option<String>,
    #[serde(default)]
    name: Option<String>,
    /// Whether `./api/jobs/<id>/client-bundle` has the client certificates to download.
    #[serde(default)]
    client_bundle: bool,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Running,
    Succeeded(Option<DeployResult>),
    Failed {
        message: String,
        removed: Vec<String>,
        /// The server's rules refused the configuration; nothing was made.
        refused: bool,
    },
    Cancelled {
        removed: Vec<String>,
    },
    /// The stream broke before the job said how it ended.
    Lost,
}

/// Step labels come as "power on the appliance"; the heading shows "Power on the appliance".
fn capitalised(label: &str) -> String {
    let mut chars = label.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A job opened from its address has no title yet: its kind, and the VCH name once known.
fn title_of(kind: &str, name: Option<&str>) -> String {
    let verb = match kind {
        "create" => "Creating",
        "delete" => "Deleting",
        "configure" => "Configuring",
        "upgrade" => "Upgrading",
        "rollback" => "Rolling back",
        "debug" => "Enabling debug access on",
        _ => "Job on",
    };
    format!("{verb} {}", name.unwrap_or("a virtual container host"))
}

#[component]
pub fn JobPage(id: String, title: Option<String>) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let given = title;
    let kind = RwSignal::new(None::<String>);
    let vch_name = RwSignal::new(None::<String>);
    {
        let id = id.clone();
        spawn_local(async move {
            if let Ok(status) = api::job_status(&id).await {
                kind.try_set(Some(status.kind));
            }
        });
    }
    let title = move || {
        given.clone().or_else(|| {
            kind.with(|k| {
                k.as_deref()
                    .map(|k| vch_name.with(|n| title_of(k, n.as_deref())))
            })
        })
    };
    let percent = RwSignal::new(0u8);
    let step = RwSignal::new(String::from("Starting"));
    let log = RwSignal::new(Vec::<String>::new());
    let outcome = RwSignal::new(Outcome::Running);
    let cancelling = RwSignal::new(false);

    let on_event = move |data: String| {
        let Ok(event) = serde_json::from_str::<JobEvent>(&data) else {
            return;
        };
        percent.set(event.percent.min(100));
        if event.state == "running" && !event.step.is_empty() {
            step.set(capitalised(&event.step));
        }
        log.update(|l| {
            if !event.message.is_empty() {
                // The message already names what the step made or removed.
                l.push(event.message.clone());
            } else if event.state == "running" {
                l.extend(event.created.iter().map(|c| format!("Created {c}")));
                l.extend(event.removed.iter().map(|r| format!("Removed {r}")));
            }
        });
        let error_message = event
            .error
            .as_ref()
            .map(|e| e.message.clone())
            .filter(|m| !m.is_empty());
        let refused = event.error.as_ref().is_some_and(|e| e.findings.is_some());
        let ended = match event.state.as_str() {
            "succeeded" => Some(Outcome::Succeeded(event.result)),
            "failed" => Some(Outcome::Failed {
                message: error_message.unwrap_or(event.message),
                removed: event.removed,
                refused,
            }),
            "cancelled" => Some(Outcome::Cancelled {
                removed: event.removed,
            }),
            _ => None,
        };
        if let Some(ended) = ended {
            if matches!(ended, Outcome::Succeeded(_)) {
                // A new or deleted VCH changes what the pickers offer and what rules flag.
                spawn_local(async move {
                    let _ = app.reload_inventory().await;
                });
            }
            if let Outcome::Succeeded(Some(result)) = &ended {
                vch_name.set(result.name.clone());
            }
            step.set(
                match ended {
                    Outcome::Succeeded(_) => "Finished",
                    Outcome::Cancelled { .. } => "Cancelled",
                    _ => "Failed",
                }
                .to_owned(),
            );
            outcome.set(ended);
            focus_first_later(&["#job-outcome"]);
        }
    };

    let source = EventSource::new(&api::job_events_url(&id)).ok();
    if let Some(source) = &source {
        let handler = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(data) = e.data().as_string() {
                on_event(data);
            }
        });
        // The proxy names its events; unnamed ones are accepted too in case a server doesn't.
        for kind in ["progress", "end", "message"] {
            let _ = source.add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
        }
        let on_error = Closure::<dyn Fn()>::new({
            let source = source.clone();
            move || {
                // After the final event the server closes the stream; anything else is a loss,
                // and the browser must not reconnect and replay the job.
                if outcome.get_untracked() == Outcome::Running {
                    outcome.set(Outcome::Lost);
                }
                source.close();
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        handler.forget();
        on_error.forget();
    } else {
        outcome.set(Outcome::Lost);
    }
    let source = StoredValue::new_local(source);
    Effect::new(move |_| {
        if outcome.get() != Outcome::Running {
            source.with_value(|s| s.as_ref().map(EventSource::close));
        }
    });
    on_cleanup(move || {
        source.with_value(|s| s.as_ref().map(EventSource::close));
    });

    let job_id = StoredValue::new(id);
    let cancel = move |_| {
        cancelling.set(true);
        spawn_local(async move {
            if let Err(e) = api::cancel_job(&job_id.get_value()).await {
                log.update(|l| l.push(format!("Cancel failed: {}", e.message())));
                cancelling.set(false);
            }
        });
    };
    let running = move || outcome.with(|o| *o == Outcome::Running);
    // The log follows the newest step unless the person scrolled up to read.
    let log_ref = NodeRef::<leptos::html::Ol>::new();
    Effect::new(move |_| {
        log.track();
        if let Some(list) = log_ref.get() {
            let near_end = list.scroll_height() - list.scroll_top() - list.client_height() < 48;
            if near_end || outcome.with_untracked(|o| *o != Outcome::Running) {
                request_animation_frame(move || list.set_scroll_top(list.scroll_height()));
            }
        }
    });
    // The VCH exists now: its draft is done with.
    Effect::new(move |_| {
        if kind.with(|k| k.as_deref() == Some("create"))
            && outcome.with(|o| matches!(o, Outcome::Succeeded(_)))
        {
            crate::draft::clear();
            app.draft.set(None);
        }
    });
    // A create the server's rules refused goes straight back to the wizard, entries intact, where
    // the same rules (with the inventory read again) show each error on its field.
    Effect::new(move |_| {
        let refused = outcome.with(|o| matches!(o, Outcome::Failed { refused: true, .. }));
        if refused
            && kind.with(|k| k.as_deref() == Some("create"))
            && app.draft.with_untracked(Option::is_some)
        {
            app.refused.set(outcome.with_untracked(|o| match o {
                Outcome::Failed { message, .. } => Some(message.clone()),
                _ => None,
            }));
            app.page.set(Page::NewVch);
        }
    });
    let failed_create = move || {
        kind.with(|k| k.as_deref() == Some("create"))
            && outcome.with(|o| matches!(o, Outcome::Failed { .. }))
            && app.draft.with(Option::is_some)
    };

    view! {
        <h1 class="page-title">{move || title().unwrap_or_else(|| "Job".to_owned())}</h1>
        <section class="card card--wide" aria-labelledby="job-progress-label">
            <p id="job-progress-label" class="card__title">{move || step.get()}</p>
            <div
                class="progress"
                role="progressbar"
                aria-labelledby="job-progress-label"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || percent.get().to_string()
            >
                <div class="progress__bar" style:width=move || format!("{}%", percent.get())></div>
            </div>
            <h2 class="stack__title">"Steps"</h2>
            <ol class="job-log" aria-live="polite" aria-label="Steps so far" node_ref=log_ref>
                {move || log.get().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
            </ol>
            <div id="job-outcome" tabindex="-1">
                {move || view! { <OutcomeView outcome=outcome.get() job=job_id.get_value() deleted=kind.get().as_deref() == Some("delete")/> }}
            </div>
            <div class="page-actions">
                {move || running().then(|| view! {
                    <button type="button" class="btn btn--danger" on:click=cancel disabled=cancelling>
                        {move || if cancelling.get() { "Cancelling…" } else { "Cancel and roll back" }}
                    </button>
                })}
                {move || failed_create().then(|| view! {
                    <button type="button" class="btn btn--primary" on:click=move |_| app.page.set(Page::NewVch)>
                        "Back to the wizard"
                    </button>
                })}
                <button type="button" class="btn" on:click=move |_| app.page.set(Page::Home)>
                    "Back to the list"
                </button>
            </div>
        </section>
    }
}

#[component]
fn OutcomeView(outcome: Outcome, job: String, deleted: bool) -> impl IntoView {
    let removed_list = |removed: Vec<String>| {
        (!removed.is_empty()).then(|| {
            view! {
                <p>"Rollback removed:"</p>
                <ul>{removed.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
            }
        })
    };
    match outcome {
        Outcome::Running => ().into_any(),
        Outcome::Succeeded(result) => {
            let result = result.unwrap_or_default();
            view! {
                <div class="alert alert--success" role="status">
                    <div class="alert__body">
                        <p class="alert__title">"Done."</p>
                        {result.docker_host.map(|h| view! { <p>"Docker endpoint: " <code>{h}</code></p> })}
                        {result.to_version.map(|to| view! {
                            <p>"Version: " {result.from_version.unwrap_or_default()} " → " <strong>{to}</strong></p>
                        })}
                        {result.ssh_hint.map(|c| view! { <p>"Log in with:"</p><pre class="command-line__text"><code>{c}</code></pre> })}
                        {result.docker_command.map(|c| view! { <p>"Connect with:"</p><pre class="command-line__text"><code>{c}</code></pre> })}
                        {result.client_bundle.then(|| {
                            let file = format!("{}-client-certificates.tar", result.name.as_deref().unwrap_or("vch"));
                            view! {
                                <p>
                                    <a class="btn btn--sm" href=api::client_bundle_url(&job) download=file>
                                        "Download client certificates"
                                    </a>
                                </p>
                            }
                        })}
                        {(!result.warnings.is_empty()).then(|| view! {
                            <p>"Warnings:"</p>
                            <ul>{result.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
                        })}
                        {result.vch_id.filter(|_| !deleted).map(|id| {
                            let app = expect_context::<AppContext>();
                            let open = id.clone();
                            view! {
                                <p>
                                    <a href=format!("#/vch/{id}") on:click=move |ev| {
                                        ev.prevent_default();
                                        app.page.set(Page::Vch { id: open.clone() });
                                    }>"Open the virtual container host's page"</a>
                                    <span class="muted">" (VCH id " {id.clone()} ")"</span>
                                </p>
                            }
                        })}
                    </div>
                </div>
            }
            .into_any()
        }
        Outcome::Failed { message, removed, .. } => view! {
            <div class="alert alert--danger" role="alert">
                <div class="alert__body">
                    <p class="alert__title">"It failed."</p>
                    <p>{message}</p>
                    {removed_list(removed)}
                </div>
            </div>
        }
        .into_any(),
        Outcome::Cancelled { removed } => view! {
            <div class="alert alert--info" role="status">
                <div class="alert__body">
                    <p class="alert__title">"Cancelled."</p>
                    {removed_list(removed)}
                </div>
            </div>
        }
        .into_any(),
        Outcome::Lost => view! {
            <div class="alert alert--danger" role="alert">
                <div class="alert__body">
                    <p class="alert__title">"The progress stream was lost."</p>
                    <p>"The job may still be running on the server; check the list of virtual container hosts."</p>
                </div>
            </div>
        }
        .into_any(),
    }
}
