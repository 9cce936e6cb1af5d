//! The VIC 1.5.x appliance configuration as stored in a VM's `config.extraConfig`.
//!
//! A VCH appliance boots from key/value pairs that `vic-machine` 1.5.8 writes into its VM's extraConfig and
//! reads back for `ls`, `inspect`, `configure` and `upgrade`. Everything here must match VIC 1.5.x **byte
//! for byte**: the key shapes, the value encodings, the `<nil>` escaping and the secretbox layout, or a real
//! appliance will not boot and real VCHs will not be recognised. The format is written down
//! in `docs/appliance-extraconfig.md`; a bare `§N` in this module, its submodules and
//! `shared/tests/extraconfig_*.rs` is a section of that document. Its fixtures F1–F14 are those tests.
//!
//! Pure like the rest of `shared`: no I/O, no clock, no randomness. The caller (the proxy) supplies the
//! secret key and the nonces.
//!
//! # Public API
//!
//! * The tree: [`VirtualContainerHostConfigSpec`] ([`vch_spec`]) with its `init` subtree
//!   [`ExecutorConfig`] ([`executor`]: sessions, network endpoints, container networks), and the Go library
//!   types it uses ([`values`]: [`GoIp`], [`GoIpMask`], [`GoIpNet`], [`GoUrl`], [`IpRange`], [`MoRef`],
//!   [`Build`]).
//! * Writing: [`encode_extra_config`] gives the sorted `(key, value)` list to send (secrets sealed,
//!   `guestinfo.ovfEnv` added, `<nil>` escaped); [`encode_plain`] gives the unsealed map.
//! * Reading: [`decode_extra_config`] from raw pairs, or [`collect_extra_config`] then [`decode_values`];
//!   [`Secrets`] says whether to ignore secrets, use a given [`SecretKey`] (from the `.vmx`, see
//!   [`SecretKey::from_vmx`]) or take the key from `guestinfo.ovfEnv`.
//! * `ls`/`inspect` helpers ([`vch`]): [`is_vch`], [`version_column`], [`upgrade_status`],
//!   [`record_create_options`], [`parse_create_options`].
//! * From and to the user's model ([`from_vch_config`]): [`build_appliance_config`] turns a
//!   [`VchConfig`](crate::config::VchConfig) plus [`DeploymentFacts`] into the tree (either of vic-machine's
//!   two encodes, see [`Phase`]); [`to_vch_config`] goes back for `vch inspect config`.
//! * The engine ([`keys`], [`codec`]): [`Node`], [`Encoder`], [`Decoder`], [`Tag`] and the
//!   [`extraconfig_struct!`](crate::extraconfig_struct) macro, public so that other trees (and the small
//!   fixtures of §1.12) can be encoded with the same rules.
//!
//! Decoding never panics on foreign input: malformed numbers, base64 or secrets are [`DecodeError`]s;
//! unknown keys are ignored and missing keys give zero values, as in VIC.

pub mod certificates;
pub mod codec;
pub mod error;
pub mod executor;
pub mod from_vch_config;
pub mod keys;
pub mod secret;
mod shared_addresses;
pub mod values;
pub mod vch;
pub mod vch_spec;
pub mod wire;

pub use codec::{Bytes, Decoder, Encoder, Node};
pub use error::{DecodeError, SecretError};
pub use executor::{
    AssignedNetwork, CREATING_VCH, Cmd, Common, ContainerNetwork, Detail, Diagnostics,
    ExecutorCommon, ExecutorConfig, ExitLog, MountSpec, NetworkEndpoint, SessionConfig,
    SysLogConfig, TrustLevel,
};
pub use from_vch_config::{
    CertificatePair, DeploymentFacts, MappingError, Phase, build_appliance_config, to_vch_config,
};
pub use keys::{GUESTINFO_PREFIX, Tag};
pub use secret::{NONCE_LEN, OVF_ENV_KEY, SecretKey};
pub use values::{Build, GoIp, GoIpMask, GoIpNet, GoUrl, IpRange, MoRef};
pub use vch::{
    UpgradeStatus, is_creating, is_vch, parse_create_options, record_create_options,
    upgrade_status, version_column,
};
pub use vch_spec::{
    Certificate, Connection, Container, Network, RawCertificate, Registry, Storage,
    VirtualContainerHostConfigSpec,
};
pub use wire::{
    NIL, Secrets, collect_extra_config, decode_extra_config, decode_values, encode_extra_config,
    encode_plain,
};
