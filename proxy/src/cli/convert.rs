//! `vch convert`: a `vic-machine create` command line to JSON and back.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input file (`-` for stdin): a command line, or JSON with `--to-command-line`.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub input: String,
    /// Produce a command line from JSON instead of JSON from a command line.
    #[arg(long)]
    pub to_command_line: bool,
    /// The operating system whose shell quoting the generated command line uses.
    #[arg(long, value_enum, default_value_t = Os::Linux)]
    pub os: Os,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Os {
    Linux,
    Darwin,
    Windows,
}

pub fn run(_args: ConvertArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vch convert` is not wired to the shared command-line converter yet")
}
