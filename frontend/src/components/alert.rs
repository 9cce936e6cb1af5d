//! How a failed API call is shown to a person: what happened, what to do, and a retry.

use leptos::prelude::*;

use crate::api::FetchError;

#[component]
pub fn ErrorAlert(
    /// Short context, e.g. "Could not load datacenters".
    title: &'static str,
    error: FetchError,
    #[prop(optional, into)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let hint = error.hint().map(str::to_owned);
    view! {
        <div class="alert alert--danger" role="alert">
            <span class="alert__icon" aria-hidden="true">"!"</span>
            <div class="alert__body">
                <p class="alert__title">{title}</p>
                <p class="alert__message">{error.message().to_owned()}</p>
                {hint.map(|hint| view! { <p class="alert__hint">{hint}</p> })}
            </div>
            {on_retry
                .map(|retry| {
                    view! {
                        <button type="button" class="btn btn--sm" on:click=move |_| retry.run(())>
                            "Try again"
                        </button>
                    }
                })}
        </div>
    }
}

/// A polite "still working" line; screen readers announce it once.
#[component]
pub fn Loading(text: &'static str) -> impl IntoView {
    view! {
        <p class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            {text}
        </p>
    }
}
