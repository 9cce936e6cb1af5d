//! A cluster without DRS: create picks a host that is connected, mounts the image datastore and
//! sees every chosen port group, and explains per host when none does. The snapshot is the
//! simulator's, with DRS turned off and host visibility narrowed in it.

mod deploy_support;

use deploy_support::*;
use proxy::deploy::plan;
use shared::inventory::InventorySnapshot;

fn hosts(snapshot: &InventorySnapshot) -> Vec<(String, String)> {
    snapshot.datacenters[0]
        .hosts
        .iter()
        .filter(|h| h.compute_resource == "/DC0/host/DC0_C0")
        .map(|h| (h.path.clone(), h.id.clone()))
        .collect()
}

#[tokio::test]
async fn without_drs_the_host_must_mount_the_datastore_and_see_the_networks() {
    let (sim, client, _spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let config = config_from(&small_args(&sim, &isos, "nodrs")).resolved();
    let mut snapshot = client.inventory().await.expect("inventory");
    let all = hosts(&snapshot);
    assert!(all.len() >= 3, "{all:?}");
    {
        let dc = &mut snapshot.datacenters[0];
        for cr in &mut dc.compute_resources {
            if cr.path == "/DC0/host/DC0_C0" {
                cr.drs_enabled = Some(false);
            }
        }
        // Only the second and third hosts mount the image datastore; the third does not see
        // the public port group.
        for ds in dc.datastores.iter_mut().filter(|d| d.name == "LocalDS_0") {
            ds.hosts = without(ds.hosts.to_vec(), &all[0].0);
        }
        for n in dc.networks.iter_mut().filter(|n| n.name == "DC0_DVPG1") {
            n.hosts = without(n.hosts.to_vec(), &all[2].0);
        }
    }
    // The first host fails the datastore, the third the network: the second is chosen.
    let mut narrowed = snapshot.clone();
    for ds in narrowed.datacenters[0].datastores.iter_mut() {
        ds.hosts = without(ds.hosts.to_vec(), &all[1].0);
    }
    let chosen = plan::resolve(&config, &snapshot).expect("a host fits");
    assert_eq!(
        chosen.host.map(|h| h.value),
        Some(all[1].1.clone()),
        "hosts {all:?}"
    );

    // Without the second host nothing fits, and the error says why for each.
    let err = plan::resolve(&config, &narrowed).expect_err("no host fits");
    let text = format!("{}: {}", err.problem, err.hint);
    assert!(
        text.contains("does not mount LocalDS_0") && text.contains("does not see DC0_DVPG1"),
        "{text}"
    );
    for (path, _) in &all {
        let name = path.rsplit('/').next().unwrap_or_default();
        assert!(text.contains(name), "{name} is explained: {text}");
    }
    sim.stop().await;
}

/// A host list without one host (the snapshot shares host lists, so they are rebuilt, not edited).
fn without(hosts: Vec<String>, host: &str) -> shared::inventory::HostList {
    hosts
        .into_iter()
        .filter(|h| h != host)
        .collect::<Vec<_>>()
        .into()
}
