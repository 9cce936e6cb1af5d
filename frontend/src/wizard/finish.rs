//! Finish: the proxy re-runs the same rules against a fresh inventory (the authoritative check),
//! then accepts the create and hands back a job to follow. A refusal brings the wizard back to
//! the step of the first error with every entry as it was. When changing a deployed VCH, Finish
//! first shows what will change; only "Apply" sends it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{Finding, VchConfig};

use super::WizardContext;
use super::diff::{self, Change};
use crate::api::{self, FetchError};
use crate::components::alert::ErrorAlert;
use crate::context::AppContext;
use crate::dom::focus_first_later;
use crate::state::{Step, is_firewall_code};
use crate::wizard::firewall::FirewallFix;

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Checking,
    Creating,
    /// The server's validation found errors the browser's copy of the inventory did not show.
    Refused(Vec<Finding>),
    NotAvailable,
    Failed(FetchError),
    /// Configure: the changes, waiting for "Apply".
    Review {
        id: String,
        changes: Vec<Change>,
        request: Box<VchConfig>,
    },
}

#[derive(Clone, Copy)]
pub struct FinishState {
    status: RwSignal<Status>,
    ctx: StoredValue<Option<WizardContext>>,
    app: AppContext,
}

impl FinishState {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(Status::Idle),
            ctx: StoredValue::new(use_context::<WizardContext>()),
            app: expect_context::<AppContext>(),
        }
    }

    pub fn is_busy(self) -> bool {
        self.status
            .with(|s| matches!(s, Status::Checking | Status::Creating))
    }

    pub fn run(self, ctx: WizardContext, on_started: Callback<(String, String)>) {
        let app = self.app;
        let config = ctx.config.get_untracked();
        self.status.set(Status::Checking);
        focus_first_later(&["#finish-status"]);
        spawn_local(async move {
            let status = match api::validate(&config).await {
                Err(e) => Status::Failed(e),
                Ok(report) if !report.is_valid() => {
                    // The server saw another inventory: read it again, so the same rules in the
                    // browser place each error on its field, and show the first one.
                    let _ = app.reload_inventory().await;
                    let moved = ctx
                        .issues
                        .try_with_untracked(|issues| {
                            ctx.state
                                .try_update(|s| s.show_first_error(issues))
                                .flatten()
                        })
                        .flatten();
                    match moved {
                        Some(step) if step != Step::Summary => {
                            self.status.set(Status::Idle);
                            focus_first_later(&[
                                ".wizard__content [aria-invalid='true']",
                                "#wizard-step-errors",
                            ]);
                            return;
                        }
                        _ => Status::Refused(
                            report
                                .findings
                                .into_iter()
                                .filter(Finding::is_error)
                                .collect(),
                        ),
                    }
                }
                Ok(_) => {
                    self.status.set(Status::Creating);
                    match api::create_vch(&config).await {
                        Ok(job) => {
                            let name = config.resolved().general.name.unwrap_or_default();
                            on_started.run((job.job, name));
                            Status::Idle
                        }
                        Err(FetchError::NotAvailable) => Status::NotAvailable,
                        Err(e) => Status::Failed(e),
                    }
                }
            };
            self.status.try_set(status);
            focus_first_later(&["#finish-status"]);
        });
    }

    /// Configure: shows what changes between the deployed configuration and the draft.
    pub fn review(self, id: String) {
        let Some(ctx) = self.ctx.get_value() else {
            return;
        };
        let Some(original) = ctx.original.get_value() else {
            return;
        };
        let edited = ctx.config.get_untracked();
        self.status.set(Status::Review {
            id,
            changes: diff::changes(&original, &edited),
            request: Box::new(diff::request(&original, &edited)),
        });
        focus_first_later(&["#configure-diff-heading"]);
    }

    fn apply(self, id: String, request: VchConfig, on_started: Callback<(String, String)>) {
        let name = self
            .ctx
            .get_value()
            .and_then(|c| c.original.get_value())
            .and_then(|c| c.resolved().general.name)
            .unwrap_or_default();
        self.status.set(Status::Creating);
        spawn_local(async move {
            match api::configure_vch(&id, &request).await {
                Ok(job) => {
                    self.status.try_set(Status::Idle);
                    on_started.run((job.job, name));
                }
                Err(e) => {
                    self.status.try_set(Status::Failed(e));
                    focus_first_later(&["#finish-status"]);
                }
            }
        });
    }
}

#[component]
pub fn FinishStatus(finish: FinishState, on_started: Callback<(String, String)>) -> impl IntoView {
    view! {
        <div id="finish-status" tabindex="-1">
            {move || match finish.status.get() {
                Status::Idle => ().into_any(),
                Status::Checking => view! {
                    <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Checking the configuration with the server…"</p>
                }
                .into_any(),
                Status::Creating => view! {
                    <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Starting…"</p>
                }
                .into_any(),
                Status::Refused(findings) => {
                    let firewall = findings.iter().any(|f| is_firewall_code(&f.code));
                    view! {
                        <div class="alert alert--danger" role="alert">
                            <div class="alert__body">
                                <p class="alert__title">"The server found problems with the current inventory:"</p>
                                <ul class="alert__list">
                                    {findings
                                        .into_iter()
                                        .map(|f| {
                                            // Firewall fixes are command lines: text to copy, not values.
                                            let commands = is_firewall_code(&f.code).then(|| {
                                                f.suggestions
                                                    .into_iter()
                                                    .map(|s| view! { <code class="field__command">{s}</code> })
                                                    .collect_view()
                                            });
                                            view! { <li>{f.message}{commands}</li> }
                                        })
                                        .collect_view()}
                                </ul>
                            </div>
                        </div>
                        {firewall.then(|| view! {
                            <FirewallFix reported=true on_fixed=Callback::new(move |()| finish.status.set(Status::Idle))/>
                        })}
                    }
                    .into_any()
                }
                Status::NotAvailable => view! {
                    <div class="alert alert--info" role="status">
                        <div class="alert__body">
                            <p class="alert__title">"The configuration is valid."</p>
                            <p>"Creating a virtual container host is not available on this server yet. Copy the command line or download the JSON to create it with vic-machine."</p>
                        </div>
                    </div>
                }
                .into_any(),
                Status::Failed(e) => view! { <ErrorAlert title="The server did not accept it" error=e/> }.into_any(),
                Status::Review { id, changes, request } => {
                    let empty = changes.is_empty();
                    let apply = move |_| finish.apply(id.clone(), (*request).clone(), on_started);
                    view! {
                        <section class="diff" aria-labelledby="configure-diff-heading">
                            <h3 id="configure-diff-heading" class="stack__title" tabindex="-1">"What will change"</h3>
                            {if empty {
                                view! { <p class="muted">"Nothing: the configuration is as deployed."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="diff__list" aria-label="Changes">
                                        {changes.into_iter().map(|c| match c {
                                            Change::Removed { line, kept: false } => view! {
                                                <li class="diff__line diff__line--removed"><span class="visually-hidden">"Removed: "</span><span aria-hidden="true">"− "</span><code>{line}</code></li>
                                            }.into_any(),
                                            Change::Removed { line, kept: true } => view! {
                                                <li class="diff__line"><span class="visually-hidden">"Unchanged: "</span><code>{line}</code>" (stays: a configure cannot clear an option)"</li>
                                            }.into_any(),
                                            Change::Added(line) => view! {
                                                <li class="diff__line diff__line--added"><span class="visually-hidden">"Added: "</span><span aria-hidden="true">"+ "</span><code>{line}</code></li>
                                            }.into_any(),
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <div class="page-actions">
                                <button type="button" class="btn btn--primary" disabled=empty on:click=apply>"Apply changes"</button>
                                <button type="button" class="btn" on:click=move |_| finish.status.set(Status::Idle)>"Keep editing"</button>
                            </div>
                        </section>
                    }
                    .into_any()
                }
            }}
        </div>
    }
}
