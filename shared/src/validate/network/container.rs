//! Container networks: N12–N20 (value syntax) and NV14–NV20 (validator), plus what the original
//! misses: duplicate aliases (NV24), a gateway inside its own range (NV25), a port group mapped twice
//! (NV26) and a bare gateway IP whose mask we infer (N24).

use std::collections::HashMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::overlap::{Overlap, and_more, overlaps};
use super::{ContainerSubnet, ResolvedPortGroups};
use crate::address::{IpRange, covering_network, parse_cidr, parse_ip_range, parse_ipv4};
use crate::config::{ContainerNetwork, VchConfig};
use crate::finding::{Finding, Severity};

pub const FIREWALL_LEVELS: [&str; 5] = ["closed", "outbound", "peers", "published", "open"];
/// When a bare gateway gives no mask, a /24 is the least surprising guess.
const ASSUMED_PREFIX: u8 = 24;

fn path(i: usize, field: &str) -> String {
    format!("network.container_networks[{i}].{field}")
}

pub(super) fn check(
    config: &VchConfig,
    pgs: &ResolvedPortGroups<'_>,
    out: &mut Vec<Finding>,
) -> Vec<ContainerSubnet> {
    let nets = &config.network.container_networks;
    let mut subnets = Vec::new();
    // First entry per port group, and per alias the first entry and the first one on another port
    // group: enough to name an earlier clash in one pass.
    let mut by_port_group: HashMap<&str, usize> = HashMap::new();
    let mut by_alias: HashMap<&str, (usize, Option<usize>)> = HashMap::new();
    for (i, cn) in nets.iter().enumerate() {
        check_names(i, cn, pgs, out);
        let j = *by_port_group.entry(cn.port_group.as_str()).or_insert(i);
        if j < i && !cn.port_group.is_empty() {
            out.push(Finding::error(
                "NV26",
                "container-network",
                path(i, "port_group"),
                format!(
                    "vSphere network \"{}\" is mapped as a container network twice (entries {j} and {i}); map it once.",
                    cn.port_group
                ),
            ));
        }
        let alias = cn.effective_alias();
        let seen = by_alias.entry(alias).or_insert((i, None));
        let first = &nets[seen.0];
        let clash = if first.port_group != cn.port_group {
            seen.1.get_or_insert(i);
            Some(first)
        } else {
            seen.1.filter(|&o| o < i).map(|o| &nets[o])
        };
        if let Some(earlier) = clash {
            out.push(Finding::error(
                "NV24",
                "container-network",
                path(i, "alias"),
                format!(
                    "Container network name \"{alias}\" is used for both \"{}\" and \"{}\"; Docker would only see one of them. \
                     Give each a distinct alias.",
                    earlier.port_group,
                    cn.port_group
                ),
            ).with_suggestion(format!("{}:{alias}-2", cn.port_group)));
        }
        let ranges = check_ranges(i, cn, out);
        let gateway = check_gateway(i, cn, &ranges, out);
        if let Some((gw, subnet)) = gateway {
            check_ranges_against_subnet(i, cn, gw, subnet, &ranges, out);
            subnets.push(ContainerSubnet {
                index: i,
                alias: cn.effective_alias().to_owned(),
                subnet,
            });
        } else if !cn.ip_ranges.is_empty() && cn.gateway.is_none() {
            out.push(Finding::error(
                "NV15",
                "container-network-ip-range",
                path(i, "ip_ranges"),
                format!(
                    "Container network \"{}\" has an IP range but no gateway. Add --container-network-gateway {}:gateway/prefix.",
                    cn.effective_alias(),
                    cn.port_group
                ),
            ));
        }
        check_dns(i, cn, out);
        if let Some(fw) = cn.firewall.as_deref()
            && !FIREWALL_LEVELS.contains(&fw.trim().to_ascii_lowercase().as_str())
        {
            let mut f = Finding::error(
                "N20",
                "container-network-firewall",
                path(i, "firewall"),
                format!(
                    "Firewall level \"{fw}\" is unknown. Use one of {}.",
                    FIREWALL_LEVELS.join(", ")
                ),
            );
            if let Some(best) = closest(fw, &FIREWALL_LEVELS) {
                f = f.with_suggestion(best);
            }
            out.push(f);
        }
    }
    subnets
}

fn closest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = input.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(&lower, c), *c))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, c)| c)
}

fn check_names(
    i: usize,
    cn: &ContainerNetwork,
    pgs: &ResolvedPortGroups<'_>,
    out: &mut Vec<Finding>,
) {
    let pg = cn.port_group.as_str();
    if pg.trim().is_empty() {
        out.push(Finding::error(
            "N13",
            "container-network",
            path(i, "port_group"),
            "A container network entry names no vSphere network. Write it as port-group[:alias].",
        ));
        return;
    }
    if pg.contains(':') || cn.alias.as_deref().is_some_and(|a| a.contains(':')) {
        out.push(Finding::error(
            "N12",
            "container-network",
            path(i, "port_group"),
            format!("Container network \"{pg}\" contains ':' which the option syntax reserves as the separator of network and alias."),
        ));
    }
    let alias = cn.alias.as_deref().filter(|a| !a.is_empty());
    if pg.contains(char::is_whitespace) && alias.is_none() {
        out.push(
            Finding::error(
                "N14",
                "container-network",
                path(i, "alias"),
                format!("vSphere network \"{pg}\" has spaces in its name, so it needs an alias without spaces: \"{pg}:alias\"."),
            )
            .with_suggestion(format!("{pg}:{}", pg.split_whitespace().collect::<Vec<_>>().join("-"))),
        );
    }
    if let Some(a) = alias
        && a.contains(char::is_whitespace)
    {
        out.push(
            Finding::error(
                "N15",
                "container-network",
                path(i, "alias"),
                format!("Alias \"{a}\" contains spaces; Docker network names cannot."),
            )
            .with_suggestion(format!(
                "{pg}:{}",
                a.split_whitespace().collect::<Vec<_>>().join("-")
            )),
        );
    }
    if cn.effective_alias() == "bridge" {
        out.push(Finding::error(
            "NV14",
            "container-network",
            path(i, "alias"),
            "\"bridge\" is Docker's default network name and cannot be used for a container network. Choose another alias.",
        ).with_suggestion(format!("{pg}:{pg}-net")));
    }
    if pg == pgs.bridge {
        out.push(Finding::error(
            "NV20",
            "container-network",
            path(i, "port_group"),
            format!(
                "\"{pg}\" is the bridge network and cannot also be a container network (alias \"{}\"). Map a different port group.",
                cn.effective_alias()
            ),
        ));
    }
}

fn check_ranges(i: usize, cn: &ContainerNetwork, out: &mut Vec<Finding>) -> Vec<(usize, IpRange)> {
    let mut parsed = Vec::new();
    for (k, raw) in cn.ip_ranges.iter().enumerate() {
        match parse_ip_range(raw) {
            Some(r) => parsed.push((k, r)),
            None => out.push(Finding::error(
                "N18",
                "container-network-ip-range",
                format!("{}[{k}]", path(i, "ip_ranges")),
                format!(
                    "IP range \"{raw}\" of container network \"{}\" is not valid. Use first-last (10.0.0.10-10.0.0.50), \
                     the last-octet shorthand (10.0.0.10-50) or a CIDR, with the end not before the start.",
                    cn.effective_alias()
                ),
            )),
        }
    }
    let spans: Vec<(u32, u32)> = parsed
        .iter()
        .map(|(_, r)| (u32::from(r.first), u32::from(r.last)))
        .collect();
    for ((k, _), hit) in parsed.iter().zip(overlaps(&spans)) {
        let Some(Overlap { first, more }) = hit else {
            continue;
        };
        out.push(Finding::error(
            "NV18",
            "container-network-ip-range",
            format!("{}[{k}]", path(i, "ip_ranges")),
            format!(
                "IP range \"{}\" of container network \"{}\" overlaps range \"{}\"{}. Give each address to one range only.",
                cn.ip_ranges[*k],
                cn.effective_alias(),
                cn.ip_ranges[parsed[first].0],
                and_more(more, "range")
            ),
        ));
    }
    parsed
}

/// Returns the gateway and its subnet (inferred for a bare IP).
fn check_gateway(
    i: usize,
    cn: &ContainerNetwork,
    ranges: &[(usize, IpRange)],
    out: &mut Vec<Finding>,
) -> Option<(Ipv4Addr, Ipv4Net)> {
    let raw = cn.gateway.as_deref()?;
    let p = path(i, "gateway");
    let (gw, subnet) = if let Some(net) = parse_cidr(raw) {
        (net.addr(), net.trunc())
    } else if let Some(ip) = parse_ipv4(raw) {
        let mut points = vec![ip];
        points.extend(ranges.iter().flat_map(|(_, r)| [r.first, r.last]));
        let subnet = covering_network(&points, ASSUMED_PREFIX)?;
        let (severity, why) = if ranges.is_empty() {
            (
                Severity::Warning,
                "there is no IP range to infer it from, so a /24 is assumed and that whole subnet becomes the address pool"
                    .to_owned(),
            )
        } else {
            (
                Severity::Info,
                format!(
                    "the smallest subnet of at least /{ASSUMED_PREFIX} that holds the gateway and the IP range is {subnet}"
                ),
            )
        };
        out.push(
            Finding::new(
                severity,
                "N24",
                Some("container-network-gateway"),
                p.clone(),
                format!(
                    "Gateway \"{raw}\" of container network \"{}\" has no mask; {why}. Read as {ip}/{}. \
                     Write the mask yourself if the subnet is different.",
                    cn.effective_alias(),
                    subnet.prefix_len()
                ),
            )
            .with_suggestion(format!("{}:{ip}/{}", cn.port_group, subnet.prefix_len())),
        );
        (ip, subnet)
    } else {
        out.push(Finding::error(
            "N16",
            "container-network-gateway",
            p,
            format!(
                "Gateway \"{raw}\" of container network \"{}\" is not an address; write it as gateway-ip/prefix, e.g. 192.168.100.1/24.",
                cn.effective_alias()
            ),
        ));
        return None;
    };
    if subnet.prefix_len() < 31 && (gw == subnet.network() || gw == subnet.broadcast()) {
        out.push(Finding::error(
            "NV16",
            "container-network-gateway",
            path(i, "gateway"),
            format!(
                "Gateway {gw} is the {} address of {subnet}, not a routable host address.",
                if gw == subnet.network() {
                    "network"
                } else {
                    "broadcast"
                }
            ),
        ));
    }
    if subnet.prefix_len() >= 31 {
        out.push(Finding::error(
            "NV31",
            "container-network-gateway",
            path(i, "gateway"),
            format!(
                "Gateway {gw}/{} of container network \"{}\" leaves no address for containers; use a prefix of /30 or shorter.",
                subnet.prefix_len(),
                cn.effective_alias()
            ),
        ));
    }
    Some((gw, subnet))
}

fn check_ranges_against_subnet(
    i: usize,
    cn: &ContainerNetwork,
    gw: Ipv4Addr,
    subnet: Ipv4Net,
    ranges: &[(usize, IpRange)],
    out: &mut Vec<Finding>,
) {
    for (k, r) in ranges {
        let p = format!("{}[{k}]", path(i, "ip_ranges"));
        if !r.within(&subnet) {
            out.push(Finding::error(
                "NV17",
                "container-network-ip-range",
                p,
                format!(
                    "IP range \"{}\" of container network \"{}\" is not inside the gateway's subnet {subnet}.",
                    cn.ip_ranges[*k],
                    cn.effective_alias()
                ),
            ));
        } else if r.contains(gw) {
            out.push(Finding::warning(
                "NV25",
                "container-network-ip-range",
                p,
                format!(
                    "IP range \"{}\" of container network \"{}\" includes its gateway {gw}; the gateway will be held back \
                     from the pool, but a range that leaves it out is clearer.",
                    cn.ip_ranges[*k],
                    cn.effective_alias()
                ),
            ));
        }
    }
}

fn check_dns(i: usize, cn: &ContainerNetwork, out: &mut Vec<Finding>) {
    for (k, d) in cn.dns.iter().enumerate() {
        let p = format!("{}[{k}]", path(i, "dns"));
        if d.trim().is_empty() {
            out.push(Finding::error(
                "N19",
                "container-network-dns",
                p,
                format!(
                    "A DNS entry of container network \"{}\" has no address. Write {}:ip.",
                    cn.effective_alias(),
                    cn.port_group
                ),
            ));
        } else if parse_ipv4(d).is_none() {
            out.push(Finding::error(
                "N10",
                "container-network-dns",
                p,
                format!(
                    "DNS server \"{d}\" of container network \"{}\" is not an IPv4 address.",
                    cn.effective_alias()
                ),
            ));
        }
    }
}
