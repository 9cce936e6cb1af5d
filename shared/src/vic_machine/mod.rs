//! `vic-machine create` interop: read a command line into a [`crate::config::VchConfig`] and write
//! one back for Linux, macOS or Windows.

mod generate;
mod options;
mod parse;
mod target_url;
mod words;

pub use generate::{generate, server_as_typed};
pub use options::{Kind, OPTIONS, Opt, OptSpec};
pub use parse::{Parsed, parse_args, parse_command_line};
pub use target_url::{TargetParts, split_target};

use serde::{Deserialize, Serialize};

use crate::finding::Report;
use crate::inventory::InventorySnapshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    Linux,
    Darwin,
    Windows,
}

impl Os {
    /// How the program is invoked in each platform's documentation.
    pub fn program(self) -> &'static str {
        match self {
            Os::Linux => "./vic-machine-linux",
            Os::Darwin => "./vic-machine-darwin",
            Os::Windows => "vic-machine-windows",
        }
    }
}

/// Input that cannot be turned into a configuration at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown option --{option}{}", suggestion.as_ref().map(|s| format!("; did you mean --{s}?")).unwrap_or_default())]
    UnknownOption {
        option: String,
        suggestion: Option<String>,
    },
    #[error("option --{option} needs a value")]
    MissingValue { option: String },
    #[error("option --{option} is a switch; \"{value}\" is not true or false")]
    BadFlagValue { option: String, value: String },
    #[error("only `vic-machine create` command lines are understood, not `{command}`")]
    NotCreate { command: String },
    #[error("the command line is {bytes} bytes long; at most {limit} bytes are read")]
    TooLong { bytes: usize, limit: usize },
}

impl ParseError {
    /// The option concerned, without dashes.
    pub fn option(&self) -> Option<&str> {
        match self {
            ParseError::UnknownOption { option, .. }
            | ParseError::MissingValue { option }
            | ParseError::BadFlagValue { option, .. } => Some(option),
            ParseError::NotCreate { .. } | ParseError::TooLong { .. } => None,
        }
    }
}

/// Parses `argv` and validates the result; command-line findings come first in the report.
pub fn validate_args<I, S>(
    argv: I,
    inventory: Option<&InventorySnapshot>,
) -> Result<Report, ParseError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let parsed = parse_args(argv)?;
    Ok(report_for(parsed, inventory))
}

/// Like [`validate_args`] for one pasted command-line string.
pub fn validate_command_line(
    line: &str,
    inventory: Option<&InventorySnapshot>,
) -> Result<Report, ParseError> {
    let parsed = parse_command_line(line)?;
    Ok(report_for(parsed, inventory))
}

fn report_for(parsed: Parsed, inventory: Option<&InventorySnapshot>) -> Report {
    let mut report = crate::validate::validate(&parsed.config, inventory);
    report.prepend(parsed.findings);
    report
}
