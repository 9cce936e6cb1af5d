//! Accessible form fields: a label, the control, helper text and a message wired with
//! `aria-describedby`; errors also set `aria-invalid`. Fields only display messages they are given.

use leptos::prelude::*;

/// A message under a field; errors mark the control invalid, warnings do not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMessage {
    pub text: String,
    pub is_error: bool,
}

#[component]
pub fn TextField(
    /// Element id; the helper and message ids derive from it.
    id: &'static str,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_input: Callback<String>,
    /// Called when the control loses focus: the moment a field counts as touched.
    #[prop(into)]
    on_blur: Callback<()>,
    #[prop(into)] message: Signal<Option<FieldMessage>>,
    #[prop(optional)] helper: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let helper_id = format!("{id}-helper");
    let message_id = format!("{id}-message");
    let is_error = move || message.with(|m| m.as_ref().is_some_and(|m| m.is_error));
    let described_by = {
        let helper_id = helper_id.clone();
        let message_id = message_id.clone();
        move || {
            let ids: Vec<&str> = helper
                .map(|_| helper_id.as_str())
                .into_iter()
                .chain(message.with(Option::is_some).then_some(message_id.as_str()))
                .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field--error=is_error>
            <label class="field__label" for=id>
                {label}
                {required.then(|| view! { <span class="field__required" aria-hidden="true">"*"</span> })}
            </label>
            <div class="field__control">
                <input
                    id=id
                    type="text"
                    class="field__input"
                    prop:value=value
                    placeholder=placeholder
                    required=required
                    aria-required=required.then_some("true")
                    aria-invalid=move || is_error().then_some("true")
                    aria-describedby=described_by
                    on:input=move |ev| on_input.run(event_target_value(&ev))
                    on:blur=move |_| on_blur.run(())
                />
                {move || {
                    message
                        .get()
                        .map(|m| {
                            let class = if m.is_error {
                                "field__message field__message--error"
                            } else {
                                "field__message field__message--warning"
                            };
                            view! {
                                <p id=message_id.clone() class=class>
                                    <span class="field__message-icon" aria-hidden="true">
                                        "!"
                                    </span>
                                    {m.text}
                                </p>
                            }
                        })
                }}
                {helper.map(|text| view! { <p id=helper_id.clone() class="field__helper">{text}</p> })}
            </div>
        </div>
    }
}
