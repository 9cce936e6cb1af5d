//! A cluster without DRS places nothing by itself: `CreateVM_Task` needs a host, and the VCH only
//! works on one that is connected, out of maintenance, mounts the image (and volume) datastores
//! and sees every port group the appliance and its container networks use.

use shared::inventory::{Datacenter, Host};

use super::plan::{PlacementError, PortGroup};

/// Why `host` cannot run the VCH, or `None` when it can.
fn unfit(
    dc: &Datacenter,
    host: &Host,
    datastores: &[String],
    port_groups: &[&PortGroup],
) -> Option<String> {
    if host.connection_state != "connected" {
        return Some(format!("is {}", host.connection_state));
    }
    if host.in_maintenance_mode {
        return Some("is in maintenance mode".into());
    }
    let missing_ds: Vec<&str> = datastores
        .iter()
        .filter(|ds| {
            !dc.datastores_named(ds)
                .any(|d| d.hosts.contains(&host.path))
        })
        .map(String::as_str)
        .collect();
    if !missing_ds.is_empty() {
        return Some(format!("does not mount {}", missing_ds.join(", ")));
    }
    let missing_pg: Vec<&str> = port_groups
        .iter()
        .filter(|pg| {
            !dc.networks
                .iter()
                .filter(|n| n.id == pg.moref.value)
                .any(|n| n.hosts.contains(&host.path))
        })
        .map(|pg| pg.name.as_str())
        .collect();
    if !missing_pg.is_empty() {
        return Some(format!("does not see {}", missing_pg.join(", ")));
    }
    None
}

/// The first host of `compute_path` that can run the VCH; the error says why each cannot.
pub(super) fn pick<'a>(
    dc: &'a Datacenter,
    compute_path: &str,
    datastores: &[String],
    port_groups: &[&PortGroup],
) -> Result<&'a Host, PlacementError> {
    let mut reasons = Vec::new();
    for host in dc
        .hosts
        .iter()
        .filter(|h| h.compute_resource == compute_path)
    {
        match unfit(dc, host, datastores, port_groups) {
            None => return Ok(host),
            Some(why) => reasons.push(format!("{} {why}", host.name)),
        }
    }
    if reasons.is_empty() {
        reasons.push("it has no hosts".into());
    }
    Err(PlacementError {
        option: "compute-resource",
        problem: format!(
            "DRS is off in {compute_path} and no host there can run the VCH: {}",
            reasons.join("; ")
        ),
        hint: "Mount the datastores and add the port groups on a host, bring a host back, or pick another cluster".into(),
    })
}
