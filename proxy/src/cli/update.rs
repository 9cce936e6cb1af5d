//! `vch update firewall --allow|--deny`: open or close the VCH port (2377/tcp outbound) on every
//! host of a compute resource, as `vic-machine update firewall` does.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::common_flags::RunArgs;
use super::output::emit_line;
use super::target::{TargetArgs, runtime};
use crate::vsphere::firewall::FirewallAction;

#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(subcommand)]
    pub what: UpdateWhat,
}

#[derive(Debug, Subcommand)]
pub enum UpdateWhat {
    /// Enable or disable the VCH firewall ruleset on the hosts of a compute resource.
    Firewall(FirewallArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["allow", "deny"])))]
pub struct FirewallArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Cluster or host whose hosts to change: `/DC0/host/cluster1`, or `cluster1` with the
    /// datacenter in --target.
    #[arg(short = 'r', long, value_name = "PATH")]
    pub compute_resource: String,
    /// Allow outbound 2377/tcp (enables the `vic-engine` ruleset, or `vSPC` where that is missing).
    #[arg(long)]
    pub allow: bool,
    /// Disable that ruleset again.
    #[arg(long)]
    pub deny: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(args: UpdateArgs) -> anyhow::Result<ExitCode> {
    let UpdateWhat::Firewall(args) = args.what;
    args.run.init_logging();
    crate::logging::init();
    let action = if args.allow {
        FirewallAction::Allow
    } else {
        FirewallAction::Deny
    };
    let path = compute_path(&args.target, &args.compute_resource);
    let changes = runtime()?.block_on(args.run.bounded(async {
        let client = args.target.connect().await?;
        let changes = client.update_firewall(&path, action).await;
        let _ = client.logout().await;
        anyhow::Ok(changes?)
    }))?;
    let verb = match action {
        FirewallAction::Allow => "allows",
        FirewallAction::Deny => "no longer allows",
    };
    let mut failed = 0;
    for change in &changes {
        match (&change.ruleset, &change.error) {
            (Some(ruleset), None) => emit_line(&format!(
                "{}: firewall {verb} outbound 2377/tcp (ruleset {ruleset})",
                change.host
            ))?,
            (_, Some(error)) => {
                failed += 1;
                emit_line(&format!("{}: FAILED: {error}", change.host))?;
            }
            (None, None) => emit_line(&format!("{}: nothing to change", change.host))?,
        }
    }
    if matches!(action, FirewallAction::Deny) {
        emit_line(
            "Note: container VMs on these hosts cannot connect to their VCH over 2377/tcp until it is allowed again.",
        )?;
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A bare cluster or host name is looked up under the datacenter named in --target, the way
/// vic-machine resolves `--compute-resource cluster1`.
fn compute_path(target: &TargetArgs, compute: &str) -> String {
    if compute.starts_with('/') || compute.contains("/host/") {
        return compute.to_owned();
    }
    let datacenter = target.target.as_deref().and_then(datacenter_of);
    match datacenter {
        Some(dc) => format!("/{dc}/host/{compute}"),
        None => compute.to_owned(),
    }
}

fn datacenter_of(target: &str) -> Option<String> {
    let without_scheme = target.split_once("://").map_or(target, |(_, rest)| rest);
    let host_and_path = without_scheme
        .rsplit_once('@')
        .map_or(without_scheme, |(_, rest)| rest);
    let (_, path) = host_and_path.split_once('/')?;
    let path = path.trim_matches('/');
    (!path.is_empty() && path != "sdk").then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::datacenter_of;

    #[test]
    fn datacenter_comes_from_the_target_path() {
        assert_eq!(datacenter_of("vc/DC0").as_deref(), Some("DC0"));
        assert_eq!(
            datacenter_of("https://u:p@vc:443/Datacenter-South").as_deref(),
            Some("Datacenter-South")
        );
        assert_eq!(datacenter_of("vc.example.com"), None);
        assert_eq!(datacenter_of("http://127.0.0.1:1234/sdk"), None);
    }
}
