//! Advanced options behind a `<details>` that opens by itself when a problem inside it is shown,
//! so focus can reach the first invalid field.

use leptos::html::Details;
use leptos::prelude::*;

use super::WizardContext;

#[component]
pub fn Disclosure(
    #[prop(into)] summary: String,
    /// Model paths edited inside; a revealed error on any of them opens the disclosure.
    paths: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let node = NodeRef::<Details>::new();
    let has_problem = Memo::new(move |_| {
        ctx.issues.with(|issues| {
            ctx.state.with(|s| {
                paths
                    .iter()
                    .any(|p| s.visible_message(p, issues).is_some_and(|i| i.blocking))
            })
        })
    });
    // Opens only: closing under the user's hands while they fix something would lose their place.
    Effect::new(move |_| {
        if has_problem.get()
            && let Some(details) = node.get()
        {
            details.set_open(true);
        }
    });
    view! {
        <details class="disclosure" node_ref=node>
            <summary class="disclosure__summary">{summary}</summary>
            <div class="disclosure__body">{children()}</div>
        </details>
    }
}
