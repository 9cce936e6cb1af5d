//! `#/vch/<id>/configure`: the wizard opened on the configuration a VCH runs with; Finish shows
//! what will change, and only "Apply" starts the configure job.

use leptos::prelude::*;

use crate::api;
use crate::components::alert::{ErrorAlert, Loading};
use crate::context::{AppContext, Page};
use crate::dom::focus_first_later;
use crate::wizard::{Existing, Wizard};

#[component]
pub fn ConfigurePage(id: String) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let id = StoredValue::new(id);
    let details =
        LocalResource::new(move || async move { api::vch_details(&id.get_value()).await });
    let back = Callback::new(move |()| app.page.set(Page::Vch { id: id.get_value() }));
    let started = Callback::new(move |(job, name): (String, String)| {
        app.page.set(Page::Job {
            id: job,
            title: Some(format!("Configuring {name}")),
        });
        focus_first_later(&["#main"]);
    });
    move || {
        match details.get() {
        None => view! { <Loading text="Reading the deployed configuration…"/> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorAlert title="Could not read the deployed configuration" error=e on_retry=Callback::new(move |()| details.refetch())/>
        }
        .into_any(),
        Some(Ok(d)) => {
            let existing = Existing {
                id: id.get_value(),
                config: d.config,
            };
            view! { <Wizard on_cancel=back on_started=started existing=existing/> }.into_any()
        }
    }
    }
}
