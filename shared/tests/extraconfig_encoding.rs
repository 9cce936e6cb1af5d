//! The encoding rules on small trees: fixtures F1–F3 of docs/appliance-extraconfig.md §1.12 (bare `§N` below: that document), checked there against
//! VIC's own encoder, plus decoding tolerance.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use shared::extraconfig::keys::{Tag, hidden, ro, rw, secret, untagged};
use shared::extraconfig::{
    Decoder, ExitLog, GoIp, GoIpMask, GoIpNet, GoUrl, Secrets, decode_extra_config, encode_plain,
};
use shared::extraconfig_struct;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[derive(Debug, Default, Clone, PartialEq)]
struct F1 {
    int: i64,
    bool: bool,
    float: f64,
    string: String,
}

extraconfig_struct!(F1 {
    int => rw("int"),
    bool => rw("bool"),
    float => rw("float"),
    string => rw("string"),
});

// 3.14 is the fixture's value, not an approximation of π.
#[allow(clippy::approx_constant)]
#[test]
fn f1_primitives_read_write_at_the_root() {
    let value = F1 {
        int: 42,
        bool: true,
        float: 3.14,
        string: "Grrr".into(),
    };
    let expected = map(&[
        ("guestinfo.vice..int", "42"),
        ("guestinfo.vice..bool", "true"),
        ("guestinfo.vice..float", "3.14E+00"),
        ("guestinfo.vice..string", "Grrr"),
    ]);
    assert_eq!(encode_plain(&value), expected);
    let back: F1 = Decoder::decode_root(&expected).unwrap();
    assert_eq!(back, value);
}

#[derive(Debug, Default, Clone, PartialEq)]
struct F2 {
    int_slice: Vec<i64>,
    int_map: BTreeMap<String, i64>,
    net: GoIpNet,
    ips: Vec<GoIp>,
}

extraconfig_struct!(F2 {
    int_slice => ro("intslice"),
    int_map => ro("intmap"),
    net => ro("net"),
    ips => ro("ips"),
});

#[test]
fn f2_slices_maps_and_ips() {
    let value = F2 {
        int_slice: vec![1, 2, 3, 4, 5],
        int_map: BTreeMap::from([("1st".into(), 12345), ("2nd".into(), 67890)]),
        net: GoIpNet {
            ip: GoIp::four(Ipv4Addr::new(127, 0, 0, 1)),
            mask: GoIpMask(vec![0xff, 0, 0, 0]),
        },
        ips: vec![
            GoIp::parsed(IpAddr::V4(Ipv4Addr::new(1, 2, 3, 4))),
            GoIp::four(Ipv4Addr::new(1, 2, 3, 4)),
            GoIp::parsed(IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1))),
        ],
    };
    let expected = map(&[
        ("guestinfo.vice./intslice~", "1|2|3|4|5"),
        ("guestinfo.vice./intslice", "4"),
        ("guestinfo.vice./intmap", "1st|2nd"),
        ("guestinfo.vice./intmap|1st", "12345"),
        ("guestinfo.vice./intmap|2nd", "67890"),
        ("guestinfo.vice./net/IP", "fwAAAQ=="),
        ("guestinfo.vice./net/Mask", "/wAAAA=="),
        ("guestinfo.vice./ips", "2"),
        ("guestinfo.vice./ips|0", "AAAAAAAAAAAAAP//AQIDBA=="),
        ("guestinfo.vice./ips|1", "AQIDBA=="),
        ("guestinfo.vice./ips|2", "/oAAAAAAAAAAAAAAAAAAAQ=="),
    ]);
    assert_eq!(encode_plain(&value), expected);
    let back: F2 = Decoder::decode_root(&expected).unwrap();
    assert_eq!(back, value);
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Inner {
    a: String,
    b: i64,
    h: String,
    u: String,
}

extraconfig_struct!(Inner {
    a => ro("a"),
    b => rw("b"),
    h => hidden("h"),
    u => untagged("U"),
});

const NP: Tag = Tag::Tagged {
    scope: "read-only,non-persistent",
    key: "np",
};

/// F3's root, without the fields that exercise Go reflection features a Rust tree never declares
/// (`recurse:"depth=1"`, `nofollow`, `uint`): those write nothing in VIC and have no counterpart here.
#[derive(Debug, Default, Clone, PartialEq)]
struct F3 {
    ptr: Option<Inner>,
    hid: Inner,
    rw: Inner,
    np: Inner,
    sec: Inner,
    untag: Inner,
    m: BTreeMap<String, Inner>,
    d2: Inner,
    d: i64,
    s: Vec<String>,
    el: Vec<ExitLog>,
    urlp: Option<GoUrl>,
}

extraconfig_struct!(F3 {
    ptr => ro("ptr"),
    hid => hidden("hid"),
    rw => rw("rw"),
    np => NP,
    sec => secret("sec"),
    untag => untagged("Untag"),
    m => ro("m"),
    d2 => ro("d2"),
    d => ro("d"),
    s => ro("s"),
    el => rw("el"),
    urlp => ro("urlp"),
});

fn f3_value() -> F3 {
    F3 {
        ptr: Some(Inner {
            a: "p".into(),
            ..Inner::default()
        }),
        m: BTreeMap::from([
            (
                "k.1".into(),
                Inner {
                    a: "x".into(),
                    b: 1,
                    ..Inner::default()
                },
            ),
            (
                "k/2".into(),
                Inner {
                    a: "y".into(),
                    ..Inner::default()
                },
            ),
        ]),
        d: 90_000_000_000,
        s: vec!["a".into(), "b|c".into(), String::new()],
        el: vec![ExitLog {
            time: "2018-01-02 03:04:05 +0000 UTC".into(),
            exit_status: 1,
            message: "boom".into(),
        }],
        urlp: Some(GoUrl {
            scheme: "nfs".into(),
            host: "host:2049".into(),
            path: "/share/path".into(),
            raw_query: "uid=1&gid=2".into(),
            fragment: "frag".into(),
            ..GoUrl::default()
        }),
        ..F3::default()
    }
}

#[test]
fn f3_scope_interplay() {
    let expected = map(&[
        ("guestinfo.vice./ptr/a", "p"),
        ("guestinfo.vice..ptr.b", "0"),
        ("ptr/h", ""),
        ("guestinfo.vice./ptr/U", ""),
        ("guestinfo.vice./hid/a", ""),
        ("guestinfo.vice..hid.b", "0"),
        ("hid/h", ""),
        ("hid/U", ""),
        ("guestinfo.vice./rw/a", ""),
        ("guestinfo.vice..rw.b", "0"),
        ("rw/h", ""),
        ("guestinfo.vice..rw.U", ""),
        ("guestinfo.vice./np/a@non-persistent", ""),
        ("guestinfo.vice..np.b@non-persistent", "0"),
        ("guestinfo.vice./np/U@non-persistent", ""),
        ("guestinfo.vice./sec/a", ""),
        ("guestinfo.vice..sec.b", "0"),
        ("sec/h", ""),
        ("guestinfo.vice./sec/U@secret", ""),
        ("guestinfo.vice./Untag/a", ""),
        ("guestinfo.vice..Untag.b", "0"),
        ("Untag/h", ""),
        ("Untag/U", ""),
        ("guestinfo.vice./m", "k.1|k/2"),
        ("guestinfo.vice./m|k/1/a", "x"),
        ("guestinfo.vice..m|k.1.b", "1"),
        ("m|k.1/h", ""),
        ("guestinfo.vice./m|k/1/U", ""),
        ("guestinfo.vice./m|k/2/a", "y"),
        ("guestinfo.vice..m|k.2.b", "0"),
        ("m|k/2/h", ""),
        ("guestinfo.vice./m|k/2/U", ""),
        ("guestinfo.vice./d2/a", ""),
        ("guestinfo.vice..d2.b", "0"),
        ("d2/h", ""),
        ("guestinfo.vice./d2/U", ""),
        ("guestinfo.vice./d", "90000000000"),
        ("guestinfo.vice./s~", "a|b|c|"),
        ("guestinfo.vice./s", "2"),
        ("guestinfo.vice..el", "0"),
        ("guestinfo.vice..el|0.Time", "2018-01-02 03:04:05 +0000 UTC"),
        ("guestinfo.vice..el|0.ExitStatus", "1"),
        ("guestinfo.vice..el|0.Message", "boom"),
        ("guestinfo.vice./urlp/Scheme", "nfs"),
        ("guestinfo.vice./urlp/Opaque", ""),
        ("guestinfo.vice./urlp/Host", "host:2049"),
        ("guestinfo.vice./urlp/Path", "/share/path"),
        ("guestinfo.vice./urlp/RawPath", ""),
        ("guestinfo.vice./urlp/ForceQuery", "false"),
        ("guestinfo.vice./urlp/RawQuery", "uid=1&gid=2"),
        ("guestinfo.vice./urlp/Fragment", "frag"),
    ]);
    assert_eq!(encode_plain(&f3_value()), expected);
}

#[test]
fn f3_decodes_back_except_the_mangled_list() {
    let value = f3_value();
    let back: F3 = Decoder::decode_root(&encode_plain(&value)).unwrap();
    // The `|` inside "b|c" corrupts the joined list (§1.10): that loss is VIC's behaviour.
    assert_eq!(back.s, vec!["a", "b", "c"]);
    // A read-only child of map key `k.1` is stored under `k/1`, so it decodes back under the same
    // mangling; the values survive.
    assert_eq!(back.m, value.m);
    let mut rest = back.clone();
    rest.s = value.s.clone();
    assert_eq!(rest, value);
}

#[test]
fn reader_tolerates_duplicates_nil_unknown_and_missing_keys() {
    let pairs = vec![
        ("guestinfo.vice..int", "1"),
        ("guestinfo.vice..int", "42"),
        ("guestinfo.vice..string", "<nil>"),
        ("guestinfo.vice..float", "<nil>"),
        ("some.other.key", "whatever"),
    ];
    let value: F1 = decode_extra_config(pairs, Secrets::Ignore).unwrap();
    assert_eq!(
        value,
        F1 {
            int: 42,
            ..F1::default()
        }
    );
}

#[test]
fn malformed_values_are_errors_not_panics() {
    for (key, value) in [
        ("guestinfo.vice..int", "forty-two"),
        ("guestinfo.vice..bool", "yes"),
        ("guestinfo.vice..float", "pi"),
    ] {
        let result: Result<F1, _> = decode_extra_config([(key, value)], Secrets::Ignore);
        assert!(result.is_err(), "{key}={value} should not decode");
    }
    let result: Result<F2, _> =
        decode_extra_config([("guestinfo.vice./net/IP", "***")], Secrets::Ignore);
    assert!(result.is_err());
    // A primitive slice whose joined list is shorter than its length key: take what is there.
    let lenient: F2 = decode_extra_config(
        [
            ("guestinfo.vice./intslice", "9"),
            ("guestinfo.vice./intslice~", "1|2"),
        ],
        Secrets::Ignore,
    )
    .unwrap();
    assert_eq!(lenient.int_slice, vec![1, 2]);
}
