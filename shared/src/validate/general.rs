//! G1, G2, G6–G11 and the debug level: the "General" page.

use super::text::{NAME_FORBIDDEN, forbidden_chars, join_chars};
use crate::config::{MAX_NAME_CONVENTION_LENGTH, MAX_NAME_LENGTH, VchConfig};
use crate::finding::Finding;
use crate::quantity::parse_uint;

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let g = &config.general;
    if let Some(name) = g.name.as_deref() {
        check_name(name, out);
    }
    if let Some(conv) = g.container_name_convention.as_deref() {
        check_convention(conv, out);
    }
    if let Some(debug) = g.debug.as_deref()
        && parse_uint(debug).is_none()
    {
        out.push(Finding::error(
            "G15",
            "debug",
            "general.debug",
            format!("--debug \"{debug}\" is not a level. Use a whole number: 0 (default) to 3."),
        ));
    }
    if let Some(addr) = g.syslog_address.as_deref() {
        check_syslog(addr, out);
    }
}

fn check_name(name: &str, out: &mut Vec<Finding>) {
    if name.trim().is_empty() {
        out.push(
            Finding::error(
                "G16",
                "name",
                "general.name",
                "The VCH name is empty. Give a name or drop --name to use the default.",
            )
            .with_suggestion(crate::config::DEFAULT_NAME),
        );
        return;
    }
    let bad = forbidden_chars(name, NAME_FORBIDDEN);
    if !bad.is_empty() {
        let cleaned: String = name
            .chars()
            .filter(|c| !NAME_FORBIDDEN.contains(c))
            .collect();
        let mut f = Finding::error(
            "G1",
            "name",
            "general.name",
            format!(
                "The VCH name contains {} which vSphere objects cannot carry. Use letters, digits, spaces and - _ ( ) only.",
                join_chars(&bad)
            ),
        );
        if !cleaned.trim().is_empty() {
            f = f.with_suggestion(cleaned);
        }
        out.push(f);
    }
    let len = name.chars().count();
    if len > MAX_NAME_LENGTH {
        out.push(
            Finding::error(
                "G2",
                "name",
                "general.name",
                format!(
                    "The VCH name is {len} characters long; at most {MAX_NAME_LENGTH} are allowed."
                ),
            )
            .with_suggestion(name.chars().take(MAX_NAME_LENGTH).collect::<String>()),
        );
    }
}

fn check_convention(conv: &str, out: &mut Vec<Finding>) {
    let token_len = if conv.contains("{name}") {
        "{name}".len()
    } else if conv.contains("{id}") {
        "{id}".len()
    } else {
        out.push(
            Finding::error(
                "G6",
                "container-name-convention",
                "general.container_name_convention",
                "The container name convention needs a {id} or {name} token, otherwise every container VM would get the same name.",
            )
            .with_suggestion(format!("{conv}-{{name}}")),
        );
        return;
    };
    let len = conv.chars().count().saturating_sub(token_len);
    if len >= MAX_NAME_CONVENTION_LENGTH {
        out.push(Finding::error(
            "G7",
            "container-name-convention",
            "general.container_name_convention",
            format!(
                "The container name convention has {len} characters besides its token; keep it under {MAX_NAME_CONVENTION_LENGTH}."
            ),
        ));
    }
}

fn check_syslog(addr: &str, out: &mut Vec<Finding>) {
    let path = "general.syslog_address";
    let Some((scheme, rest)) = addr.trim().split_once("://") else {
        out.push(
            Finding::error(
                "G9",
                "syslog-address",
                path,
                format!("Syslog address \"{addr}\" has no transport. Write it as tcp://host[:port] or udp://host[:port]."),
            )
            .with_suggestion(format!("udp://{}", addr.trim())),
        );
        return;
    };
    let scheme_lc = scheme.to_ascii_lowercase();
    if scheme_lc != "tcp" && scheme_lc != "udp" {
        out.push(
            Finding::error(
                "G10",
                "syslog-address",
                path,
                format!("Syslog transport \"{scheme}\" is not supported; use tcp or udp."),
            )
            .with_suggestion(format!("udp://{rest}"))
            .with_suggestion(format!("tcp://{rest}")),
        );
    }
    let authority = rest.split('/').next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if host.trim().is_empty() {
        out.push(Finding::error(
            "G11",
            "syslog-address",
            path,
            format!("Syslog address \"{addr}\" has no host. Add the syslog server's name or IP."),
        ));
    }
    if let Some(port) = port
        && parse_uint(port).is_none_or(|p| p == 0 || p > 65535)
    {
        out.push(Finding::error(
            "G17",
            "syslog-address",
            path,
            format!(
                "Syslog port \"{port}\" is not a port number (1-65535); leave it out to use 514."
            ),
        ));
    }
}
