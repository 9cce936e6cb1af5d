//! `vch version`: this program's version and the appliance version it deploys, read from the
//! appliance ISO's publisher field as `create` reads it. Also the ISO flags `ls`, `inspect` and
//! `upgrade` share.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use shared::extraconfig::Build;

use super::output::emit_line;
use super::target::runtime;
use crate::deploy::iso::{self, IsoImage};

/// `--appliance-iso` / `--bootstrap-iso`, as `vch create` and `vch serve` take them.
#[derive(Debug, Clone, Args)]
pub struct IsoArgs {
    /// The VIC appliance ISO whose version is this installer's (default: `appliance.iso` in the
    /// working directory or beside `vch`).
    #[arg(long, visible_alias = "ai", value_name = "FILE")]
    pub appliance_iso: Option<PathBuf>,
    /// The VIC bootstrap ISO (default: `bootstrap.iso`, found as for --appliance-iso).
    #[arg(long, visible_alias = "bi", value_name = "FILE")]
    pub bootstrap_iso: Option<PathBuf>,
}

/// The given path, else `name` in the working directory, else beside the executable (where
/// `vch serve` and vic-machine look).
fn locate(given: &Option<PathBuf>, name: &str) -> Option<PathBuf> {
    if let Some(path) = given {
        return Some(path.clone());
    }
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(name)));
    [Some(PathBuf::from(name)), beside_exe]
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
}

impl IsoArgs {
    /// Both ISO paths; an error that says which flag to give when one cannot be found.
    pub fn paths(&self) -> anyhow::Result<(PathBuf, PathBuf)> {
        let appliance = locate(&self.appliance_iso, "appliance.iso").ok_or_else(|| {
            anyhow::anyhow!(
                "no appliance ISO: give --appliance-iso, or put appliance.iso in the working directory or beside vch"
            )
        })?;
        let bootstrap = locate(&self.bootstrap_iso, "bootstrap.iso").ok_or_else(|| {
            anyhow::anyhow!(
                "no bootstrap ISO: give --bootstrap-iso, or put bootstrap.iso in the working directory or beside vch"
            )
        })?;
        Ok((appliance, bootstrap))
    }

    /// The installer's appliance ISO and its build, when one is given or found; an unreadable
    /// ISO that was asked for by flag is an error.
    pub async fn installer(&self) -> anyhow::Result<Option<(IsoImage, Build)>> {
        let Some(path) = locate(&self.appliance_iso, "appliance.iso") else {
            return Ok(None);
        };
        let image = read(&path).await?;
        let build = image.build();
        Ok(Some((image, build)))
    }
}

async fn read(path: &Path) -> anyhow::Result<IsoImage> {
    Ok(iso::read_iso(path).await?)
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    #[command(flatten)]
    pub isos: IsoArgs,
    /// JSON instead of text.
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
}

#[derive(Serialize)]
struct VersionReport {
    vch: &'static str,
    appliance_version: Option<String>,
    appliance_iso: Option<String>,
    /// Whether this installer writes configurations for that appliance version.
    supported: Option<bool>,
}

pub fn run(args: VersionArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async move {
        let installer = args.isos.installer().await?;
        let report = VersionReport {
            vch: env!("CARGO_PKG_VERSION"),
            appliance_version: installer.as_ref().map(|(_, b)| b.short_version()),
            appliance_iso: installer
                .as_ref()
                .map(|(i, _)| i.path.display().to_string()),
            supported: installer.as_ref().map(|(i, _)| i.is_supported()),
        };
        if args.format == "json" {
            emit_line(&serde_json::to_string_pretty(&report)?)?;
            return Ok(ExitCode::SUCCESS);
        }
        emit_line(&format!("vch {}", report.vch))?;
        match (&report.appliance_version, &report.appliance_iso) {
            (Some(v), Some(path)) => emit_line(&format!("appliance {v} (from {path})"))?,
            _ => emit_line(
                "appliance: no appliance.iso found (give --appliance-iso to see the version it deploys)",
            )?,
        }
        Ok(ExitCode::SUCCESS)
    })
}
