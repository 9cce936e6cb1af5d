//! Wizard page "General": name, container naming, debug level, syslog.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeneralConfig {
    pub name: Option<String>,
    /// Must contain `{id}` or `{name}`.
    pub container_name_convention: Option<String>,
    /// Integer 0..; raw text.
    pub debug: Option<String>,
    /// `tcp://host[:port]` or `udp://host[:port]`.
    pub syslog_address: Option<String>,
}
