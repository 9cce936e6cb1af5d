//! Parsers for the network values the user types: IPv4 addresses, CIDRs, gateway specs and
//! container IP ranges. IPv4 only, as the original (its colon-split syntax rules out IPv6).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

pub fn parse_ipv4(text: &str) -> Option<Ipv4Addr> {
    text.trim().parse().ok()
}

/// `a.b.c.d/n`, keeping the host bits (`10.0.1.2/24` is an address with its mask).
pub fn parse_cidr(text: &str) -> Option<Ipv4Net> {
    let text = text.trim();
    if !text.contains('/') {
        return None;
    }
    text.parse().ok()
}

/// Parsed `[dest1,dest2:]gateway` of a client or management network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewaySpec {
    pub destinations: Vec<Ipv4Net>,
    pub gateway: Ipv4Addr,
    /// The mask if the user wrote the gateway as a CIDR (we accept and strip it).
    pub gateway_mask: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewaySpecError {
    /// More than one `:` (N6).
    TooManyColons,
    /// The gateway part is neither an IP nor a CIDR (N7).
    BadGateway(String),
    /// A routing destination is not a CIDR (N8).
    BadDestination(String),
}

pub fn parse_gateway_spec(text: &str) -> Result<GatewaySpec, GatewaySpecError> {
    let parts: Vec<&str> = text.split(':').collect();
    let (dests, gw) = match parts.as_slice() {
        [gw] => ("", *gw),
        [dests, gw] => (*dests, *gw),
        _ => return Err(GatewaySpecError::TooManyColons),
    };
    let mut destinations = Vec::new();
    for d in dests.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        destinations.push(parse_cidr(d).ok_or_else(|| GatewaySpecError::BadDestination(d.into()))?);
    }
    let (gateway, gateway_mask) = if let Some(ip) = parse_ipv4(gw) {
        (ip, None)
    } else if let Some(net) = parse_cidr(gw) {
        (net.addr(), Some(net.prefix_len()))
    } else {
        return Err(GatewaySpecError::BadGateway(gw.trim().to_owned()));
    };
    Ok(GatewaySpec {
        destinations,
        gateway,
        gateway_mask,
    })
}

/// An inclusive range of container addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    pub first: Ipv4Addr,
    pub last: Ipv4Addr,
}

impl IpRange {
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        self.first <= ip && ip <= self.last
    }

    pub fn overlaps(&self, other: &IpRange) -> bool {
        self.first <= other.last && other.first <= self.last
    }

    pub fn within(&self, net: &Ipv4Net) -> bool {
        net.contains(&self.first) && net.contains(&self.last)
    }
}

/// `a.b.c.d-e.f.g.h`, the last-octet shorthand `a.b.c.d-N`, or a CIDR (its whole block).
pub fn parse_ip_range(text: &str) -> Option<IpRange> {
    let text = text.trim();
    if let Some((a, b)) = text.split_once('-') {
        let first = parse_ipv4(a)?;
        if let Some(last) = parse_ipv4(b) {
            return (first <= last).then_some(IpRange { first, last });
        }
        let end: u16 = b.trim().parse().ok()?;
        let [o1, o2, o3, o4] = first.octets();
        // The shorthand must name a later octet of the same /24 (the original's rule).
        if end > 255 || end <= u16::from(o4) {
            return None;
        }
        return Some(IpRange {
            first,
            last: Ipv4Addr::new(o1, o2, o3, end as u8),
        });
    }
    let net = parse_cidr(text)?;
    Some(IpRange {
        first: net.network(),
        last: net.broadcast(),
    })
}

/// Smallest network that holds every address given, but never narrower than `max_prefix`.
pub fn covering_network(addrs: &[Ipv4Addr], max_prefix: u8) -> Option<Ipv4Net> {
    let first = *addrs.first()?;
    let mut prefix = max_prefix.min(32);
    loop {
        let net = Ipv4Net::new(first, prefix).ok()?.trunc();
        if addrs.iter().all(|a| net.contains(a)) {
            return Some(net);
        }
        prefix = prefix.checked_sub(1)?;
    }
}

pub fn nets_overlap(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_specs() {
        let g = parse_gateway_spec("10.0.0.0/8,192.168.0.0/16:10.1.1.1").unwrap();
        assert_eq!(g.destinations.len(), 2);
        assert_eq!(g.gateway, Ipv4Addr::new(10, 1, 1, 1));
        assert_eq!(
            parse_gateway_spec("a:b:c"),
            Err(GatewaySpecError::TooManyColons)
        );
        assert!(matches!(
            parse_gateway_spec("10.0.0.0/8:x"),
            Err(GatewaySpecError::BadGateway(_))
        ));
        assert!(matches!(
            parse_gateway_spec("10.0.0.0:1.1.1.1"),
            Err(GatewaySpecError::BadDestination(_))
        ));
        assert_eq!(
            parse_gateway_spec("1.2.3.1/24").unwrap().gateway_mask,
            Some(24)
        );
    }

    #[test]
    fn ranges() {
        let r = parse_ip_range("192.168.100.2-100").unwrap();
        assert_eq!(r.last, Ipv4Addr::new(192, 168, 100, 100));
        assert!(parse_ip_range("192.168.100.9-9").is_none());
        assert!(parse_ip_range("192.168.100.9-256").is_none());
        assert!(parse_ip_range("10.0.0.9-10.0.0.1").is_none());
        assert_eq!(
            parse_ip_range("10.0.0.0/30").unwrap().last,
            Ipv4Addr::new(10, 0, 0, 3)
        );
        assert!(parse_ip_range("nonsense").is_none());
    }

    #[test]
    fn covering() {
        let a = [
            Ipv4Addr::new(192, 168, 100, 1),
            Ipv4Addr::new(192, 168, 100, 100),
        ];
        assert_eq!(
            covering_network(&a, 24).unwrap().to_string(),
            "192.168.100.0/24"
        );
        let b = [
            Ipv4Addr::new(192, 168, 100, 1),
            Ipv4Addr::new(192, 168, 101, 1),
        ];
        assert_eq!(
            covering_network(&b, 24).unwrap().to_string(),
            "192.168.100.0/23"
        );
    }
}
