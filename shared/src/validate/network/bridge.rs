//! N1–N3 (bridge range and width) and NV10 (bridge shared with another role).

use ipnet::Ipv4Net;

use super::ResolvedPortGroups;
use crate::address::parse_cidr;
use crate::config::{DEFAULT_BRIDGE_RANGE, DEFAULT_BRIDGE_WIDTH, VchConfig};
use crate::finding::Finding;
use crate::quantity::parse_uint;

/// Returns the bridge range (network address) when it parses.
pub(super) fn check(
    config: &VchConfig,
    pgs: &ResolvedPortGroups<'_>,
    out: &mut Vec<Finding>,
) -> Option<Ipv4Net> {
    let b = &config.network.bridge;
    let range_text = b.ip_range.as_deref().unwrap_or(DEFAULT_BRIDGE_RANGE);
    let range = parse_cidr(range_text);
    if range.is_none() {
        out.push(
            Finding::error(
                "N1",
                "bridge-network-range",
                "network.bridge.ip_range",
                format!("Bridge network range \"{range_text}\" is not an IPv4 CIDR block."),
            )
            .with_suggestion(DEFAULT_BRIDGE_RANGE),
        );
    }
    let width_text = b
        .width
        .clone()
        .unwrap_or_else(|| DEFAULT_BRIDGE_WIDTH.to_string());
    match parse_uint(&width_text) {
        Some(w) if w <= 30 && w > 0 => {
            if let Some(range) = range
                && (w as u8) < range.prefix_len() {
                    out.push(
                        Finding::error(
                            "N3",
                            "bridge-network-width",
                            "network.bridge.width",
                            format!(
                                "Bridge network width /{w} is wider than the bridge range {range_text} (/{}); \
                                 each bridge network is cut from the range, so the width must be at least the range's prefix length.",
                                range.prefix_len()
                            ),
                        )
                        .with_suggestion(range.prefix_len().to_string()),
                    );
                }
        }
        _ => out.push(
            Finding::error(
                "N2",
                "bridge-network-width",
                "network.bridge.width",
                format!("Bridge network width \"{width_text}\" must be a whole number from 1 to 30 (a prefix length)."),
            )
            .with_suggestion(DEFAULT_BRIDGE_WIDTH.to_string()),
        ),
    }

    let sharing: Vec<&str> = [
        ("public", pgs.public),
        ("client", pgs.client),
        ("management", pgs.management),
    ]
    .into_iter()
    .filter(|(_, pg)| *pg == pgs.bridge)
    .map(|(role, _)| role)
    .collect();
    if !sharing.is_empty() {
        out.push(Finding::error(
            "NV10",
            "bridge-network",
            "network.bridge.port_group",
            format!(
                "The bridge network \"{}\" is also used by the {}; the bridge needs a port group of its own. \
                 Pick a dedicated port group for --bridge-network.",
                pgs.bridge,
                role_list(&sharing)
            ),
        ));
    }
    range.map(|r| r.trunc())
}

/// "public network", "public and client networks", "public, client and management networks".
fn role_list(roles: &[&str]) -> String {
    match roles {
        [one] => format!("{one} network"),
        [init @ .., last] => format!("{} and {last} networks", init.join(", ")),
        [] => String::new(),
    }
}
