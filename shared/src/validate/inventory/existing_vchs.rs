//! G12 (the name is taken by a VCH of the datacenter) and NV28 (the bridge port group is used by
//! another VCH, vic#2409, which the original never checks).
//!
//! G13 (a VM that is not a VCH has the name) and G14 (a VM folder has the name) need every VM and
//! folder of the datacenter; a snapshot lists only VCHs, so the deploy still reports those.

use super::Scope;
use super::networks::find;
use crate::config::{DEFAULT_NAME, VchConfig};
use crate::finding::Finding;

/// How many VCHs an NV28 message names before it only counts the rest.
const MAX_NAMED: usize = 5;

pub(super) fn check(resolved: &VchConfig, scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let dc = scope.dc;
    let name = resolved
        .general
        .name
        .as_deref()
        .unwrap_or(DEFAULT_NAME)
        .trim();
    let taken = |candidate: &str| {
        dc.vchs
            .iter()
            .any(|v| v.name == candidate || v.vm_name == candidate)
    };
    if let Some(vch) = dc.vchs.iter().find(|v| v.name == name || v.vm_name == name) {
        let free = (2..100)
            .map(|i| format!("{name}-{i}"))
            .find(|c| !taken(c) && c.len() <= crate::config::MAX_NAME_LENGTH);
        let state = if vch.creating {
            " (a create that never finished; delete it to reuse the name)"
        } else {
            ""
        };
        let place = vch
            .resource_pool
            .as_deref()
            .map(|p| format!(" in {p}"))
            .unwrap_or_default();
        out.push(Finding {
            suggestions: free.into_iter().collect(),
            ..Finding::error(
                "G12",
                "name",
                "general.name",
                format!(
                    "A VCH named \"{name}\" already exists{place}{state}. Choose a different name."
                ),
            )
        });
    }

    let n = &resolved.network;
    let Some(bridge) = n.bridge.port_group.as_deref() else {
        return;
    };
    // NV10 already reports a bridge shared with a role of this VCH. A VCH with this name is this
    // one being reconfigured (or G12): its own bridge is no clash.
    let shared_with_role = [&n.public, &n.client, &n.management]
        .iter()
        .any(|r| r.port_group.as_deref() == Some(bridge));
    if shared_with_role {
        return;
    }
    let mut names: Vec<&str> = find(dc, bridge).iter().map(|n| n.name.as_str()).collect();
    names.push(bridge);
    let users: Vec<&str> = dc
        .vchs
        .iter()
        .filter(|v| {
            v.name != name
                && v.vm_name != name
                && v.networks.iter().any(|pg| names.contains(&pg.as_str()))
        })
        .map(|v| v.name.as_str())
        .collect();
    if users.is_empty() {
        return;
    }
    // A port group every VCH of a large vCenter sits on would otherwise put thousands of names in
    // one message (and in the wizard's DOM on every keystroke): the first few say enough.
    let mut named = users
        .iter()
        .take(MAX_NAMED)
        .map(|u| format!("\"{u}\""))
        .collect::<Vec<_>>()
        .join(", ");
    if users.len() > MAX_NAMED {
        named.push_str(&format!(" and {} more", users.len() - MAX_NAMED));
    }
    out.push(Finding::error(
        "NV28",
        "bridge-network",
        "network.bridge.port_group",
        format!(
            "Port group \"{bridge}\" is already used by VCH {named}. Containers of two VCHs on one bridge share a network segment \
             and get clashing addresses; give each VCH a bridge port group of its own."
        ),
    ));
}
