//! `vch ls`: every VCH on the target, incomplete ones included.

use std::process::ExitCode;

use clap::Args;

use super::common_flags::CommonArgs;
use super::output::emit_line;
use super::target::{TargetArgs, runtime};

#[derive(Debug, Args)]
pub struct LsArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: LsArgs) -> anyhow::Result<ExitCode> {
    args.common.init_logging();
    let common = args.common.clone();
    runtime()?.block_on(common.bounded(async move {
        let client = args.target.connect().await?;
        let list = crate::deploy::vch::list(&client).await;
        let _ = client.logout().await;
        let mut list = list?;
        list.retain(|v| args.common.includes(v));
        if args.json {
            return emit_line(&serde_json::to_string_pretty(&list)?).map(|()| ExitCode::SUCCESS);
        }
        let rows: Vec<[String; 5]> = list
            .iter()
            .map(|v| {
                [
                    v.id.clone(),
                    v.path.clone(),
                    v.name.clone(),
                    v.version.clone(),
                    v.status.clone(),
                ]
            })
            .collect();
        let header = ["ID", "PATH", "NAME", "VERSION", "STATUS"].map(str::to_owned);
        let mut widths = header.clone().map(|h| h.len());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.len());
            }
        }
        for row in std::iter::once(&header).chain(&rows) {
            let line: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect();
            emit_line(line.join("    ").trim_end())?;
        }
        Ok(ExitCode::SUCCESS)
    }))
}
