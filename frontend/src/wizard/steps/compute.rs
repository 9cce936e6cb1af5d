//! Step 2: where the VCH runs (cluster, host or resource pool) and its CPU and memory limits.

use leptos::prelude::*;

use super::Intro;

#[component]
pub fn Compute() -> impl IntoView {
    view! {
        <Intro>
            "Choose the cluster, host or resource pool the VCH runs in, and limit the CPU and "
            "memory its containers may use."
        </Intro>
    }
}
