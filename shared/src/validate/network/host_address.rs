//! NV29 and NV30: addresses that cannot be a host's, where one is needed. A static address must
//! not be its subnet's network or broadcast address; a gateway must not be either of them, nor
//! an address of the VCH itself. (The container-network counterparts are NV16 and NV31.)

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::finding::Finding;

/// Prefixes /31 and /32 have no network or broadcast address to avoid.
fn reserved(net: Ipv4Net, addr: Ipv4Addr) -> Option<&'static str> {
    if net.prefix_len() >= 31 {
        None
    } else if addr == net.network() {
        Some("network")
    } else if addr == net.broadcast() {
        Some("broadcast")
    } else {
        None
    }
}

/// NV29 for a role's static address.
pub(super) fn static_ip(role: &str, ip: Ipv4Net, out: &mut Vec<Finding>) {
    if let Some(which) = reserved(ip, ip.addr()) {
        out.push(Finding::error(
            "NV29",
            &format!("{role}-network-ip"),
            format!("network.{role}.ip"),
            format!(
                "The {role} address {ip} is the {which} address of {}, which no host can use. Pick an address inside the subnet.",
                ip.trunc()
            ),
        ));
    }
}

/// NV30 for a role's gateway; `own` holds every static address of the VCH.
pub(super) fn gateway(
    role: &str,
    ip: Ipv4Net,
    gateway: Ipv4Addr,
    own: &[Ipv4Addr],
    out: &mut Vec<Finding>,
) {
    let why = match reserved(ip, gateway) {
        Some(which) => format!("the {which} address of {}", ip.trunc()),
        None if own.contains(&gateway) => "an address of the VCH itself".to_owned(),
        None => return,
    };
    out.push(Finding::error(
        "NV30",
        &format!("{role}-network-gateway"),
        format!("network.{role}.gateway"),
        format!(
            "The {role} gateway {gateway} is {why}, so traffic cannot be routed through it. Give the router's address on that subnet."
        ),
    ));
}
