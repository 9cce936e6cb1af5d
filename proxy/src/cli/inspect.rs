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
    /// For `inspect config`: `verbose` (one option per line, as vic-machine prints it) or `raw`
    /// (the whole command on one line).
    #[arg(long, value_parser = ["raw", "verbose"], default_value = "verbose")]
    pub format: String,
    #[command(flatten)]
    pub isos: super::version::IsoArgs,
}

/// `inspect config --format raw`: the generated command (one option per line, continued with
/// a backslash) on a single line.
fn raw(text: &str) -> String {
    text.lines()
        .map(|l| l.trim().trim_end_matches('\\').trim_end())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn run(args: InspectArgs) -> anyhow::Result<ExitCode> {
    args.common.init_logging();
    let selector = args.select.selector()?;
    let common = args.common.clone();
    runtime()?.block_on(common.bounded(async move {
        let installer = args.isos.installer().await?;
        let client = args.target.connect().await?;
        let selector = match &args.common.compute_resource {
            Some(_) => {
                let list = vch::list(&client).await?;
                args.common.narrow(selector, &list)?
            }
            None => selector,
        };
        let lifecycle = if args.what.is_none() {
            crate::deploy::status::list(&client, installer.as_ref().map(|(_, b)| b))
                .await
                .ok()
        } else {
            None
        };
        let result = if args.what.is_some() {
            vch::inspect_config(&client, &selector)
                .await
                .map(|(config, line)| {
                    if args.json {
                        serde_json::to_string_pretty(&config).unwrap_or_default()
                    } else if args.format == "raw" {
                        raw(&line)
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
                let row = lifecycle
                    .iter()
                    .flatten()
                    .find(|r| r.summary.id == d.summary.id);
                out.push(format!(
                    "Installer version: {}",
                    installer.as_ref().map_or_else(
                        || "unknown (no appliance.iso; give --appliance-iso)".to_owned(),
                        |(_, b)| b.short_version()
                    )
                ));
                out.push(format!("VCH version: {}", d.summary.version));
                if let Some(status) = row.and_then(|r| r.upgrade_status.as_ref()) {
                    out.push(format!("Upgrade status: {status}"));
                }
                if let Some(ip) = d.public_ip {
                    out.push(format!("Published ports can be reached at: {ip}"));
                }
                if let Some(ip) = d.management_ip {
                    out.push(format!("Management traffic (vSphere) leaves from: {ip}"));
                }
                if let Some(host) = &d.docker_host {
                    out.push("Docker environment:".into());
                    out.push(format!("  DOCKER_HOST={host}"));
                    if d.tls_verify {
                        out.push("  DOCKER_TLS_VERIFY=1".into());
                        out.push(format!("  DOCKER_CERT_PATH=./{}", d.summary.name));
                    }
                    if d.tls {
                        out.push("  COMPOSE_TLS_VERSION=TLSv1_2".into());
                    }
                    out.push(format!(
                        "Connect: docker -H {host}{} info",
                        if d.tls_verify {
                            " --tlsverify"
                        } else if d.tls {
                            " --tls"
                        } else {
                            ""
                        }
                    ));
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
                for cert in &d.certificates {
                    out.push(format!(
                        "Certificate ({}) {} expires {}",
                        cert.role, cert.subject, cert.not_after
                    ));
                }
                out.join("\n")
            })
        };
        let _ = client.logout().await;
        emit_line(&result?)?;
        Ok(ExitCode::SUCCESS)
    }))
}
