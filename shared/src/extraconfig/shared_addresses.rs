//! Reading back the roles' static addresses. Create gives every role on a port group the
//! address of the first role on it (NV4), so the stored configuration repeats it; the user gave
//! it once. Read back, a copy stays on the role that owns it only: otherwise a configure of a
//! VCH whose client shares the public port group would trip over its own copy (NV1).

use crate::config::{NetworkConfig, RoleNetwork};

fn copied(role: &RoleNetwork, owner: &RoleNetwork) -> bool {
    role.ip.is_some() && role.port_group == owner.port_group && role.ip == owner.ip
}

/// Drops the copied address (and gateway) from client and management.
pub(super) fn drop_copied_addresses(net: &mut NetworkConfig) {
    let client_before = net.client.clone();
    if copied(&net.client, &net.public) {
        net.client.ip = None;
        net.client.gateway = None;
    }
    if copied(&net.management, &net.public) || copied(&net.management, &client_before) {
        net.management.ip = None;
        net.management.gateway = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(pg: &str, ip: Option<&str>) -> RoleNetwork {
        RoleNetwork {
            port_group: Some(pg.into()),
            ip: ip.map(Into::into),
            gateway: ip.map(|_| "10.0.1.1".into()),
        }
    }

    #[test]
    fn only_the_owner_keeps_a_shared_address() {
        let mut net = NetworkConfig {
            public: role("pub", Some("10.0.1.10/24")),
            client: role("pub", Some("10.0.1.10/24")),
            management: role("pub", Some("10.0.1.10/24")),
            ..NetworkConfig::default()
        };
        drop_copied_addresses(&mut net);
        assert_eq!(net.public.ip.as_deref(), Some("10.0.1.10/24"));
        assert_eq!((net.client.ip, net.client.gateway), (None, None));
        assert_eq!((net.management.ip, net.management.gateway), (None, None));

        // Own port groups keep their own addresses; management copied from client is dropped.
        let mut net = NetworkConfig {
            public: role("pub", Some("10.0.1.10/24")),
            client: role("cl", Some("10.0.2.10/24")),
            management: role("cl", Some("10.0.2.10/24")),
            ..NetworkConfig::default()
        };
        drop_copied_addresses(&mut net);
        assert_eq!(net.client.ip.as_deref(), Some("10.0.2.10/24"));
        assert_eq!(net.management.ip, None);
    }
}
