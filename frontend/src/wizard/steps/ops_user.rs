//! Step 7: the vSphere user the VCH operates as after deployment.

use leptos::prelude::*;

use super::Intro;

#[component]
pub fn OpsUser() -> impl IntoView {
    view! {
        <Intro>
            "Give the vSphere user the VCH uses for day-to-day operations, and whether to grant "
            "it the permissions it needs."
        </Intro>
    }
}
