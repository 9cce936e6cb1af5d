//! The equivalent `vic-machine` command line for Linux, macOS or Windows, with a copy button.

use leptos::prelude::*;

use crate::dom::when_settled;

use crate::api::CommandLines;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Platform {
    Linux,
    Darwin,
    Windows,
}

impl Platform {
    const ALL: [Self; 3] = [Self::Linux, Self::Darwin, Self::Windows];

    fn label(self) -> &'static str {
        match self {
            Self::Linux => "Linux",
            Self::Darwin => "macOS",
            Self::Windows => "Windows",
        }
    }

    /// The platform the browser runs on: the likeliest place the command is pasted.
    fn detect() -> Self {
        let agent = window().navigator().user_agent().unwrap_or_default();
        if agent.contains("Windows") {
            Self::Windows
        } else if agent.contains("Mac") {
            Self::Darwin
        } else {
            Self::Linux
        }
    }

    fn pick(self, lines: &CommandLines) -> String {
        match self {
            Self::Linux => lines.linux.clone(),
            Self::Darwin => lines.darwin.clone(),
            Self::Windows => lines.windows.clone(),
        }
    }
}

static NEXT_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[component]
pub fn CommandLineView(#[prop(into)] lines: Signal<CommandLines>) -> impl IntoView {
    let platform = RwSignal::new(Platform::detect());
    let copied = RwSignal::new(None::<bool>);
    // Several views may be on one page (one per inspected VCH).
    let uid = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let heading_id = format!("command-line-{uid}");
    let text = Memo::new(move |_| lines.with(|l| platform.get().pick(l)));
    let copy = move |_| {
        let value = text.get_untracked();
        let promise = window().navigator().clipboard().write_text(&value);
        when_settled(promise, move |outcome| copied.set(Some(outcome.is_ok())));
    };
    let radios = Platform::ALL
        .into_iter()
        .map(|p| {
            view! {
                <label class="radio">
                    <input
                        type="radio"
                        name=format!("platform-{uid}")
                        prop:checked=move || platform.get() == p
                        on:change=move |_| {
                            copied.set(None);
                            platform.set(p);
                        }
                    />
                    <span>{p.label()}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="command-line" aria-labelledby=heading_id.clone()>
            <h3 id=heading_id.clone() class="stack__title">"vic-machine command line"</h3>
            <fieldset class="radio-group">
                <legend>"Platform"</legend>
                {radios}
            </fieldset>
            <pre class="command-line__text" tabindex="0" aria-label="Command line"><code>{text}</code></pre>
            <div class="page-actions">
                <button type="button" class="btn btn--sm" on:click=copy>"Copy command line"</button>
                <span role="status" class="muted">
                    {move || match copied.get() {
                        Some(true) => "Copied to the clipboard.",
                        Some(false) => "Copying was refused by the browser; select the text and copy it.",
                        None => "",
                    }}
                </span>
            </div>
            <p class="muted">"Passwords are never included; vic-machine asks for them."</p>
        </section>
    }
}
