//! What the original only finds at runtime: container subnets that overlap the bridge range or each
//! other (NV21, NV22) and role static addresses inside the bridge range (NV23).

use ipnet::Ipv4Net;

use super::{ContainerSubnet, RoleStatic};
use crate::address::nets_overlap;
use crate::finding::Finding;

pub(super) fn check(
    bridge_range: Option<Ipv4Net>,
    statics: &[RoleStatic],
    subnets: &[ContainerSubnet],
    out: &mut Vec<Finding>,
) {
    if let Some(bridge) = bridge_range {
        for s in subnets {
            if nets_overlap(&s.subnet, &bridge) {
                out.push(Finding::error(
                    "NV21",
                    "container-network-gateway",
                    format!("network.container_networks[{}].gateway", s.index),
                    format!(
                        "Subnet {} of container network \"{}\" overlaps the bridge range {bridge}; containers could not tell \
                         the two apart. Use another subnet or move the bridge with --bridge-network-range.",
                        s.subnet, s.alias
                    ),
                ));
            }
        }
        for r in statics {
            if bridge.contains(&r.ip.addr()) {
                out.push(Finding::error(
                    "NV23",
                    &format!("{}-network-ip", r.role),
                    format!("network.{}.ip", r.role),
                    format!(
                        "The {} address {} lies inside the bridge range {bridge}, so traffic to it would stay on the bridge. \
                         Pick an address outside it or move the bridge with --bridge-network-range.",
                        r.role, r.ip
                    ),
                ));
            }
        }
    }
    let spans: Vec<(u32, u32)> = subnets
        .iter()
        .map(|s| {
            (
                u32::from(s.subnet.network()),
                u32::from(s.subnet.broadcast()),
            )
        })
        .collect();
    for (s, hit) in subnets.iter().zip(overlaps(&spans)) {
        let Some(Overlap { first, more }) = hit else {
            continue;
        };
        let other = &subnets[first];
        out.push(Finding::error(
            "NV22",
            "container-network-gateway",
            format!("network.container_networks[{}].gateway", s.index),
            format!(
                "Subnet {} of container network \"{}\" overlaps subnet {} of container network \"{}\"{}. \
                 Each container network needs its own subnet.",
                s.subnet,
                s.alias,
                other.subnet,
                other.alias,
                and_more(more, "subnet")
            ),
        ));
    }
}

/// What one interval overlaps: the first other interval in address order and how many more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Overlap {
    pub first: usize,
    pub more: usize,
}

/// For every inclusive interval `(start, end)`, what it overlaps among the others (`None`: nothing).
/// Sort and binary searches, O(n log n): a list of thousands of entries must not cost n² work, and
/// each interval gets one answer however many others it overlaps.
pub(super) fn overlaps(spans: &[(u32, u32)]) -> Vec<Option<Overlap>> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| (spans[i].0, i));
    let mut starts: Vec<u32> = spans.iter().map(|s| s.0).collect();
    let mut ends: Vec<u32> = spans.iter().map(|s| s.1).collect();
    starts.sort_unstable();
    ends.sort_unstable();
    // reach[p]: the furthest end among the first p+1 intervals in address order.
    let reach: Vec<u32> = order
        .iter()
        .scan(0u32, |max, &i| {
            *max = (*max).max(spans[i].1);
            Some(*max)
        })
        .collect();
    let mut result = vec![None; spans.len()];
    for (p, &i) in order.iter().enumerate() {
        let (start, end) = spans[i];
        // Others that start by our end, minus those that end before our start, minus ourselves.
        let count =
            starts.partition_point(|&s| s <= end) - ends.partition_point(|&e| e < start) - 1;
        if count == 0 {
            continue;
        }
        // The first interval in address order reaching our start overlaps us (it starts no later);
        // when that is ourselves, the next one in address order does.
        let k = reach.partition_point(|&r| r < start);
        let first = if k < p { order[k] } else { order[p + 1] };
        result[i] = Some(Overlap {
            first,
            more: count - 1,
        });
    }
    result
}

/// ` and 3 more subnets` (or nothing).
pub(super) fn and_more(more: usize, what: &str) -> String {
    match more {
        0 => String::new(),
        1 => format!(" and 1 more {what}"),
        n => format!(" and {n} more {what}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, pair by pair, to compare with.
    fn naive(spans: &[(u32, u32)]) -> Vec<Option<Overlap>> {
        let hits = |i: usize| -> Vec<usize> {
            (0..spans.len())
                .filter(|&j| j != i && spans[j].0 <= spans[i].1 && spans[i].0 <= spans[j].1)
                .collect()
        };
        (0..spans.len())
            .map(|i| {
                let h = hits(i);
                let first = *h.iter().min_by_key(|&&j| (spans[j].0, j))?;
                Some(Overlap {
                    first,
                    more: h.len() - 1,
                })
            })
            .collect()
    }

    #[test]
    fn agrees_with_the_pairwise_definition() {
        // A fixed pseudo-random walk (no randomness in shared): small coordinates force collisions.
        let mut x: u32 = 12345;
        let mut next = || {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) % 40
        };
        for n in 0..60 {
            let spans: Vec<(u32, u32)> = (0..n)
                .map(|_| {
                    let a = next();
                    (a, a + next() % 6)
                })
                .collect();
            assert_eq!(overlaps(&spans), naive(&spans), "{spans:?}");
        }
    }

    #[test]
    fn many_identical_ranges_give_one_answer_each() {
        let spans = vec![(10, 20); 5000];
        let got = overlaps(&spans);
        assert_eq!(got.len(), 5000);
        assert_eq!(
            got[0],
            Some(Overlap {
                first: 1,
                more: 4998
            })
        );
        assert_eq!(
            got[4999],
            Some(Overlap {
                first: 0,
                more: 4998
            })
        );
    }

    #[test]
    fn touching_ends_overlap_and_neighbours_do_not() {
        let got = overlaps(&[(0, 9), (9, 20), (21, 30), (u32::MAX - 1, u32::MAX)]);
        assert_eq!(got[0], Some(Overlap { first: 1, more: 0 }));
        assert_eq!(got[1], Some(Overlap { first: 0, more: 0 }));
        assert_eq!(got[2], None);
        assert_eq!(got[3], None);
    }
}
