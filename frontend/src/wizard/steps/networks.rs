//! Step 4: bridge, public, client, management and container networks, and proxies.

use leptos::prelude::*;

use super::Intro;

#[component]
pub fn Networks() -> impl IntoView {
    view! {
        <Intro>
            "Choose the port groups for the bridge and public networks, and optionally separate "
            "client, management and container networks and HTTP proxies."
        </Intro>
    }
}
