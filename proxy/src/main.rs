//! `vch`: serves the wizard, talks to vCenter/ESXi, and mirrors the `vic-machine` commands.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // reqwest is built without a default crypto provider (ring instead of aws-lc-rs); every
    // client built without our own TLS config uses this one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = proxy::cli::Cli::parse();
    match proxy::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
