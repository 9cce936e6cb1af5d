//! The "connected to …" line fed by `GET ./api/health`.

use leptos::prelude::*;

use super::alert::{ErrorAlert, Loading};
use crate::api::{self, Health};

#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let health = LocalResource::new(api::health);
    let retry = Callback::new(move |()| health.refetch());
    view! {
        <section class="card" aria-labelledby="connection-heading">
            <h2 id="connection-heading" class="card__title">"Connection"</h2>
            {move || match health.get() {
                None => view! { <Loading text="Checking the server…"/> }.into_any(),
                Some(Ok(h)) => view! { <Connected health=h/> }.into_any(),
                Some(Err(e)) => {
                    view! {
                        <ErrorAlert title="The server is not responding" error=e on_retry=retry/>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Connected(health: Health) -> impl IntoView {
    let target = match health.default_target {
        Some(url) => view! {
            <p class="status status--ok">
                <span class="status__dot" aria-hidden="true"></span>
                "Connected to "
                <code class="status__target">{url}</code>
            </p>
        }
        .into_any(),
        None => view! {
            <p class="status status--neutral">
                <span class="status__dot" aria-hidden="true"></span>
                "Not connected to a vCenter Server or ESXi host yet."
            </p>
        }
        .into_any(),
    };
    view! {
        {target}
        <p class="muted">"vch " {health.version}</p>
    }
}
