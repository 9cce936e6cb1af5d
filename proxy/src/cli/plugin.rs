//! `vch plugin register|unregister|status`: the vSphere Client remote plugin in vCenter's
//! extension registry.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use url::Url;

use super::common_flags::CommonArgs;
use super::output::emit_line;
use super::target::{TargetArgs, runtime};

use crate::vsphere::extension::{
    ExtensionInfo, ExtensionSpec, PLUGIN_EXTENSION_KEY, RegistrationOutcome, probe_manifest,
};
use crate::vsphere::{Client, Thumbprint};

/// `println!` that ends quietly on a closed pipe instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        emit_line(&format!($($arg)*))?
    };
}

#[derive(Debug, Args)]
pub struct PluginArgs {
    #[command(subcommand)]
    pub command: PluginCommand,
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Register the plugin (or update it to a new version).
    #[command(disable_version_flag = true)]
    Register(RegisterArgs),
    /// Remove the plugin from vCenter.
    Unregister(UnregisterArgs),
    /// Show whether the plugin is registered, with which version and manifest URL.
    Status(StatusArgs),
}

/// The vic-machine target flags plus the extension key.
#[derive(Debug, Args)]
pub struct UnregisterArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub key: KeyArg,
}

#[derive(Debug, Args)]
pub struct KeyArg {
    /// The extension key (only needed for registrations made under another key).
    #[arg(long, default_value = PLUGIN_EXTENSION_KEY)]
    pub key: String,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub key: KeyArg,
    /// The manifest URL as vCenter reaches it: `https://<proxy>/plugin/plugin.json`.
    #[arg(long)]
    pub url: Url,
    /// Thumbprint of the plugin server's certificate. Without it, the certificate presented
    /// now is used (and printed) after checking that the URL serves a plugin manifest.
    #[arg(long, value_name = "THUMBPRINT")]
    pub thumbprint_of_plugin_server: Option<String>,
    /// The version to register. A new version makes the vSphere Client reload the plugin.
    #[arg(long, default_value = env!("CARGO_PKG_VERSION"))]
    pub version: String,
    /// Register without fetching the manifest first (vCenter may reach it when we cannot).
    #[arg(long)]
    pub no_check: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub key: KeyArg,
    /// Print the registration as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: PluginArgs) -> anyhow::Result<ExitCode> {
    let (common, name) = match &args.command {
        PluginCommand::Register(a) => (a.common.clone(), "plugin register"),
        PluginCommand::Unregister(a) => (a.common.clone(), "plugin unregister"),
        PluginCommand::Status(a) => (a.common.clone(), "plugin status"),
    };
    common.refuse_compute_resource(name, "a plugin is registered with the whole vCenter Server")?;
    common.init_logging();
    crate::logging::init();
    runtime()?.block_on(common.bounded(async {
        match args.command {
            PluginCommand::Register(args) => register(args).await,
            PluginCommand::Unregister(args) => unregister(args).await,
            PluginCommand::Status(args) => status(args).await,
        }
    }))
}

/// Logs in and makes sure the target is a vCenter Server before anything else.
async fn connect(args: &TargetArgs) -> anyhow::Result<Client> {
    let client = args.connect().await?;
    if !client.about().is_vcenter() {
        let product = client.about().full_name.clone();
        let _ = client.logout().await;
        bail!(
            "the target is not a vCenter Server ({product}): vSphere Client plugins can only be \
             registered with vCenter Server 7.0 or later"
        );
    }
    Ok(client)
}

fn parse_thumbprint(text: &str, flag: &str) -> anyhow::Result<Thumbprint> {
    text.parse::<Thumbprint>().map_err(|_| {
        anyhow::anyhow!("{flag}: not a SHA-1 or SHA-256 thumbprint (AA:BB:... or bare hex)")
    })
}

async fn register(args: RegisterArgs) -> anyhow::Result<ExitCode> {
    let pinned = args
        .thumbprint_of_plugin_server
        .as_deref()
        .map(|t| parse_thumbprint(t, "--thumbprint-of-plugin-server"))
        .transpose()?;
    if args.url.scheme() != "https" {
        bail!(
            "{} is not an https URL: the vSphere Client loads remote plugins only over HTTPS, \
             and vCenter pins the server's certificate. Serve the plugin over HTTPS (`vch serve` \
             does on any address but loopback, or with --tls) and register \
             https://<host>:<port>/plugin/plugin.json",
            args.url
        );
    }
    let thumbprint = if args.no_check {
        if pinned.is_none() {
            bail!("--no-check with an https URL needs --thumbprint-of-plugin-server");
        }
        pinned
    } else {
        let probe = probe_manifest(&args.url, pinned.as_ref())
            .await
            .with_context(|| format!("checking the plugin manifest at {}", args.url))?;
        match (pinned, probe.sha1) {
            (Some(pinned), _) => Some(pinned),
            (None, Some(sha1)) => {
                say!(
                    "plugin server certificate: SHA-1 {sha1} (SHA-256 {}); check it, or pin it \
                     with --thumbprint-of-plugin-server",
                    probe
                        .sha256
                        .as_ref()
                        .map(Thumbprint::to_string)
                        .unwrap_or_default()
                );
                Some(sha1)
            }
            (None, None) => None,
        }
    };
    let mut spec = ExtensionSpec::remote_plugin(args.url.clone(), &args.version, thumbprint);
    spec.key = args.key.key.clone();
    let client = connect(&args.target).await?;
    let outcome = client.ensure_plugin_registered(&spec).await;
    let _ = client.logout().await;
    match outcome? {
        RegistrationOutcome::Registered => {
            say!(
                "registered {} {} at {}",
                spec.key,
                spec.version,
                spec.manifest_url
            );
        }
        RegistrationOutcome::Updated { previous_version } => say!(
            "updated {} from {} to {} at {}",
            spec.key,
            previous_version.as_deref().unwrap_or("an unknown version"),
            spec.version,
            spec.manifest_url
        ),
        RegistrationOutcome::Unchanged => say!(
            "{} {} is already registered at {}; nothing to do (give a new --version to make the \
             vSphere Client reload the plugin)",
            spec.key,
            spec.version,
            spec.manifest_url
        ),
    }
    say!("log out of the vSphere Client and in again to load the plugin");
    Ok(ExitCode::SUCCESS)
}

async fn unregister(args: UnregisterArgs) -> anyhow::Result<ExitCode> {
    let client = connect(&args.target).await?;
    let result = client.unregister_extension(&args.key.key).await;
    let _ = client.logout().await;
    match result {
        Ok(()) => {
            say!("unregistered {}", args.key.key);
            Ok(ExitCode::SUCCESS)
        }
        Err(crate::vsphere::extension::ExtensionError::NotRegistered { key }) => {
            say!("{key} is not registered; nothing to do");
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => Err(err.into()),
    }
}

async fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let client = connect(&args.target).await?;
    let found = client.find_extension(&args.key.key).await;
    let _ = client.logout().await;
    let found = found?;
    if args.json {
        say!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "key": args.key.key,
                "registered": found.is_some(),
                "extension": found,
            }))?
        );
    } else {
        match &found {
            Some(info) => print_status(info)?,
            None => say!("{} is not registered", args.key.key),
        }
    }
    // Like `test -e`: scripts can ask "is it registered?" by the exit code.
    Ok(if found.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_status(info: &ExtensionInfo) -> anyhow::Result<()> {
    say!("{} is registered", info.key);
    say!(
        "  version:  {}",
        info.version.as_deref().unwrap_or("(none)")
    );
    if let Some(client) = info.client() {
        say!("  client:   {} {}", client.kind, client.url);
    }
    if let Some(server) = info.manifest_server() {
        say!("  server:   {} {}", server.kind, server.url);
        if let Some(thumbprint) = &server.thumbprint {
            say!("  server thumbprint: {thumbprint}");
        }
    }
    if !info.is_remote_plugin() {
        say!("  note: not a remote plugin registration (client type is not vsphere-client-remote)");
    }
    Ok(())
}
