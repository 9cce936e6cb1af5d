//! The VCH wizard as a Leptos client-side app. Components render and call `shared` and the proxy;
//! every validation rule lives in `shared`.

pub mod api;
pub mod components;
pub mod context;
mod dom;
pub mod pages;
mod perf;
pub mod plugin_host;
pub mod state;
pub mod theme;
pub mod wizard;

use leptos::prelude::*;
use leptos::task::spawn_local;

use context::{AppContext, Page};
use dom::focus_first_later;
use pages::connect::ConnectPage;
use pages::home::HomePage;
use pages::job::JobPage;
use plugin_host::{ModalResult, PluginHost, SignInProblem};
use theme::ThemeSelect;
use wizard::Wizard;

#[component]
pub fn App() -> impl IntoView {
    let app = AppContext::new();
    provide_context(app);
    let notice = RwSignal::new(None::<String>);
    perf::install();
    let host = PluginHost::new();
    provide_context(host);

    spawn_local(async move {
        if host.start(app).await {
            return;
        }
        match api::current_session().await {
            Ok(session) => app.connected(session),
            Err(_) => app.page.set(Page::Connect),
        }
    });

    let close_wizard = Callback::new(move |()| {
        if host.close_modal(None) {
            return;
        }
        app.page.set(Page::Home);
        focus_first_later(&["#new-vch"]);
    });
    let started = Callback::new(move |(job, name): (String, String)| {
        if host.close_modal(Some(ModalResult {
            job: job.clone(),
            name: name.clone(),
        })) {
            return;
        }
        app.page.set(Page::Job {
            id: job,
            title: format!("Creating {name}"),
        });
        focus_first_later(&["#main"]);
    });

    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        <header class="app-header">
            <span class="app-header__brand">
                <span class="app-header__logo" aria-hidden="true"></span>
                "vSphere Integrated Containers"
            </span>
            // Inside the vSphere Client its own theme setting rules.
            {move || (!host.is_hosted()).then(|| view! { <ThemeSelect/> })}
        </header>
        <main id="main" class="app-main" tabindex="-1">
            {move || match app.page.get() {
                Page::Starting => view! { <components::alert::Loading text="Checking the session…"/> }.into_any(),
                Page::Connect => view! { <SignInProblem/> <ConnectPage/> }.into_any(),
                Page::Home => view! { <HomePage notice=notice/> }.into_any(),
                Page::NewVch => view! { <Wizard on_cancel=close_wizard on_started=started/> }.into_any(),
                Page::Job { id, title } => view! { <JobPage id=id title=title/> }.into_any(),
            }}
        </main>
    }
}
