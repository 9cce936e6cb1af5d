//! The left step list: one button per step, `aria-current="step"` on the active one, a badge
//! with the number of revealed errors.

use leptos::prelude::*;

use super::WizardContext;
use crate::state::Step;

#[component]
pub fn StepNav(on_select: Callback<Step>) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let items = Step::ALL
        .into_iter()
        .map(|step| {
            let is_current = move || ctx.state.with(|s| s.current() == step);
            let errors = move || {
                ctx.issues
                    .with(|issues| ctx.state.with(|s| s.visible_error_count(step, issues)))
            };
            view! {
                <li>
                    <button
                        type="button"
                        class="step-nav__item"
                        class:step-nav__item--done=move || ctx.state.with(|s| s.is_visited(step))
                        aria-current=move || is_current().then_some("step")
                        disabled=move || !ctx.state.with(|s| s.can_visit(step))
                        on:click=move |_| on_select.run(step)
                    >
                        <span class="step-nav__number" aria-hidden="true">
                            {step.number()}
                        </span>
                        <span class="step-nav__title">{step.title()}</span>
                        {move || {
                            let n = errors();
                            (n > 0)
                                .then(|| {
                                    view! {
                                        <span class="badge badge--danger">
                                            {n}
                                            <span class="visually-hidden">
                                                {if n == 1 { " error" } else { " errors" }}
                                            </span>
                                        </span>
                                    }
                                })
                        }}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav aria-label="Wizard steps">
            <ol class="step-nav">{items}</ol>
        </nav>
    }
}
