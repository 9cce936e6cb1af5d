//! The "New Virtual Container Host" wizard: step list, the current step's page, and the
//! Cancel/Back/Next/Finish bar. Navigation rules live in [`crate::state`]; the draft is one
//! `VchConfig` signal and a memo runs `shared::validate` against the cached inventory on every
//! change.

mod disclosure;
pub mod fields;
mod finish;
pub mod firewall;
mod import;
mod nav;
mod steps;
mod topology;

use std::sync::Arc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::VchConfig;
use shared::inventory::InventorySnapshot;
use shared::ui_support::related_paths;

use crate::components::field::FieldMessage;
use crate::context::AppContext;
use crate::dom::focus_first_later;
use crate::state::{Advance, Issue, Step, WizardState};
use finish::{FinishState, FinishStatus};
use nav::StepNav;

const HEADING_ID: &str = "wizard-step-heading";
const FOCUS_HEADING: &[&str] = &["#wizard-step-heading"];
const FOCUS_FIRST_PROBLEM: &[&str] = &[
    ".wizard__content [aria-invalid='true']",
    "#wizard-step-errors",
];

/// What step pages need from the wizard, provided as context.
#[derive(Clone, Copy)]
pub struct WizardContext {
    pub state: RwSignal<WizardState>,
    pub config: RwSignal<VchConfig>,
    pub inventory: Signal<Option<Arc<InventorySnapshot>>>,
    pub issues: Memo<Vec<Issue>>,
}

/// The element id of the control editing `path`; links in the error list point at it.
pub fn field_id(path: &str) -> String {
    let mut id = String::from("f-");
    id.extend(path.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        }
    }));
    id
}

impl WizardContext {
    /// The message the field at `path` should show now (revealed by touch or a refused Next).
    pub fn message(self, path: String) -> Signal<Option<FieldMessage>> {
        Signal::derive(move || {
            self.issues.with(|issues| {
                self.state.with(|s| {
                    s.visible_message(&path, issues).map(|i| FieldMessage {
                        text: i.message.clone(),
                        is_error: i.blocking,
                        suggestions: i.suggestions.clone(),
                        commands: i.suggests_commands(),
                    })
                })
            })
        })
    }

    pub fn touch(self, path: String) -> Callback<()> {
        Callback::new(move |()| {
            if !self.state.with_untracked(|s| s.is_touched(&path)) {
                self.state.update(|s| s.touch(&path));
            }
        })
    }

    pub fn go_to(self, step: Step) {
        if self.state.try_update(|s| s.go_to(step)).unwrap_or(false) {
            focus_first_later(FOCUS_HEADING);
        }
    }
}

/// Every finding of the draft as the wizard shows it: on its own field and on the fields it
/// also concerns.
fn issues_of(config: &VchConfig, inventory: Option<&InventorySnapshot>) -> Vec<Issue> {
    shared::validate(config, inventory)
        .findings
        .iter()
        .map(|f| Issue::from_finding(f, related_paths(f, config)))
        .collect()
}

/// A fresh draft for the connected target: the server and user come from the session, and a
/// target with one datacenter needs no choice.
fn draft(app: AppContext) -> VchConfig {
    let mut config = VchConfig::default();
    if let Some(session) = app.session.get_untracked() {
        config.target.server = Some(session.target);
        config.target.user = Some(session.user);
    }
    if let Some(snapshot) = app.inventory.get_untracked().snapshot()
        && let [only] = snapshot.datacenters.as_slice()
    {
        config.target.datacenter = Some(only.name.clone());
    }
    // Opened from an object's Actions menu in the vSphere Client: start with that object.
    if let Some(host) = use_context::<crate::plugin_host::PluginHost>() {
        let snapshot = app.inventory.get_untracked().snapshot();
        host.preselect(&mut config, snapshot.as_deref());
    }
    config
}

#[component]
pub fn Wizard(
    #[prop(into)] on_cancel: Callback<()>,
    /// Called with the job id and the VCH name once the server accepted the create.
    #[prop(into)]
    on_started: Callback<(String, String)>,
) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let state = RwSignal::new(WizardState::new());
    let config = RwSignal::new(draft(app));
    let inventory = Signal::derive(move || app.inventory.with(|i| i.snapshot()));
    let issues =
        Memo::new(move |_| config.with(|c| inventory.with(|inv| issues_of(c, inv.as_deref()))));
    let ctx = WizardContext {
        state,
        config,
        inventory,
        issues,
    };
    provide_context(ctx);
    let finish = FinishState::new();
    // A memo so touching a field (which updates `state`) doesn't re-render the whole page.
    let current = Memo::new(move |_| state.with(WizardState::current));

    let on_back = move |_| {
        if state.try_update(WizardState::back).flatten().is_some() {
            focus_first_later(FOCUS_HEADING);
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if finish.is_busy() {
            return;
        }
        let outcome = issues.with_untracked(|issues| state.try_update(|s| s.advance(issues)));
        match outcome {
            Some(Advance::Moved(_)) => focus_first_later(FOCUS_HEADING),
            Some(Advance::Blocked(_)) => focus_first_later(FOCUS_FIRST_PROBLEM),
            Some(Advance::Finished) => finish.run(config.get_untracked(), on_started),
            None => {}
        }
    };

    view! {
        <section class="wizard" aria-labelledby="wizard-title">
            <div class="wizard__nav">
                <h1 id="wizard-title" class="wizard__title">
                    "New Virtual Container Host"
                </h1>
                <StepNav on_select=Callback::new(move |step| ctx.go_to(step))/>
            </div>
            // novalidate: the validator's messages are the only ones; Enter means Next.
            <form class="wizard__main" novalidate on:submit=on_submit>
                <div class="wizard__content">
                    <h2 id=HEADING_ID class="wizard__step-title" tabindex="-1">
                        {move || current.get().title()}
                    </h2>
                    <StepErrors current=current/>
                    {move || steps::page(current.get())}
                    <FinishStatus finish=finish/>
                </div>
                <div class="wizard__footer">
                    <button type="button" class="btn btn--link" on:click=move |_| on_cancel.run(())>
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class="btn"
                        on:click=on_back
                        disabled=move || current.get().previous().is_none()
                    >
                        "Back"
                    </button>
                    <button type="submit" class="btn btn--primary" disabled=move || finish.is_busy()>
                        {move || if current.get().is_last() { "Finish" } else { "Next" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The step's revealed problems, each linking to its field; the focus target when no field on
/// the page is invalid (e.g. a problem with the session's target).
#[component]
fn StepErrors(current: Memo<Step>) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let shown = Memo::new(move |_| {
        ctx.issues.with(|issues| {
            ctx.state.with(|s| {
                s.visible_on_step(current.get(), issues)
                    .into_iter()
                    .filter(|i| i.blocking)
                    .map(|i| (i.path.clone(), i.message.clone()))
                    .collect::<Vec<_>>()
            })
        })
    });
    move || {
        let list = shown.get();
        let n = list.len();
        (n > 0).then(|| {
            let text = if n == 1 {
                "This page has 1 problem. Fix it to continue.".to_owned()
            } else {
                format!("This page has {n} problems. Fix them to continue.")
            };
            view! {
                <div id="wizard-step-errors" class="alert alert--danger" role="alert" tabindex="-1">
                    <span class="alert__icon" aria-hidden="true">"!"</span>
                    <div class="alert__body">
                        <p class="alert__title">{text}</p>
                        <ul class="alert__list">
                            {list
                                .into_iter()
                                .map(|(path, message)| {
                                    view! { <li><a href=format!("#{}", field_id(&path))>{message}</a></li> }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                </div>
            }
        })
    }
}
