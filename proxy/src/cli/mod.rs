//! Command-line surface of `vch`. Each sub-command lives in its own module; this one only parses
//! and dispatches.

pub mod common_flags;
pub mod configure;
pub mod convert;
pub mod create;
pub mod debug;
pub mod delete;
pub mod inspect;
pub mod inventory;
pub mod ls;
pub mod output;
mod pem_files;
pub mod plugin;
pub mod serve;
mod stand_in_iso;
pub mod target;
mod target_inventory;
pub mod update;
pub mod upgrade;
pub mod validate;
pub mod version;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Deploy and manage Virtual Container Hosts on vSphere.
#[derive(Debug, Parser)]
#[command(name = "vch", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the wizard and the JSON API.
    Serve(serve::ServeArgs),
    /// Check a VCH configuration given as `vic-machine create` flags, a JSON file or a command line.
    Validate(validate::ValidateArgs),
    /// Turn a `vic-machine create` command line into JSON, or JSON into a command line.
    Convert(convert::ConvertArgs),
    /// Show what the target holds: compute, networks, datastores, host firewalls, existing VCHs.
    Inventory(inventory::InventoryArgs),
    /// Change settings of the target, like `vic-machine update`.
    Update(update::UpdateArgs),
    /// Deploy a VCH from `vic-machine create` flags.
    Create(create::CreateArgs),
    /// List the VCHs on the target.
    Ls(ls::LsArgs),
    /// Show a VCH's endpoints and networks, or (`inspect config`) its command line.
    Inspect(inspect::InspectArgs),
    /// Delete a VCH.
    Delete(delete::DeleteArgs),
    /// Change a VCH's settings, networks included; reverts on failure.
    Configure(configure::ConfigureArgs),
    /// Upgrade a VCH to this installer's appliance version, or roll it back (--rollback).
    Upgrade(upgrade::UpgradeArgs),
    /// Enable SSH or set root's password in a VCH appliance, for diagnosis.
    Debug(debug::DebugArgs),
    /// Show this program's version and the appliance version it deploys.
    Version(version::VersionArgs),
    /// Register the wizard as a vSphere Client plugin in vCenter, or remove it.
    Plugin(plugin::PluginArgs),
}

/// Runs one sub-command. Errors that reach here mean the input could not be used at all (exit 2).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Inventory(args) => inventory::run(args),
        Command::Update(args) => update::run(args),
        Command::Plugin(args) => plugin::run(args),
        Command::Create(args) => create::run(args),
        Command::Ls(args) => ls::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Delete(args) => delete::run(args),
        Command::Configure(args) => configure::run(args),
        Command::Upgrade(args) => upgrade::run(args),
        Command::Debug(args) => debug::run(args),
        Command::Version(args) => version::run(args),
    }
}
