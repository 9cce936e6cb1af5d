//! On Summary, before Finish: the server runs every rule against the live inventory
//! (`POST ./api/validate`) and its errors and warnings are listed, each linking to the field that
//! fixes it, so a warning such as "creation will fail" is read before Finish, not after.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{Finding, VchConfig};

use super::WizardContext;
use crate::api::{self, FetchError};
use crate::components::alert::ErrorAlert;

#[derive(Debug, Clone, PartialEq)]
enum Check {
    Running,
    Done {
        checked: Box<VchConfig>,
        findings: Vec<Finding>,
    },
    Failed(FetchError),
}

#[component]
pub fn ServerCheck() -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let check = RwSignal::new(Check::Running);
    let run = move || {
        let config = ctx.config.get_untracked();
        check.set(Check::Running);
        spawn_local(async move {
            let outcome = match api::validate(&config).await {
                Ok(report) => Check::Done {
                    checked: Box::new(config),
                    // Notes are advice; errors and warnings are what a person must read.
                    findings: report
                        .findings
                        .into_iter()
                        .filter(|f| f.severity != shared::finding::Severity::Info)
                        .collect(),
                },
                Err(e) => Check::Failed(e),
            };
            check.try_set(outcome);
        });
    };
    run();
    let stale = move || {
        check.with(|c| match c {
            Check::Done { checked, .. } => ctx.config.with(|now| **checked != *now),
            _ => false,
        })
    };
    view! {
        <section class="server-check" aria-labelledby="server-check-heading">
            <h3 id="server-check-heading" class="stack__title">"Checked by the server against the live inventory"</h3>
            <div role="status">
                {move || match check.get() {
                    Check::Running => view! {
                        <p class="loading"><span class="spinner" aria-hidden="true"></span>"Checking with the server…"</p>
                    }.into_any(),
                    Check::Failed(e) => view! { <ErrorAlert title="The server could not check the configuration" error=e/> }.into_any(),
                    Check::Done { findings, .. } if findings.is_empty() => view! {
                        <p class="status status--ok"><span class="status__dot" aria-hidden="true"></span>"No errors or warnings."</p>
                    }.into_any(),
                    Check::Done { findings, .. } => view! {
                        <ul class="finding-list">
                            {findings.into_iter().map(|f| {
                                let path = f.path.clone();
                                let (class, label) = if f.is_error() {
                                    ("finding finding--error", "Error")
                                } else {
                                    ("finding finding--warning", "Warning")
                                };
                                view! {
                                    <li class=class>
                                        <span class="finding__severity">{label}": "</span>
                                        {f.message}
                                        " "
                                        <button type="button" class="btn btn--sm btn--link suggestion" on:click=move |_| ctx.show_field(&path)>
                                            "Go to the field"
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
                {move || stale().then(|| view! { <p class="muted">"The configuration changed since this check."</p> })}
            </div>
            <button type="button" class="btn btn--sm" on:click=move |_| run()>"Check again"</button>
        </section>
    }
}
