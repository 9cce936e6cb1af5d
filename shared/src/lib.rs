//! The VCH configuration model and every validation rule. Pure Rust: no I/O, no clock, no threads,
//! so the browser (WASM), the proxy and the CLI run exactly the same code.

pub mod inventory;
