//! `vch validate`: static (and, with a target, inventory-aware) validation of a VCH configuration.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use shared::config::VchConfig;
use shared::vic_machine::{parse_args, parse_command_line};
use shared::{Report, Severity};

use super::{pem_files, target_inventory};

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
    /// Static rules only: do not connect to the target for the inventory-aware rules.
    #[arg(long)]
    pub offline: bool,
    /// The same flags as `vic-machine create`.
    #[arg(allow_hyphen_values = true, value_name = "VIC_MACHINE_FLAGS")]
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Exit 0 when valid (warnings allowed), 1 with an error finding; an `Err` (exit 2) when the
/// input cannot be used at all.
pub fn run(mut args: ValidateArgs) -> anyhow::Result<ExitCode> {
    take_format_from_flags(&mut args)?;
    if !args.flags.is_empty() && (args.config.is_some() || args.from_vic_machine.is_some()) {
        bail!("give either vic-machine flags, --config or --from-vic-machine, not several");
    }
    let (mut config, mut early) = if let Some(path) = &args.config {
        let text = read_input(path)?;
        let config: VchConfig = serde_json::from_str(&text).with_context(|| {
            format!("{path} is not a VCH configuration (docs/config-schema.md)")
        })?;
        (config, Vec::new())
    } else if let Some(path) = &args.from_vic_machine {
        let text = read_input(path)?;
        let parsed = parse_command_line(&text)?;
        (parsed.config, parsed.findings)
    } else {
        let parsed = parse_args(&args.flags)?;
        (parsed.config, parsed.findings)
    };
    early.extend(pem_files::load(&mut config));
    let (snapshot, connection) = if args.offline {
        (None, Vec::new())
    } else {
        target_inventory::read(&config)
    };
    let mut report = shared::validate(&config, snapshot.as_ref());
    early.extend(connection);
    report.prepend(early);
    match args.format {
        Format::Json => println!("{}", report.to_json()),
        Format::Text => print_text(&report),
    }
    Ok(if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Clap hands every word after the first vic-machine flag to `flags`, so `--format` and
/// `--offline` given after them land there too; vic-machine has neither, so they are ours wherever
/// they appear.
fn take_format_from_flags(args: &mut ValidateArgs) -> anyhow::Result<()> {
    let mut i = 0;
    while i < args.flags.len() {
        let word = &args.flags[i];
        if word == "--offline" {
            args.offline = true;
            args.flags.remove(i);
            continue;
        }
        let (value, used) = if let Some(v) = word.strip_prefix("--format=") {
            (v.to_owned(), 1)
        } else if word == "--format" {
            let v = args
                .flags
                .get(i + 1)
                .context("--format needs text or json")?;
            (v.clone(), 2)
        } else {
            i += 1;
            continue;
        };
        args.format = match value.as_str() {
            "text" => Format::Text,
            "json" => Format::Json,
            other => bail!("--format takes text or json, not {other:?}"),
        };
        args.flags.drain(i..i + used);
    }
    Ok(())
}

/// `-` is stdin.
pub(crate) fn read_input(path: &str) -> anyhow::Result<String> {
    if path == "-" {
        std::io::read_to_string(std::io::stdin()).context("cannot read standard input")
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))
    }
}

fn print_text(report: &Report) {
    for f in &report.findings {
        println!("{f}");
        if !f.path.is_empty() {
            println!("    at {}", f.path);
        }
    }
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    println!(
        "{}: {} error(s), {} warning(s), {} note(s)",
        if report.is_valid() {
            "valid"
        } else {
            "invalid"
        },
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(flags: &[&str]) -> ValidateArgs {
        ValidateArgs {
            config: None,
            from_vic_machine: None,
            format: Format::Text,
            offline: false,
            flags: flags.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn offline_is_taken_from_anywhere_in_the_flags() {
        let mut a = args(&["--name", "x", "--offline", "--target", "vc"]);
        take_format_from_flags(&mut a).unwrap();
        assert!(a.offline);
        assert_eq!(a.flags, ["--name", "x", "--target", "vc"]);
    }

    #[test]
    fn format_is_taken_from_anywhere_in_the_flags() {
        let mut a = args(&["--target", "vc", "--format", "json", "--name", "x"]);
        take_format_from_flags(&mut a).unwrap();
        assert_eq!(a.format, Format::Json);
        assert_eq!(a.flags, ["--target", "vc", "--name", "x"]);
        let mut a = args(&["--format=yaml"]);
        assert!(take_format_from_flags(&mut a).is_err());
    }
}
