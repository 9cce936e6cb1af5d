//! `vch inventory`: what the target holds, as the wizard's pickers and the rules see it.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use shared::inventory::InventorySnapshot;

use super::common_flags::CommonArgs;
use super::output::{emit, emit_line};
use super::target::{TargetArgs, runtime};

#[derive(Debug, Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// `json` is the snapshot the browser caches; `text` is for people.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: InventoryArgs) -> anyhow::Result<ExitCode> {
    // The snapshot is the whole target, as the wizard's pickers and the rules need it.
    args.common.refuse_compute_resource(
        "inventory",
        "it always reads the whole target; leave the flag out",
    )?;
    args.common.init_logging();
    crate::logging::init();
    let (snapshot, round_trips) = runtime()?.block_on(args.common.bounded(async {
        let client = args.target.connect().await?;
        let snapshot = client.inventory().await.context("reading the inventory")?;
        let round_trips = client.round_trips();
        let _ = client.logout().await;
        anyhow::Ok((snapshot, round_trips))
    }))?;
    tracing::debug!(round_trips, "inventory read");
    match args.format {
        Format::Json => emit_line(&serde_json::to_string_pretty(&snapshot)?)?,
        Format::Text => emit(&render_text(&snapshot))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn render_text(snapshot: &InventorySnapshot) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if let Some(target) = &snapshot.target {
        let _ = writeln!(out, "{} (API {})", target.full_name, target.api_version);
    }
    for dc in &snapshot.datacenters {
        let _ = writeln!(out, "\nDatacenter {}", dc.path);
        let _ = writeln!(out, "  Compute resources:");
        for cr in &dc.compute_resources {
            let drs = match cr.drs_enabled {
                Some(true) => ", DRS on",
                Some(false) => ", DRS off",
                None => "",
            };
            let _ = writeln!(out, "    {} ({} hosts{drs})", cr.path, cr.hosts.len());
            for pool in &cr.resource_pools {
                let _ = writeln!(out, "      pool {}", pool.path);
            }
        }
        let _ = writeln!(out, "  Networks:");
        for net in &dc.networks {
            let _ = writeln!(out, "    {} [{:?}]", net.name, net.kind);
        }
        let _ = writeln!(out, "  Datastores:");
        for ds in &dc.datastores {
            let _ = writeln!(
                out,
                "    {} ({} GiB free of {} GiB)",
                ds.name,
                ds.free_bytes / (1 << 30),
                ds.capacity_bytes / (1 << 30)
            );
        }
        if !dc.vchs.is_empty() {
            let _ = writeln!(out, "  Virtual Container Hosts:");
            for vch in &dc.vchs {
                let _ = writeln!(out, "    {}", vch.name);
            }
        }
    }
    out
}
