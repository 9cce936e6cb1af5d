//! PEM file pickers: the browser reads the file so the validator can check its contents; only the
//! file name goes into a generated command line.

use leptos::prelude::*;
use shared::VchConfig;
use shared::config::PemFile;
use wasm_bindgen::JsCast;

use crate::dom::when_settled;
use crate::wizard::{WizardContext, field_id};

#[component]
pub fn PemFiles(
    path: &'static str,
    label: &'static str,
    get: fn(&VchConfig) -> Vec<PemFile>,
    set: fn(&mut VchConfig, Vec<PemFile>),
    /// Only one file (a server certificate or key) rather than a list.
    #[prop(optional)]
    single: bool,
    #[prop(optional)] helper: Option<&'static str>,
) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let cfg = ctx.config;
    let id = field_id(path);
    let message = ctx.message(path.to_owned());
    let touch = ctx.touch(path.to_owned());
    let files = Signal::derive(move || cfg.with(get));
    let message_id = format!("{id}-message");
    let helper_id = format!("{id}-helper");

    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(list) = input.files() else { return };
        for i in 0..list.length() {
            let Some(file) = list.get(i) else { continue };
            let name = file.name();
            when_settled(file.text(), move |text| {
                let pem = text.ok().and_then(|t| t.as_string());
                cfg.update(|c| {
                    let mut current = if single { Vec::new() } else { get(c) };
                    current.retain(|f| f.path != name);
                    current.push(PemFile { path: name, pem });
                    set(c, current);
                });
                touch.run(());
            });
        }
        // Lets the same file be chosen again after it was removed.
        input.set_value("");
    };
    let remove = move |name: String| {
        cfg.update(|c| {
            let mut current = get(c);
            current.retain(|f| f.path != name);
            set(c, current);
        });
    };
    let is_error = move || message.with(|m| m.as_ref().is_some_and(|m| m.is_error));

    view! {
        <div class="field" class:field--error=is_error>
            <label class="field__label" for=id.clone()>{label}</label>
            <div class="field__control">
                <input
                    id=id.clone()
                    type="file"
                    accept=".pem,.crt,.cer,.key"
                    multiple=!single
                    aria-invalid=move || is_error().then_some("true")
                    aria-describedby=format!("{helper_id} {message_id}")
                    on:change=on_change
                />
                <ul class="file-list" aria-label=format!("{label}: chosen files")>
                    {move || {
                        files
                            .get()
                            .into_iter()
                            .map(|f| {
                                let name = f.path.clone();
                                let state = if f.pem.is_some() { "read" } else { "path only, not read" };
                                view! {
                                    <li>
                                        <code>{f.path.clone()}</code>
                                        <span class="muted">{format!(" ({state}) ")}</span>
                                        <button type="button" class="btn btn--sm btn--link"
                                            aria-label=format!("Remove {}", f.path)
                                            on:click=move |_| remove(name.clone())>"Remove"</button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <p id=message_id.clone() class="field__message" class:field__message--error=is_error>
                    {move || message.get().map(|m| m.text)}
                </p>
                <p id=helper_id.clone() class="field__helper">
                    {helper.unwrap_or("PEM files; their contents are checked here and sent with the request.")}
                </p>
            </div>
        </div>
    }
}
