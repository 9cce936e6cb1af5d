//! The inventory half of `vch validate`: when the configuration names a target, log in, read the
//! inventory snapshot, and turn connection problems into findings. They are warnings that say
//! the inventory-aware rules were skipped and how to connect (an untrusted certificate's
//! thumbprint, a refused login): they describe the environment, not the configuration, whose
//! verdict stays the static rules'. `vch create` refuses on the same problems.

use std::time::Duration;

use secrecy::SecretString;
use shared::Finding;
use shared::config::VchConfig;
use shared::inventory::InventorySnapshot;

use crate::vsphere::{Client, FaultKind, TargetSpec, Thumbprint, TlsPolicy, VsphereError};

/// How long `vch validate` waits for the target before giving up on the inventory rules.
const CONNECT_LIMIT: Duration = Duration::from_secs(15);

/// The snapshot, or the findings that say why there is none. No target: nothing to do.
pub fn read(config: &VchConfig) -> (Option<InventorySnapshot>, Vec<Finding>) {
    let target = &config.target;
    let Some(server) = target.server.as_deref().filter(|s| !s.trim().is_empty()) else {
        return (None, Vec::new());
    };
    let Some(password) = target
        .password
        .as_ref()
        .map(|p| p.expose().to_owned())
        .or_else(prompt)
    else {
        return (
            None,
            vec![skipped(format!(
                "No password for {server}, so the inventory checks (networks, datastores, compute resource, host firewalls) were skipped. Give --password or VCH_PASSWORD to run them, or --offline to silence this."
            ))],
        );
    };
    let tls = match (&target.thumbprint, target.force) {
        (Some(t), _) => match t.parse::<Thumbprint>() {
            Ok(t) => TlsPolicy::Pinned(t),
            // T15 already says the thumbprint is malformed; connecting with it cannot succeed.
            Err(_) => return (None, Vec::new()),
        },
        (None, true) => TlsPolicy::Insecure,
        (None, false) => TlsPolicy::SystemRoots,
    };
    let spec = match TargetSpec::parse(
        server,
        target.user.as_deref(),
        Some(SecretString::from(password)),
        tls,
    ) {
        Ok(spec) => spec,
        // T1/T2 already report a missing or malformed target or user.
        Err(_) => return (None, Vec::new()),
    };
    let runtime = match super::target::runtime() {
        Ok(rt) => rt,
        Err(err) => return (None, vec![skipped(format!("{err:#}"))]),
    };
    runtime.block_on(async {
        let connected = tokio::time::timeout(CONNECT_LIMIT, Client::connect(&spec)).await;
        let client = match connected {
            Err(_) => {
                return (
                    None,
                    vec![skipped(format!(
                        "{} did not answer within {} s, so the inventory checks were skipped.",
                        spec.url,
                        CONNECT_LIMIT.as_secs()
                    ))],
                );
            }
            Ok(Err(err)) => return (None, vec![connection_finding(&spec, &err)]),
            Ok(Ok(client)) => client,
        };
        let snapshot = client.inventory().await;
        let _ = client.logout().await;
        match snapshot {
            Ok(snapshot) => (Some(snapshot), Vec::new()),
            Err(err) => (
                None,
                vec![skipped(format!(
                    "Reading the inventory of {} failed ({err}), so the inventory checks were skipped.",
                    spec.url
                ))],
            ),
        }
    })
}

fn prompt() -> Option<String> {
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return None;
    }
    rpassword::prompt_password("vSphere password (for the inventory checks): ").ok()
}

fn skipped(message: String) -> Finding {
    Finding::warning("T18", "target", "target.server", message)
}

fn connection_finding(spec: &TargetSpec, err: &VsphereError) -> Finding {
    match err {
        VsphereError::UntrustedCertificate { sha1, .. } => {
            let mut f = Finding::warning(
                "T4",
                "thumbprint",
                "target.thumbprint",
                format!(
                    "The certificate of {} is not trusted by this system, so the inventory checks were skipped (creating would fail). If its SHA-1 thumbprint {sha1} is the one your vSphere administrator gives you, pass it with --thumbprint; --force skips the check entirely (unsafe).",
                    spec.url.host_str().unwrap_or_default()
                ),
            );
            f.suggestions.push(format!("--thumbprint {sha1}"));
            f
        }
        VsphereError::ThumbprintMismatch { sha1, .. } => {
            let mut f = Finding::warning(
                "T5",
                "thumbprint",
                "target.thumbprint",
                format!(
                    "The certificate of {} does not match --thumbprint: it presents {sha1}, so the inventory checks were skipped (creating would fail). Either the certificate was replaced or this is not the server you meant; check with your vSphere administrator.",
                    spec.url.host_str().unwrap_or_default()
                ),
            );
            f.suggestions.push(format!("--thumbprint {sha1}"));
            f
        }
        VsphereError::Fault { fault, .. } if matches!(fault.kind, FaultKind::InvalidLogin) => {
            Finding::warning(
                "T19",
                "user",
                "target.user",
                format!(
                    "{} refused the user name or password for {}, so the inventory checks were skipped (creating would fail). Check --user and --password.",
                    spec.url.host_str().unwrap_or_default(),
                    spec.username
                ),
            )
        }
        other => skipped(format!(
            "Could not connect to {} ({other}), so the inventory checks were skipped.",
            spec.url
        )),
    }
}
