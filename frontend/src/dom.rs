//! Focus management the wizard needs for keyboard and screen-reader users.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Focuses the first element matching any of `selectors`, tried in order, once the pending
/// render has reached the DOM. Signal updates render asynchronously, sometimes a frame later
/// than asked, so a few frames are tried before giving up.
pub fn focus_first_later(selectors: &'static [&'static str]) {
    focus_when_present(selectors, FRAMES_TO_TRY);
}

const FRAMES_TO_TRY: u8 = 6;

fn focus_when_present(selectors: &'static [&'static str], frames_left: u8) {
    request_animation_frame(move || {
        let element = selectors
            .iter()
            .find_map(|s| document().query_selector(s).ok().flatten());
        match element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            // focus() only fails on detached elements; nothing useful to do then.
            Some(element) => {
                let _ = element.focus();
            }
            None if frames_left > 1 => focus_when_present(selectors, frames_left - 1),
            None => {}
        }
    });
}

/// Runs `then` once a JS promise settles, without pulling in an executor bridge for the two
/// promises the app awaits (clipboard, file text).
pub fn when_settled(
    promise: js_sys::Promise,
    then: impl FnOnce(Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>) + 'static,
) {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;

    let then = Rc::new(RefCell::new(Some(then)));
    let on_ok = {
        let then = Rc::clone(&then);
        Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |v| {
            if let Some(f) = then.borrow_mut().take() {
                f(Ok(v));
            }
        })
    };
    let on_err = Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |e| {
        if let Some(f) = then.borrow_mut().take() {
            f(Err(e));
        }
    });
    let _ = promise.then2(&on_ok, &on_err);
    // Each runs at most once; the pair is small and lives as long as the page.
    on_ok.forget();
    on_err.forget();
}

/// Focuses the element with this id once the pending render has reached the DOM.
pub fn focus_id_later(id: String) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}
