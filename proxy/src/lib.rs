//! The `vch` proxy: the HTTP server that serves the wizard and the JSON API, the CLI, and the only
//! code that does I/O against vSphere.

pub mod cli;
pub mod deploy;
pub mod http;
mod logging;
pub mod simulator;
pub mod vsphere;
