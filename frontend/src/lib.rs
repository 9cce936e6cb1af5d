//! The VCH wizard as a Leptos client-side app. Components render and call `shared` and the proxy;
//! every validation rule lives in `shared`.

pub mod api;
pub mod components;
pub mod context;
mod dom;
pub mod draft;
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
use pages::configure::ConfigurePage;
use pages::connect::ConnectPage;
use pages::home::HomePage;
use pages::job::JobPage;
use pages::vch::VchPage;
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

    routes(app, host);
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
            title: Some(format!("Creating {name}")),
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
                Page::Vch { id } => view! { <VchPage id=id/> }.into_any(),
                Page::Configure { id } => view! { <ConfigurePage id=id/> }.into_any(),
            }}
        </main>
    }
}

/// The stand-alone page keeps its address in step with the page shown (`#/jobs/<id>`,
/// `#/vch/<id>`), so reload, back and bookmarks work. Inside the vSphere Client the host owns the
/// address (`#/create?scope=…`), so nothing changes there.
fn routes(app: AppContext, host: PluginHost) {
    let location = window().location();
    let at_start = Page::from_hash(&location.hash().unwrap_or_default());
    if !matches!(at_start, None | Some(Page::Home)) {
        app.wanted.set(at_start);
    }
    Effect::new(move |_| {
        let page = app.page.get();
        if host.is_hosted() {
            return;
        }
        let Some(hash) = page.hash() else { return };
        let location = window().location();
        if location.hash().unwrap_or_default() != hash {
            let _ = location.set_hash(&hash);
        }
    });
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        if host.is_hosted() || app.session.with_untracked(Option::is_none) {
            return;
        }
        let hash = window().location().hash().unwrap_or_default();
        let Some(page) = Page::from_hash(&hash) else {
            return;
        };
        // The same page under another title (a job followed from here) is not a move.
        if app.page.with_untracked(|p| p.hash()) != page.hash() {
            app.page.set(page);
        }
    });
    on_cleanup(move || handle.remove());
}
