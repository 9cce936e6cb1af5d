//! Step 8: a read-only stack view of every step, each with a way back to edit it.

use leptos::prelude::*;

use super::Intro;
use crate::state::Step;
use crate::wizard::WizardContext;

#[component]
pub fn Summary() -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let groups = Step::ALL
        .into_iter()
        .filter(|step| !step.is_last())
        .map(|step| {
            let heading_id = format!("summary-{}", step.slug());
            let labelled_by = heading_id.clone();
            view! {
                <section class="stack" aria-labelledby=labelled_by>
                    <div class="stack__header">
                        <h3 id=heading_id class="stack__title">{step.title()}</h3>
                        <button
                            type="button"
                            class="btn btn--sm btn--link"
                            aria-label=format!("Edit {}", step.title())
                            on:click=move |_| ctx.go_to(step)
                        >
                            "Edit"
                        </button>
                    </div>
                    <dl class="stack__rows">
                        <div class="stack__row">
                            <dt>"Settings"</dt>
                            <dd>"–"</dd>
                        </div>
                    </dl>
                </section>
            }
        })
        .collect_view();
    view! {
        <Intro>"Review the settings, then select Finish to create the virtual container host."</Intro>
        <div class="stack-view">{groups}</div>
    }
}
