//! Step 1: the VCH name, container VM naming, debug level and syslog.

use leptos::prelude::*;

use super::Intro;

#[component]
pub fn General() -> impl IntoView {
    view! {
        <Intro>
            "Name the virtual container host, choose how container VMs are named, and set the "
            "debug level and an optional syslog server."
        </Intro>
    }
}
