//! `vch upgrade`: moves a VCH to the appliance version of this installer's ISOs, or with
//! `--rollback` back to the snapshot the last upgrade (or configure) took. `--force` (which also
//! skips certificate checks, as vic-machine's does) upgrades to the same or an older version;
//! `--reset-progress` clears the lock an interrupted run left.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use tokio_util::sync::CancellationToken;

use super::inspect::SelectArgs;
use super::output::emit_line;
use super::target::{TargetArgs, runtime};
use super::version::IsoArgs;
use crate::deploy::rollback::{RollbackOptions, rollback};
use crate::deploy::upgrade::{UpgradeOptions, upgrade};
use crate::deploy::{Progress, ProgressEvent};

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub isos: IsoArgs,
    /// Return to the snapshot the last upgrade or configure took.
    #[arg(long)]
    pub rollback: bool,
    /// Clear the UpdateInProgress flag an interrupted upgrade or configure left, then go on.
    #[arg(long)]
    pub reset_progress: bool,
    /// How long to wait for the appliance after power-on (Go duration: 3m, 90s).
    #[arg(long, default_value = "3m")]
    pub timeout: String,
    /// Print progress events as JSON lines instead of step lines.
    #[arg(long)]
    pub json_events: bool,
}

/// `--timeout` as vic-machine takes it.
pub(crate) fn timeout(text: &str) -> anyhow::Result<Duration> {
    shared::quantity::parse_go_duration_ms(text)
        .map(Duration::from_millis)
        .with_context(|| format!("--timeout {text:?} is not a duration such as 3m or 90s"))
}

/// Prints the run's events on stderr (or JSON lines on stdout) while it runs.
pub(crate) fn print_progress(progress: &Progress, json: bool) -> tokio::task::JoinHandle<()> {
    let (history, mut rx) = progress.subscribe();
    tokio::spawn(async move {
        let show = |e: &ProgressEvent| {
            if json {
                if let Ok(line) = serde_json::to_string(e) {
                    println!("{line}");
                }
            } else {
                eprintln!("{:>3}% {}", e.percent, e.message);
            }
        };
        history.iter().for_each(show);
        while let Ok(event) = rx.recv().await {
            show(&event);
        }
    })
}

pub fn run(args: UpgradeArgs) -> anyhow::Result<ExitCode> {
    let selector = args.select.selector()?;
    let timeout = timeout(&args.timeout)?;
    let spec = args.target.spec()?;
    let isos = if args.rollback {
        None
    } else {
        Some(args.isos.paths()?)
    };
    runtime()?.block_on(async move {
        let client = crate::vsphere::Client::connect(&spec)
            .await
            .with_context(|| format!("connecting to {}", spec.url))?;
        let progress = Progress::new();
        let printer = print_progress(&progress, args.json_events);
        let cancel = CancellationToken::new();
        let lines = match isos {
            None => rollback(
                &client,
                &selector,
                &RollbackOptions {
                    timeout,
                    reset_progress: args.reset_progress,
                },
                &progress,
                &cancel,
            )
            .await
            .map(|done| {
                let mut lines: Vec<String> =
                    done.warnings.iter().map(|w| format!("warning: {w}")).collect();
                lines.push(format!(
                    "VCH {} ({}) rolled back from {} to {} (snapshot {:?} removed)",
                    done.name, done.id, done.from_version, done.to_version, done.snapshot
                ));
                lines
            }),
            Some((appliance_iso, bootstrap_iso)) => upgrade(
                &client,
                &selector,
                &UpgradeOptions {
                    target: spec.clone(),
                    appliance_iso,
                    bootstrap_iso,
                    timeout,
                    force: args.target.force,
                    reset_progress: args.reset_progress,
                },
                &progress,
                &cancel,
            )
            .await
            .map(|done| {
                let mut lines: Vec<String> =
                    done.warnings.iter().map(|w| format!("warning: {w}")).collect();
                lines.push(format!(
                    "VCH {} ({}) upgraded from {} to {}; `vch upgrade --rollback --id {}` returns to {} while snapshot {:?} exists",
                    done.name,
                    done.id,
                    done.from_version,
                    done.to_version,
                    done.id,
                    done.from_version,
                    done.snapshot
                ));
                lines
            }),
        };
        drop(progress);
        let _ = printer.await;
        let _ = client.logout().await;
        match lines {
            Ok(lines) => {
                for line in lines {
                    emit_line(&line)?;
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(1))
            }
        }
    })
}
