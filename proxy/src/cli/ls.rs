//! `vch ls`: every VCH on the target with vic-machine's columns (ID, PATH, NAME, VERSION,
//! UPGRADE STATUS against this installer's ISO), plus the state (running, powered off,
//! incomplete).

use std::process::ExitCode;

use clap::Args;

use super::common_flags::CommonArgs;
use super::output::emit_line;
use super::target::{TargetArgs, runtime};
use super::version::IsoArgs;

#[derive(Debug, Args)]
pub struct LsArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub isos: IsoArgs,
    /// `table` (vic-machine's columns) or `json`.
    #[arg(long, value_parser = ["table", "json"], default_value = "table")]
    pub format: String,
    /// Same as --format json.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Left-aligned columns four spaces apart, as vic-machine prints them.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    std::iter::once(&header)
        .chain(rows)
        .map(|row| {
            row.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("    ")
                .trim_end()
                .to_owned()
        })
        .collect()
}

pub fn run(args: LsArgs) -> anyhow::Result<ExitCode> {
    args.common.init_logging();
    let common = args.common.clone();
    runtime()?.block_on(common.bounded(async move {
        let installer = args.isos.installer().await?;
        let client = args.target.connect().await?;
        let list = crate::deploy::status::list(&client, installer.as_ref().map(|(_, b)| b)).await;
        let _ = client.logout().await;
        let mut list = list?;
        list.retain(|v| args.common.includes(&v.summary));
        if args.json || args.format == "json" {
            return emit_line(&serde_json::to_string_pretty(&list)?).map(|()| ExitCode::SUCCESS);
        }
        if installer.is_none() {
            eprintln!(
                "note: no appliance.iso found, so UPGRADE STATUS is empty (give --appliance-iso)"
            );
        }
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|v| {
                vec![
                    v.summary.id.clone(),
                    v.summary.path.clone(),
                    v.summary.name.clone(),
                    v.summary.version.clone(),
                    v.upgrade_status.clone().unwrap_or_default(),
                    v.summary.status.clone(),
                ]
            })
            .collect();
        for line in table(
            &["ID", "PATH", "NAME", "VERSION", "UPGRADE STATUS", "STATE"],
            &rows,
        ) {
            emit_line(&line)?;
        }
        Ok(ExitCode::SUCCESS)
    }))
}
