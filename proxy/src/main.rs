//! `vch`: serves the wizard, talks to vCenter/ESXi, and mirrors the `vic-machine` commands.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = proxy::cli::Cli::parse();
    match proxy::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
