//! N22, N23: image-fetch proxies.

use url::Url;

use crate::address::parse_cidr;
use crate::config::VchConfig;
use crate::finding::Finding;

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let p = &config.network.proxy;
    for (value, option, path) in [
        (&p.http_proxy, "http-proxy", "network.proxy.http_proxy"),
        (&p.https_proxy, "https-proxy", "network.proxy.https_proxy"),
    ] {
        if let Some(v) = value.as_deref() {
            let ok = Url::parse(v.trim()).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
            if !ok {
                let mut f = Finding::error(
                    "N22",
                    option,
                    path,
                    format!(
                        "Proxy \"{v}\" is not an http:// or https:// URL with a host, e.g. http://proxy.example.com:3128."
                    ),
                );
                if !v.contains("://") && !v.trim().is_empty() {
                    f = f.with_suggestion(format!("http://{}", v.trim()));
                }
                out.push(f);
            }
        }
    }
    if let Some(list) = p.no_proxy.as_deref() {
        // Unlike the original, the first entry is checked too.
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if !is_no_proxy_entry(entry) {
                out.push(Finding::error(
                    "N23",
                    "no-proxy",
                    "network.proxy.no_proxy",
                    format!("No-proxy entry \"{entry}\" is not a host, domain, IP, CIDR or *. Separate entries with commas."),
                ));
            }
        }
    }
}

fn is_no_proxy_entry(entry: &str) -> bool {
    if entry == "*" || parse_cidr(entry).is_some() {
        return true;
    }
    let host = match entry.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() => h,
        Some(_) => return false,
        None => entry,
    };
    let host = host
        .strip_prefix("*.")
        .or_else(|| host.strip_prefix('.'))
        .unwrap_or(host);
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}
