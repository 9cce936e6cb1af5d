//! Network rules: parse-time (N*) and the static part of the original's network validator (NV*),
//! plus the checks the original leaves to runtime (NV21–NV26).
//!
//! Roles are resolved first, as the original does: an empty client port group is the public one,
//! an empty management port group the client one, and the bridge defaults to the VCH name.

mod bridge;
mod container;
mod dns;
mod host_address;
mod overlap;
mod proxy;
mod roles;

use ipnet::Ipv4Net;

use crate::address::parse_cidr;
use crate::config::{DEFAULT_BRIDGE_RANGE, DEFAULT_NAME, DEFAULT_PUBLIC_NETWORK, VchConfig};
use crate::finding::Finding;

/// Port groups after default resolution, borrowed from the config.
pub(super) struct ResolvedPortGroups<'a> {
    pub bridge: &'a str,
    pub public: &'a str,
    pub client: &'a str,
    pub management: &'a str,
}

impl<'a> ResolvedPortGroups<'a> {
    fn new(config: &'a VchConfig) -> Self {
        let n = &config.network;
        let public = n
            .public
            .port_group
            .as_deref()
            .unwrap_or(DEFAULT_PUBLIC_NETWORK);
        let client = n.client.port_group.as_deref().unwrap_or(public);
        let management = n.management.port_group.as_deref().unwrap_or(client);
        let name = config.general.name.as_deref().unwrap_or(DEFAULT_NAME);
        let bridge = n.bridge.port_group.as_deref().unwrap_or(name);
        Self {
            bridge,
            public,
            client,
            management,
        }
    }
}

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let pgs = ResolvedPortGroups::new(config);
    let bridge_range = bridge::check(config, &pgs, out);
    // The overlap rules still apply with an unparsable range: they use the default one then.
    let bridge_range = bridge_range.or_else(|| parse_cidr(DEFAULT_BRIDGE_RANGE).map(|n| n.trunc()));
    let statics = roles::check(config, &pgs, out);
    dns::check(config, out);
    let subnets = container::check(config, &pgs, out);
    overlap::check(bridge_range, &statics, &subnets, out);
    proxy::check(config, out);
}

/// A container network's subnet as derived from its gateway, for the overlap rules.
pub(super) struct ContainerSubnet {
    pub index: usize,
    pub alias: String,
    pub subnet: Ipv4Net,
}

/// A role's own static address, for the overlap rules.
pub(super) struct RoleStatic {
    pub role: &'static str,
    pub ip: Ipv4Net,
}
