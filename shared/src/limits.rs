//! Caps on the size of a configuration: how many entries each list may hold and how long a text
//! may be. A configuration beyond a cap gets a finding that names the limit (SC3, SC4 in
//! `docs/validation-rules.md`) and the other rules only look at what fits under the caps, so no
//! input can make validation (in the browser, the CLI or the server) or its report grow without
//! bound. The values are far above anything a real VCH uses.

/// Bytes of any text field other than PEM contents (names, addresses, paths, lists such as
/// `--no-proxy`).
pub const MAX_TEXT_BYTES: usize = 4096;
/// Bytes of the PEM contents of one certificate or key file (a CA bundle may hold many certificates).
pub const MAX_PEM_BYTES: usize = 256 * 1024;
/// Bytes of one pasted `vic-machine create` command line (the API's body limit).
pub const MAX_COMMAND_LINE_BYTES: usize = 1024 * 1024;
/// Bytes of a password.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// `--dns-server` entries accepted (only the first three reach the appliance, see N11).
pub const MAX_DNS_SERVERS: usize = 16;
/// `--container-network` entries.
pub const MAX_CONTAINER_NETWORKS: usize = 64;
/// `--container-network-ip-range` entries of one container network.
pub const MAX_IP_RANGES_PER_NETWORK: usize = 256;
/// `--container-network-dns` entries of one container network.
pub const MAX_DNS_PER_NETWORK: usize = 16;
/// `--volume-store` entries.
pub const MAX_VOLUME_STORES: usize = 64;
/// `--insecure-registry` and `--whitelist-registry` entries (each list).
pub const MAX_REGISTRIES: usize = 256;
/// `--registry-ca` and `--tls-ca` files (each list).
pub const MAX_CA_FILES: usize = 64;
/// `--organization` entries.
pub const MAX_ORGANIZATIONS: usize = 16;
/// Any other list of the model.
pub const MAX_OTHER_LIST: usize = 64;

/// A list of the model: the pattern of its path (indices written `[]`), its cap and its option.
pub struct ListCap {
    pub pattern: &'static str,
    pub max: usize,
    pub option: &'static str,
}

/// Every list of [`crate::config::VchConfig`] with its cap.
pub const LIST_CAPS: &[ListCap] = &[
    ListCap {
        pattern: "network.dns_servers",
        max: MAX_DNS_SERVERS,
        option: "dns-server",
    },
    ListCap {
        pattern: "network.container_networks",
        max: MAX_CONTAINER_NETWORKS,
        option: "container-network",
    },
    ListCap {
        pattern: "network.container_networks[].ip_ranges",
        max: MAX_IP_RANGES_PER_NETWORK,
        option: "container-network-ip-range",
    },
    ListCap {
        pattern: "network.container_networks[].dns",
        max: MAX_DNS_PER_NETWORK,
        option: "container-network-dns",
    },
    ListCap {
        pattern: "storage.volume_stores",
        max: MAX_VOLUME_STORES,
        option: "volume-store",
    },
    ListCap {
        pattern: "registry.insecure_registries",
        max: MAX_REGISTRIES,
        option: "insecure-registry",
    },
    ListCap {
        pattern: "registry.whitelist_registries",
        max: MAX_REGISTRIES,
        option: "whitelist-registry",
    },
    ListCap {
        pattern: "registry.registry_ca",
        max: MAX_CA_FILES,
        option: "registry-ca",
    },
    ListCap {
        pattern: "security.tls_ca",
        max: MAX_CA_FILES,
        option: "tls-ca",
    },
    ListCap {
        pattern: "security.organization",
        max: MAX_ORGANIZATIONS,
        option: "organization",
    },
];

/// The cap of the list at `pattern`, and its option when the table knows it.
pub fn list_cap(pattern: &str) -> (usize, Option<&'static str>) {
    LIST_CAPS
        .iter()
        .find(|c| c.pattern == pattern)
        .map_or((MAX_OTHER_LIST, None), |c| (c.max, Some(c.option)))
}

/// The cap of the text at `pattern`: PEM contents may be longer than anything else.
pub fn text_cap(pattern: &str) -> usize {
    if pattern.ends_with(".pem") {
        MAX_PEM_BYTES
    } else {
        MAX_TEXT_BYTES
    }
}

/// `text` cut to at most `max` bytes, on a character boundary.
pub fn truncate_to(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}
