//! `vch convert`: a `vic-machine create` command line to JSON and back.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use shared::VchConfig;
use shared::vic_machine::{self, generate, parse_command_line};

use super::validate::read_input;

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

/// Command line → JSON (parse findings go to stderr), or JSON → command line. Passwords never
/// appear in either output.
pub fn run(args: ConvertArgs) -> anyhow::Result<ExitCode> {
    let text = read_input(&args.input)?;
    if args.to_command_line {
        let config: VchConfig = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a VCH configuration (docs/config-schema.md)",
                args.input
            )
        })?;
        println!("{}", generate(&config, args.os.into()));
    } else {
        let parsed = parse_command_line(&text)?;
        for f in &parsed.findings {
            eprintln!("{f}");
        }
        println!("{}", serde_json::to_string_pretty(&parsed.config)?);
    }
    Ok(ExitCode::SUCCESS)
}

impl From<Os> for vic_machine::Os {
    fn from(os: Os) -> Self {
        match os {
            Os::Linux => vic_machine::Os::Linux,
            Os::Darwin => vic_machine::Os::Darwin,
            Os::Windows => vic_machine::Os::Windows,
        }
    }
}
