//! vic-machine's other common flags, so admins' `ls`/`inspect`/`delete` scripts run unchanged:
//! `--compute-resource` narrows which VCHs are listed or selected by name, `--timeout` bounds the
//! whole command, `--debug` turns on debug logging (`vch create` and `vch configure` read these
//! from their vic-machine arguments). Commands with nothing to narrow (`inventory`, `plugin`) take
//! `--compute-resource` only to refuse it clearly; `update firewall` has its own, required one and
//! flattens [`RunArgs`].

use std::future::Future;
use std::time::Duration;

use anyhow::bail;
use clap::Args;

use crate::deploy::vch::{Selector, VchSummary};

#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Only VCHs in this cluster, host or resource pool (name or inventory path), as
    /// vic-machine's --compute-resource; refused by commands that read the whole target.
    #[arg(short = 'r', long, value_name = "PATH")]
    pub compute_resource: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `--timeout` and `--debug`: how the command runs, whatever it works on.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Give up after this long (Go duration: 3m, 90s, 1h30m). No limit by default.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Debug level 0-3: above 0, debug messages go to stderr (RUST_LOG still wins).
    #[arg(long, value_name = "LEVEL")]
    pub debug: Option<u8>,
}

impl CommonArgs {
    /// Applies `--debug`; call before anything logs.
    pub fn init_logging(&self) {
        self.run.init_logging();
    }

    /// Runs `work` within `--timeout`.
    pub async fn bounded<T>(
        &self,
        work: impl Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        self.run.bounded(work).await
    }

    /// Refuses `--compute-resource` on a command that has nothing to narrow by it, rather than
    /// accepting it and doing nothing.
    pub fn refuse_compute_resource(&self, command: &str, why: &str) -> anyhow::Result<()> {
        match &self.compute_resource {
            Some(cr) => bail!("--compute-resource {cr:?} does not apply to `vch {command}`: {why}"),
            None => Ok(()),
        }
    }
}

impl RunArgs {
    /// Applies `--debug`; call before anything logs.
    pub fn init_logging(&self) {
        if self.debug.unwrap_or(0) > 0 && std::env::var_os("RUST_LOG").is_none() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("proxy=debug"))
                .with_writer(std::io::stderr)
                .try_init();
        }
    }

    /// Runs `work` within `--timeout`.
    pub async fn bounded<T>(
        &self,
        work: impl Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        let Some(text) = self.timeout.as_deref() else {
            return work.await;
        };
        let Some(ms) = shared::quantity::parse_go_duration_ms(text) else {
            bail!("--timeout {text:?} is not a duration such as 3m, 90s or 1h30m");
        };
        tokio::time::timeout(Duration::from_millis(ms), work)
            .await
            .map_err(|_| anyhow::anyhow!("gave up after --timeout {text}"))?
    }
}

impl CommonArgs {
    /// Whether `vch` lives under `--compute-resource` (any when not given).
    pub fn includes(&self, vch: &VchSummary) -> bool {
        let Some(cr) = self
            .compute_resource
            .as_deref()
            .map(|c| c.trim_matches('/'))
        else {
            return true;
        };
        let paths = [Some(vch.path.as_str()), vch.resource_pool.as_deref()];
        paths.into_iter().flatten().any(|p| {
            let p = p.trim_matches('/');
            p == cr || p.starts_with(&format!("{cr}/")) || p.split('/').any(|seg| seg == cr)
        })
    }

    /// A `--name` selection narrowed to `--compute-resource`: the VCH's id, or why none matches.
    pub fn narrow(&self, selector: Selector, list: &[VchSummary]) -> anyhow::Result<Selector> {
        let (Selector::Name(name), Some(cr)) = (&selector, &self.compute_resource) else {
            return Ok(selector);
        };
        let matching: Vec<&VchSummary> = list
            .iter()
            .filter(|v| (v.name == *name || v.vm_name == *name) && self.includes(v))
            .collect();
        match matching.as_slice() {
            [one] => Ok(Selector::Id(one.id.clone())),
            [] => bail!("no VCH named {name:?} in compute resource {cr:?}; `vch ls` lists them"),
            _ => bail!(
                "several VCHs named {name:?} in {cr:?} ({}); select one with --id",
                matching
                    .iter()
                    .map(|v| v.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}
