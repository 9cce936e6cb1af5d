//! N10, N11: `--dns-server`.

use crate::address::parse_ipv4;
use crate::config::{MAX_DNS_SERVERS, VchConfig};
use crate::finding::Finding;

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let servers = &config.network.dns_servers;
    for (i, s) in servers.iter().enumerate() {
        if parse_ipv4(s).is_none() {
            out.push(Finding::error(
                "N10",
                "dns-server",
                format!("network.dns_servers[{i}]"),
                format!("DNS server \"{s}\" is not an IPv4 address."),
            ));
        }
    }
    if servers.len() > MAX_DNS_SERVERS {
        out.push(Finding::warning(
            "N11",
            "dns-server",
            "network.dns_servers",
            format!(
                "{} DNS servers given; only the first {MAX_DNS_SERVERS} are used, the rest are ignored.",
                servers.len()
            ),
        ));
    }
}
