//! The vic-machine target flags every command that talks to vSphere shares, and how they become a
//! connection: `--target`, `--user`, `--password` (or `VCH_PASSWORD`, or a prompt), `--thumbprint`,
//! `--force`.

use anyhow::{Context, bail};
use clap::Args;
use secrecy::SecretString;

use crate::vsphere::{Client, TargetSpec, Thumbprint, TlsPolicy};

#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// vCenter Server or ESXi host: `vc.example.com`, `https://user:pass@vc/dc1`.
    #[arg(short = 't', long, env = "VCH_TARGET", value_name = "URL")]
    pub target: Option<String>,
    /// vSphere user (may also be given in --target).
    #[arg(short = 'u', long, env = "VCH_USER")]
    pub user: Option<String>,
    /// vSphere password; prefer VCH_PASSWORD or the prompt, which keep it out of the process list.
    #[arg(short = 'p', long, env = "VCH_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// SHA-1 (as vic-machine prints it) or SHA-256 thumbprint of the server certificate.
    #[arg(long, env = "VCH_THUMBPRINT")]
    pub thumbprint: Option<String>,
    /// Skip certificate verification entirely. Dangerous: anyone on the path can impersonate the server.
    #[arg(short = 'f', long)]
    pub force: bool,
}

impl TargetArgs {
    /// The connection these flags describe; prompts for a missing password on a terminal.
    pub fn spec(&self) -> anyhow::Result<TargetSpec> {
        let Some(target) = self.target.as_deref().filter(|t| !t.trim().is_empty()) else {
            bail!(
                "--target is required: the vCenter Server or ESXi address, e.g. --target vc.example.com"
            )
        };
        let tls = match (&self.thumbprint, self.force) {
            (Some(t), _) => TlsPolicy::Pinned(t.parse::<Thumbprint>().map_err(|_| {
                anyhow::anyhow!("--thumbprint {t:?} is not a SHA-1 or SHA-256 fingerprint (expected colon-separated hex)")
            })?),
            (None, true) => {
                eprintln!(
                    "WARNING: --force: the server certificate is NOT verified; anyone on the network path could impersonate {target}"
                );
                TlsPolicy::Insecure
            }
            (None, false) => TlsPolicy::SystemRoots,
        };
        let password = match &self.password {
            Some(p) => Some(SecretString::from(p.clone())),
            None if !target_has_password(target)
                && std::io::IsTerminal::is_terminal(&std::io::stdin()) =>
            {
                let prompt = format!(
                    "Password for {}: ",
                    self.user.as_deref().unwrap_or("the vSphere user")
                );
                Some(SecretString::from(
                    rpassword::prompt_password(prompt).context("reading the password")?,
                ))
            }
            None => None,
        };
        Ok(TargetSpec::parse(
            target,
            self.user.as_deref(),
            password,
            tls,
        )?)
    }

    /// Logs in, with the error that says why not (thumbprint to confirm, wrong password, ...).
    pub async fn connect(&self) -> anyhow::Result<Client> {
        let spec = self.spec()?;
        Client::connect(&spec)
            .await
            .with_context(|| format!("connecting to {}", spec.url))
    }
}

fn target_has_password(target: &str) -> bool {
    let without_scheme = target.split_once("://").map_or(target, |(_, rest)| rest);
    without_scheme
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

/// A current-thread runtime for one CLI command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

#[cfg(test)]
mod tests {
    use super::target_has_password;

    #[test]
    fn password_in_target_is_detected() {
        assert!(target_has_password("https://admin:pw@vc/dc1"));
        assert!(target_has_password("'Administrator@vsphere.local':pw@vc"));
        assert!(!target_has_password("admin@vc"));
        assert!(!target_has_password("vc.example.com"));
    }
}
