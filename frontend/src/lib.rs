//! The VCH wizard as a Leptos client-side app. Components render and call `shared` and the proxy;
//! every validation rule lives in `shared`.

pub mod api;
pub mod components;
pub mod theme;

use leptos::prelude::*;

use components::datacenters::DatacenterList;
use components::status::ConnectionStatus;
use theme::ThemeSelect;

#[component]
pub fn App() -> impl IntoView {
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
            <h1 class="page-title">"Virtual Container Hosts"</h1>
            <div class="card-grid">
                <ConnectionStatus/>
                <DatacenterList/>
            </div>
        </main>
    }
}
