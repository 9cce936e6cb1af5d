//! G18: control characters (tabs, newlines, escapes, ...) in the names a VCH is built from. They
//! survive quoting on a command line but break vSphere paths, extraConfig values and the
//! appliance's own parsing, and are invisible when the value is shown back.

use crate::config::VchConfig;
use crate::finding::Finding;

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let n = &config.network;
    let single = [
        (&config.general.name, "name", "general.name"),
        (
            &config.target.compute_resource,
            "compute-resource",
            "target.compute_resource",
        ),
        (
            &config.storage.image_store,
            "image-store",
            "storage.image_store",
        ),
        (
            &n.bridge.port_group,
            "bridge-network",
            "network.bridge.port_group",
        ),
        (
            &n.public.port_group,
            "public-network",
            "network.public.port_group",
        ),
        (
            &n.client.port_group,
            "client-network",
            "network.client.port_group",
        ),
        (
            &n.management.port_group,
            "management-network",
            "network.management.port_group",
        ),
    ];
    for (value, option, path) in single {
        if let Some(v) = value {
            report(v, option, path.to_owned(), out);
        }
    }
    for (i, store) in config.storage.volume_stores.iter().enumerate() {
        report(
            store,
            "volume-store",
            format!("storage.volume_stores[{i}]"),
            out,
        );
    }
    for (i, cn) in n.container_networks.iter().enumerate() {
        let base = format!("network.container_networks[{i}]");
        report(
            &cn.port_group,
            "container-network",
            format!("{base}.port_group"),
            out,
        );
        if let Some(alias) = &cn.alias {
            report(alias, "container-network", format!("{base}.alias"), out);
        }
    }
}

fn report(value: &str, option: &str, path: String, out: &mut Vec<Finding>) {
    let Some(c) = value.chars().find(|c| c.is_control()) else {
        return;
    };
    let cleaned: String = value.chars().filter(|c| !c.is_control()).collect();
    out.push(
        Finding::error(
            "G18",
            option,
            path,
            format!(
                "--{option} contains the control character U+{:04X}; names cannot hold tabs, line breaks or other control characters.",
                u32::from(c)
            ),
        )
        .with_suggestion(cleaned),
    );
}
