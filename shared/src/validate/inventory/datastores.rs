//! S6–S8 and S12–S15: the image and volume datastores against the datacenter and the hosts of the
//! compute resource. NFS volume stores are not datastores and are left to the deploy.

use super::suggestions::{Labels, by_closeness};
use super::{Scope, host_names};
use crate::config::VchConfig;
use crate::finding::Finding;
use crate::inventory::{ComputeKind, Datastore};
use crate::quantity::parse_uint;

/// vSphere reports free space in bytes and `--storage-quota` is in GB, meaning GiB as vSphere
/// counts them.
const GIB: u64 = 1 << 30;

/// One datastore the config asks for, split so a suggestion can swap the datastore name and keep
/// the rest of what the user typed.
struct Requested<'a> {
    path: String,
    option: &'static str,
    /// `ds://` when given, else empty.
    scheme: &'a str,
    name: &'a str,
    /// Folder and label after the datastore name.
    rest: &'a str,
}

impl Requested<'_> {
    fn with_datastore(&self, name: &str) -> String {
        format!("{}{name}{}", self.scheme, self.rest)
    }
}

/// `ds://name/folder`, `name/folder` or `name` → (scheme, name, rest); `None` for another scheme
/// or no name, which the static rules S1, S2, S3 and S9 report.
fn split<'a>(raw: &'a str, name_ends: &[char]) -> Option<(&'a str, &'a str, &'a str)> {
    let raw = raw.trim();
    let (scheme, body) = match raw.find("://") {
        Some(2) if raw[..2].eq_ignore_ascii_case("ds") => raw.split_at(5),
        Some(_) => return None,
        None => ("", raw),
    };
    let end = body.find(name_ends).unwrap_or(body.len());
    let (name, rest) = body.split_at(end);
    (!name.trim().is_empty()).then_some((scheme, name, rest))
}

fn requested(config: &VchConfig) -> Vec<Requested<'_>> {
    let s = &config.storage;
    let image = s
        .image_store
        .as_deref()
        .and_then(|raw| split(raw, &['/']))
        .map(|(scheme, name, rest)| Requested {
            path: "storage.image_store".into(),
            option: "image-store",
            scheme,
            name,
            rest,
        });
    let volumes = s.volume_stores.iter().enumerate().filter_map(|(i, raw)| {
        let (scheme, name, rest) = split(raw, &['/', ':'])?;
        Some(Requested {
            path: format!("storage.volume_stores[{i}]"),
            option: "volume-store",
            scheme,
            name,
            rest,
        })
    });
    image.into_iter().chain(volumes).collect()
}

/// Returns the image datastore when it resolves.
pub(super) fn check<'a>(
    config: &VchConfig,
    scope: &Scope<'a>,
    out: &mut Vec<Finding>,
) -> Option<&'a Datastore> {
    let dc = scope.dc;
    let all = dc.datastores.as_slice();
    let hosts = scope.hosts();
    let visible_names = |typed: &str| {
        scope.suggestions("datastores", &[typed], || {
            let labels = Labels::new(all);
            let names = all
                .iter()
                .filter(|d| scope.sees(&d.hosts))
                .map(|d| labels.label(d))
                .collect();
            by_closeness(typed, names)
        })
    };
    let offer = |req: &Requested<'_>| -> Vec<String> {
        visible_names(req.name)
            .into_iter()
            .map(|n| req.with_datastore(&n))
            .collect()
    };

    if config.storage.image_store.is_none() {
        out.push(Finding {
            suggestions: visible_names(""),
            ..Finding::error(
                "S6",
                "image-store",
                "storage.image_store",
                "No image store given. Choose the datastore that will hold container images and the VCH's files.",
            )
        });
    }

    let mut resolved: Vec<(Requested<'_>, &'a Datastore)> = Vec::new();
    let mut invisible = false;
    for req in requested(config) {
        let mut found: Vec<&'a Datastore> = Vec::new();
        // Not `datastores_named`: its result may not outlive the config text it is given.
        for d in all
            .iter()
            .filter(|d| d.name == req.name || d.path == req.name)
        {
            if !found.iter().any(|f| f.id == d.id) {
                found.push(d);
            }
        }
        match found.as_slice() {
            [] => out.push(Finding {
                suggestions: offer(&req),
                ..Finding::error(
                    "S7",
                    req.option,
                    req.path.clone(),
                    format!(
                        "Datastore \"{}\" is not in datacenter \"{}\". Pick one of the datastores its hosts mount.",
                        req.name, dc.name
                    ),
                )
            }),
            [one] => {
                if hosts.is_some() && !scope.sees(&one.hosts) {
                    invisible = true;
                    out.push(Finding {
                        suggestions: offer(&req),
                        ..Finding::error(
                            "S12",
                            req.option,
                            req.path.clone(),
                            format!(
                                "No host of the compute resource mounts datastore \"{}\", so the VCH could not use it. \
                                 Pick a datastore the compute resource's hosts mount, or another compute resource.",
                                one.name
                            ),
                        )
                    });
                }
                resolved.push((req, one));
            }
            several => {
                let paths: Vec<&str> = several.iter().map(|d| d.path.as_str()).collect();
                out.push(Finding::error(
                    "S8",
                    req.option,
                    req.path.clone(),
                    format!(
                        "{} datastores are called \"{}\" ({}), and a datastore path cannot say which is meant. \
                         Rename one of them or pick another datastore.",
                        several.len(),
                        req.name,
                        paths.join(", ")
                    ),
                ));
            }
        }
    }
    if !invisible {
        check_common_hosts(scope, &resolved, out);
    }
    let image = resolved
        .iter()
        .find(|(r, _)| r.option == "image-store")
        .map(|(_, d)| *d);
    if let Some(image) = image {
        check_quota(config, image, out);
    }
    image
}

/// S13 and S14: the VCH and its containers need one host that mounts every datastore they use.
fn check_common_hosts(
    scope: &Scope<'_>,
    resolved: &[(Requested<'_>, &Datastore)],
    out: &mut Vec<Finding>,
) {
    let (Some(placement), Some((first, _))) = (scope.compute.as_ref(), resolved.first()) else {
        return;
    };
    let hosts = &placement.resource.hosts;
    let common: Vec<&str> = hosts
        .iter()
        .filter(|h| resolved.iter().all(|(_, d)| d.hosts.includes(h)))
        .map(String::as_str)
        .collect();
    let mut names: Vec<&str> = Vec::new();
    for (_, d) in resolved {
        if !names.contains(&d.name.as_str()) {
            names.push(&d.name);
        }
    }
    let names = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    if common.is_empty() {
        out.push(Finding::error(
            "S13",
            first.option,
            first.path.clone(),
            format!(
                "No single host of \"{}\" mounts all of the datastores {names}; the VCH and its containers need one that does. \
                 Use datastores shared by the same hosts.",
                placement.resource.name
            ),
        ));
    } else if common.len() == 1
        && hosts.len() > 1
        && scope.is_vcenter()
        && placement.resource.kind == ComputeKind::Cluster
    {
        out.push(Finding::warning(
            "S14",
            first.option,
            first.path.clone(),
            format!(
                "Only host {} of cluster \"{}\" mounts all of {names}: the VCH and its containers can run nowhere else, \
                 so DRS and HA cannot move them. Use datastores shared by more hosts.",
                host_names(scope.dc, &common),
                placement.resource.name
            ),
        ));
    }
}

/// S15: the quota must fit in what the image datastore has left.
fn check_quota(config: &VchConfig, image: &Datastore, out: &mut Vec<Finding>) {
    let Some(quota_gib) = config.storage.storage_quota.as_deref().and_then(parse_uint) else {
        return;
    };
    let free_gib = image.free_bytes / GIB;
    if quota_gib > 0 && quota_gib.saturating_mul(GIB) > image.free_bytes {
        out.push(Finding {
            suggestions: vec![free_gib.to_string()],
            ..Finding::error(
                "S15",
                "storage-quota",
                "storage.storage_quota",
                format!(
                    "A storage quota of {quota_gib} GB is more than the {free_gib} GB datastore \"{}\" has free. \
                     Lower the quota, free space, or use 0 for no quota.",
                    image.name
                ),
            )
        });
    }
}
