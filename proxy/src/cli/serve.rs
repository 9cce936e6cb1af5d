//! `vch serve`: the HTTP server for the wizard and the JSON API, optionally on an embedded simulator.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use crate::http::session::SessionLimits;
use crate::http::{self, AppState, ApplianceIsos, Limits, UiSource};
use crate::simulator::{Simulator, SimulatorOptions};
use crate::vsphere::TargetSpec;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Port 0 picks a free port (the URL is printed). On any address but
    /// loopback the server speaks HTTPS only.
    #[arg(long, default_value = "127.0.0.1:8080", env = "VCH_LISTEN")]
    pub listen: SocketAddr,
    /// Speak HTTPS on loopback too (elsewhere it always does).
    #[arg(long)]
    pub tls: bool,
    /// PEM certificate chain for HTTPS (with --tls-key). Without it, a self-signed certificate
    /// is generated once and kept in --state-dir.
    #[arg(long, value_name = "FILE", requires = "tls_key", env = "VCH_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert", env = "VCH_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// Where the generated certificate is kept (default: $STATE_DIRECTORY under systemd, else
    /// $XDG_STATE_HOME/vch, else ~/.local/state/vch).
    #[arg(long, value_name = "DIR", env = "VCH_STATE_DIR")]
    pub state_dir: Option<PathBuf>,
    /// Start the embedded vSphere simulator and use it as the default target.
    #[arg(long)]
    pub simulator: bool,
    /// Folder with the built wizard (Trunk's dist), instead of the copy built into vch.
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
    /// Most browser sessions live at once; further logins get `503 too_many_sessions`.
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub max_sessions: usize,
    /// A browser session unused this long is logged out (Go duration: 30m, 1h30m, 90s).
    #[arg(long, default_value = "30m", value_parser = duration, value_name = "DURATION")]
    pub session_idle: Duration,
    /// A browser session is logged out this long after login, however busy.
    #[arg(long, default_value = "12h", value_parser = duration, value_name = "DURATION")]
    pub session_lifetime: Duration,
    /// A finished job (its events, outcome and client bundle) is kept this long, then forgotten.
    #[arg(long, default_value = "1h", value_parser = duration, value_name = "DURATION")]
    pub job_retention: Duration,
    /// On SIGTERM or Ctrl-C, how long to wait for cancelled jobs to roll back before exiting.
    #[arg(long, default_value = "60s", value_parser = duration, value_name = "DURATION")]
    pub shutdown_timeout: Duration,
    /// Another name (`host` or `host:port`) requests may be addressed to, besides the listen
    /// address and its localhost forms; any other Host header is refused. Repeatable.
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
    /// The vSphere Client origin (`https://vc.example.com`) allowed to frame the plugin under
    /// `/plugin/` (default: the simulator's when --simulator; the plugin's own origin always is).
    #[arg(long, value_name = "URL")]
    pub vsphere_client_origin: Option<String>,
}

fn duration(text: &str) -> Result<Duration, String> {
    shared::quantity::parse_go_duration_ms(text)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{text:?} is not a duration (examples: 90s, 30m, 1h30m)"))
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
    let ui = ui_source(args.ui_dir.clone());

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
    let tls = server_tls(&args)?;
    let mut state = AppState::new(PathBuf::new(), default_target)
        .with_ui(ui)
        .with_secure_cookies(tls.is_some())
        .with_limits(Limits {
            sessions: SessionLimits {
                max_sessions: args.max_sessions,
                idle: args.session_idle,
                lifetime: args.session_lifetime,
            },
            job_retention: args.job_retention,
            ..Limits::default()
        });
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
    let url = format!("{}://{addr}/", if tls.is_some() { "https" } else { "http" });
    match &tls {
        Some(cert) => println!(
            "server certificate thumbprints (for vch plugin register --thumbprint-of-plugin-server): SHA-1 {} SHA-256 {}",
            cert.sha1, cert.sha256
        ),
        None => eprintln!(
            "warning: serving plain HTTP on loopback {addr}: only this machine can connect, and the vSphere Client cannot load the plugin from it (use --tls)"
        ),
    }
    let state = state.with_edge_policy(http::security::EdgePolicy::new(
        addr,
        &args.allowed_hosts,
        client_origin,
    ));
    if let Some(file) = &args.url_file {
        std::fs::write(file, &url).with_context(|| format!("writing {}", file.display()))?;
    }
    println!("vch is serving the wizard at {url}");

    let stop = tokio_util::sync::CancellationToken::new();
    let app = http::router(state.clone());
    let stopped = stop.clone().cancelled_owned();
    let mut server = match tls {
        Some(cert) => {
            let listener = http::serve_tls::TlsListener::new(listener, cert.config)
                .context("starting the HTTPS listener")?;
            tokio::spawn(
                axum::serve(listener, app)
                    .with_graceful_shutdown(stopped)
                    .into_future(),
            )
        }
        None => tokio::spawn(
            axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .into_future(),
        ),
    };
    tokio::select! {
        result = &mut server => {
            result.context("the HTTP server task")?.context("serving HTTP")?;
            return Ok(());
        }
        () = shutdown_signal() => {}
    }
    // Jobs first: their event streams keep connections open until they end.
    println!("vch is stopping: cancelling running jobs and waiting for their rollbacks");
    let all_ended = tokio::select! {
        ended = http::housekeeping::shutdown(&state, args.shutdown_timeout) => ended,
        // A second Ctrl-C or SIGTERM means: do not wait.
        () = shutdown_signal() => false,
    };
    if !all_ended {
        eprintln!(
            "warning: some jobs had not finished rolling back (limit {:?}); what they made may be left behind",
            args.shutdown_timeout
        );
    }
    stop.cancel();
    match tokio::time::timeout(CONNECTIONS_GRACE, server).await {
        Ok(result) => result
            .context("the HTTP server task")?
            .context("serving HTTP")?,
        Err(_) => tracing::warn!("connections still open at exit"),
    }

    if let Some(sim) = simulator {
        sim.stop().await;
    }
    Ok(())
}

/// The HTTPS certificate, or `None` for plain HTTP (loopback only, unless --tls).
fn server_tls(args: &ServeArgs) -> anyhow::Result<Option<http::serve_tls::ServerCertificate>> {
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        return Ok(Some(http::serve_tls::load(cert, key)?));
    }
    if !args.tls && args.listen.ip().is_loopback() {
        return Ok(None);
    }
    let state_dir = match &args.state_dir {
        Some(dir) => dir.clone(),
        None => default_state_dir()?,
    };
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if let Ok(host) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        names.push(host.trim().to_owned());
    }
    if !args.listen.ip().is_unspecified() && !args.listen.ip().is_loopback() {
        names.push(args.listen.ip().to_string());
    }
    names.retain(|n| !n.is_empty());
    let (cert, generated) = http::serve_tls::load_or_generate(&state_dir, &names)?;
    let path = state_dir.join(http::serve_tls::CERT_FILE);
    if generated {
        println!(
            "generated a self-signed server certificate: {}",
            path.display()
        );
    } else {
        tracing::info!(certificate = %path.display(), "using the kept server certificate");
    }
    Ok(Some(cert))
}

/// $STATE_DIRECTORY (systemd's StateDirectory=), else $XDG_STATE_HOME/vch, else
/// ~/.local/state/vch.
fn default_state_dir() -> anyhow::Result<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("STATE_DIRECTORY") {
        return Ok(dir);
    }
    if let Some(dir) = var("XDG_STATE_HOME") {
        return Ok(dir.join("vch"));
    }
    var("HOME")
        .map(|home| home.join(".local/state/vch"))
        .context("no state directory: give --state-dir (it keeps the generated certificate)")
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

/// `--ui-dir` if given, else the wizard built into vch, else (a build without it) a `dist/`
/// beside vch or in the checkout it was built from, else the embedded "not built" page.
fn ui_source(given: Option<PathBuf>) -> UiSource {
    if let Some(dir) = given {
        if !dir.join("index.html").is_file() {
            tracing::warn!(ui_dir = %dir.display(), "no index.html in the --ui-dir folder");
        }
        return UiSource::Dir(dir);
    }
    if UiSource::embedded_available() {
        return UiSource::Embedded;
    }
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("dist")));
    let checkout = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../dist"));
    match [beside_exe, Some(checkout)]
        .into_iter()
        .flatten()
        .find(|dir| dir.join("index.html").is_file())
    {
        Some(dir) => UiSource::Dir(dir),
        None => {
            tracing::warn!(
                "this vch was built without the wizard; build it with scripts/build-ui.sh and rebuild, or give --ui-dir"
            );
            UiSource::Embedded
        }
    }
}

/// After the jobs ended, how long open connections get to finish their responses.
const CONNECTIONS_GRACE: Duration = Duration::from_secs(5);

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
