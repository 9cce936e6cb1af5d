//! Finish: the proxy re-runs the same rules against a fresh inventory (the authoritative check),
//! then accepts the create and hands back a job to follow.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{Finding, VchConfig};

use crate::api::{self, FetchError};
use crate::components::alert::ErrorAlert;
use crate::dom::focus_first_later;
use crate::state::is_firewall_code;
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
}

#[derive(Clone, Copy)]
pub struct FinishState {
    status: RwSignal<Status>,
}

impl FinishState {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(Status::Idle),
        }
    }

    pub fn is_busy(self) -> bool {
        self.status
            .with(|s| matches!(s, Status::Checking | Status::Creating))
    }

    pub fn run(self, config: VchConfig, on_started: Callback<(String, String)>) {
        self.status.set(Status::Checking);
        focus_first_later(&["#finish-status"]);
        spawn_local(async move {
            let status = match api::validate(&config).await {
                Err(e) => Status::Failed(e),
                Ok(report) if !report.is_valid() => Status::Refused(
                    report
                        .findings
                        .into_iter()
                        .filter(Finding::is_error)
                        .collect(),
                ),
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
            self.status.set(status);
            focus_first_later(&["#finish-status"]);
        });
    }
}

#[component]
pub fn FinishStatus(finish: FinishState) -> impl IntoView {
    view! {
        <div id="finish-status" tabindex="-1">
            {move || match finish.status.get() {
                Status::Idle => ().into_any(),
                Status::Checking => view! {
                    <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Checking the configuration with the server…"</p>
                }
                .into_any(),
                Status::Creating => view! {
                    <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Starting the deployment…"</p>
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
                Status::Failed(e) => view! { <ErrorAlert title="Could not create the virtual container host" error=e/> }.into_any(),
            }}
        </div>
    }
}
