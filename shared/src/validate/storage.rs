//! S1–S5, S9–S11, G8 and the storage numbers: the "Storage capacity" page.

use std::collections::HashSet;

use super::text::{DATASTORE_FORBIDDEN, forbidden_chars, join_chars};
use crate::config::VchConfig;
use crate::finding::Finding;
use crate::quantity::{parse_size_bytes, parse_uint};

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let s = &config.storage;
    if let Some(store) = s.image_store.as_deref() {
        check_image_store(store, out);
    }
    let mut labels: HashSet<&str> = HashSet::new();
    for (i, vs) in s.volume_stores.iter().enumerate() {
        if let Some(label) = check_volume_store(i, vs, out)
            && !labels.insert(label)
        {
            out.push(Finding::error(
                "S16",
                "volume-store",
                format!("storage.volume_stores[{i}]"),
                format!(
                    "Volume store label \"{label}\" is used twice; each store needs its own label."
                ),
            ));
        }
    }
    if let Some(size) = s.base_image_size.as_deref()
        && parse_size_bytes(size).is_none_or(|b| b == 0)
    {
        out.push(
                Finding::error(
                    "G8",
                    "base-image-size",
                    "storage.base_image_size",
                    format!("--base-image-size \"{size}\" is not a size. Write a number with a unit, e.g. 8GB or 8000MB."),
                )
                .with_suggestion("8GB"),
            );
    }
    if let Some(q) = s.storage_quota.as_deref()
        && parse_uint(q).is_none()
    {
        out.push(Finding::error(
            "S17",
            "storage-quota",
            "storage.storage_quota",
            format!("--storage-quota \"{q}\" is not a whole number of GB (0 means unlimited)."),
        ));
    }
}

fn check_image_store(store: &str, out: &mut Vec<Finding>) {
    let path = "storage.image_store";
    let body = match store.split_once("://") {
        Some((scheme, body)) => {
            if !scheme.eq_ignore_ascii_case("ds") {
                out.push(
                    Finding::error(
                        "S9",
                        "image-store",
                        path,
                        format!("The image store cannot use the \"{scheme}\" scheme; name a datastore, optionally as ds://datastore/path."),
                    )
                    .with_suggestion(format!("ds://{body}")),
                );
            }
            body
        }
        None => store,
    };
    let bad = forbidden_chars(body, DATASTORE_FORBIDDEN);
    if !bad.is_empty() {
        out.push(Finding::error(
            "S1",
            "image-store",
            path,
            format!(
                "The image store \"{store}\" contains {} which datastore paths cannot carry.",
                join_chars(&bad)
            ),
        ));
    }
    if body.trim().trim_matches('/').is_empty() {
        out.push(Finding::error(
            "S1",
            "image-store",
            path,
            "The image store names no datastore. Give a datastore name, optionally with a folder.",
        ));
    }
}

/// Checks one `--volume-store` value; returns its label when it has one.
fn check_volume_store<'a>(i: usize, raw: &'a str, out: &mut Vec<Finding>) -> Option<&'a str> {
    let path = format!("storage.volume_stores[{i}]");
    let format_hint =
        "Write it as datastore/path:label, ds://datastore/path:label or nfs://host/path:label.";
    let Some((target, label)) = raw
        .rsplit_once(':')
        .filter(|(t, _)| !t.ends_with(":/") && !t.is_empty())
    else {
        out.push(Finding::error(
            "S2",
            "volume-store",
            path,
            format!("Volume store \"{raw}\" has no label. {format_hint}"),
        ));
        return None;
    };
    // `ds://x` without a label splits as ("ds", "//x"): treat that as missing too.
    if label.trim().is_empty() || label.starts_with("//") || target.trim().is_empty() {
        out.push(Finding::error(
            "S2",
            "volume-store",
            path,
            format!("Volume store \"{raw}\" needs both a target and a label. {format_hint}"),
        ));
        return None;
    }
    let (scheme, body) = match target.split_once("://") {
        Some((s, b)) => (s.to_ascii_lowercase(), b),
        None => (String::from("ds"), target),
    };
    match scheme.as_str() {
        "ds" => {
            if body.contains('?') {
                out.push(Finding::error(
                    "S4",
                    "volume-store",
                    path.clone(),
                    format!("Volume store \"{raw}\": query options are only allowed on nfs:// targets. {format_hint}"),
                ));
            }
            let bad = forbidden_chars(body.split('?').next().unwrap_or(""), DATASTORE_FORBIDDEN);
            if !bad.is_empty() {
                out.push(Finding::error(
                    "S5",
                    "volume-store",
                    path.clone(),
                    format!(
                        "Volume store \"{raw}\" contains {} which datastore paths cannot carry.",
                        join_chars(&bad)
                    ),
                ));
            }
            if body.trim().trim_matches('/').is_empty() {
                out.push(Finding::error(
                    "S2",
                    "volume-store",
                    path,
                    format!("Volume store \"{raw}\" names no datastore. {format_hint}"),
                ));
            }
        }
        "nfs" => {
            let no_query = body.split('?').next().unwrap_or("");
            let (host, nfs_path) = no_query.split_once('/').unwrap_or((no_query, ""));
            if host.trim().is_empty() {
                out.push(Finding::error(
                    "S10",
                    "volume-store",
                    path.clone(),
                    format!("NFS volume store \"{raw}\" has no host. Write nfs://host/path:label."),
                ));
            }
            if nfs_path.trim().trim_matches('/').is_empty() {
                out.push(Finding::error(
                    "S11",
                    "volume-store",
                    path,
                    format!("NFS volume store \"{raw}\" has no export path. Write nfs://host/path:label."),
                ));
            }
        }
        other => {
            out.push(Finding::error(
                "S3",
                "volume-store",
                path,
                format!("Volume store scheme \"{other}\" is not supported; use a datastore (ds://) or an NFS export (nfs://)."),
            ));
        }
    }
    Some(label)
}
