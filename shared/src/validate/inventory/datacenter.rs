//! T7 and T8: which datacenter of the target the VCH goes to. T6 (more than a datacenter in the
//! target path) is a static rule; T9 (an ESXi host managed by a vCenter) needs the host's
//! `summary.managementServerIp`, which a snapshot does not carry, so it is not checked here.

use super::suggestions::ranked;
use crate::config::VchConfig;
use crate::finding::Finding;
use crate::inventory::{Datacenter, InventorySnapshot};

/// The datacenter every other rule looks in, or `None` (reported, or a target without any).
pub(super) fn check<'a>(
    config: &VchConfig,
    snapshot: &'a InventorySnapshot,
    out: &mut Vec<Finding>,
) -> Option<&'a Datacenter> {
    let given = config
        .target
        .datacenter
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.trim_matches('/').is_empty());
    let all = &snapshot.datacenters;
    if let Some(text) = given {
        if let Some(dc) = snapshot.datacenter(text) {
            return Some(dc);
        }
        // With T6 (`dc/cluster`) the first element is still the datacenter the user meant.
        let first = text.split('/').find(|p| !p.is_empty())?;
        if let Some(dc) = snapshot.datacenter(first).filter(|_| first != text) {
            return Some(dc);
        }
        out.push(Finding {
            suggestions: ranked(first, all, all),
            ..Finding::error(
                "T7",
                "target",
                "target.datacenter",
                format!(
                    "Datacenter \"{text}\" is not in the target. Name one of its datacenters after the address in --target."
                ),
            )
        });
        return None;
    }
    match all.as_slice() {
        [] => None,
        [only] => Some(only),
        _ => {
            // The wizard picks compute resources by full path, which names the datacenter.
            let from_compute = config.target.compute_resource.as_deref().and_then(|c| {
                all.iter().find(|dc| {
                    c.strip_prefix(dc.path.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
                })
            });
            if from_compute.is_none() {
                out.push(Finding {
                    suggestions: ranked("", all, all),
                    ..Finding::error(
                        "T8",
                        "target",
                        "target.datacenter",
                        format!(
                            "The target has {} datacenters and none is named. Add the datacenter to --target, e.g. vcenter.example.com/{}.",
                            all.len(),
                            all[0].name
                        ),
                    )
                });
            }
            from_compute
        }
    }
}
