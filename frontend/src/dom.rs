//! Focus management the wizard needs for keyboard and screen-reader users.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Focuses the first element matching any of `selectors`, tried in order, once the pending
/// render has reached the DOM (signal updates render asynchronously).
pub fn focus_first_later(selectors: &'static [&'static str]) {
    request_animation_frame(move || {
        let element = selectors
            .iter()
            .find_map(|s| document().query_selector(s).ok().flatten());
        if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            // focus() only fails on detached elements; nothing useful to do then.
            let _ = element.focus();
        }
    });
}
