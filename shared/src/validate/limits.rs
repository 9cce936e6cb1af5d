//! SC3, SC4: lists and texts beyond the caps of [`crate::limits`]. Runs before every other rule and
//! hands them a copy cut to the caps, so the work and the report of a validation stay bounded
//! whatever the input holds.

use serde_json::Value;

use crate::config::VchConfig;
use crate::finding::{Finding, Severity};
use crate::limits::{MAX_PASSWORD_BYTES, list_cap, text_cap, truncate_to};
use crate::secret::Secret;

/// Pushes SC3/SC4 findings; returns the configuration cut to the caps when something was over one.
pub(super) fn bounded(config: &VchConfig, out: &mut Vec<Finding>) -> Option<VchConfig> {
    let before = out.len();
    // The JSON form names every field the way findings do, so one walk covers the whole model.
    // Passwords are not serialised and are checked on their own.
    let mut value = serde_json::to_value(config).ok()?;
    walk(&mut value, &mut String::new(), &mut String::new(), out);
    let mut passwords = [
        (
            "target.password",
            "password",
            config.target.password.clone(),
        ),
        (
            "operations.ops_password",
            "ops-password",
            config.operations.ops_password.clone(),
        ),
    ];
    for (path, option, secret) in &mut passwords {
        if let Some(s) = secret.as_ref()
            && s.expose().len() > MAX_PASSWORD_BYTES
        {
            out.push(too_long(
                path,
                Some(option),
                s.expose().len(),
                MAX_PASSWORD_BYTES,
            ));
            let mut cut = s.expose().to_owned();
            truncate_to(&mut cut, MAX_PASSWORD_BYTES);
            *secret = Some(Secret::new(cut));
        }
    }
    if out.len() == before {
        return None;
    }
    let mut cut: VchConfig = serde_json::from_value(value).ok()?;
    let [(_, _, password), (_, _, ops_password)] = passwords;
    cut.target.password = password;
    cut.operations.ops_password = ops_password;
    Some(cut)
}

/// `path` is the finding path (`a.b[3].c`), `pattern` the same without indices (`a.b[].c`).
fn walk(value: &mut Value, path: &mut String, pattern: &mut String, out: &mut Vec<Finding>) {
    match value {
        Value::String(text) => {
            let max = text_cap(pattern);
            if text.len() > max {
                out.push(too_long(path, None, text.len(), max));
                truncate_to(text, max);
            }
        }
        Value::Array(items) => {
            let (max, option) = list_cap(pattern);
            if items.len() > max {
                out.push(Finding::new(
                    Severity::Error,
                    "SC3",
                    option,
                    path.clone(),
                    format!(
                        "{path} holds {} entries; at most {max} are accepted, so only the first {max} were checked. \
                         Remove entries.",
                        items.len()
                    ),
                ));
                items.truncate(max);
            }
            let (path_len, pattern_len) = (path.len(), pattern.len());
            pattern.push_str("[]");
            for (i, item) in items.iter_mut().enumerate() {
                path.push_str(&format!("[{i}]"));
                walk(item, path, pattern, out);
                path.truncate(path_len);
            }
            pattern.truncate(pattern_len);
        }
        Value::Object(fields) => {
            let (path_len, pattern_len) = (path.len(), pattern.len());
            for (key, field) in fields.iter_mut() {
                for p in [&mut *path, &mut *pattern] {
                    if !p.is_empty() {
                        p.push('.');
                    }
                    p.push_str(key);
                }
                walk(field, path, pattern, out);
                path.truncate(path_len);
                pattern.truncate(pattern_len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn too_long(path: &str, option: Option<&str>, len: usize, max: usize) -> Finding {
    Finding::new(
        Severity::Error,
        "SC4",
        option,
        path,
        format!(
            "The value of {path} is {len} bytes long; at most {max} bytes are accepted, so only its beginning was checked."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ContainerNetwork;
    use crate::limits::{MAX_IP_RANGES_PER_NETWORK, MAX_TEXT_BYTES};

    #[test]
    fn within_the_caps_nothing_is_copied() {
        let mut out = Vec::new();
        assert!(bounded(&VchConfig::default(), &mut out).is_none());
        assert!(out.is_empty());
    }

    #[test]
    fn a_long_list_is_cut_and_named_with_its_limit() {
        let mut config = VchConfig::default();
        config.network.container_networks.push(ContainerNetwork {
            port_group: "a".into(),
            ip_ranges: vec!["10.0.0.1-10.0.0.9".into(); MAX_IP_RANGES_PER_NETWORK + 1],
            ..ContainerNetwork::default()
        });
        config.target.password = Some(Secret::new("p".repeat(MAX_PASSWORD_BYTES + 1)));
        let mut out = Vec::new();
        let cut = bounded(&config, &mut out).expect("over a cap");
        assert_eq!(out.len(), 2, "{out:#?}");
        assert_eq!(out[0].code, "SC3");
        assert_eq!(out[0].path, "network.container_networks[0].ip_ranges");
        assert_eq!(out[0].option.as_deref(), Some("container-network-ip-range"));
        assert!(
            out[0]
                .message
                .contains(&MAX_IP_RANGES_PER_NETWORK.to_string())
        );
        assert_eq!(out[1].path, "target.password");
        assert!(!out[1].message.contains("ppp"), "never echo a password");
        assert_eq!(
            cut.network.container_networks[0].ip_ranges.len(),
            MAX_IP_RANGES_PER_NETWORK
        );
        assert_eq!(
            cut.target.password.unwrap().expose().len(),
            MAX_PASSWORD_BYTES
        );
    }

    #[test]
    fn a_long_text_is_cut_on_a_character_boundary() {
        let mut config = VchConfig::default();
        config.general.name = Some("é".repeat(MAX_TEXT_BYTES));
        let mut out = Vec::new();
        let cut = bounded(&config, &mut out).expect("over a cap");
        assert_eq!(out[0].code, "SC4");
        assert_eq!(out[0].path, "general.name");
        assert!(out[0].message.contains(&MAX_TEXT_BYTES.to_string()));
        assert_eq!(cut.general.name.unwrap().len(), MAX_TEXT_BYTES);
    }
}
