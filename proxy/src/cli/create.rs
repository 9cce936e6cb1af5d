//! `vch create`: deploys a VCH from `vic-machine create` flags, showing each step, rolling back on
//! failure or Ctrl-C, and printing the Docker endpoint.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tokio_util::sync::CancellationToken;

use super::output::emit_line;
use super::target::{TargetArgs, runtime};
use crate::deploy::{self, CreateOptions, CreatedVch, EventKind, Progress, ProgressEvent};

#[derive(Debug, Args)]
#[command(trailing_var_arg = true)]
pub struct CreateArgs {
    /// Print progress events as JSON lines (for scripts) instead of a progress bar.
    #[arg(long)]
    pub json_events: bool,
    /// The same flags as `vic-machine create` (`--target`, `--user`, `--thumbprint`, `--force`,
    /// `--timeout`, ...); the password comes from `--password`, VCH_PASSWORD or a prompt.
    /// `--force` deploys an appliance ISO of a version this installer does not write, and skips
    /// the target's certificate verification when no `--thumbprint` is given (dangerous).
    #[arg(allow_hyphen_values = true, value_name = "VIC_MACHINE_FLAGS")]
    pub flags: Vec<String>,
}

pub fn run(args: CreateArgs) -> anyhow::Result<ExitCode> {
    let parsed = shared::vic_machine::parse_args(&args.flags)?;
    for finding in &parsed.findings {
        eprintln!("{finding}");
    }
    let mut config = parsed.config;
    if super::pem_files::report(&super::pem_files::load(&mut config)) {
        return Ok(ExitCode::from(1));
    }
    let t = &config.target;
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
    let runtime = runtime()?;
    runtime.block_on(async move {
        let client = crate::vsphere::Client::connect(&spec)
            .await
            .with_context(|| format!("connecting to {}", spec.url))?;
        let options = CreateOptions::from_config(&config, spec.clone());
        let progress = Progress::new();
        let printer = spawn_printer(&progress, args.json_events);
        let cancel = CancellationToken::new();
        let on_ctrl_c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ncancelling: removing what was created so far…");
                on_ctrl_c.cancel();
            }
        });
        let result = deploy::create(&client, &config, &options, &progress, &cancel).await;
        drop(progress);
        let _ = printer.await;
        let _ = client.logout().await;
        match result {
            Ok(created) => {
                let cert_dir = config
                    .resolved()
                    .security
                    .tls_cert_path
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from(&created.name));
                let cert_dir = write_certificates(&created, &cert_dir)?;
                print_summary(&created, cert_dir.as_deref())?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(1))
            }
        }
    })
}

fn spawn_printer(progress: &Progress, json: bool) -> tokio::task::JoinHandle<()> {
    let (history, mut rx) = progress.subscribe();
    tokio::spawn(async move {
        let bar = (!json).then(|| {
            let bar = indicatif::ProgressBar::new(100);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos:>3}% {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        let show = |event: &ProgressEvent| {
            if json {
                if let Ok(line) = serde_json::to_string(event) {
                    println!("{line}");
                }
                return;
            }
            let Some(bar) = &bar else { return };
            bar.set_position(u64::from(event.percent));
            match event.kind {
                EventKind::Warning | EventKind::Failed | EventKind::Removed => {
                    bar.println(format!("{:?}: {}", event.kind, event.message));
                }
                EventKind::Finished if !event.objects.is_empty() => {
                    bar.println(event.message.clone());
                }
                _ => bar.set_message(event.message.clone()),
            }
        };
        for event in &history {
            show(event);
        }
        loop {
            match rx.recv().await {
                Ok(event) => show(&event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    })
}

/// Writes the client certificates Docker needs (`ca.pem`, `cert.pem`, `key.pem`) and, as
/// vic-machine does, `<name>.env` with the Docker environment.
fn write_certificates(
    created: &CreatedVch,
    dir: &std::path::Path,
) -> anyhow::Result<Option<PathBuf>> {
    if !write_client_files(&created.tls, dir)? {
        return Ok(None);
    }
    if let Some(env) = created.docker_env(&dir.display().to_string()) {
        let path = dir.join(format!("{}.env", created.name));
        std::fs::write(&path, env).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Some(dir.to_path_buf()))
}

/// The files of [`CLIENT_FILES`] from generated material; `false` when nothing was generated.
pub(super) fn write_client_files(
    tls: &crate::deploy::certs::TlsMaterial,
    dir: &std::path::Path,
) -> anyhow::Result<bool> {
    let (Some(ca), Some(cert), Some(key)) =
        (&tls.ca_cert_pem, &tls.client_cert_pem, &tls.client_key_pem)
    else {
        return Ok(false);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (file, pem) in CLIENT_FILES.into_iter().zip([ca, cert, key]) {
        let path = dir.join(file);
        std::fs::write(&path, pem).with_context(|| format!("writing {}", path.display()))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ =
            std::fs::set_permissions(dir.join("key.pem"), std::fs::Permissions::from_mode(0o600));
    }
    Ok(true)
}

/// What Docker reads from `DOCKER_CERT_PATH`.
pub(super) const CLIENT_FILES: [&str; 3] = ["ca.pem", "cert.pem", "key.pem"];

fn print_summary(created: &CreatedVch, cert_dir: Option<&std::path::Path>) -> anyhow::Result<()> {
    for warning in &created.warnings {
        eprintln!("warning: {warning}");
    }
    emit_line(&format!("VCH {} created: ID {}", created.name, created.id))?;
    emit_line(&format!("Resource pool: {}", created.resource_pool))?;
    emit_line(&format!("Version: {}", created.version))?;
    let Some(host) = &created.docker_host else {
        return emit_line(
            "The appliance did not report its address yet: `vch inspect` shows it later.",
        );
    };
    if let Some(ip) = created.client_ip {
        emit_line(&format!("VCH Admin portal: https://{ip}:2378"))?;
    }
    emit_line("Docker environment variables:")?;
    let mut env = format!("  DOCKER_HOST={host}");
    let flags = match (created.tls.server.is_some(), cert_dir) {
        (false, _) => String::new(),
        (true, Some(dir)) => {
            env.push_str(&format!(
                " DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH={} COMPOSE_TLS_VERSION=TLSv1_2",
                dir.display()
            ));
            format!(
                " --tlsverify --tlscacert={0}/ca.pem --tlscert={0}/cert.pem --tlskey={0}/key.pem",
                dir.display()
            )
        }
        (true, None) => {
            env.push_str(" COMPOSE_TLS_VERSION=TLSv1_2");
            " --tls".to_owned()
        }
    };
    emit_line(&env)?;
    emit_line("Connect to the VCH with:")?;
    emit_line(&format!("  docker -H {host}{flags} info"))
}
