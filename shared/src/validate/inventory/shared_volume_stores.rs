//! S18: a volume store whose datastore directory another VCH of the datacenter already uses.
//! Deleting either VCH with `--force` would remove the other's volumes, so create refuses it
//! (the original never checks).

use super::Scope;
use crate::config::{DEFAULT_NAME, VchConfig};
use crate::finding::Finding;

/// `ds://datastore/path`, `datastore/path` or `datastore` (then `VIC`, as create makes it) →
/// `[datastore] path`; `None` for NFS and other schemes.
fn datastore_path(location: &str) -> Option<String> {
    let text = location.trim();
    let text = text.strip_prefix("ds://").unwrap_or(text);
    if text.contains("://") {
        return None;
    }
    let (ds, path) = text.split_once('/').unwrap_or((text, ""));
    let path = path.trim_matches('/');
    let path = if path.is_empty() { "VIC" } else { path };
    Some(format!("[{ds}] {path}"))
}

pub(super) fn check(resolved: &VchConfig, scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let name = resolved
        .general
        .name
        .as_deref()
        .unwrap_or(DEFAULT_NAME)
        .trim();
    for (i, store) in resolved.storage.volume_stores.iter().enumerate() {
        let Some((location, label)) = store.rsplit_once(':') else {
            continue;
        };
        let Some(path) = datastore_path(location) else {
            continue;
        };
        // A VCH with this name is this one being reconfigured (or G12).
        let users: Vec<String> = scope
            .dc
            .vchs
            .iter()
            .filter(|v| v.name != name && v.vm_name != name && v.volume_stores.contains(&path))
            .map(|v| format!("\"{}\" ({})", v.name, v.id))
            .collect();
        if users.is_empty() {
            continue;
        }
        out.push(Finding::error(
            "S18",
            "volume-store",
            format!("storage.volume_stores[{i}]"),
            format!(
                "Volume store \"{label}\" would use {path}, which VCH {} already uses as a volume store; deleting either VCH \
                 with --force would remove the other's volumes. Give this VCH a directory of its own.",
                users.join(", ")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::datastore_path;

    #[test]
    fn locations_read_as_create_makes_them() {
        assert_eq!(
            datastore_path("ds://ds1/a/b/").as_deref(),
            Some("[ds1] a/b")
        );
        assert_eq!(datastore_path("ds1").as_deref(), Some("[ds1] VIC"));
        assert_eq!(datastore_path("nfs://h/x"), None);
    }
}
