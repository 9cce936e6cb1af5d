//! Public, client and management: N4–N9 and NV1–NV8, with the sharing semantics of the original
//! (one static address per port group, copied to every role on it; no own static address on a role
//! that shares the public port group).

use ipnet::Ipv4Net;

use super::{ResolvedPortGroups, RoleStatic};
use crate::address::{GatewaySpec, GatewaySpecError, parse_cidr, parse_gateway_spec};
use crate::config::{DEFAULT_DNS_SERVERS, RoleNetwork, VchConfig};
use crate::finding::Finding;

struct Role<'a> {
    name: &'static str,
    pg: &'a str,
    ip: Option<Ipv4Net>,
    gateway: Option<GatewaySpec>,
}

fn option(role: &str, field: &str) -> String {
    match field {
        "" => format!("{role}-network"),
        f => format!("{role}-network-{f}"),
    }
}

fn path(role: &str, field: &str) -> String {
    format!("network.{role}.{field}")
}

pub(super) fn check(
    config: &VchConfig,
    pgs: &ResolvedPortGroups<'_>,
    out: &mut Vec<Finding>,
) -> Vec<RoleStatic> {
    let n = &config.network;
    let roles = [
        parse_role("public", pgs.public, &n.public, out),
        parse_role("client", pgs.client, &n.client, out),
        parse_role("management", pgs.management, &n.management, out),
    ];
    let public = &roles[0];
    let own: Vec<_> = roles
        .iter()
        .filter_map(|r| r.ip.map(|ip| ip.addr()))
        .collect();
    for role in &roles {
        if let Some(ip) = role.ip {
            super::host_address::static_ip(role.name, ip, out);
            if let Some(gw) = &role.gateway {
                super::host_address::gateway(role.name, ip, gw.gateway, &own, out);
            }
        }
    }

    if public.ip.is_some() && n.public.gateway.is_none() {
        out.push(Finding::error(
            "NV6",
            "public-network-gateway",
            path("public", "gateway"),
            "A static public address needs --public-network-gateway as well: the public network carries the default route.",
        ));
    }
    if let Some(gw) = &public.gateway
        && !gw.destinations.is_empty()
    {
        out.push(
                Finding::error(
                    "NV7",
                    "public-network-gateway",
                    path("public", "gateway"),
                    "The public network holds the default route, so its gateway takes no routing destinations. Give only the gateway address.",
                )
                .with_suggestion(gw.gateway.to_string()),
            );
    }
    for role in &roles[1..] {
        if role.pg == public.pg && role.ip.is_some() {
            out.push(Finding::error(
                "NV1",
                &option(role.name, "ip"),
                path(role.name, "ip"),
                format!(
                    "The {} network shares port group \"{}\" with the public network, so its static address can only be set \
                     with the public options (--public-network-ip/--public-network-gateway). Remove --{} or give the {} network its own port group.",
                    role.name,
                    role.pg,
                    option(role.name, "ip"),
                    role.name
                ),
            ));
        }
        if let (Some(gw), Some(_)) = (&role.gateway, role.ip)
            && role.pg != public.pg
            && gw.destinations.is_empty()
        {
            out.push(
                    Finding::error(
                        "NV5",
                        &option(role.name, "gateway"),
                        path(role.name, "gateway"),
                        format!(
                            "Only the public network has the default route, so the {} gateway needs at least one routing destination, \
                             written as destination-cidr[,cidr...]:gateway.",
                            role.name
                        ),
                    )
                    .with_suggestion(format!("10.0.0.0/8:{}", gw.gateway)),
                );
        }
    }

    let effective = share_static_addresses(&roles, out);
    same_subnet_on_different_port_groups(&roles, &effective, out);

    if effective.iter().all(Option::is_some) && n.dns_servers.is_empty() {
        out.push(Finding::info(
            "NV8",
            "dns-server",
            "network.dns_servers",
            format!(
                "Public, client and management are all static and no --dns-server is given, so the VCH will use {}.",
                DEFAULT_DNS_SERVERS.join(" and ")
            ),
        ));
    }

    roles
        .iter()
        .filter_map(|r| r.ip.map(|ip| RoleStatic { role: r.name, ip }))
        .collect()
}

fn parse_role<'a>(
    name: &'static str,
    pg: &'a str,
    cfg: &RoleNetwork,
    out: &mut Vec<Finding>,
) -> Role<'a> {
    let ip = cfg.ip.as_deref().and_then(|raw| {
        let parsed = parse_cidr(raw);
        if parsed.is_none() {
            let mut f = Finding::error(
                "N5",
                &option(name, "ip"),
                path(name, "ip"),
                format!("The {name} network address \"{raw}\" must be an IPv4 address with its prefix length, e.g. 10.0.1.2/24."),
            );
            if crate::address::parse_ipv4(raw).is_some() {
                f = f.with_suggestion(format!("{}/24", raw.trim()));
            }
            out.push(f);
        }
        parsed
    });
    let gateway = cfg.gateway.as_deref().and_then(|raw| {
        if cfg.ip.is_none() {
            out.push(Finding::error(
                "N4",
                &option(name, "gateway"),
                path(name, "gateway"),
                format!(
                    "A {name} gateway is set but the {name} network uses DHCP. Add --{} or drop the gateway.",
                    option(name, "ip")
                ),
            ));
        }
        parse_gateway(name, raw, ip, out)
    });
    Role {
        name,
        pg,
        ip,
        gateway,
    }
}

fn parse_gateway(
    name: &'static str,
    raw: &str,
    ip: Option<Ipv4Net>,
    out: &mut Vec<Finding>,
) -> Option<GatewaySpec> {
    let opt = option(name, "gateway");
    let p = path(name, "gateway");
    let spec = match parse_gateway_spec(raw) {
        Ok(spec) => spec,
        Err(GatewaySpecError::TooManyColons) => {
            out.push(Finding::error(
                "N6",
                &opt,
                p,
                format!("The {name} gateway \"{raw}\" has more than one ':'. Write it as [cidr,cidr:]gateway-ip."),
            ));
            return None;
        }
        Err(GatewaySpecError::BadGateway(gw)) => {
            out.push(Finding::error(
                "N7",
                &opt,
                p,
                format!("The {name} gateway \"{gw}\" is not an IPv4 address."),
            ));
            return None;
        }
        Err(GatewaySpecError::BadDestination(d)) => {
            out.push(Finding::error(
                "N8",
                &opt,
                p,
                format!("Routing destination \"{d}\" of the {name} gateway is not a CIDR block such as 10.0.0.0/8."),
            ));
            return None;
        }
    };
    if let Some(mask) = spec.gateway_mask {
        match ip {
            Some(ip) if ip.prefix_len() == mask => out.push(
                Finding::info(
                    "N24",
                    &opt,
                    p.clone(),
                    format!(
                        "The {name} gateway was written with a mask (/{mask}); the mask comes from the static address, \
                         so it is read as the plain address {}.",
                        spec.gateway
                    ),
                )
                .with_suggestion(normalised_spec(&spec)),
            ),
            Some(ip) => {
                out.push(Finding::error(
                    "N7",
                    &opt,
                    p,
                    format!(
                        "The {name} gateway is written as {}/{mask} but the static address {ip} has prefix /{}; \
                         give the gateway as a plain address.",
                        spec.gateway,
                        ip.prefix_len()
                    ),
                ).with_suggestion(normalised_spec(&spec)));
                return None;
            }
            None => {}
        }
    }
    if let Some(ip) = ip
        && !ip.trunc().contains(&spec.gateway)
    {
        out.push(Finding::error(
                "N9",
                &opt,
                p,
                format!(
                    "The {name} gateway {} is outside the static address's subnet {}, so it cannot be reached.",
                    spec.gateway,
                    ip.trunc()
                ),
            ));
    }
    Some(spec)
}

fn normalised_spec(spec: &GatewaySpec) -> String {
    if spec.destinations.is_empty() {
        spec.gateway.to_string()
    } else {
        let d: Vec<String> = spec.destinations.iter().map(ToString::to_string).collect();
        format!("{}:{}", d.join(","), spec.gateway)
    }
}

/// NV2 and NV4; returns every role's address after copying within port groups.
fn share_static_addresses(roles: &[Role<'_>; 3], out: &mut Vec<Finding>) -> [Option<Ipv4Net>; 3] {
    let mut effective = [roles[0].ip, roles[1].ip, roles[2].ip];
    for (i, owner) in roles.iter().enumerate() {
        let Some(ip) = owner.ip else { continue };
        // Only the first role with an address on a port group speaks for it.
        if roles[..i]
            .iter()
            .any(|r| r.pg == owner.pg && r.ip.is_some())
        {
            continue;
        }
        let same_pg: Vec<&Role<'_>> = roles.iter().filter(|r| r.pg == owner.pg).collect();
        let on_public = owner.pg == roles[0].pg;
        let conflicting = same_pg
            .iter()
            .filter(|r| r.ip.is_some_and(|other| other != ip))
            .count();
        if conflicting > 0 && !on_public {
            out.push(Finding::error(
                "NV2",
                &option(owner.name, "ip"),
                path(owner.name, "ip"),
                format!(
                    "Roles on port group \"{}\" have different static addresses; all roles on one port group share one NIC \
                     and so one address. Give them the same address or separate port groups.",
                    owner.pg
                ),
            ));
        }
        let copied: Vec<&str> = roles
            .iter()
            .enumerate()
            .filter(|(_, r)| r.pg == owner.pg && r.ip.is_none())
            .map(|(j, r)| {
                effective[j] = Some(ip);
                r.name
            })
            .collect();
        if !copied.is_empty() {
            out.push(Finding::info(
                "NV4",
                &option(owner.name, "ip"),
                path(owner.name, "ip"),
                format!(
                    "The {} network shares port group \"{}\" with the {} network, so it also uses the static address {ip}.",
                    copied.join(" and "),
                    owner.pg,
                    owner.name
                ),
            ));
        }
    }
    effective
}

/// NV3: one subnet split across port groups confuses routing.
fn same_subnet_on_different_port_groups(
    roles: &[Role<'_>; 3],
    effective: &[Option<Ipv4Net>; 3],
    out: &mut Vec<Finding>,
) {
    let mut reported: Vec<(&str, &str)> = Vec::new();
    for i in 0..3 {
        for j in (i + 1)..3 {
            let (Some(a), Some(b)) = (effective[i], effective[j]) else {
                continue;
            };
            let pair = (roles[i].pg, roles[j].pg);
            if pair.0 != pair.1 && a.trunc() == b.trunc() && !reported.contains(&pair) {
                reported.push(pair);
                out.push(Finding::warning(
                    "NV3",
                    &option(roles[j].name, "ip"),
                    path(roles[j].name, "ip"),
                    format!(
                        "Subnet {} is used on two port groups (\"{}\" for {}, \"{}\" for {}); this is not supported and \
                         routing may pick the wrong interface.",
                        a.trunc(),
                        roles[i].pg,
                        roles[i].name,
                        roles[j].pg,
                        roles[j].name
                    ),
                ));
            }
        }
    }
}
