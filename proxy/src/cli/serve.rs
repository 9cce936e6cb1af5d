//! `vch serve`: the HTTP server for the wizard and the JSON API, optionally on an embedded simulator.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::http::{self, AppState, ApplianceIsos};
use crate::simulator::{Simulator, SimulatorOptions};
use crate::vsphere::TargetSpec;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Port 0 picks a free port (the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8080", env = "VCH_LISTEN")]
    pub listen: SocketAddr,
    /// Start the embedded vSphere simulator and use it as the default target.
    #[arg(long)]
    pub simulator: bool,
    /// Folder with the built wizard (Trunk's dist). Defaults to the workspace's `dist/`.
    #[arg(long, env = "VCH_UI_DIR", value_name = "DIR")]
    pub ui_dir: Option<PathBuf>,
    /// Write the URL the server listens on to this file once it accepts connections.
    #[arg(long, value_name = "FILE")]
    pub url_file: Option<PathBuf>,
    /// The VIC appliance ISO that `POST /api/vchs` deploys (default: `appliance.iso` in the
    /// working directory or beside `vch`; with --simulator, a generated stand-in).
    #[arg(long, value_name = "FILE")]
    pub appliance_iso: Option<PathBuf>,
    /// The VIC bootstrap ISO for container VMs (default as for --appliance-iso).
    #[arg(long, value_name = "FILE")]
    pub bootstrap_iso: Option<PathBuf>,
    /// Another name (`host` or `host:port`) requests may be addressed to, besides the listen
    /// address and its localhost forms; any other Host header is refused. Repeatable.
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
    /// The vSphere Client origin (`https://vc.example.com`) allowed to frame the plugin under
    /// `/plugin/` (default: the simulator's when --simulator; the plugin's own origin always is).
    #[arg(long, value_name = "URL")]
    pub vsphere_client_origin: Option<String>,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    crate::logging::init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let ui_dir = args.ui_dir.unwrap_or_else(default_ui_dir);
    if !ui_dir.join("index.html").is_file() {
        tracing::warn!(ui_dir = %ui_dir.display(), "no built wizard found; build it with `trunk build --release`");
    }

    // Kept alive for the whole server lifetime: dropping it stops the simulator.
    let mut simulator = None;
    let mut default_target = None;
    if args.simulator {
        let sim = Simulator::start(SimulatorOptions::default())
            .await
            .context("starting the embedded vSphere simulator")?;
        tracing::info!(url = %sim.url(), "embedded vSphere simulator is running");
        default_target = Some(TargetSpec::from_simulator(&sim));
        simulator = Some(sim);
    }

    // Lives as long as the server: the stand-in ISOs are deleted with it.
    let stand_in_dir = tempfile::tempdir().context("creating a temporary directory")?;
    let isos = appliance_isos(
        &args.appliance_iso,
        &args.bootstrap_iso,
        args.simulator,
        stand_in_dir.path(),
    )?;
    let client_origin = match &args.vsphere_client_origin {
        Some(given) => Some(
            http::security::parse_origin(given)
                .map_err(|e| anyhow::anyhow!("--vsphere-client-origin: {e}"))?,
        ),
        None => default_target
            .as_ref()
            .and_then(|t| http::security::parse_origin(t.url.as_str()).ok()),
    };
    let mut state = AppState::new(ui_dir, default_target);
    match isos {
        Some(isos) => {
            tracing::info!(appliance = %isos.appliance.display(), bootstrap = %isos.bootstrap.display(), "ISOs to deploy");
            state = state.with_isos(isos);
        }
        None => tracing::warn!(
            "no appliance.iso/bootstrap.iso found: creating VCHs is disabled (give --appliance-iso and --bootstrap-iso)"
        ),
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let state = state.with_edge_policy(http::security::EdgePolicy::new(
        addr,
        &args.allowed_hosts,
        client_origin,
    ));
    let url = format!("http://{addr}/");
    if let Some(file) = &args.url_file {
        std::fs::write(file, &url).with_context(|| format!("writing {}", file.display()))?;
    }
    println!("vch is serving the wizard at {url}");

    axum::serve(listener, http::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;

    if let Some(sim) = simulator {
        sim.stop().await;
    }
    Ok(())
}

/// The ISOs to deploy: the ones given, else `appliance.iso`/`bootstrap.iso` in the working
/// directory or beside `vch` (where vic-machine looks), else stand-ins on the simulator.
fn appliance_isos(
    appliance: &Option<PathBuf>,
    bootstrap: &Option<PathBuf>,
    simulator: bool,
    stand_in_dir: &std::path::Path,
) -> anyhow::Result<Option<ApplianceIsos>> {
    let find = |given: &Option<PathBuf>, name: &str| -> anyhow::Result<Option<PathBuf>> {
        if let Some(path) = given {
            anyhow::ensure!(
                path.is_file(),
                "{} does not exist or is not a file",
                path.display()
            );
            return Ok(Some(path.clone()));
        }
        let beside_exe = std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(|d| d.join(name)));
        Ok([Some(PathBuf::from(name)), beside_exe]
            .into_iter()
            .flatten()
            .find(|p| p.is_file()))
    };
    if let (Some(appliance), Some(bootstrap)) = (
        find(appliance, "appliance.iso")?,
        find(bootstrap, "bootstrap.iso")?,
    ) {
        return Ok(Some(ApplianceIsos {
            appliance,
            bootstrap,
        }));
    }
    if !simulator {
        return Ok(None);
    }
    let appliance = stand_in_dir.join("appliance.iso");
    let bootstrap = stand_in_dir.join("bootstrap.iso");
    super::stand_in_iso::write(
        &appliance,
        "APPLIANCE",
        super::stand_in_iso::STAND_IN_VERSION,
        1024,
    )
    .context("writing the stand-in appliance ISO")?;
    super::stand_in_iso::write(
        &bootstrap,
        "BOOTSTRAP",
        super::stand_in_iso::STAND_IN_VERSION,
        512,
    )
    .context("writing the stand-in bootstrap ISO")?;
    Ok(Some(ApplianceIsos {
        appliance,
        bootstrap,
    }))
}

/// The workspace's Trunk output, so `cargo run -p proxy -- serve` works from a checkout.
fn default_ui_dir() -> PathBuf {
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("dist")));
    match beside_exe {
        Some(dir) if dir.join("index.html").is_file() => dir,
        _ => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../dist")),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
