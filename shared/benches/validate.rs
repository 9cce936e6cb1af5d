//! Full validation of a large configuration: every role static on its own port group, ten
//! container networks with gateways, ranges and DNS, ten volume stores. Target: median < 50 µs.
//! Then the same against a vCenter-scale snapshot (40 clusters x 25 hosts, 2,000 distributed port
//! groups, 200 datastores): a full validation (target < 1 ms), a keystroke that retypes a port
//! group the snapshot lacks (suggestions memoised), one that types a new value each time (the
//! ranking runs), and reading the snapshot's JSON (its size is printed).

use criterion::{Criterion, criterion_group, criterion_main};
use shared::config::{ContainerNetwork, VchConfig};
use shared::inventory::InventorySnapshot;
use shared::validate;

#[path = "../tests/support/vcenter_scale.rs"]
mod vcenter_scale;
use vcenter_scale::vcenter_scale;

/// What the wizard holds after picking a cluster, a datastore and a bridge: the default public
/// network ("VM Network", a standard port group) raises NV27 with suggestions.
fn wizard_config() -> VchConfig {
    let mut c = VchConfig::default();
    c.target.server = Some("vc.example.com".into());
    c.target.datacenter = Some("DC0".into());
    c.target.compute_resource = Some("DC0_C7".into());
    c.general.name = Some("vch1".into());
    c.storage.image_store = Some("LocalDS_7".into());
    c.network.bridge.port_group = Some("DC0_DVPG1".into());
    c
}

fn large_config() -> VchConfig {
    let mut c = VchConfig::default();
    c.target.server = Some("vc.example.com".into());
    c.target.datacenter = Some("dc1".into());
    c.target.user = Some("administrator@vsphere.local".into());
    c.target.thumbprint =
        Some("4F:D3:9B:50:00:31:D9:84:9D:DA:CF:57:21:D6:0D:11:89:78:97:26".into());
    c.general.name = Some("vch-bench".into());
    c.general.container_name_convention = Some("bench-{name}".into());
    c.general.syslog_address = Some("tcp://syslog.example.com:514".into());
    c.compute.cpu_limit = Some("8000".into());
    c.compute.memory_limit = Some("16384".into());
    c.compute.cpu_shares = Some("high".into());
    c.storage.image_store = Some("ds://datastore1/images".into());
    c.storage.base_image_size = Some("8GB".into());
    c.storage.volume_stores = (0..10)
        .map(|i| {
            if i % 2 == 0 {
                format!("ds://datastore{i}/volumes:store{i}")
            } else {
                format!("nfs://nfs{i}.example.com/export/vols?uid=1000&gid=1000:store{i}")
            }
        })
        .collect();
    let n = &mut c.network;
    n.bridge.port_group = Some("bridge-pg".into());
    n.bridge.ip_range = Some("172.16.0.0/12".into());
    n.bridge.width = Some("16".into());
    n.public.port_group = Some("public-pg".into());
    n.public.ip = Some("10.10.1.10/24".into());
    n.public.gateway = Some("10.10.1.1".into());
    n.client.port_group = Some("client-pg".into());
    n.client.ip = Some("10.10.2.10/24".into());
    n.client.gateway = Some("10.20.0.0/16,10.30.0.0/16:10.10.2.1".into());
    n.management.port_group = Some("management-pg".into());
    n.management.ip = Some("10.10.3.10/24".into());
    n.management.gateway = Some("10.40.0.0/16:10.10.3.1".into());
    n.dns_servers = vec!["10.10.0.53".into(), "10.10.0.54".into()];
    n.container_networks = (0..10)
        .map(|i| ContainerNetwork {
            port_group: format!("container-pg-{i}"),
            alias: Some(format!("net{i}")),
            gateway: Some(format!("192.168.{i}.1/24")),
            ip_ranges: vec![format!("192.168.{i}.10-100"), format!("192.168.{i}.128/26")],
            dns: vec![format!("192.168.{i}.2")],
            firewall: Some("published".into()),
        })
        .collect();
    n.proxy.http_proxy = Some("http://proxy.example.com:3128".into());
    n.proxy.https_proxy = Some("http://proxy.example.com:3128".into());
    n.proxy.no_proxy = Some("*.example.com,10.0.0.0/8,localhost".into());
    c.security.tls_cname = Some("vch.example.com".into());
    c.registry.insecure_registries = vec!["registry.example.com:5000".into()];
    c.registry.whitelist_registries = vec!["*.example.com".into(), "10.0.0.0/8".into()];
    c.operations.ops_user = Some("vch-ops@vsphere.local".into());
    c
}

fn bench(c: &mut Criterion) {
    let config = large_config();
    let report = validate(&config, None);
    assert!(report.is_valid(), "{:#?}", report.findings);
    c.bench_function("validate large config", |b| {
        b.iter(|| validate(std::hint::black_box(&config), None))
    });
}

fn bench_snapshot(c: &mut Criterion) {
    let snapshot = vcenter_scale(0);
    let json = serde_json::to_string(&snapshot).unwrap();
    eprintln!("vCenter-scale snapshot: {} KiB of JSON", json.len() / 1024);
    let config = wizard_config();
    let report = validate(&config, Some(&snapshot));
    assert!(report.has_code("NV27"), "{:#?}", report.findings);
    c.bench_function("validate with a vCenter-scale snapshot", |b| {
        b.iter(|| validate(std::hint::black_box(&config), Some(&snapshot)))
    });
    let mut typed = config.clone();
    let mut i = 0u32;
    c.bench_function("keystroke on the client network, retyped values", |b| {
        b.iter(|| {
            i += 1;
            typed.network.client.port_group = Some(format!("DC0_DVPX{}", i % 4));
            validate(std::hint::black_box(&typed), Some(&snapshot))
        })
    });
    c.bench_function("keystroke on the client network, new values", |b| {
        b.iter(|| {
            i += 1;
            typed.network.client.port_group = Some(format!("pg-{i}"));
            validate(std::hint::black_box(&typed), Some(&snapshot))
        })
    });
    c.bench_function("read the vCenter-scale snapshot's JSON", |b| {
        b.iter(|| serde_json::from_str::<InventorySnapshot>(std::hint::black_box(&json)).unwrap())
    });
}

criterion_group!(benches, bench, bench_snapshot);
criterion_main!(benches);
