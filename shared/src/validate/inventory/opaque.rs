//! NV32: NSX opaque networks. Attaching a NIC to one needs the network's opaque id and type,
//! which the inventory snapshot does not carry yet, so deploy cannot use them: refused here,
//! with the fix, rather than found valid and then refused by the deploy.

use super::Scope;
use super::networks::find;
use crate::config::VchConfig;
use crate::finding::Finding;
use crate::inventory::NetworkKind;

pub(super) fn check(resolved: &VchConfig, scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let n = &resolved.network;
    let mut named: Vec<(&str, String, &str)> = [
        (
            &n.bridge.port_group,
            "network.bridge.port_group",
            "bridge-network",
        ),
        (
            &n.public.port_group,
            "network.public.port_group",
            "public-network",
        ),
        (
            &n.client.port_group,
            "network.client.port_group",
            "client-network",
        ),
        (
            &n.management.port_group,
            "network.management.port_group",
            "management-network",
        ),
    ]
    .into_iter()
    .filter_map(|(pg, path, option)| pg.as_deref().map(|pg| (pg, path.to_owned(), option)))
    .collect();
    for (i, cn) in n.container_networks.iter().enumerate() {
        named.push((
            &cn.port_group,
            format!("network.container_networks[{i}].port_group"),
            "container-network",
        ));
    }
    let mut reported: Vec<&str> = Vec::new();
    for (pg, path, option) in named {
        let found = find(scope.dc, pg);
        if reported.contains(&pg)
            || found.is_empty()
            || !found.iter().all(|net| net.kind == NetworkKind::Opaque)
        {
            continue;
        }
        reported.push(pg);
        out.push(Finding::error(
            "NV32",
            option,
            path,
            format!(
                "\"{pg}\" is an NSX opaque network, which this version cannot attach the VCH or its containers to yet. \
                 Use a distributed port group (vCenter) or a standard port group instead."
            ),
        ));
    }
}
