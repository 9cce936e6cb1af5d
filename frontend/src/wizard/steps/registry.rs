//! Step 6: registry whitelist or insecure registries, and extra registry CAs.

use leptos::prelude::*;

use super::Intro;

#[component]
pub fn Registry() -> impl IntoView {
    view! {
        <Intro>
            "Restrict which registries the VCH pulls from, allow insecure registries, and add "
            "certificate authorities for private registries."
        </Intro>
    }
}
