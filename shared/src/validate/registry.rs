//! K11, K13: the "Registry access" page.

use crate::address::parse_cidr;
use crate::config::VchConfig;
use crate::finding::Finding;
use crate::pem::has_certificates;
use crate::quantity::parse_uint;

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let r = &config.registry;
    for (i, ca) in r.registry_ca.iter().enumerate() {
        if let Some(pem) = &ca.pem
            && !has_certificates(pem)
        {
            out.push(Finding::error(
                "K11",
                "registry-ca",
                format!("registry.registry_ca[{i}]"),
                format!(
                    "\"{}\" holds no readable PEM certificate; give the registry CA in PEM form.",
                    ca.path
                ),
            ));
        }
    }
    for (list, option, field) in [
        (
            &r.insecure_registries,
            "insecure-registry",
            "insecure_registries",
        ),
        (
            &r.whitelist_registries,
            "whitelist-registry",
            "whitelist_registries",
        ),
    ] {
        for (i, entry) in list.iter().enumerate() {
            if !is_registry_entry(entry) {
                out.push(Finding::error(
                    "K13",
                    option,
                    format!("registry.{field}[{i}]"),
                    format!("Registry \"{entry}\" is not a host[:port], URL, IP, CIDR or *.domain wildcard."),
                ));
            }
        }
    }
}

fn is_registry_entry(entry: &str) -> bool {
    let e = entry.trim();
    if parse_cidr(e).is_some() {
        return true;
    }
    let e = e
        .strip_prefix("https://")
        .or_else(|| e.strip_prefix("http://"))
        .unwrap_or(e);
    let authority = e.split('/').next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if port.is_some_and(|p| parse_uint(p).is_none_or(|p| p == 0 || p > 65535)) {
        return false;
    }
    let host = host.strip_prefix("*.").unwrap_or(host);
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}
