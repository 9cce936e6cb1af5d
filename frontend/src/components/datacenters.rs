//! The datacenters of the default target, fed by `GET ./api/datacenters`.

use leptos::prelude::*;

use super::alert::{ErrorAlert, Loading};
use crate::api;

#[component]
pub fn DatacenterList() -> impl IntoView {
    let datacenters = LocalResource::new(api::datacenters);
    let retry = Callback::new(move |()| datacenters.refetch());
    view! {
        <section class="card" aria-labelledby="datacenters-heading">
            <h2 id="datacenters-heading" class="card__title">"Datacenters"</h2>
            {move || match datacenters.get() {
                None => view! { <Loading text="Loading datacenters…"/> }.into_any(),
                Some(Ok(names)) if names.is_empty() => {
                    view! { <p class="muted">"This target has no datacenters."</p> }.into_any()
                }
                Some(Ok(names)) => {
                    view! {
                        <ul class="item-list" aria-labelledby="datacenters-heading">
                            {names
                                .into_iter()
                                .map(|name| view! { <li class="item-list__item">{name}</li> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
                Some(Err(e)) => {
                    view! {
                        <ErrorAlert title="Could not load datacenters" error=e on_retry=retry/>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
