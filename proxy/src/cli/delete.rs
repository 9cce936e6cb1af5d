//! `vch delete`: removes a VCH (container VMs, the appliance, its folder and pool; volume stores
//! only with --force), also one that a failed or killed create left incomplete.

use std::process::ExitCode;

use clap::Args;

use super::common_flags::CommonArgs;
use super::inspect::SelectArgs;
use super::output::emit_line;
use super::target::{TargetArgs, runtime};
use crate::deploy::{Progress, delete};

#[derive(Debug, Args)]
#[command(mut_arg("force", |a| a.help(
    "Power off running container VMs and delete the volume stores (their volumes) too; also skips \
     certificate verification of the target when no --thumbprint is given (dangerous)"
)))]
pub struct DeleteArgs {
    /// `--force` (from the target flags, as in vic-machine) also powers off running containers
    /// and removes the volume stores; with `--name` and no VCH of that name, it removes the empty,
    /// unmarked pool and folder of that name a killed create can leave (docs/crash-safety.md).
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: DeleteArgs) -> anyhow::Result<ExitCode> {
    args.common.init_logging();
    let selector = args.select.selector()?;
    let common = args.common.clone();
    runtime()?.block_on(common.bounded(async move {
        let client = args.target.connect().await?;
        let selector = match &args.common.compute_resource {
            Some(_) => {
                let list = crate::deploy::vch::list(&client).await?;
                args.common.narrow(selector, &list)?
            }
            None => selector,
        };
        let result = delete::delete(&client, &selector, args.target.force, &Progress::new()).await;
        let _ = client.logout().await;
        match result {
            Ok(report) => {
                for object in &report.removed {
                    emit_line(&format!("removed {object}"))?;
                }
                for warning in &report.warnings {
                    eprintln!("warning: {warning}");
                }
                emit_line(&format!("VCH {} ({}) deleted", report.name, report.id))?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(1))
            }
        }
    }))
}
