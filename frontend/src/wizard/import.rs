//! "Import a vic-machine command line": `shared` reads the pasted line into a configuration, the
//! wizard takes it over (keeping the connected target), and every step's findings show at once.

use leptos::prelude::*;
use shared::vic_machine::parse_command_line;

use super::WizardContext;
use crate::context::AppContext;
use crate::dom::focus_first_later;

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// Imported, with what reading the line itself found (stray quotes, repeated options, ...).
    Imported(Vec<String>),
    Refused(String),
}

#[component]
pub fn ImportCommandLine() -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let app = expect_context::<AppContext>();
    let text = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let import = move |_| {
        let line = text.get_untracked();
        match parse_command_line(&line) {
            Ok(parsed) => {
                let mut config = parsed.config;
                // The wizard deploys to the target it is connected to, as that user; the pasted
                // line's password is never kept, its --thumbprint is.
                config.target.password = None;
                let imported_thumbprint = config.target.thumbprint.take();
                super::session_target(app, &mut config);
                if imported_thumbprint.is_some() {
                    config.target.thumbprint = imported_thumbprint;
                }
                ctx.config.set(config);
                ctx.state.update(|s| s.reveal_all());
                outcome.set(Some(Outcome::Imported(
                    parsed.findings.into_iter().map(|f| f.message).collect(),
                )));
            }
            Err(e) => outcome.set(Some(Outcome::Refused(e.to_string()))),
        }
        focus_first_later(&["#import-outcome"]);
    };
    let invalid = move || outcome.with(|o| matches!(o, Some(Outcome::Refused(_))));
    view! {
        <details class="disclosure import">
            <summary class="disclosure__summary">"Import a vic-machine command line"</summary>
            <div class="disclosure__body">
                <div class="field">
                    <label class="field__label" for="import-line">"vic-machine command line"</label>
                    <div class="field__control">
                        <textarea
                            id="import-line"
                            class="field__input field__input--lines"
                            rows="5"
                            spellcheck="false"
                            aria-describedby="import-help import-outcome"
                            aria-invalid=move || invalid().then_some("true")
                            prop:value=text
                            on:input=move |ev| text.set(event_target_value(&ev))
                        ></textarea>
                        <p id="import-help" class="field__helper">
                            "Paste a vic-machine create command (any platform); it replaces the settings in this wizard. Passwords in it are ignored."
                        </p>
                    </div>
                </div>
                <button type="button" class="btn btn--sm" on:click=import>"Import"</button>
                <div id="import-outcome" tabindex="-1" role="status">
                    {move || outcome.get().map(|o| match o {
                        Outcome::Imported(notes) => view! {
                            <div class="alert alert--info">
                                <div class="alert__body">
                                    <p class="alert__title">"Imported. Review each step; problems are marked in the step list."</p>
                                    <ul class="alert__list">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                                </div>
                            </div>
                        }.into_any(),
                        Outcome::Refused(message) => view! {
                            <div class="alert alert--danger">
                                <div class="alert__body">
                                    <p class="alert__title">"This command line could not be read."</p>
                                    <p>{message}</p>
                                </div>
                            </div>
                        }.into_any(),
                    })}
                </div>
            </div>
        </details>
    }
}
