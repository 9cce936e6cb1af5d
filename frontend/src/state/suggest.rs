//! Turns a finding's suggestions (written in vic-machine's option syntax, e.g.
//! `pg:10.30.0.1/24` for `--container-network-gateway`) into values for the one field the
//! finding shows on, and drops those the field's role rules out. What cannot become a value
//! (another option to add) stays as text to read.

use shared::VchConfig;
use shared::finding::Finding;

/// `(values a click puts in the field, text shown beside them)`.
pub fn field_suggestions(finding: &Finding, config: &VchConfig) -> (Vec<String>, Vec<String>) {
    let mut values = Vec::new();
    let mut text = Vec::new();
    let port_group = container_port_group(&finding.path, config);
    let taken = taken_port_groups(&finding.path, config);
    for s in &finding.suggestions {
        if let Some(rest) = s.strip_prefix("--") {
            // `--tls-cname vch.example.com` on the tls-cname field is the value itself.
            match (rest.split_once(' '), finding.option.as_deref()) {
                (Some((opt, value)), Some(own)) if opt == own && !value.contains(" --") => {
                    values.push(value.trim().to_owned());
                }
                _ => text.push(s.clone()),
            }
            continue;
        }
        let value = match &port_group {
            Some(pg) => s
                .strip_prefix(pg.as_str())
                .and_then(|v| v.strip_prefix(':'))
                .unwrap_or(s)
                .to_owned(),
            None => s.clone(),
        };
        if !taken.contains(&value) && !values.contains(&value) {
            values.push(value);
        }
    }
    (values, text)
}

/// The port group of the container network a path such as
/// `network.container_networks[2].gateway` is in, unless the path is that port group itself.
fn container_port_group(path: &str, config: &VchConfig) -> Option<String> {
    let rest = path.strip_prefix("network.container_networks[")?;
    let (index, field) = rest.split_once(']')?;
    if field == ".port_group" {
        return None;
    }
    let cn = config
        .network
        .container_networks
        .get(index.parse::<usize>().ok()?)?;
    Some(cn.port_group.clone())
}

/// Port groups another role holds that this port-group field must not take: the bridge is a
/// port group of its own; no appliance role or container network may sit on the bridge.
fn taken_port_groups(path: &str, config: &VchConfig) -> Vec<String> {
    if !path.ends_with(".port_group") {
        return Vec::new();
    }
    let n = &config.network;
    let set = |v: &Option<String>| v.clone().into_iter();
    if path == "network.bridge.port_group" {
        set(&n.public.port_group)
            .chain(set(&n.client.port_group))
            .chain(set(&n.management.port_group))
            .chain(n.container_networks.iter().map(|c| c.port_group.clone()))
            .filter(|pg| !pg.is_empty())
            .collect()
    } else {
        let mut taken: Vec<String> = set(&n.bridge.port_group).collect();
        if path.starts_with("network.container_networks[") {
            // Each port group maps to one container network.
            let own = path.trim_end_matches(".port_group");
            taken.extend(
                n.container_networks
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| format!("network.container_networks[{i}]") != own)
                    .map(|(_, c)| c.port_group.clone()),
            );
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::config::ContainerNetwork;

    fn finding(path: &str, option: &str, suggestions: &[&str]) -> Finding {
        let mut f = Finding::error("X1", option, path, "m");
        f.suggestions = suggestions.iter().map(|s| (*s).to_owned()).collect();
        f
    }

    fn with_container(pg: &str) -> VchConfig {
        let mut c = VchConfig::default();
        c.network.container_networks.push(ContainerNetwork {
            port_group: pg.into(),
            ..ContainerNetwork::default()
        });
        c
    }

    #[test]
    fn container_network_values_lose_their_port_group_prefix() {
        let c = with_container("pg");
        let f = finding(
            "network.container_networks[0].gateway",
            "container-network-gateway",
            &["pg:10.30.0.1/24"],
        );
        assert_eq!(
            field_suggestions(&f, &c),
            (vec!["10.30.0.1/24".to_owned()], vec![])
        );
        let f = finding(
            "network.container_networks[0].alias",
            "container-network",
            &["pg:pg-net"],
        );
        assert_eq!(field_suggestions(&f, &c).0, vec!["pg-net".to_owned()]);
    }

    #[test]
    fn an_option_for_this_field_is_its_value_and_other_options_are_text() {
        let f = finding(
            "security.tls_cname",
            "tls-cname",
            &["--tls-cname vch.example.com", "--no-tlsverify"],
        );
        assert_eq!(
            field_suggestions(&f, &VchConfig::default()),
            (
                vec!["vch.example.com".to_owned()],
                vec!["--no-tlsverify".to_owned()]
            )
        );
    }

    #[test]
    fn port_groups_another_role_holds_are_not_offered() {
        let mut c = with_container("cn");
        c.network.public.port_group = Some("VM Network".into());
        let f = finding(
            "network.bridge.port_group",
            "bridge-network",
            &["VM Network", "DC0_DVPG0", "cn"],
        );
        assert_eq!(field_suggestions(&f, &c).0, vec!["DC0_DVPG0".to_owned()]);
        c.network.bridge.port_group = Some("DC0_DVPG0".into());
        let f = finding(
            "network.public.port_group",
            "public-network",
            &["DC0_DVPG0", "VM Network"],
        );
        assert_eq!(field_suggestions(&f, &c).0, vec!["VM Network".to_owned()]);
    }
}
