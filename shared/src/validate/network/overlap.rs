//! What the original only finds at runtime: container subnets that overlap the bridge range or each
//! other (NV21, NV22) and role static addresses inside the bridge range (NV23).

use ipnet::Ipv4Net;

use super::{ContainerSubnet, RoleStatic};
use crate::address::nets_overlap;
use crate::finding::Finding;

pub(super) fn check(
    bridge_range: Option<Ipv4Net>,
    statics: &[RoleStatic],
    subnets: &[ContainerSubnet],
    out: &mut Vec<Finding>,
) {
    if let Some(bridge) = bridge_range {
        for s in subnets {
            if nets_overlap(&s.subnet, &bridge) {
                out.push(Finding::error(
                    "NV21",
                    "container-network-gateway",
                    format!("network.container_networks[{}].gateway", s.index),
                    format!(
                        "Subnet {} of container network \"{}\" overlaps the bridge range {bridge}; containers could not tell \
                         the two apart. Use another subnet or move the bridge with --bridge-network-range.",
                        s.subnet, s.alias
                    ),
                ));
            }
        }
        for r in statics {
            if bridge.contains(&r.ip.addr()) {
                out.push(Finding::error(
                    "NV23",
                    &format!("{}-network-ip", r.role),
                    format!("network.{}.ip", r.role),
                    format!(
                        "The {} address {} lies inside the bridge range {bridge}, so traffic to it would stay on the bridge. \
                         Pick an address outside it or move the bridge with --bridge-network-range.",
                        r.role, r.ip
                    ),
                ));
            }
        }
    }
    for (n, s) in subnets.iter().enumerate() {
        if let Some(earlier) = subnets[..n]
            .iter()
            .find(|e| nets_overlap(&e.subnet, &s.subnet))
        {
            out.push(Finding::error(
                "NV22",
                "container-network-gateway",
                format!("network.container_networks[{}].gateway", s.index),
                format!(
                    "Subnet {} of container network \"{}\" overlaps subnet {} of container network \"{}\". Each container network needs its own subnet.",
                    s.subnet, s.alias, earlier.subnet, earlier.alias
                ),
            ));
        }
    }
}
