//! `vch validate`: static (and, with a target, inventory-aware) validation of a VCH configuration.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
#[command(trailing_var_arg = true)]
pub struct ValidateArgs {
    /// Read the configuration from a JSON file (`-` for stdin).
    #[arg(long, value_name = "FILE", conflicts_with = "from_vic_machine")]
    pub config: Option<String>,
    /// Read a `vic-machine create` command line from a file (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub from_vic_machine: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The same flags as `vic-machine create`.
    #[arg(allow_hyphen_values = true, value_name = "VIC_MACHINE_FLAGS")]
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(_args: ValidateArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vch validate` is not wired to the shared validator yet")
}
