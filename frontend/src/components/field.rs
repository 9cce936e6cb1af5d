//! Accessible form fields: a label, the control, helper text and a message wired with
//! `aria-describedby`; errors also set `aria-invalid`. Fields only display messages they are given.

use leptos::prelude::*;

/// A message under a field; errors mark the control invalid, warnings and notes do not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMessage {
    pub text: String,
    pub is_error: bool,
    /// Values that would fix it; each becomes a button that puts it in the field.
    pub suggestions: Vec<String>,
    /// Fixes that are not values (other options, commands to run), shown as text to copy.
    pub notes: Vec<String>,
    /// The notes are shell commands (the firewall rules).
    pub commands: bool,
}

/// How the control is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Control {
    #[default]
    Text,
    Password,
    /// A list, one entry per line.
    Lines,
}

/// The entries of a one-per-line list field: blank lines are not entries.
pub fn split_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

fn described_by(
    helper_id: Option<String>,
    message_id: String,
    message: Signal<Option<FieldMessage>>,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let ids: Vec<&str> = helper_id
            .as_deref()
            .into_iter()
            .chain(message.with(Option::is_some).then_some(message_id.as_str()))
            .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

#[component]
pub fn TextField(
    /// Element id; the helper and message ids derive from it.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_input: Callback<String>,
    /// Called when the control loses focus: the moment a field counts as touched.
    #[prop(into)]
    on_blur: Callback<()>,
    #[prop(into)] message: Signal<Option<FieldMessage>>,
    #[prop(optional_no_strip)] helper: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional_no_strip)] placeholder: Option<String>,
    /// Id of a `<datalist>` of known values; typing anything else stays allowed.
    #[prop(optional_no_strip)]
    list: Option<String>,
    #[prop(optional)] control: Control,
) -> impl IntoView {
    let helper_id = helper.as_ref().map(|_| format!("{id}-helper"));
    let message_id = format!("{id}-message");
    let is_error = move || message.with(|m| m.as_ref().is_some_and(|m| m.is_error));
    let describe = described_by(helper_id.clone(), message_id.clone(), message);
    let input = match control {
        Control::Lines => {
            // The model drops blank lines; the text box must keep the one being typed.
            let text = RwSignal::new(value.get_untracked());
            Effect::new(move |_| {
                let model = value.get();
                if text.with_untracked(|t| split_lines(t).join("\n")) != model {
                    text.set(model);
                }
            });
            view! {
            <textarea
                id=id.clone()
                class="field__input field__input--lines"
                rows="3"
                prop:value=text
                placeholder=placeholder
                aria-invalid=move || is_error().then_some("true")
                aria-describedby=describe
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    text.set(typed.clone());
                    let _ = on_input.try_run(typed);
                }
                on:blur=move |_| { let _ = on_blur.try_run(()); }
            ></textarea>
            }
            .into_any()
        }
        Control::Text | Control::Password => view! {
            <input
                id=id.clone()
                type=if control == Control::Password { "password" } else { "text" }
                class="field__input"
                prop:value=value
                placeholder=placeholder
                list=list
                autocomplete="off"
                spellcheck="false"
                required=required
                aria-required=required.then_some("true")
                aria-invalid=move || is_error().then_some("true")
                aria-describedby=describe
                on:input=move |ev| { let _ = on_input.try_run(event_target_value(&ev)); }
                on:blur=move |_| { let _ = on_blur.try_run(()); }
            />
        }
        .into_any(),
    };
    // A list field gets whole-line suggestions only as text: one click can't know which line.
    let suggest = (control != Control::Lines).then_some(on_input);
    view! {
        <div class="field" class:field--error=is_error>
            <label class="field__label" for=id>
                {label}
                {required.then(|| view! { <span class="field__required" aria-hidden="true">"*"</span> })}
            </label>
            <div class="field__control">
                {input}
                <Message id=message_id message=message on_suggest=suggest/>
                {helper.map(|text| view! { <p id=helper_id.clone() class="field__helper">{text}</p> })}
            </div>
        </div>
    }
}

#[component]
pub fn CheckboxField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(into)] checked: Signal<bool>,
    #[prop(into)] on_change: Callback<bool>,
    #[prop(into)] on_blur: Callback<()>,
    #[prop(into)] message: Signal<Option<FieldMessage>>,
    #[prop(optional_no_strip)] helper: Option<String>,
) -> impl IntoView {
    let helper_id = helper.as_ref().map(|_| format!("{id}-helper"));
    let message_id = format!("{id}-message");
    let describe = described_by(helper_id.clone(), message_id.clone(), message);
    view! {
        <div class="field field--checkbox">
            <div class="field__control">
                <label class="checkbox">
                    <input
                        id=id
                        type="checkbox"
                        prop:checked=checked
                        aria-describedby=describe
                        on:change=move |ev| { let _ = on_change.try_run(event_target_checked(&ev)); }
                        on:blur=move |_| { let _ = on_blur.try_run(()); }
                    />
                    <span>{label}</span>
                </label>
                <Message id=message_id message=message on_suggest=None/>
                {helper.map(|text| view! { <p id=helper_id.clone() class="field__helper">{text}</p> })}
            </div>
        </div>
    }
}

/// The message line under a control, with its suggestions.
#[component]
fn Message(
    id: String,
    message: Signal<Option<FieldMessage>>,
    on_suggest: Option<Callback<String>>,
) -> impl IntoView {
    move || {
        message.get().map(|m| {
            let (class, icon) = if m.is_error {
                ("field__message field__message--error", "!")
            } else {
                ("field__message field__message--warning", "i")
            };
            let notes = (!m.notes.is_empty()).then(|| {
                let lead = if m.commands { "To fix it from a shell: " } else { " Or on the command line: " };
                view! {
                    <span class="field__suggestions field__suggestions--commands">
                        {lead}
                        {m.notes.into_iter().map(|s| view! { <code class="field__command">{s}</code> }).collect_view()}
                    </span>
                }
            });
            let suggestions = match on_suggest {
                Some(apply) if !m.suggestions.is_empty() => Some(
                    view! {
                        <span class="field__suggestions">
                            " Did you mean: "
                            {m
                                .suggestions
                                .into_iter()
                                .map(|s| {
                                    let value = s.clone();
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn--sm btn--link suggestion"
                                            on:click=move |_| { let _ = apply.try_run(value.clone()); }
                                        >
                                            {s}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </span>
                    }
                    .into_any(),
                ),
                _ if !m.suggestions.is_empty() => Some(
                    view! {
                        <span class="field__suggestions">
                            " Suggested: " {m.suggestions.join(", ")}
                        </span>
                    }
                    .into_any(),
                ),
                _ => None,
            };
            view! {
                <p id=id.clone() class=class>
                    <span class="field__message-icon" aria-hidden="true">{icon}</span>
                    <span class="visually-hidden">
                        {if m.is_error { "Error: " } else { "Note: " }}
                    </span>
                    {m.text}
                    {suggestions}
                    {notes}
                </p>
            }
        })
    }
}
