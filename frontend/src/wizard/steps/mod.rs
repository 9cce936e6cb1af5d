//! One page per wizard step, each editing its part of the draft `VchConfig`.

mod compute;
mod general;
mod networks;
mod ops_user;
mod pem;
mod registry;
mod security;
mod storage;
mod summary;

use leptos::prelude::*;

use crate::state::Step;

pub fn page(step: Step) -> AnyView {
    match step {
        Step::General => view! { <general::General/> }.into_any(),
        Step::Compute => view! { <compute::Compute/> }.into_any(),
        Step::Storage => view! { <storage::Storage/> }.into_any(),
        Step::Networks => view! { <networks::Networks/> }.into_any(),
        Step::Security => view! { <security::Security/> }.into_any(),
        Step::Registry => view! { <registry::Registry/> }.into_any(),
        Step::OpsUser => view! { <ops_user::OpsUser/> }.into_any(),
        Step::Summary => view! { <summary::Summary/> }.into_any(),
    }
}

/// The lead paragraph every page opens with.
#[component]
fn Intro(children: Children) -> impl IntoView {
    view! { <p class="wizard__intro">{children()}</p> }
}
