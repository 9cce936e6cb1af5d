//! Splitting `--target [scheme://][user[:password]@]host[/datacenter]` into its parts.

use crate::secret::Secret;

#[derive(Debug, Default, PartialEq)]
pub struct TargetParts {
    pub server: Option<String>,
    pub datacenter: Option<String>,
    pub user: Option<String>,
    pub password: Option<Secret>,
}

pub fn split_target(raw: &str) -> TargetParts {
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, r)) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()) => {
            (Some(s), r)
        }
        _ => (None, raw),
    };
    // Users such as administrator@vsphere.local carry their own '@', so the host follows the last one.
    let (userinfo, host_and_path) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let (host, path) = host_and_path.split_once('/').unwrap_or((host_and_path, ""));
    let host = host.trim();
    let mut parts = TargetParts::default();
    if !host.is_empty() {
        parts.server = Some(match scheme {
            Some(s) => format!("{s}://{host}"),
            None => host.to_owned(),
        });
    }
    let dc = path.trim_matches('/');
    if !dc.is_empty() {
        parts.datacenter = Some(dc.to_owned());
    }
    if let Some(info) = userinfo {
        let (user, password) = match info.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (info, None),
        };
        if !user.is_empty() {
            parts.user = Some(percent_decode(user));
        }
        parts.password = password.map(|p| Secret::new(percent_decode(p)));
    }
    parts
}

/// `%40` → `@`; anything that is not a valid escape stays as typed.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_with_at_and_password() {
        let p = split_target("Administrator@vsphere.local:password@vcenter_server_address/dc1");
        assert_eq!(p.user.as_deref(), Some("Administrator@vsphere.local"));
        assert_eq!(p.password.unwrap().expose(), "password");
        assert_eq!(p.server.as_deref(), Some("vcenter_server_address"));
        assert_eq!(p.datacenter.as_deref(), Some("dc1"));
    }

    #[test]
    fn scheme_and_plain_host() {
        let p = split_target("https://10.0.0.1:443");
        assert_eq!(p.server.as_deref(), Some("https://10.0.0.1:443"));
        assert_eq!(p.user, None);
        assert_eq!(p.datacenter, None);
        let p = split_target("u%40x:p%2Fq@h/a/b");
        assert_eq!(p.user.as_deref(), Some("u@x"));
        assert_eq!(p.password.unwrap().expose(), "p/q");
        assert_eq!(p.datacenter.as_deref(), Some("a/b"));
    }
}
