//! The "New Virtual Container Host" wizard: step list, the current step's page, and the
//! Cancel/Back/Next/Finish bar. Navigation rules live in [`crate::state`].

mod nav;
mod steps;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::field::FieldMessage;
use crate::dom::focus_first_later;
use crate::state::{Advance, Issue, Step, WizardState};
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
    pub issues: Signal<Vec<Issue>>,
}

impl WizardContext {
    /// The message the field at `path` should show now (revealed by touch or a refused Next).
    pub fn message(self, path: &'static str) -> Signal<Option<FieldMessage>> {
        Signal::derive(move || {
            self.issues.with(|issues| {
                self.state.with(|s| {
                    s.visible_message(path, issues).map(|i| FieldMessage {
                        text: i.message.clone(),
                        is_error: i.blocking,
                    })
                })
            })
        })
    }

    pub fn touch(self, path: &'static str) -> Callback<()> {
        Callback::new(move |()| self.state.update(|s| s.touch(path)))
    }

    pub fn go_to(self, step: Step) {
        if self.state.try_update(|s| s.go_to(step)).unwrap_or(false) {
            focus_first_later(FOCUS_HEADING);
        }
    }
}

#[component]
pub fn Wizard(
    /// Problems of the draft, from `shared`'s validator.
    #[prop(into)]
    issues: Signal<Vec<Issue>>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_finish: Callback<()>,
) -> impl IntoView {
    let state = RwSignal::new(WizardState::new());
    let ctx = WizardContext { state, issues };
    provide_context(ctx);
    // A memo so touching a field (which updates `state`) doesn't re-render the whole page.
    let current = Memo::new(move |_| state.with(WizardState::current));

    let on_back = move |_| {
        if state.try_update(WizardState::back).flatten().is_some() {
            focus_first_later(FOCUS_HEADING);
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let outcome = issues.with_untracked(|issues| state.try_update(|s| s.advance(issues)));
        match outcome {
            Some(Advance::Moved(_)) => focus_first_later(FOCUS_HEADING),
            Some(Advance::Blocked(_)) => focus_first_later(FOCUS_FIRST_PROBLEM),
            Some(Advance::Finished) => on_finish.run(()),
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
                    <button type="submit" class="btn btn--primary">
                        {move || if current.get().is_last() { "Finish" } else { "Next" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// A step-level summary once errors are revealed; the focus target when no field is invalid.
#[component]
fn StepErrors(current: Memo<Step>) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let count = move || {
        ctx.issues.with(|issues| {
            ctx.state
                .with(|s| s.visible_error_count(current.get(), issues))
        })
    };
    move || {
        let n = count();
        (n > 0).then(|| {
            let text = if n == 1 {
                "This page has 1 problem. Fix it to continue.".to_owned()
            } else {
                format!("This page has {n} problems. Fix them to continue.")
            };
            view! {
                <div id="wizard-step-errors" class="alert alert--danger" role="alert" tabindex="-1">
                    <span class="alert__icon" aria-hidden="true">"!"</span>
                    <p class="alert__body">{text}</p>
                </div>
            }
        })
    }
}
