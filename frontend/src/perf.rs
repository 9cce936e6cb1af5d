//! A measurement hook for the end-to-end tests: `window.vchPerf.validate(json, n, snapshot)` times
//! full validations of a configuration with the exact code the wizard runs, against the inventory
//! snapshot's JSON when one is given (read once, outside the timing, as the wizard reads it once
//! per download), and returns the median time of one, in milliseconds. It does nothing until
//! called.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::JsValue;

const BATCHES: usize = 15;

pub fn install() {
    let measure = Closure::<dyn Fn(String, u32, Option<String>) -> f64>::new(
        |json: String, n: u32, snapshot: Option<String>| {
            let Ok(config) = serde_json::from_str::<shared::VchConfig>(&json) else {
                return f64::NAN;
            };
            let snapshot = match snapshot
                .as_deref()
                .map(serde_json::from_str::<shared::inventory::InventorySnapshot>)
            {
                None => None,
                Some(Ok(snapshot)) => Some(snapshot),
                Some(Err(_)) => return f64::NAN,
            };
            // The first run builds the snapshot's lookups, as the wizard's first validation does.
            std::hint::black_box(shared::validate(&config, snapshot.as_ref()));
            let Some(clock) = web_sys::window().and_then(|w| w.performance()) else {
                return f64::NAN;
            };
            // The browser coarsens the clock (to 0.1 ms without cross-origin isolation), so each sample
            // is the mean over a batch of `n` runs; the median of the batches drops GC pauses.
            let runs = n.max(1);
            let mut times: Vec<f64> = (0..BATCHES)
                .map(|_| {
                    let start = clock.now();
                    for _ in 0..runs {
                        std::hint::black_box(shared::validate(&config, snapshot.as_ref()));
                    }
                    (clock.now() - start) / f64::from(runs)
                })
                .collect();
            times.sort_by(f64::total_cmp);
            times[times.len() / 2]
        },
    );
    let hook = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &hook,
        &JsValue::from_str("validate"),
        measure.as_ref().unchecked_ref(),
    );
    measure.forget();
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &JsValue::from_str("vchPerf"), &hook);
    }
}
