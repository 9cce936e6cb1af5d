//! `vch configure`: changes a VCH from `vic-machine configure` style flags (any `create` flag the
//! merge accepts), showing each step; a failure after the snapshot reverts the VCH.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tokio_util::sync::CancellationToken;

use super::output::emit_line;
use super::target::{TargetArgs, runtime};
use crate::deploy::vch::Selector;
use crate::deploy::{self, ConfigureOptions, Progress};

#[derive(Debug, Args)]
#[command(trailing_var_arg = true)]
pub struct ConfigureArgs {
    /// Print progress events as JSON lines instead of step lines.
    #[arg(long)]
    pub json_events: bool,
    /// `--target`, `--user`, `--name NAME` or `--id vm-NN`, then the settings to change, as
    /// `vic-machine create` flags; the password comes from `--password`, VCH_PASSWORD or a prompt.
    /// `--force` skips the target's certificate verification when no `--thumbprint` is given
    /// (dangerous).
    #[arg(allow_hyphen_values = true, value_name = "VIC_MACHINE_FLAGS")]
    pub flags: Vec<String>,
}

/// `--id vm-NN` is not a create flag: taken out before the rest is parsed.
fn take_id(flags: &[String]) -> (Option<String>, Vec<String>) {
    let mut id = None;
    let mut rest = Vec::new();
    let mut words = flags.iter();
    while let Some(word) = words.next() {
        if let Some(value) = word.strip_prefix("--id=") {
            id = Some(value.to_owned());
        } else if word == "--id" {
            id = words.next().cloned();
        } else {
            rest.push(word.clone());
        }
    }
    (id, rest)
}

/// `--rollback` and `--reset-progress` are not create flags either.
fn take_switch(flags: Vec<String>, name: &str) -> (bool, Vec<String>) {
    let before = flags.len();
    let rest: Vec<String> = flags.into_iter().filter(|w| w != name).collect();
    (rest.len() != before, rest)
}

pub fn run(args: ConfigureArgs) -> anyhow::Result<ExitCode> {
    let (id, flags) = take_id(&args.flags);
    let (rollback, flags) = take_switch(flags, "--rollback");
    let (reset_progress, flags) = take_switch(flags, "--reset-progress");
    let parsed = shared::vic_machine::parse_args(&flags)?;
    for finding in &parsed.findings {
        eprintln!("{finding}");
    }
    let mut request = parsed.config;
    if super::pem_files::report(&super::pem_files::load(&mut request)) {
        return Ok(ExitCode::from(1));
    }
    // K15: new client certificates must not overwrite the ones in use.
    let cert_dir = request
        .security
        .tls_cert_path
        .clone()
        .or_else(|| request.general.name.clone())
        .map(std::path::PathBuf::from);
    if crate::deploy::configure_scope::regenerates(&request)
        && let Some(dir) = &cert_dir
        && let Some(file) = super::create::CLIENT_FILES
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.exists())
    {
        anyhow::bail!(
            "K15: the certificate folder {} already holds {}; give --tls-cert-path a new folder for the regenerated certificates",
            dir.display(),
            file.display()
        );
    }
    let selector = match (id, request.general.name.clone()) {
        (Some(id), _) => Selector::Id(id),
        (None, Some(name)) => Selector::Name(name),
        (None, None) => anyhow::bail!("name the VCH to configure with --name or --id"),
    };
    let t = &request.target;
    let target = TargetArgs {
        target: t.server.clone(),
        user: t.user.clone(),
        password: t
            .password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .or_else(|| std::env::var("VCH_PASSWORD").ok()),
        thumbprint: t.thumbprint.clone(),
        force: t.force,
    };
    let spec = target.spec()?;
    runtime()?.block_on(async move {
        let client = crate::vsphere::Client::connect(&spec)
            .await
            .with_context(|| format!("connecting to {}", spec.url))?;
        let progress = Progress::new();
        let (history, mut rx) = progress.subscribe();
        let json = args.json_events;
        let printer = tokio::spawn(async move {
            let show = |e: &deploy::ProgressEvent| {
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
        });
        if rollback {
            let timeout =
                super::upgrade::timeout(request.target.timeout.as_deref().unwrap_or("3m"))?;
            let result = deploy::rollback::rollback(
                &client,
                &selector,
                &deploy::rollback::RollbackOptions {
                    timeout,
                    reset_progress,
                },
                &progress,
                &CancellationToken::new(),
            )
            .await;
            drop(progress);
            let _ = printer.await;
            let _ = client.logout().await;
            return match result {
                Ok(done) => {
                    emit_line(&format!(
                        "VCH {} ({}) rolled back to the configuration before snapshot {:?}",
                        done.name, done.id, done.snapshot
                    ))?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(1))
                }
            };
        }
        if reset_progress && deploy::lock::reset_progress(&client, &selector).await? {
            eprintln!("--reset-progress: cleared the UpdateInProgress flag");
        }
        let options = ConfigureOptions {
            target: spec.clone(),
        };
        let result = deploy::configure(
            &client,
            &selector,
            &request,
            &options,
            &progress,
            &CancellationToken::new(),
        )
        .await;
        drop(progress);
        let _ = printer.await;
        let _ = client.logout().await;
        match result {
            Ok(done) => {
                for warning in &done.warnings {
                    eprintln!("warning: {warning}");
                }
                for change in &done.changes {
                    emit_line(&format!("changed: {change}"))?;
                }
                if let Some(tls) = &done.tls {
                    let dir = cert_dir.unwrap_or_else(|| done.name.clone().into());
                    if super::create::write_client_files(tls, &dir)? {
                        emit_line(&format!(
                            "new Docker client certificates in {}",
                            dir.display()
                        ))?;
                    }
                }
                emit_line(&format!("VCH {} ({}) configured", done.name, done.id))?;
                emit_line(&done.command_line)?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(1))
            }
        }
    })
}
