//! Go library and helper types that appear in the VCH tree (§1.7): `net.IP`, `net.IPMask`,
//! `net.IPNet`, `url.URL` (Go 1.8 fields), `ip.Range`, `types.ManagedObjectReference`, `version.Build`.
//!
//! IPs keep their raw bytes because vic-machine stores some as 4 and some as 16 bytes and the appliance
//! must see exactly what vic-machine would have written.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::codec::{Bytes, Decoder, Encoder, Node};
use super::error::DecodeError;
use super::keys::{ro, untagged};
use crate::extraconfig_struct;

/// A Go `net.IP`: 4 bytes (`To4`) or 16 bytes (`ParseIP`, IPv4 as `::ffff:a.b.c.d`), stored as base64.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GoIp(pub Vec<u8>);

impl GoIp {
    /// What Go's `net.ParseIP` gives: always 16 bytes.
    pub fn parsed(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(v4) => GoIp(v4.to_ipv6_mapped().octets().to_vec()),
            IpAddr::V6(v6) => GoIp(v6.octets().to_vec()),
        }
    }

    /// What Go's `To4` (and `ParseCIDR`'s network) gives for IPv4: 4 bytes.
    pub fn four(addr: Ipv4Addr) -> Self {
        GoIp(addr.octets().to_vec())
    }

    /// The address, whether stored as 4 or 16 bytes; `None` for any other length.
    pub fn addr(&self) -> Option<IpAddr> {
        match self.0.len() {
            4 => {
                let b: [u8; 4] = self.0.as_slice().try_into().ok()?;
                Some(IpAddr::V4(Ipv4Addr::from(b)))
            }
            16 => {
                let b: [u8; 16] = self.0.as_slice().try_into().ok()?;
                let v6 = Ipv6Addr::from(b);
                Some(match v6.to_ipv4_mapped() {
                    Some(v4) => IpAddr::V4(v4),
                    None => IpAddr::V6(v6),
                })
            }
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Node for GoIp {
    fn encode(&self, enc: &mut Encoder, key: &str) {
        Bytes(self.0.clone()).encode(enc, key);
    }

    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError> {
        Ok(Bytes::decode(dec, key)?.map(|b| GoIp(b.0)))
    }
}

/// A Go `net.IPMask`, stored as base64 of its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GoIpMask(pub Vec<u8>);

impl GoIpMask {
    /// Go's `CIDRMask(ones, 32)`: 4 bytes. `None` when `ones` > 32.
    pub fn v4_prefix(ones: u8) -> Option<Self> {
        if ones > 32 {
            return None;
        }
        let bits: u32 = if ones == 0 {
            0
        } else {
            u32::MAX << (32 - ones)
        };
        Some(GoIpMask(bits.to_be_bytes().to_vec()))
    }

    /// Go's `CIDRMask(ones, 128)`: 16 bytes. `None` when `ones` > 128.
    pub fn v6_prefix(ones: u8) -> Option<Self> {
        if ones > 128 {
            return None;
        }
        let bits: u128 = if ones == 0 {
            0
        } else {
            u128::MAX << (128 - ones)
        };
        Some(GoIpMask(bits.to_be_bytes().to_vec()))
    }

    /// The prefix length, if the mask is canonical (ones then zeros), as Go's `Size` requires.
    pub fn prefix_len(&self) -> Option<u8> {
        let mut ones = 0u32;
        let mut seen_zero = false;
        for byte in &self.0 {
            for bit in (0..8).rev() {
                if byte & (1 << bit) != 0 {
                    if seen_zero {
                        return None;
                    }
                    ones += 1;
                } else {
                    seen_zero = true;
                }
            }
        }
        if self.0.is_empty() {
            return None;
        }
        u8::try_from(ones).ok()
    }
}

impl Node for GoIpMask {
    fn encode(&self, enc: &mut Encoder, key: &str) {
        Bytes(self.0.clone()).encode(enc, key);
    }

    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError> {
        Ok(Bytes::decode(dec, key)?.map(|b| GoIpMask(b.0)))
    }
}

/// A Go `net.IPNet`: `<key>/IP` and `<key>/Mask`, each omitted when empty. Not CIDR text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct GoIpNet {
    pub ip: GoIp,
    pub mask: GoIpMask,
}

impl GoIpNet {
    pub fn is_empty(&self) -> bool {
        self.ip.0.is_empty() && self.mask.0.is_empty()
    }
}

extraconfig_struct!(GoIpNet {
    ip => untagged("IP"),
    mask => untagged("Mask"),
});

/// A Go 1.8 `url.URL`. `User` is left out on purpose: VIC's encoder writes nothing for it, so credentials
/// in a URL never reach extraConfig.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct GoUrl {
    pub scheme: String,
    pub opaque: String,
    pub host: String,
    pub path: String,
    pub raw_path: String,
    pub force_query: bool,
    pub raw_query: String,
    pub fragment: String,
}

extraconfig_struct!(GoUrl {
    scheme => untagged("Scheme"),
    opaque => untagged("Opaque"),
    host => untagged("Host"),
    path => untagged("Path"),
    raw_path => untagged("RawPath"),
    force_query => untagged("ForceQuery"),
    raw_query => untagged("RawQuery"),
    fragment => untagged("Fragment"),
});

impl GoUrl {
    /// Go's `url.URL.String()` for the fields we keep (no user info, no opaque handling beyond Go's).
    pub fn to_url_string(&self) -> String {
        let mut out = String::new();
        if !self.scheme.is_empty() {
            out.push_str(&self.scheme);
            out.push(':');
        }
        if !self.opaque.is_empty() {
            out.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() {
                out.push_str("//");
                out.push_str(&self.host);
            }
            let path = if self.raw_path.is_empty() {
                &self.path
            } else {
                &self.raw_path
            };
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                out.push('/');
            }
            out.push_str(path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            out.push('?');
            out.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            out.push('#');
            out.push_str(&self.fragment);
        }
        out
    }
}

/// VIC's `ip.Range`: `<key>/first`, `<key>/last`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct IpRange {
    pub first: GoIp,
    pub last: GoIp,
}

extraconfig_struct!(IpRange {
    first => ro("first"),
    last => ro("last"),
});

/// A vSphere managed object reference: `<key>/Type`, `<key>/Value`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MoRef {
    pub kind: String,
    pub value: String,
}

extraconfig_struct!(MoRef {
    kind => untagged("Type"),
    value => untagged("Value"),
});

impl MoRef {
    pub fn new(kind: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            value: value.into(),
        }
    }

    /// govmomi's `ManagedObjectReference.String()`: `Type:Value`.
    pub fn to_type_value(&self) -> String {
        format!("{}:{}", self.kind, self.value)
    }

    /// Parses `Type:Value`; `None` without a `:`.
    pub fn parse_type_value(text: &str) -> Option<Self> {
        let (kind, value) = text.split_once(':')?;
        Some(Self::new(kind, value))
    }
}

/// VIC's `version.Build`, stored under `init/version`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Build {
    pub version: String,
    pub git_commit: String,
    pub build_date: String,
    pub build_number: String,
    pub state: String,
    pub plugin_version: i64,
}

extraconfig_struct!(Build {
    version => untagged("Version"),
    git_commit => untagged("GitCommit"),
    build_date => untagged("BuildDate"),
    build_number => untagged("BuildNumber"),
    state => untagged("State"),
    plugin_version => untagged("PluginVersion"),
});

impl Build {
    /// `Build.ShortVersion()`: `<Version>-<BuildNumber>-<GitCommit>`, the `ls` VERSION column.
    pub fn short_version(&self) -> String {
        format!("{}-{}-{}", self.version, self.build_number, self.git_commit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(GoIpMask::v4_prefix(24).unwrap().0, vec![255, 255, 255, 0]);
        assert_eq!(GoIpMask::v4_prefix(0).unwrap().0, vec![0, 0, 0, 0]);
        assert_eq!(GoIpMask::v4_prefix(33), None);
        assert_eq!(GoIpMask(vec![255, 240, 0, 0]).prefix_len(), Some(12));
        assert_eq!(GoIpMask(vec![255, 0, 255, 0]).prefix_len(), None);
        assert_eq!(GoIpMask::v6_prefix(64).unwrap().prefix_len(), Some(64));
    }

    #[test]
    fn ip_lengths() {
        let v4 = Ipv4Addr::new(10, 0, 0, 1);
        assert_eq!(GoIp::parsed(IpAddr::V4(v4)).0.len(), 16);
        assert_eq!(GoIp::parsed(IpAddr::V4(v4)).addr(), Some(IpAddr::V4(v4)));
        assert_eq!(GoIp::four(v4).addr(), Some(IpAddr::V4(v4)));
        assert_eq!(GoIp(vec![1, 2, 3]).addr(), None);
    }

    #[test]
    fn url_string() {
        let u = GoUrl {
            scheme: "nfs".into(),
            host: "nfs.example.com".into(),
            path: "/exports/vol".into(),
            raw_query: "uid=1000&gid=1000".into(),
            ..GoUrl::default()
        };
        assert_eq!(
            u.to_url_string(),
            "nfs://nfs.example.com/exports/vol?uid=1000&gid=1000"
        );
    }
}
