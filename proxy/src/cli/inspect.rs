//! `vch inspect [config]`: a VCH's endpoints, networks and addresses, or the equivalent
//! `vic-machine create` command line.

use std::process::ExitCode;

use clap::Args;

use super::common_flags::CommonArgs;
use super::output::emit_line;
use super::target::{TargetArgs, runtime};
use crate::deploy::vch::{self, Selector};

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// The appliance VM's id, as `vch ls` shows it (`vm-75`).
    #[arg(long, conflicts_with = "name")]
    pub id: Option<String>,
    /// The VCH name.
    #[arg(long, short = 'n')]
    pub name: Option<String>,
}

impl SelectArgs {
    pub fn selector(&self) -> anyhow::Result<Selector> {
        match (&self.id, &self.name) {
            (Some(id), _) => Ok(Selector::Id(id.clone())),
            (None, Some(name)) => Ok(Selector::Name(name.clone())),
            (None, None) => anyhow::bail!("name the VCH with --id (see `vch ls`) or --name"),
        }
    }
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// `config`: print the equivalent `vic-machine create` command line.
    #[arg(value_parser = ["config"])]
    pub what: Option<String>,
    /// JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: InspectArgs) -> anyhow::Result<ExitCode> {
    args.common.init_logging();
    let selector = args.select.selector()?;
    let common = args.common.clone();
    runtime()?.block_on(common.bounded(async move {
        let client = args.target.connect().await?;
        let selector = match &args.common.compute_resource {
            Some(_) => {
                let list = vch::list(&client).await?;
                args.common.narrow(selector, &list)?
            }
            None => selector,
        };
        let result = if args.what.is_some() {
            vch::inspect_config(&client, &selector)
                .await
                .map(|(config, line)| {
                    if args.json {
                        serde_json::to_string_pretty(&config).unwrap_or_default()
                    } else {
                        line
                    }
                })
        } else {
            vch::inspect(&client, &selector).await.map(|d| {
                if args.json {
                    return serde_json::to_string_pretty(&d).unwrap_or_default();
                }
                let mut out = vec![
                    format!(
                        "VCH {} ({}), version {}, {}",
                        d.summary.name, d.summary.id, d.summary.version, d.summary.status
                    ),
                    format!(
                        "Resource pool: {}",
                        d.summary.resource_pool.clone().unwrap_or_default()
                    ),
                ];
                if let Some(host) = &d.docker_host {
                    out.push(format!(
                        "DOCKER_HOST={host} (TLS {}, client verification {})",
                        if d.tls { "on" } else { "off" },
                        if d.tls_verify { "on" } else { "off" }
                    ));
                }
                if let Some(portal) = &d.admin_portal {
                    out.push(format!("Admin portal: {portal}"));
                }
                out.push("Interfaces:".into());
                for e in &d.endpoints {
                    out.push(format!(
                        "  {:<11} {:<20} slot {:<5} static {:<18} assigned {}",
                        e.role,
                        e.port_group,
                        e.pci_slot.map(|s| s.to_string()).unwrap_or_default(),
                        e.static_ip.clone().unwrap_or_else(|| "-".into()),
                        e.assigned_ip
                            .map(|ip| ip.to_string())
                            .unwrap_or_else(|| "-".into()),
                    ));
                }
                for (alias, pg) in &d.container_networks {
                    out.push(format!("Container network {alias}: {pg}"));
                }
                for (label, location) in &d.volume_stores {
                    out.push(format!("Volume store {label}: {location}"));
                }
                out.join("\n")
            })
        };
        let _ = client.logout().await;
        emit_line(&result?)?;
        Ok(ExitCode::SUCCESS)
    }))
}
