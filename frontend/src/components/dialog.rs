//! A modal dialog: it takes focus when it opens (its `data-autofocus` control, else its first
//! button), keeps Tab inside, closes on Escape, and gives focus back to what had it.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::dom::focus_first_later;

fn focusable(dialog: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = dialog.query_selector_all(
        "button:not([disabled]), a[href], input:not([disabled]), textarea, select, [tabindex='0']",
    ) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

#[component]
pub fn Dialog(
    /// Element id of the dialog; its title is `<id>-title`.
    id: &'static str,
    #[prop(into)] title: String,
    #[prop(into)] on_close: Callback<()>,
    #[prop(optional)] danger: bool,
    children: Children,
) -> impl IntoView {
    let opener = document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    let opener = StoredValue::new_local(opener);
    on_cleanup(move || {
        opener.with_value(|e| e.as_ref().map(|e| e.focus()));
    });
    // One dialog is open at a time.
    focus_first_later(&[".dialog [data-autofocus]", ".dialog button"]);
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            let _ = on_close.try_run(());
        }
        "Tab" => {
            let Some(dialog) = document().get_element_by_id(id) else {
                return;
            };
            let items = focusable(&dialog);
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                return;
            };
            let active = document().active_element();
            let at = |e: &web_sys::HtmlElement| active.as_ref() == Some(e.unchecked_ref());
            if ev.shift_key() && at(first) {
                ev.prevent_default();
                let _ = last.focus();
            } else if !ev.shift_key() && at(last) {
                ev.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    };
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <div class="dialog-backdrop">
            <div
                id=id
                class="dialog"
                class:dialog--danger=danger
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                on:keydown=on_keydown
            >
                <h2 id=title_id class="dialog__title">{title}</h2>
                {children()}
            </div>
        </div>
    }
}
