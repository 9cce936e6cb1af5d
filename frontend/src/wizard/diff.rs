//! What a configure will change, shown before anything is applied: the deployed and the edited
//! configuration compared as vic-machine options (one line each, as the command line shows
//! them), and the request that carries only what changed (`PATCH ./api/vchs/<id>` keeps every
//! field it is not given).

use serde_json::Value;
use shared::VchConfig;
use shared::vic_machine::{Os, generate};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An option line only the deployed configuration has. `kept` when nothing replaces it: a
    /// configure cannot clear an option, so it stays as it is.
    Removed {
        line: String,
        kept: bool,
    },
    Added(String),
}

/// The option lines of a configuration (`--dns-server 10.0.0.1`), without the program name.
pub fn option_lines(config: &VchConfig) -> Vec<String> {
    generate(config, Os::Linux)
        .split(" \\\n    ")
        .skip(1)
        .map(str::to_owned)
        .collect()
}

fn option_name(line: &str) -> &str {
    line.split([' ', '=']).next().unwrap_or(line)
}

pub fn changes(original: &VchConfig, edited: &VchConfig) -> Vec<Change> {
    let before = option_lines(original);
    let after = option_lines(edited);
    let added: Vec<&String> = after.iter().filter(|l| !before.contains(l)).collect();
    let mut out: Vec<Change> = before
        .iter()
        .filter(|l| !after.contains(l))
        .map(|l| Change::Removed {
            line: l.clone(),
            kept: !after.iter().any(|a| option_name(a) == option_name(l)),
        })
        .collect();
    out.extend(added.into_iter().cloned().map(Change::Added));
    out
}

/// Keeps, inside `edited`, only the values that differ from `original` (objects compared field
/// by field, lists and values as a whole).
fn changed_only(original: &Value, edited: &Value) -> Option<Value> {
    match (original, edited) {
        (Value::Object(a), Value::Object(b)) => {
            let kept: serde_json::Map<String, Value> = b
                .iter()
                .filter_map(|(k, v)| {
                    let changed = match a.get(k) {
                        Some(old) => changed_only(old, v)?,
                        None => v.clone(),
                    };
                    Some((k.clone(), changed))
                })
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        (a, b) if a == b => None,
        (_, b) => Some(b.clone()),
    }
}

/// The body of the configure request: only what changed, plus the operations password when one
/// was typed (a configuration never serialises passwords).
pub fn request(original: &VchConfig, edited: &VchConfig) -> VchConfig {
    let (Ok(a), Ok(b)) = (serde_json::to_value(original), serde_json::to_value(edited)) else {
        return VchConfig::default();
    };
    let mut out: VchConfig = changed_only(&a, &b)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    out.operations
        .ops_password
        .clone_from(&edited.operations.ops_password);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployed() -> VchConfig {
        let mut c = VchConfig::default();
        c.target.server = Some("vc".into());
        c.general.name = Some("vch-1".into());
        c.network.dns_servers = vec!["10.0.0.1".into()];
        c.network.bridge.port_group = Some("bridge".into());
        c
    }

    #[test]
    fn a_changed_dns_server_is_one_line_out_and_one_in_and_the_only_thing_sent() {
        let before = deployed();
        let mut after = before.clone();
        after.network.dns_servers = vec!["1.1.1.1".into()];
        assert_eq!(
            changes(&before, &after),
            vec![
                Change::Removed {
                    line: "--dns-server 10.0.0.1".into(),
                    kept: false
                },
                Change::Added("--dns-server 1.1.1.1".into()),
            ]
        );
        let req = request(&before, &after);
        let mut expected = VchConfig::default();
        expected.network.dns_servers = vec!["1.1.1.1".into()];
        assert_eq!(req, expected);
    }

    #[test]
    fn nothing_changed_means_an_empty_request() {
        assert!(changes(&deployed(), &deployed()).is_empty());
        assert_eq!(request(&deployed(), &deployed()), VchConfig::default());
    }

    #[test]
    fn an_option_removed_without_replacement_is_marked_kept() {
        let before = deployed();
        let mut after = before.clone();
        after.network.dns_servers.clear();
        assert_eq!(
            changes(&before, &after),
            vec![Change::Removed {
                line: "--dns-server 10.0.0.1".into(),
                kept: true
            }]
        );
    }
}
