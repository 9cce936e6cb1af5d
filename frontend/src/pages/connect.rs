//! Connecting to vCenter Server or ESXi: credentials, or the server's default target; an untrusted
//! certificate is shown with its thumbprints and only used once the person confirms it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, FetchError, Login};
use crate::components::alert::ErrorAlert;
use crate::context::AppContext;
use crate::dom::focus_first_later;

/// A certificate the proxy refused to trust, waiting for the person's decision.
#[derive(Debug, Clone, PartialEq)]
struct Untrusted {
    host: String,
    sha1: Option<String>,
    sha256: Option<String>,
    login: Login,
}

#[component]
pub fn ConnectPage() -> impl IntoView {
    let app = expect_context::<AppContext>();
    let health = LocalResource::new(api::health);
    let target = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<FetchError>);
    let untrusted = RwSignal::new(None::<Untrusted>);

    // The SHA-1 of a certificate confirmed below: `--thumbprint` in generated command lines.
    let confirmed = StoredValue::new(None::<String>);
    let connect = move |login: Login| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let outcome = api::login(&login).await;
            busy.set(false);
            match outcome {
                Ok(session) => {
                    untrusted.set(None);
                    let thumbprint = login.thumbprint.as_ref().and(confirmed.get_value());
                    crate::draft::remember_thumbprint(&session.target, thumbprint.as_deref());
                    app.thumbprint
                        .set(thumbprint.map(|t| (session.target.clone(), t)));
                    app.connected(session);
                    focus_first_later(&["#new-vch", "#main"]);
                }
                Err(e) if e.code() == Some("untrusted_certificate") => {
                    untrusted.set(Some(Untrusted {
                        host: e
                            .detail("host")
                            .unwrap_or_else(|| login.target.clone().unwrap_or_default()),
                        sha1: e.detail("sha1"),
                        sha256: e.detail("sha256"),
                        login,
                    }));
                    focus_first_later(&["#certificate-heading"]);
                }
                Err(e) => {
                    error.set(Some(e));
                    focus_first_later(&["#connect-error"]);
                }
            }
        });
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        untrusted.set(None);
        connect(Login {
            target: Some(target.get_untracked()),
            user: Some(user.get_untracked()),
            password: Some(password.get_untracked()),
            ..Login::default()
        });
    };
    let use_default = move |_| {
        untrusted.set(None);
        connect(Login {
            default_target: true,
            ..Login::default()
        });
    };
    let trust = move |_| {
        if let Some(u) = untrusted.get_untracked() {
            let thumbprint = u.sha256.clone().or(u.sha1.clone());
            confirmed.set_value(u.sha1.clone());
            connect(Login {
                thumbprint,
                ..u.login
            });
        }
    };

    let default_target = move || {
        health
            .get()
            .and_then(Result::ok)
            .and_then(|h| h.default_target)
    };

    view! {
        <h1 class="page-title">"Connect to vSphere"</h1>
        <div class="connect">
            <form class="card connect__form" novalidate on:submit=on_submit aria-labelledby="connect-heading">
                <h2 id="connect-heading" class="card__title">"vCenter Server or ESXi host"</h2>
                <Input id="connect-target" label="Server address" value=target placeholder="vcenter.example.com" autocomplete="url"/>
                <Input id="connect-user" label="User name" value=user placeholder="administrator@vsphere.local" autocomplete="username"/>
                <Input id="connect-password" label="Password" value=password password=true autocomplete="current-password"/>
                <div class="page-actions">
                    <button type="submit" class="btn btn--primary" disabled=busy>"Connect"</button>
                    {move || {
                        default_target()
                            .map(|url| {
                                view! {
                                    <button type="button" class="btn" on:click=use_default disabled=busy>
                                        "Use the embedded simulator"
                                    </button>
                                    <span class="muted">{url}</span>
                                }
                            })
                    }}
                </div>
                {move || busy.get().then(|| view! { <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Connecting…"</p> })}
            </form>
            {move || untrusted.get().map(|u| view! { <CertificatePrompt untrusted=u on_trust=trust on_cancel=move |_| untrusted.set(None)/> })}
            <div id="connect-error" tabindex="-1">
                {move || error.get().map(|e| view! { <ErrorAlert title="Could not connect" error=e/> })}
            </div>
        </div>
    }
}

#[component]
fn Input(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] password: bool,
    autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label class="field__label" for=id>{label}</label>
            <div class="field__control">
                <input
                    id=id
                    class="field__input"
                    type=if password { "password" } else { "text" }
                    placeholder=placeholder
                    autocomplete=autocomplete
                    prop:value=value
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            </div>
        </div>
    }
}

#[component]
fn CertificatePrompt(
    untrusted: Untrusted,
    on_trust: impl Fn(leptos::ev::MouseEvent) + 'static,
    on_cancel: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    view! {
        <section class="card alert--warning certificate" aria-labelledby="certificate-heading">
            <h2 id="certificate-heading" class="card__title" tabindex="-1">
                "The server's certificate is not trusted"
            </h2>
            <p>
                "The certificate of " <strong>{untrusted.host}</strong>
                " is not signed by an authority this server trusts. Compare its thumbprint with the one "
                "your vSphere administrator gives you before you trust it."
            </p>
            <dl class="stack__rows">
                {untrusted.sha256.map(|t| view! { <div class="stack__row"><dt>"SHA-256 thumbprint"</dt><dd><code class="thumbprint">{t}</code></dd></div> })}
                {untrusted.sha1.map(|t| view! { <div class="stack__row"><dt>"SHA-1 thumbprint"</dt><dd><code class="thumbprint">{t}</code></dd></div> })}
            </dl>
            <div class="page-actions">
                <button type="button" class="btn btn--primary" on:click=on_trust>
                    "Trust this certificate and connect"
                </button>
                <button type="button" class="btn" on:click=on_cancel>"Cancel"</button>
            </div>
        </section>
    }
}
