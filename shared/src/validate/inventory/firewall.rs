//! F1–F7: every host the VCH may run on must let its ESXi connect out to the VCH's management
//! address on 2377/tcp (containers' serial consoles are forwarded there).
//!
//! The hosts checked are those of the compute resource that mount the image datastore (all of them
//! when it is unknown), connected ones only: a disconnected host cannot run the VCH and its firewall
//! reading is stale. F8 (esxcli missing on the simulator) has no counterpart: a snapshot always
//! says whether the firewall filters.

use std::net::Ipv4Addr;

use super::{Scope, host_names};
use crate::address::{parse_cidr, parse_ipv4};
use crate::config::VchConfig;
use crate::finding::Finding;
use crate::inventory::{AllowedHosts, Datastore, Host, HostFirewall, VCH_PORT};

const PATH: &str = "target.compute_resource";
const OPTION: &str = "compute-resource";

/// What a host's firewall does with outbound 2377/tcp.
enum Verdict<'a> {
    /// An enabled ruleset allows it to any address.
    Open,
    /// No enabled ruleset allows it.
    Closed,
    /// Allowed only to these addresses.
    Restricted(Vec<&'a AllowedHosts>),
}

fn verdict(fw: &HostFirewall) -> Verdict<'_> {
    let allowing: Vec<&AllowedHosts> = fw
        .rulesets
        .iter()
        .filter(|rs| rs.enabled && rs.rules.iter().any(|r| r.allows_outbound_tcp(VCH_PORT)))
        .map(|rs| &rs.allowed_hosts)
        .collect();
    if allowing.is_empty() {
        Verdict::Closed
    } else if allowing.iter().any(|a| a.all_ip) {
        Verdict::Open
    } else {
        Verdict::Restricted(allowing)
    }
}

fn permits(allowed: &AllowedHosts, ip: Ipv4Addr) -> bool {
    allowed
        .ip_addresses
        .iter()
        .any(|a| parse_ipv4(a) == Some(ip))
        || allowed.ip_networks.iter().any(|n| {
            parse_cidr(&format!("{}/{}", n.network, n.prefix_length))
                .is_some_and(|net| net.trunc().contains(&ip))
        })
}

fn describe(allowed: &[&AllowedHosts]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for a in allowed {
        parts.extend(a.ip_addresses.iter().cloned());
        parts.extend(
            a.ip_networks
                .iter()
                .map(|n| format!("{}/{}", n.network, n.prefix_length)),
        );
    }
    if parts.is_empty() {
        String::from("no address at all")
    } else {
        parts.join(", ")
    }
}

/// The management interface's static address: its own, or the one of the role whose port group it
/// shares (NV4 copies it). `None` for DHCP; `Some(None)` when the text does not parse (N5 says so).
fn management_ip(config: &VchConfig, resolved: &VchConfig) -> Option<Option<Ipv4Addr>> {
    let n = &config.network;
    let r = &resolved.network;
    let mgmt_pg = r.management.port_group.as_deref();
    let text = [
        (&n.management.ip, &r.management.port_group),
        (&n.client.ip, &r.client.port_group),
        (&n.public.ip, &r.public.port_group),
    ]
    .into_iter()
    .find(|(ip, pg)| ip.is_some() && pg.as_deref() == mgmt_pg)
    .and_then(|(ip, _)| ip.as_deref())?;
    Some(parse_cidr(text).map(|net| net.addr()))
}

pub(super) fn check(
    config: &VchConfig,
    resolved: &VchConfig,
    scope: &Scope<'_>,
    image: Option<&Datastore>,
    out: &mut Vec<Finding>,
) {
    let Some(placement) = scope.compute.as_ref() else {
        return;
    };
    let dc = scope.dc;
    let cr = placement.resource;
    let on_image: Vec<&String> = cr
        .hosts
        .iter()
        .filter(|h| image.is_none_or(|d| d.hosts.includes(h)))
        .collect();
    // With S12 reported the image datastore says nothing about placement: check every host.
    let paths: Vec<&String> = if on_image.is_empty() {
        cr.hosts.iter().collect()
    } else {
        on_image
    };
    let hosts: Vec<&Host> = paths
        .iter()
        .filter_map(|p| dc.host(p))
        .filter(|h| h.connection_state == "connected")
        .collect();
    let mgmt = management_ip(config, resolved);

    let mut closed_on: Vec<&str> = Vec::new();
    let mut closed_off: Vec<&str> = Vec::new();
    let mut refused_on: Vec<(&str, String)> = Vec::new();
    let mut refused_off: Vec<(&str, String)> = Vec::new();
    let mut dhcp_restricted: Vec<&str> = Vec::new();
    let mut unknown: Vec<&str> = Vec::new();
    for host in hosts {
        let Some(fw) = &host.firewall else {
            unknown.push(&host.path);
            continue;
        };
        match verdict(fw) {
            Verdict::Open => {}
            Verdict::Closed if fw.enabled => closed_on.push(&host.path),
            Verdict::Closed => closed_off.push(&host.path),
            Verdict::Restricted(allowed) => match mgmt {
                None => dhcp_restricted.push(&host.path),
                Some(Some(ip)) if !allowed.iter().any(|a| permits(a, ip)) => {
                    let list = (&host.path[..], describe(&allowed));
                    if fw.enabled {
                        refused_on.push(list);
                    } else {
                        refused_off.push(list);
                    }
                }
                Some(_) => {}
            },
        }
    }

    let server = config
        .target
        .server
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("<target>");
    let fix = format!(
        "vch update firewall --allow --target {server} --compute-resource {}",
        cr.path
    );
    if !closed_on.is_empty() {
        out.push(
            Finding::error(
                "F1",
                OPTION,
                PATH,
                format!(
                    "The firewall of {} blocks outgoing 2377/tcp, which ESXi needs to reach the VCH's management interface. \
                     Allow it on every host of \"{}\" (vch update firewall --allow does that).",
                    host_names(dc, &closed_on),
                    cr.name
                ),
            )
            .with_suggestion(fix.clone()),
        );
    }
    if !closed_off.is_empty() {
        out.push(
            Finding::warning(
                "F2",
                OPTION,
                PATH,
                format!(
                    "The firewall of {} is off, but its rules would block outgoing 2377/tcp to the VCH if it were turned back on. \
                     Allowing the port now keeps the VCH working then.",
                    host_names(dc, &closed_off)
                ),
            )
            .with_suggestion(fix),
        );
    }
    let ip_text = match mgmt {
        Some(Some(ip)) => ip.to_string(),
        _ => String::new(),
    };
    for (code, list, on) in [("F4", &refused_on, true), ("F5", &refused_off, false)] {
        if list.is_empty() {
            continue;
        }
        let paths: Vec<&str> = list.iter().map(|(h, _)| *h).collect();
        let detail = list
            .iter()
            .map(|(h, allowed)| {
                let name = dc.host(h).map_or(*h, |x| x.name.as_str());
                format!("\"{name}\" allows only {allowed}")
            })
            .collect::<Vec<_>>()
            .join("; ");
        let message = if on {
            format!(
                "The firewall of {} lets 2377/tcp out only to certain addresses, and the management address {ip_text} is not one of them ({detail}). \
                 Add {ip_text} to the allowed addresses of the VCH ruleset, or allow all addresses.",
                host_names(dc, &paths)
            )
        } else {
            format!(
                "The firewall of {} is off, but if it were turned back on it would let 2377/tcp out only to addresses that exclude the \
                 management address {ip_text} ({detail}). Add {ip_text} to the allowed addresses of the VCH ruleset.",
                host_names(dc, &paths)
            )
        };
        let finding = if on {
            Finding::error(
                code,
                "management-network-ip",
                "network.management.ip",
                message,
            )
        } else {
            Finding::warning(
                code,
                "management-network-ip",
                "network.management.ip",
                message,
            )
        };
        out.push(finding);
    }
    if !dhcp_restricted.is_empty() {
        out.push(Finding::warning(
            "F6",
            "management-network-ip",
            "network.management.ip",
            format!(
                "The firewall of {} lets 2377/tcp out only to certain addresses, and the management network gets its address from DHCP, \
                 so we cannot tell yet whether that address will be allowed. Make sure the DHCP range is in the allowed addresses, \
                 or give the management network a static address that is.",
                host_names(dc, &dhcp_restricted)
            ),
        ));
    }
    if !unknown.is_empty() {
        out.push(Finding::warning(
            "F7",
            OPTION,
            PATH,
            format!(
                "The firewall settings of {} could not be read, so we cannot check that they allow outgoing 2377/tcp to the VCH. \
                 Check them on the host, or give the user permission to read the host configuration.",
                host_names(dc, &unknown)
            ),
        ));
    }
}
