//! The VCH wizard as a Leptos client-side app. Components render and call `shared` and the proxy;
//! every validation rule lives in `shared`.

pub mod api;
pub mod components;
mod dom;
pub mod state;
pub mod theme;
pub mod wizard;

use leptos::prelude::*;

use components::datacenters::DatacenterList;
use components::status::ConnectionStatus;
use dom::focus_first_later;
use state::Issue;
use theme::ThemeSelect;
use wizard::Wizard;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Overview,
    NewVch,
}

#[component]
pub fn App() -> impl IntoView {
    let page = RwSignal::new(Page::Overview);
    let notice = RwSignal::new(None::<&'static str>);
    // Empty until the pages bind to `shared::VchConfig` and this becomes a memo over `shared::validate`.
    let issues = Signal::derive(Vec::<Issue>::new);

    let open_wizard = move |_| {
        notice.set(None);
        page.set(Page::NewVch);
        focus_first_later(&["#wizard-step-heading"]);
    };
    let close_wizard = Callback::new(move |()| {
        page.set(Page::Overview);
        focus_first_later(&["#new-vch"]);
    });
    let finish = Callback::new(move |()| {
        notice.set(Some(
            "The configuration is complete. Creating the virtual container host is not available in this version yet.",
        ));
        close_wizard.run(());
    });

    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        <header class="app-header">
            <span class="app-header__brand">
                <span class="app-header__logo" aria-hidden="true"></span>
                "vSphere Integrated Containers"
            </span>
            <ThemeSelect/>
        </header>
        <main id="main" class="app-main" tabindex="-1">
            {move || match page.get() {
                Page::Overview => {
                    view! {
                        <h1 class="page-title">"Virtual Container Hosts"</h1>
                        {move || {
                            notice
                                .get()
                                .map(|text| {
                                    view! {
                                        <p class="alert alert--info" role="status">{text}</p>
                                    }
                                })
                        }}
                        <div class="page-actions">
                            <button
                                id="new-vch"
                                type="button"
                                class="btn btn--primary"
                                on:click=open_wizard
                            >
                                "New Virtual Container Host"
                            </button>
                        </div>
                        <div class="card-grid">
                            <ConnectionStatus/>
                            <DatacenterList/>
                        </div>
                    }
                        .into_any()
                }
                Page::NewVch => {
                    view! { <Wizard issues=issues on_cancel=close_wizard on_finish=finish/> }
                        .into_any()
                }
            }}
        </main>
    }
}
