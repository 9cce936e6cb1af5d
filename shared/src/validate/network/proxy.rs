//! N22, N23: image-fetch proxies.

use std::net::Ipv6Addr;

use crate::address::parse_cidr;
use crate::config::VchConfig;
use crate::finding::Finding;

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let p = &config.network.proxy;
    for (value, option, path) in [
        (&p.http_proxy, "http-proxy", "network.proxy.http_proxy"),
        (&p.https_proxy, "https-proxy", "network.proxy.https_proxy"),
    ] {
        // Explicitly empty means "no proxy" (how the VIC docs clear one with configure).
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            let ok = is_http_url_with_host(v.trim());
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

/// Whether `text` is an `http://` or `https://` URL with a host, as the WHATWG URL parser (the
/// `url` crate) would accept it. Written out so the wasm build carries no URL/IDNA tables:
/// `tests::agrees_with_the_url_crate` checks it against `url::Url` (a dev-dependency). A
/// non-ASCII host is accepted when its characters are alphanumeric (IDNA is not re-checked).
pub(crate) fn is_http_url_with_host(text: &str) -> bool {
    // The URL parser trims C0 controls and spaces and drops tabs and newlines anywhere.
    let cleaned: String = text
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let Some((scheme, rest)) = cleaned.split_once(':') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return false;
    }
    // Special schemes skip any slashes and backslashes before the authority.
    let rest = rest.trim_start_matches(['/', '\\']);
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(inner) = host_port.strip_prefix('[') {
        let Some((v6, after)) = inner.split_once(']') else {
            return false;
        };
        if v6.parse::<Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => (None, port),
                None => return false,
            },
        }
    } else {
        match host_port.split_once(':') {
            Some((h, p)) => (Some(h), p),
            None => (Some(host_port), ""),
        }
    };
    if !(port.is_empty()
        || port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| p <= 65535))
    {
        return false;
    }
    host.is_none_or(is_domain_or_ipv4)
}

/// A host that is not in brackets: a domain, or an IPv4 address when it ends in a number.
fn is_domain_or_ipv4(host: &str) -> bool {
    const FORBIDDEN: &[char] = &[
        ' ', '#', '%', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|', '*', '\'', '"', '`',
        '{', '}', '\u{7f}',
    ];
    if host.is_empty()
        || host
            .chars()
            .any(|c| c < ' ' || FORBIDDEN.contains(&c) || !c.is_ascii() && !c.is_alphanumeric())
    {
        return false;
    }
    let labels: Vec<&str> = host.strip_suffix('.').unwrap_or(host).split('.').collect();
    let last = labels.last().copied().unwrap_or("");
    let numeric = |l: &str| {
        !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit())
            || l.strip_prefix("0x")
                .or_else(|| l.strip_prefix("0X"))
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    if !numeric(last) {
        return true;
    }
    // Ends in a number: the whole host must be an IPv4 address (decimal, octal or hex parts).
    if labels.len() > 4 || labels.iter().any(|l| !numeric(l)) {
        return false;
    }
    let part = |l: &str| -> Option<u64> {
        if let Some(h) = l.strip_prefix("0x").or_else(|| l.strip_prefix("0X")) {
            if h.is_empty() {
                Some(0)
            } else {
                u64::from_str_radix(h, 16).ok()
            }
        } else if l.len() > 1 && l.starts_with('0') {
            u64::from_str_radix(&l[1..], 8).ok()
        } else {
            l.parse().ok()
        }
    };
    let Some(parts) = labels.iter().map(|l| part(l)).collect::<Option<Vec<u64>>>() else {
        return false;
    };
    let (init, last) = parts.split_at(parts.len() - 1);
    init.iter().all(|p| *p <= 255) && last[0] < 1u64 << (8 * (5 - parts.len()))
}

#[cfg(test)]
mod tests {
    use super::is_http_url_with_host;

    /// What the rule used to call: the WHATWG parser of the `url` crate.
    fn by_url_crate(text: &str) -> bool {
        url::Url::parse(text.trim()).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        })
    }

    #[test]
    fn agrees_with_the_url_crate() {
        let cases = [
            "http://proxy.example.com:3128",
            "https://proxy.example.com",
            "HTTP://Proxy.Example.com:3128/",
            "http://user:pass@proxy:3128/path?q#f",
            "http://proxy:",
            "http://proxy:0",
            "http://proxy:65535",
            "http://proxy:65536",
            "http://proxy:99999999999",
            "http://proxy:12a",
            "http://:3128",
            "http://",
            "http:///",
            "http:proxy.example.com",
            "http:/proxy",
            "http:\\\\proxy\\x",
            "http:///proxy",
            "http://user@",
            "http://@proxy",
            "http://[::1]:3128",
            "http://[::1]",
            "http://[::1",
            "http://[nope]:1",
            "http://[::1]x",
            "http://10.0.0.1:3128",
            "http://10.0.0.256",
            "http://1.2.3",
            "http://1.2.3.4.5",
            "http://0x7f.1",
            "http://0x",
            "http://017.0.0.1",
            "http://4294967295",
            "http://4294967296",
            "http://1.2.3.4.",
            "http://a.1",
            "http://1.a",
            "http://999.example.com",
            "http://exa mple.com",
            "http://exa<mple.com",
            "http://exa%mple.com",
            "http://proxy\t.example.com",
            "  http://proxy.example.com  ",
            "http://proxy.example.com#x",
            "http://proxy?x",
            "proxy.example.com:3128",
            "ftp://proxy.example.com",
            "socks5://proxy:1080",
            "https:",
            "https",
            "",
            "://proxy",
            "h ttp://proxy",
            "http://a_b.example.com",
            "http://a-b.example.com",
            "http://a..b",
            "http://.",
            "http://..",
        ];
        for case in cases {
            assert_eq!(
                is_http_url_with_host(case.trim()),
                by_url_crate(case),
                "{case:?}"
            );
        }
    }
}
