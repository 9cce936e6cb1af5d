//! `vch debug`: enables SSH and/or sets root's password inside a VCH appliance through VMware
//! Tools, as `vic-machine debug` does, and prints how to log in. The changes last until the
//! appliance reboots.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use secrecy::SecretString;

use super::inspect::SelectArgs;
use super::output::emit_line;
use super::target::{TargetArgs, runtime};
use crate::deploy::Progress;
use crate::deploy::debug::{DebugOptions, debug};

#[derive(Debug, Args)]
pub struct DebugArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Start the SSH server in the appliance.
    #[arg(long)]
    pub enable_ssh: bool,
    /// An OpenSSH public key file for root's authorized_keys (with --enable-ssh).
    #[arg(long, value_name = "FILE")]
    pub authorized_key: Option<PathBuf>,
    /// Sets root's password in the appliance (VCH_ROOTPW keeps it out of the process list).
    #[arg(
        long,
        env = "VCH_ROOTPW",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub rootpw: Option<String>,
}

/// An authorized-keys file holds text lines; refuse anything else (or anything huge) up front.
fn read_key(path: &PathBuf) -> anyhow::Result<String> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("--authorized-key {}", path.display()))?;
    anyhow::ensure!(
        meta.len() <= 64 * 1024,
        "--authorized-key {} is {} bytes; a public key file is a few hundred",
        path.display(),
        meta.len()
    );
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--authorized-key {} is not a text file", path.display()))?;
    anyhow::ensure!(
        text.lines().any(|l| l.trim_start().starts_with("ssh-")
            || l.trim_start().starts_with("ecdsa-")
            || l.trim_start().starts_with("sk-")),
        "--authorized-key {} holds no OpenSSH public key line (ssh-ed25519 ..., ssh-rsa ..., ecdsa-...)",
        path.display()
    );
    Ok(text)
}

pub fn run(args: DebugArgs) -> anyhow::Result<ExitCode> {
    let selector = args.select.selector()?;
    let authorized_key = args.authorized_key.as_ref().map(read_key).transpose()?;
    let options = DebugOptions {
        enable_ssh: args.enable_ssh,
        authorized_key,
        root_password: args.rootpw.clone().map(SecretString::from),
    };
    runtime()?.block_on(async move {
        let client = args.target.connect().await?;
        let progress = Progress::new();
        let printer = super::upgrade::print_progress(&progress, false);
        let result = debug(&client, &selector, &options, &progress).await;
        drop(progress);
        let _ = printer.await;
        let _ = client.logout().await;
        match result {
            Ok(done) => {
                emit_line(&format!(
                    "VCH {} ({}): ran {} in the appliance; the changes last until it reboots",
                    done.name,
                    done.id,
                    done.programs.join(" and ")
                ))?;
                if let Some(hint) = &done.ssh_hint {
                    emit_line(&format!("SSH to the appliance: {hint}"))?;
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
