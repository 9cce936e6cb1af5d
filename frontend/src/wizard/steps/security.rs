//! Step 5: client certificate authentication and the VCH's server certificate.

use leptos::prelude::*;

use super::Intro;

#[component]
pub fn Security() -> impl IntoView {
    view! {
        <Intro>
            "Decide how Docker clients authenticate to the VCH and which server certificate "
            "the VCH presents."
        </Intro>
    }
}
