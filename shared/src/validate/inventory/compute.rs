//! C1–C7: resolving `--compute-resource` and what the chosen cluster allows.
//!
//! Accepted forms, as vic-machine's resource-pool helper accepts them: a cluster or host name, a
//! resource-pool name at any depth, `cluster/Resources/pool` or its short form `cluster/pool`, a
//! path relative to the datacenter (`host/cluster`) and the full inventory path. A host inside a
//! cluster places the VCH in that cluster.

use super::Placement;
use super::suggestions::ranked;
use crate::config::VchConfig;
use crate::finding::Finding;
use crate::inventory::{ComputeKind, ComputeResource, Datacenter, TargetKind};

const OPTION: &str = "compute-resource";
const PATH: &str = "target.compute_resource";

pub(super) fn check<'a>(
    config: &VchConfig,
    kind: Option<TargetKind>,
    dc: &'a Datacenter,
    out: &mut Vec<Finding>,
) -> Option<Placement<'a>> {
    let placement = resolve(config, dc, out)?;
    check_cluster(config, kind, &placement, out);
    Some(placement)
}

pub(super) fn resolve<'a>(
    config: &VchConfig,
    dc: &'a Datacenter,
    out: &mut Vec<Finding>,
) -> Option<Placement<'a>> {
    let all = &dc.compute_resources;
    let given = config
        .target
        .compute_resource
        .as_deref()
        .map(|t| t.trim().trim_end_matches('/'))
        .filter(|t| !t.is_empty());
    let Some(text) = given else {
        if let [only] = all.as_slice() {
            return Some(root_of(only));
        }
        out.push(Finding {
            suggestions: dc
                .lookups()
                .suggestions("C1".into(), || ranked("", all, all)),
            ..Finding::error(
                "C1",
                OPTION,
                PATH,
                if all.is_empty() {
                    format!("Datacenter \"{}\" has no cluster or host to run a VCH on.", dc.name)
                } else {
                    format!(
                        "Datacenter \"{}\" has {} clusters and hosts, so there is no default. Choose one with --compute-resource.",
                        dc.name,
                        all.len()
                    )
                },
            )
        });
        return None;
    };
    let found = matches(dc, text);
    match found.as_slice() {
        [one] => Some(*one),
        [] => {
            out.push(Finding {
                suggestions: dc
                    .lookups()
                    .suggestions(format!("C3\u{1f}{text}"), || ranked(text, all, all)),
                ..Finding::error(
                    "C3",
                    OPTION,
                    PATH,
                    format!(
                        "\"{text}\" is not a cluster, host or resource pool in datacenter \"{}\". Pick one of its compute resources.",
                        dc.name
                    ),
                )
            });
            None
        }
        several => {
            let paths: Vec<String> = several.iter().map(|p| p.matched.to_owned()).collect();
            out.push(Finding {
                suggestions: paths,
                ..Finding::error(
                    "C2",
                    OPTION,
                    PATH,
                    format!(
                        "\"{text}\" matches {} clusters, hosts or resource pools. Give the full inventory path of the one you mean.",
                        several.len()
                    ),
                )
            });
            None
        }
    }
}

fn root_of(resource: &ComputeResource) -> Placement<'_> {
    Placement {
        resource,
        pool: resource.resource_pools.first(),
        matched: &resource.path,
    }
}

/// Every distinct placement `text` can mean. Exact paths win over names, as in vic-machine, so a
/// full path is never ambiguous.
fn matches<'a>(dc: &'a Datacenter, text: &str) -> Vec<Placement<'a>> {
    let absolute: Vec<String> = if text.starts_with('/') {
        vec![text.to_owned()]
    } else {
        vec![
            format!("{}/host/{text}", dc.path),
            format!("{}/{text}", dc.path),
        ]
    };
    let exact = collect(dc, |path, _| absolute.iter().any(|a| a == path));
    if !exact.is_empty() || text.starts_with('/') {
        return exact;
    }
    let suffix = format!("/{text}");
    collect(dc, |path, name| {
        name == text
            || (text.contains('/')
                && (path.ends_with(&suffix)
                    || path.replacen("/Resources/", "/", 1).ends_with(&suffix)))
    })
}

fn collect<'a>(dc: &'a Datacenter, hit: impl Fn(&str, &str) -> bool) -> Vec<Placement<'a>> {
    let mut found: Vec<Placement<'a>> = Vec::new();
    let mut push = |p: Placement<'a>| {
        let key = |q: &Placement<'_>| (q.resource.path.clone(), q.pool.map(|rp| rp.path.clone()));
        if !found.iter().any(|f| key(f) == key(&p)) {
            found.push(p);
        }
    };
    for cr in &dc.compute_resources {
        if hit(&cr.path, &cr.name) {
            push(root_of(cr));
        }
        for rp in &cr.resource_pools {
            if hit(&rp.path, &rp.name) {
                push(Placement {
                    resource: cr,
                    pool: Some(rp),
                    matched: &rp.path,
                });
            }
        }
    }
    for host in &dc.hosts {
        if hit(&host.path, &host.name)
            && let Some(cr) = dc.compute_resource(&host.compute_resource)
        {
            push(Placement {
                matched: &host.path,
                ..root_of(cr)
            });
        }
    }
    found
}

/// C4–C7: DRS and VM groups on the chosen cluster.
fn check_cluster(
    config: &VchConfig,
    kind: Option<TargetKind>,
    placement: &Placement<'_>,
    out: &mut Vec<Finding>,
) {
    let cr = placement.resource;
    let wants_group = config.compute.affinity_vm_group;
    if wants_group && kind == Some(TargetKind::Esxi) {
        out.push(Finding::error(
            "C6",
            "affinity-vm-group",
            "compute.affinity_vm_group",
            "DRS VM groups exist only in vCenter clusters; this target is an ESXi host. Turn off --affinity-vm-group.",
        ));
    }
    if cr.kind != ComputeKind::Cluster {
        return;
    }
    match cr.drs_enabled {
        Some(false) => {
            let c = &config.compute;
            let ignored: Vec<&str> = [
                (&c.cpu_limit, "--cpu"),
                (&c.cpu_reservation, "--cpu-reservation"),
                (&c.cpu_shares, "--cpu-shares"),
                (&c.memory_limit, "--memory"),
                (&c.memory_reservation, "--memory-reservation"),
                (&c.memory_shares, "--memory-shares"),
            ]
            .into_iter()
            .filter(|(v, _)| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
            .map(|(_, o)| o)
            .collect();
            let consequence = if ignored.is_empty() {
                String::from("any CPU or memory limits, reservations and shares would be ignored")
            } else {
                format!("{} will be ignored", ignored.join(", "))
            };
            out.push(Finding::warning(
                "C4",
                OPTION,
                PATH,
                format!(
                    "DRS is off on cluster \"{}\": no resource pool is created for the VCH, it runs in the cluster's root pool, and {consequence}. \
                     Turn DRS on to get a VCH pool with its own limits.",
                    cr.name
                ),
            ));
            if wants_group {
                out.push(Finding::error(
                    "C7",
                    "affinity-vm-group",
                    "compute.affinity_vm_group",
                    format!(
                        "Cluster \"{}\" has DRS off, and DRS VM groups only work with DRS. Turn DRS on or turn off --affinity-vm-group.",
                        cr.name
                    ),
                ));
            }
        }
        None => out.push(Finding::warning(
            "C5",
            OPTION,
            PATH,
            format!(
                "Whether DRS is on for cluster \"{}\" could not be read (the user may lack read access to the cluster's configuration). \
                 The VCH is created as if it were on; a resource pool fails to appear if it is not.",
                cr.name
            ),
        )),
        Some(true) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Host, ResourcePool};

    fn dc() -> Datacenter {
        let pool = |path: &str| ResourcePool {
            name: path.rsplit('/').next().unwrap_or_default().into(),
            path: path.into(),
            id: path.into(),
            is_vapp: false,
        };
        let host = |path: &str, cr: &str| Host {
            name: path.rsplit('/').next().unwrap_or_default().into(),
            path: path.into(),
            id: path.into(),
            compute_resource: cr.into(),
            connection_state: "connected".into(),
            in_maintenance_mode: false,
            firewall: None,
        };
        Datacenter {
            name: "DC0".into(),
            path: "/DC0".into(),
            id: "dc".into(),
            compute_resources: vec![
                ComputeResource {
                    name: "C0".into(),
                    path: "/DC0/host/C0".into(),
                    id: "c0".into(),
                    kind: ComputeKind::Cluster,
                    drs_enabled: Some(true),
                    hosts: vec!["/DC0/host/C0/H0".into()],
                    resource_pools: vec![
                        pool("/DC0/host/C0/Resources"),
                        pool("/DC0/host/C0/Resources/RP1"),
                        pool("/DC0/host/C0/Resources/RP1/inner"),
                    ],
                },
                ComputeResource {
                    name: "H1".into(),
                    path: "/DC0/host/H1".into(),
                    id: "h1".into(),
                    kind: ComputeKind::StandaloneHost,
                    drs_enabled: None,
                    hosts: vec!["/DC0/host/H1/H1".into()],
                    resource_pools: vec![pool("/DC0/host/H1/Resources")],
                },
            ],
            hosts: vec![
                host("/DC0/host/C0/H0", "/DC0/host/C0"),
                host("/DC0/host/H1/H1", "/DC0/host/H1"),
            ],
            ..Datacenter::default()
        }
    }

    #[test]
    fn every_accepted_form_resolves_to_one_placement() {
        let dc = dc();
        for (text, cr, pool) in [
            ("C0", "/DC0/host/C0", "/DC0/host/C0/Resources"),
            ("/DC0/host/C0", "/DC0/host/C0", "/DC0/host/C0/Resources"),
            ("host/C0", "/DC0/host/C0", "/DC0/host/C0/Resources"),
            ("H1", "/DC0/host/H1", "/DC0/host/H1/Resources"),
            ("H0", "/DC0/host/C0", "/DC0/host/C0/Resources"),
            (
                "C0/Resources/RP1",
                "/DC0/host/C0",
                "/DC0/host/C0/Resources/RP1",
            ),
            ("C0/RP1", "/DC0/host/C0", "/DC0/host/C0/Resources/RP1"),
            ("inner", "/DC0/host/C0", "/DC0/host/C0/Resources/RP1/inner"),
            (
                "RP1/inner",
                "/DC0/host/C0",
                "/DC0/host/C0/Resources/RP1/inner",
            ),
        ] {
            let found = matches(&dc, text);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].resource.path, cr, "{text}");
            assert_eq!(found[0].pool.map(|p| p.path.as_str()), Some(pool), "{text}");
        }
        assert_eq!(matches(&dc, "Resources").len(), 2);
        assert!(matches(&dc, "/DC0/host/C9").is_empty());
    }
}
