//! NV9, NV11–NV13, NV19 and NV27: the port groups of the four appliance roles and the container
//! networks against the datacenter's networks.
//!
//! What the static rules already say is not said again: a bridge shared with another role (NV10)
//! gets no bridge findings here, and a container network that maps the bridge (NV20) or repeats an
//! earlier one (NV26) is not looked up again. Public, client and management are checked once per
//! port group, on the field that names it.

use std::collections::HashSet;

use super::suggestions::{leave_out, ranked, ranked_with_spare};
use super::{Scope, host_names};
use crate::config::{DEFAULT_PUBLIC_NETWORK, VchConfig};
use crate::finding::Finding;
use crate::inventory::{Datacenter, Network, NetworkKind};

/// The networks `text` names: a name, a full path, or a path below the datacenter
/// (`network/folder/pg`, `folder/pg`). Several when a name repeats across folders or switches.
pub(super) fn find<'a>(dc: &'a Datacenter, text: &str) -> Vec<&'a Network> {
    let text = text.trim();
    let mut keys = vec![text.to_owned()];
    if text.contains('/') && !text.starts_with('/') {
        keys.push(format!("{}/network/{text}", dc.path));
        keys.push(format!("{}/{text}", dc.path));
    }
    let mut found: Vec<&Network> = Vec::new();
    for key in &keys {
        for n in dc.networks_named(key) {
            if !found.iter().any(|f| f.id == n.id) {
                found.push(n);
            }
        }
    }
    // Snapshot order, as a scan would give.
    found.sort_by_key(|n| std::ptr::from_ref::<Network>(n) as usize);
    found
}

/// Distributed port groups and NSX networks span hosts, which vCenter needs for the bridge and
/// container networks.
fn spans_hosts(n: &Network) -> bool {
    matches!(
        n.kind,
        NetworkKind::DistributedPortGroup | NetworkKind::Opaque
    )
}

/// A role or container network never goes on the bridge: its suggestions, ranked without regard
/// to the bridge (so typing a bridge does not rank them again), drop it afterwards.
fn not_the_bridge(dc: &Datacenter, bridge: &str, ranked: Vec<String>) -> Vec<String> {
    leave_out(ranked, |label| {
        find(dc, label).iter().any(|n| n.name == bridge)
    })
}

fn kind_text(n: &Network) -> &'static str {
    match n.kind {
        NetworkKind::Standard => "standard port group",
        NetworkKind::DistributedPortGroup => "distributed port group",
        NetworkKind::Opaque => "NSX opaque network",
    }
}

/// One of public, client and management after default resolution.
struct Role<'a> {
    name: &'static str,
    pg: &'a str,
    explicit: bool,
}

pub(super) fn check(
    config: &VchConfig,
    resolved: &VchConfig,
    scope: &Scope<'_>,
    out: &mut Vec<Finding>,
) {
    let n = &resolved.network;
    let given = &config.network;
    let roles = [
        ("public", &n.public.port_group, &given.public.port_group),
        ("client", &n.client.port_group, &given.client.port_group),
        (
            "management",
            &n.management.port_group,
            &given.management.port_group,
        ),
    ]
    .map(|(name, pg, explicit)| Role {
        name,
        pg: pg.as_deref().unwrap_or(DEFAULT_PUBLIC_NETWORK),
        explicit: explicit.as_deref().is_some_and(|e| !e.is_empty()),
    });
    let bridge = n.bridge.port_group.as_deref().unwrap_or_default();
    let bridge_explicit = given.bridge.port_group.is_some();

    check_roles(&roles, bridge, scope, out);
    if !roles.iter().any(|r| r.pg == bridge) {
        check_bridge(resolved, &roles, bridge, bridge_explicit, scope, out);
    }
    check_containers(config, bridge, scope, out);
}

/// Networks the compute resource's hosts see (all of the datacenter's when it is unresolved).
fn visible<'a, 's>(scope: &'s Scope<'a>) -> impl Iterator<Item = &'a Network> + 's {
    scope
        .dc
        .networks
        .iter()
        // NSX opaque networks are refused (NV32), so never suggested.
        .filter(|n| n.kind != NetworkKind::Opaque)
        .filter(move |n| scope.sees(&n.hosts))
}

/// NV9 and NV27.
fn check_roles(roles: &[Role<'_>; 3], bridge: &str, scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let dc = scope.dc;
    for (i, role) in roles.iter().enumerate() {
        if roles[..i].iter().any(|r| r.pg == role.pg) {
            continue;
        }
        let sharing: Vec<&Role<'_>> = roles.iter().filter(|r| r.pg == role.pg).collect();
        let owner = sharing.iter().find(|r| r.explicit).copied().unwrap_or(role);
        let role_names = sharing.iter().map(|r| r.name).collect::<Vec<_>>();
        let which = match role_names.as_slice() {
            [one] => format!("the {one} network"),
            [init @ .., last] => format!("the {} and {last} networks", init.join(", ")),
            [] => String::new(),
        };
        let verb = if role_names.len() == 1 { "uses" } else { "use" };
        let option = format!("{}-network", owner.name);
        let path = format!("network.{}.port_group", owner.name);
        let found = find(dc, role.pg);
        match found.as_slice() {
            [] => {
                let candidates = visible(scope).filter(|n| n.name != "bridge");
                let message = if owner.explicit {
                    format!(
                        "Port group \"{}\" ({which}) is not in datacenter \"{}\". Pick one of the networks the compute resource's hosts see.",
                        role.pg, dc.name
                    )
                } else {
                    format!(
                        "No public network is given and the default, \"{}\", is not in datacenter \"{}\". Choose the public network.",
                        role.pg, dc.name
                    )
                };
                out.push(Finding {
                    suggestions: not_the_bridge(
                        dc,
                        bridge,
                        scope.suggestions("NV9", &[role.pg], || {
                            ranked_with_spare(role.pg, candidates, &dc.networks)
                        }),
                    ),
                    ..Finding::error("NV9", &option, path, message)
                });
            }
            [one] => {
                if scope.is_vcenter() && one.kind == NetworkKind::Standard {
                    let better = visible(scope).filter(|n| spans_hosts(n));
                    out.push(Finding {
                        suggestions: not_the_bridge(
                            dc,
                            bridge,
                            scope.suggestions("NV27", &[role.pg], || {
                                ranked_with_spare(role.pg, better, &dc.networks)
                            }),
                        ),
                        ..Finding::warning(
                            "NV27",
                            &option,
                            path,
                            format!(
                                "{} {verb} the standard port group \"{}\". On vCenter that keeps the appliance from being moved with \
                                 vMotion to a host where the port group is missing or set up differently; a distributed port group avoids it.",
                                capitalise(&which),
                                one.name
                            ),
                        )
                    });
                }
            }
            several => out.push(Finding {
                suggestions: several.iter().map(|n| n.path.clone()).collect(),
                ..Finding::error(
                    "NV9",
                    &option,
                    path,
                    format!(
                        "{} networks are called \"{}\" ({which}). Give the inventory path of the one you mean.",
                        several.len(),
                        role.pg
                    ),
                )
            }),
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// NV11, NV12 and NV13 for the bridge.
fn check_bridge(
    resolved: &VchConfig,
    roles: &[Role<'_>; 3],
    bridge: &str,
    explicit: bool,
    scope: &Scope<'_>,
    out: &mut Vec<Finding>,
) {
    let dc = scope.dc;
    let option = "bridge-network";
    let path = "network.bridge.port_group";
    let found = find(dc, bridge);
    if scope.is_esxi() {
        if found.is_empty() {
            out.push(Finding::info(
                "NV12",
                option,
                path,
                format!(
                    "Port group \"{bridge}\" does not exist on the host yet; the deploy creates it, on a virtual switch of its own, as the bridge network."
                ),
            ));
        }
        return;
    }
    if !scope.is_vcenter() {
        return;
    }
    let spanning: Vec<&Network> = found.iter().copied().filter(|n| spans_hosts(n)).collect();
    match spanning.as_slice() {
        [one] => check_hosts(scope, one, option, path, out),
        [] => {
            // Port groups another VCH or role already uses would only trade this error for another.
            // The existing VCHs' port groups go into a set first: thousands of VCHs times
            // thousands of port groups would make every new value typed here quadratic.
            let candidates = || {
                let in_use: HashSet<&str> = dc
                    .vchs
                    .iter()
                    .flat_map(|v| v.networks.iter().map(String::as_str))
                    .collect();
                let taken = move |n: &Network| {
                    roles.iter().any(|r| r.pg == n.name)
                        || resolved
                            .network
                            .container_networks
                            .iter()
                            .any(|c| c.port_group == n.name)
                        || in_use.contains(n.name.as_str())
                };
                visible(scope).filter(move |n| spans_hosts(n) && !taken(n))
            };
            let message = match (found.first(), explicit) {
                (Some(n), _) => format!(
                    "The bridge network \"{bridge}\" is a {}. On vCenter the bridge must be an existing distributed port group \
                     or NSX opaque network that every host of the cluster sees; pick one that no other VCH uses.",
                    kind_text(n)
                ),
                (None, true) => format!(
                    "The bridge network \"{bridge}\" is not in datacenter \"{}\". On vCenter the bridge must be an existing \
                     distributed port group or NSX opaque network; create one for this VCH or pick an unused one.",
                    dc.name
                ),
                (None, false) => format!(
                    "No bridge network is given. On vCenter the bridge must be an existing distributed port group or NSX opaque \
                     network of its own (\"{bridge}\", the VCH name, does not exist); choose one with --bridge-network."
                ),
            };
            // Every input of `taken` goes into the memo's key.
            let mut inputs: Vec<&str> = vec![bridge];
            inputs.extend(roles.iter().map(|r| r.pg));
            inputs.extend(
                resolved
                    .network
                    .container_networks
                    .iter()
                    .map(|c| c.port_group.as_str()),
            );
            out.push(Finding {
                suggestions: scope.suggestions("NV11", &inputs, || {
                    ranked(bridge, candidates(), &dc.networks)
                }),
                ..Finding::error("NV11", option, path, message)
            });
        }
        several => out.push(Finding {
            suggestions: several.iter().map(|n| n.path.clone()).collect(),
            ..Finding::error(
                "NV11",
                option,
                path,
                format!(
                    "{} distributed port groups or opaque networks are called \"{bridge}\". Give the inventory path of the one you mean.",
                    several.len()
                ),
            )
        }),
    }
}

/// NV13: a vCenter network the VCH or its containers attach to must reach every host they may run on.
fn check_hosts(scope: &Scope<'_>, net: &Network, option: &str, path: &str, out: &mut Vec<Finding>) {
    let Some(placement) = scope.compute.as_ref() else {
        return;
    };
    let missing: Vec<&str> = placement
        .resource
        .hosts
        .iter()
        .filter(|h| !net.hosts.includes(h))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return;
    }
    let through = match &net.switch {
        Some(s) => format!(" (switch \"{}\")", s.name),
        None => String::new(),
    };
    out.push(Finding::error(
        "NV13",
        option,
        path.to_owned(),
        format!(
            "{} of \"{}\" {} not connected to {} \"{}\"{through}; a VCH or container placed there would have no network. \
             Add the {} to the switch, or pick a network every host sees.",
            host_names(scope.dc, &missing),
            placement.resource.name,
            if missing.len() == 1 { "is" } else { "are" },
            kind_text(net),
            net.name,
            if missing.len() == 1 { "host" } else { "hosts" },
        ),
    ));
}

/// NV19 and NV13 for container networks.
fn check_containers(config: &VchConfig, bridge: &str, scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let dc = scope.dc;
    let nets = &config.network.container_networks;
    for (i, cn) in nets.iter().enumerate() {
        let pg = cn.port_group.trim();
        if pg.is_empty() || pg == bridge || nets[..i].iter().any(|e| e.port_group == cn.port_group)
        {
            continue;
        }
        let option = "container-network";
        let path = format!("network.container_networks[{i}].port_group");
        let found = find(dc, pg);
        let usable: Vec<&Network> = if scope.is_vcenter() {
            found.iter().copied().filter(|n| spans_hosts(n)).collect()
        } else {
            found.clone()
        };
        let vcenter = scope.is_vcenter();
        let candidates = || {
            let ranked = scope.suggestions("NV19", &[pg], || {
                let c = visible(scope).filter(|n| !vcenter || spans_hosts(n));
                ranked_with_spare(pg, c, &dc.networks)
            });
            not_the_bridge(dc, bridge, ranked)
        };
        match usable.as_slice() {
            [one] => {
                if vcenter {
                    check_hosts(scope, one, option, &path, out);
                }
            }
            [] => {
                let message = match found.first() {
                    Some(n) => format!(
                        "Container network \"{pg}\" is a {}. On vCenter container networks must be distributed port groups \
                         or NSX opaque networks, so containers can run on every host.",
                        kind_text(n)
                    ),
                    None => format!(
                        "Container network \"{pg}\" is not in datacenter \"{}\". Map an existing network.",
                        dc.name
                    ),
                };
                out.push(Finding {
                    suggestions: candidates(),
                    ..Finding::error("NV19", option, path, message)
                });
            }
            several => out.push(Finding {
                suggestions: several.iter().map(|n| n.path.clone()).collect(),
                ..Finding::error(
                    "NV19",
                    option,
                    path,
                    format!(
                        "{} networks are called \"{pg}\". Map the one you mean by its inventory path.",
                        several.len()
                    ),
                )
            }),
        }
    }
}
