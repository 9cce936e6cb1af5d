//! The appliance's `init` subtree (VIC's `executor.ExecutorConfig`, §3.1–3.3): identity, diagnostics,
//! the three component sessions and the NIC endpoints the guest configures.
//!
//! Field tags are the facts of VIC 1.5.x's struct declarations; they decide every key's shape.

use std::collections::BTreeMap;

use super::codec::Bytes;
use super::keys::{Tag, hidden, ro, rw, untagged};
use super::values::{Build, GoIp, GoIpNet, GoUrl, IpRange};
use crate::extraconfig_struct;

/// What `init/common/id` holds while a create is in progress, before the VM moref is known.
pub const CREATING_VCH: &str = "CreatingVCH";

/// `executor.Common`: shared by sessions, network endpoints and container networks. Its name is read-only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Common {
    pub execution_environment: String,
    pub id: String,
    pub name: String,
    pub notes: String,
}

extraconfig_struct!(Common {
    execution_environment => untagged("ExecutionEnvironment"),
    id => ro("id"),
    name => ro("name"),
    notes => hidden("notes"),
});

/// `executor.ExecutorConfigCommon`: the appliance's own identity. Unlike [`Common`] its name is hidden
/// (`init/common/name`), which is why the two are distinct types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutorCommon {
    pub execution_environment: String,
    /// `VirtualMachine:vm-NN`, or [`CREATING_VCH`] during create.
    pub id: String,
    /// The VCH name.
    pub name: String,
    pub notes: String,
}

extraconfig_struct!(ExecutorCommon {
    execution_environment => untagged("ExecutionEnvironment"),
    id => ro("id"),
    name => hidden("name"),
    notes => hidden("notes"),
});

/// Remote syslog target (`--syslog-address`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SysLogConfig {
    /// `udp` or `tcp`.
    pub network: String,
    /// `host:port`.
    pub raddr: String,
}

extraconfig_struct!(SysLogConfig {
    network => untagged("Network"),
    raddr => untagged("RAddr"),
});

/// One restart record written by the appliance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExitLog {
    /// Go `Time.String()` text, kept verbatim: this crate has no clock and never needs to compute with it.
    pub time: String,
    pub exit_status: i64,
    pub message: String,
}

extraconfig_struct!(ExitLog {
    time => untagged("Time"),
    exit_status => untagged("ExitStatus"),
    message => untagged("Message"),
});

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    pub debug_level: i64,
    pub resurrection_count: i64,
    pub exit_logs: Vec<ExitLog>,
    pub syslog: Option<SysLogConfig>,
}

extraconfig_struct!(Diagnostics {
    debug_level => ro("debug"),
    resurrection_count => rw("resurrections"),
    exit_logs => rw("exitlogs"),
    syslog => ro("syslog"),
});

/// The process a session runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cmd {
    pub path: String,
    /// Includes the command itself as `args[0]`.
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub dir: String,
}

extraconfig_struct!(Cmd {
    path => ro("Path"),
    args => ro("Args"),
    env => ro("Env"),
    dir => ro("Dir"),
});

/// Timestamps the appliance writes (Unix seconds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detail {
    pub create_time: i64,
    pub start_time: i64,
    pub stop_time: i64,
}

extraconfig_struct!(Detail {
    create_time => rw("createtime"),
    start_time => rw("starttime"),
    stop_time => rw("stoptime"),
});

/// One appliance component (`vicadmin`, `docker-personality`, `port-layer`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionConfig {
    pub common: Common,
    pub detail: Detail,
    pub cmd: Cmd,
    pub attach: bool,
    pub open_stdin: bool,
    pub run_block: bool,
    pub active: bool,
    pub tty: bool,
    pub exit_status: i64,
    /// `""` until launched, then `true` or an error text (written by the appliance).
    pub started: String,
    pub restart: bool,
    pub stop_signal: String,
    pub diagnostics: Diagnostics,
    pub user: String,
    pub group: String,
}

extraconfig_struct!(SessionConfig {
    common => ro("common"),
    detail => rw("detail"),
    cmd => ro("cmd"),
    attach => ro("attach"),
    open_stdin => ro("openstdin"),
    run_block => rw("runblock"),
    active => ro("active"),
    tty => ro("tty"),
    exit_status => rw("status"),
    started => rw("started"),
    restart => ro("restart"),
    stop_signal => ro("stopSignal"),
    diagnostics => ro("diagnostics"),
    user => ro("User"),
    group => ro("Group"),
});

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MountSpec {
    pub source: GoUrl,
    pub path: String,
    pub mode: String,
    pub copy_mode: i64,
}

extraconfig_struct!(MountSpec {
    source => ro("source"),
    path => ro("dest"),
    mode => ro("mode"),
    copy_mode => ro("copymode"),
});

/// Container network firewall trust (`--container-network-firewall`), stored as its Go int.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TrustLevel {
    #[default]
    Unspecified,
    Published,
    Open,
    Closed,
    Outbound,
    Peers,
    /// A number VIC 1.5 does not define; kept so that reading a VM never fails on it.
    Other(i64),
}

impl TrustLevel {
    pub fn code(self) -> i64 {
        match self {
            TrustLevel::Unspecified => 0,
            TrustLevel::Published => 1,
            TrustLevel::Open => 2,
            TrustLevel::Closed => 3,
            TrustLevel::Outbound => 4,
            TrustLevel::Peers => 5,
            TrustLevel::Other(n) => n,
        }
    }

    pub fn from_code(code: i64) -> Self {
        match code {
            0 => TrustLevel::Unspecified,
            1 => TrustLevel::Published,
            2 => TrustLevel::Open,
            3 => TrustLevel::Closed,
            4 => TrustLevel::Outbound,
            5 => TrustLevel::Peers,
            n => TrustLevel::Other(n),
        }
    }

    /// The option word (`published`, `open`, …); empty for unspecified.
    pub fn word(self) -> &'static str {
        match self {
            TrustLevel::Unspecified => "",
            TrustLevel::Published | TrustLevel::Other(_) => "published",
            TrustLevel::Open => "open",
            TrustLevel::Closed => "closed",
            TrustLevel::Outbound => "outbound",
            TrustLevel::Peers => "peers",
        }
    }

    /// Parses an option word, case-insensitively.
    pub fn from_word(word: &str) -> Option<Self> {
        match word.to_ascii_lowercase().as_str() {
            "published" => Some(TrustLevel::Published),
            "open" => Some(TrustLevel::Open),
            "closed" => Some(TrustLevel::Closed),
            "outbound" => Some(TrustLevel::Outbound),
            "peers" => Some(TrustLevel::Peers),
            _ => None,
        }
    }
}

impl super::codec::Node for TrustLevel {
    fn encode(&self, enc: &mut super::codec::Encoder, key: &str) {
        self.code().encode(enc, key);
    }

    fn decode(
        dec: &mut super::codec::Decoder<'_>,
        key: &str,
    ) -> Result<Option<Self>, super::error::DecodeError> {
        Ok(i64::decode(dec, key)?.map(TrustLevel::from_code))
    }
}

/// What the appliance learnt by DHCP for a network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignedNetwork {
    pub gateway: GoIpNet,
    pub nameservers: Vec<GoIp>,
}

extraconfig_struct!(AssignedNetwork {
    gateway => rw("gateway"),
    nameservers => rw("dns"),
});

/// `executor.ContainerNetwork`: a network as the appliance (or a container) sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerNetwork {
    /// `id`: port group moref as `Type:Value`; `name`: role or alias.
    pub common: Common,
    /// `bridge`, `external`, or empty.
    pub kind: String,
    pub destinations: Vec<GoIpNet>,
    pub gateway: GoIpNet,
    pub default: bool,
    pub nameservers: Vec<GoIp>,
    pub pools: Vec<IpRange>,
    pub aliases: Vec<String>,
    pub trust_level: TrustLevel,
    pub assigned: AssignedNetwork,
}

extraconfig_struct!(ContainerNetwork {
    common => untagged("Common"),
    kind => rw("type"),
    destinations => ro("destinations"),
    gateway => ro("gateway"),
    default => ro("default"),
    nameservers => ro("dns"),
    pools => ro("pools"),
    aliases => hidden("aliases"),
    trust_level => untagged("TrustLevel"),
    assigned => rw("assigned"),
});

/// `executor.NetworkEndpoint`: one role's presence on a vNIC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkEndpoint {
    /// `id`: the vNIC's PCI slot number as decimal; `name`: the role (empty for management).
    pub common: Common,
    pub static_ip: bool,
    pub ip: Option<GoIpNet>,
    /// Written by the appliance.
    pub assigned: GoIpNet,
    pub network: ContainerNetwork,
    pub ports: Vec<String>,
    pub internal: bool,
}

extraconfig_struct!(NetworkEndpoint {
    common => untagged("Common"),
    static_ip => ro("static"),
    ip => ro("ip"),
    assigned => rw("assigned"),
    network => ro("network"),
    ports => ro("ports"),
    internal => ro("internal"),
});

/// The execs map is non-persistent; its tag is the one place that scope word appears.
const EXECS: Tag = Tag::Tagged {
    scope: "read-only,non-persistent",
    key: "execs",
};

/// `executor.ExecutorConfig`, encoded under `init`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutorConfig {
    pub common: ExecutorCommon,
    pub create_time: i64,
    pub diagnostics: Diagnostics,
    pub sessions: BTreeMap<String, SessionConfig>,
    pub execs: BTreeMap<String, SessionConfig>,
    pub mounts: BTreeMap<String, MountSpec>,
    /// Keyed by role: `bridge`, `client`, `management`, `public`.
    pub networks: BTreeMap<String, NetworkEndpoint>,
    pub key: Bytes,
    pub layer_id: String,
    pub image_id: String,
    pub annotations: BTreeMap<String, String>,
    pub repo_name: String,
    pub version: Option<Build>,
    pub asymmetric_routing: bool,
    pub hostname: String,
    pub domain_name: String,
}

extraconfig_struct!(ExecutorConfig {
    common => ro("common"),
    create_time => rw("createtime"),
    diagnostics => ro("diagnostics"),
    sessions => ro("sessions"),
    execs => EXECS,
    mounts => ro("mounts"),
    networks => ro("networks"),
    key => ro("key"),
    layer_id => ro("layerid"),
    image_id => ro("imageid"),
    annotations => hidden("annotations"),
    repo_name => ro("repo"),
    version => ro("version"),
    asymmetric_routing => ro("asymrouting"),
    hostname => ro("hostname"),
    domain_name => ro("domainname"),
});
