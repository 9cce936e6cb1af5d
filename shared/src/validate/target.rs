//! T1, T2, T6 and the format of `--thumbprint` and `--timeout`.

use crate::config::VchConfig;
use crate::finding::Finding;
use crate::quantity::parse_go_duration_ms;

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let t = &config.target;
    let server = t.server.as_deref().map(str::trim).unwrap_or("");
    if server.is_empty() {
        out.push(
            Finding::error(
                "T1",
                "target",
                "target.server",
                "No vCenter Server or ESXi host given. Set --target to its address, optionally with the datacenter.",
            )
            .with_suggestion("--target vcenter.example.com/Datacenter"),
        );
    }
    if t.user.as_deref().is_none_or(|u| u.trim().is_empty()) {
        out.push(
            Finding::error(
                "T2",
                "user",
                "target.user",
                "No vSphere user given. Pass --user, or put it in the target as user@host.",
            )
            .with_suggestion("--user administrator@vsphere.local"),
        );
    }
    if let Some(dc) = t.datacenter.as_deref() {
        let parts: Vec<&str> = dc.split('/').filter(|p| !p.is_empty()).collect();
        if parts.len() > 1 {
            let mut f = Finding::error(
                "T6",
                "target",
                "target.datacenter",
                format!(
                    "The --target path \"{dc}\" names more than a datacenter. Keep only the datacenter \
                     in --target and name the cluster, host or resource pool with --compute-resource."
                ),
            );
            if let Some(first) = parts.first() {
                f = f.with_suggestion(format!(
                    "--target {server}/{first} --compute-resource {}",
                    parts[1..].join("/")
                ));
            }
            out.push(f);
        }
    }
    if let Some(tp) = t.thumbprint.as_deref()
        && !is_sha1_thumbprint(tp)
    {
        out.push(Finding::warning(
                "T15",
                "thumbprint",
                "target.thumbprint",
                format!(
                    "\"{tp}\" does not look like a SHA-1 thumbprint (20 hex byte pairs separated by colons); \
                     the connection will fail unless it matches the server's certificate."
                ),
            ));
    }
    if let Some(timeout) = t.timeout.as_deref()
        && parse_go_duration_ms(timeout).is_none()
    {
        out.push(
                Finding::error(
                    "T16",
                    "timeout",
                    "target.timeout",
                    format!("--timeout \"{timeout}\" is not a duration. Use a number with a unit such as 3m, 90s or 1h30m."),
                )
                .with_suggestion("3m"),
            );
    }
}

fn is_sha1_thumbprint(tp: &str) -> bool {
    let pairs: Vec<&str> = tp.trim().split(':').collect();
    pairs.len() == 20
        && pairs
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}
