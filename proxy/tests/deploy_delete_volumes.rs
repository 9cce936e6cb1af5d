//! Delete keeps container volumes unless asked: container VMs holding volume disks (made with
//! pyvmomi, as VIC's port layer would) are destroyed with their disks detached first, so the
//! volume disks survive a delete without --force; pyvmomi then still finds them.

mod deploy_support;

use deploy_support::*;
use proxy::deploy::vch::Selector;
use proxy::deploy::{self, CreateOptions, Progress};
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// Runs `tests/python/make_container.py`; returns the volume disk's datastore path.
fn make_container(sim: &proxy::simulator::Simulator, vch: &str, name: &str) -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/python/make_container.py"
    );
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(sim.url().as_str())
        .arg(sim.username())
        .arg(format!("DC0/vm/{vch}"))
        .arg(format!("DC0/host/DC0_C0/Resources/{vch}"))
        .arg("LocalDS_0")
        .arg(format!("{vch}-vols/volumes/{name}"))
        .arg(name)
        .env("VCH_PASSWORD", sim.password())
        .output()
        .expect("run make_container.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let made: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "make_container.py: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    made["disk"].as_str().expect("disk path").to_owned()
}

#[tokio::test]
async fn volume_disks_of_container_vms_survive_a_delete_without_force() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let config = config_from(&small_args(&sim, &isos, "keeper"));
    let mut options = CreateOptions::from_config(&config, spec);
    options.wait_for_ip = false;
    deploy::create(
        &client,
        &config,
        &options,
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("create failed: {e}"));
    let disks = [
        make_container(&sim, "keeper", "c1"),
        make_container(&sim, "keeper", "c2"),
    ];
    assert_eq!(disks[0], "[LocalDS_0] keeper-vols/volumes/c1/c1.vmdk");

    // No --force: the containers are powered off, so nothing else is needed.
    let report = deploy::delete::delete(
        &client,
        &Selector::Name("keeper".into()),
        false,
        &Progress::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("delete failed: {e}"));
    assert_eq!(
        report.kept_volume_stores,
        vec!["[LocalDS_0] keeper-vols".to_owned()]
    );
    let removed: Vec<&str> = report.removed.iter().map(|o| o.name.as_str()).collect();
    assert!(
        removed.contains(&"c1") && removed.contains(&"c2"),
        "{removed:?}"
    );
    let kept: Vec<&str> = disks
        .iter()
        .map(|d| d.trim_start_matches("[LocalDS_0] "))
        .collect();
    for container in ["c1", "c2"] {
        let verdict = verify(
            &sim,
            &json!({"name": container, "present": false, "datastore": "LocalDS_0",
                    "paths": [container], "paths_kept": kept}),
        );
        assert_eq!(verdict["ok"], true, "pyvmomi after delete: {verdict}");
    }
    let verdict = verify(
        &sim,
        &json!({"name": "keeper", "present": false, "datastore": "LocalDS_0", "paths": ["keeper"]}),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi after delete: {verdict}");
    sim.stop().await;
}

async fn create_small(
    sim: &proxy::simulator::Simulator,
    client: &proxy::vsphere::Client,
    spec: &proxy::vsphere::TargetSpec,
    isos: &Isos,
    name: &str,
    store: &str,
) -> Result<deploy::CreatedVch, deploy::DeployError> {
    let mut args = small_args(sim, isos, name);
    args.extend(["--volume-store".to_owned(), store.to_owned()]);
    if name != "va" {
        // A bridge of its own (NV28).
        args.extend(["--bridge-network".to_owned(), "DC0_DVPG2".to_owned()]);
    }
    let config = config_from(&args);
    let mut options = CreateOptions::from_config(&config, spec.clone());
    options.wait_for_ip = false;
    deploy::create(
        client,
        &config,
        &options,
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
}

#[tokio::test]
async fn a_volume_store_path_is_never_shared_between_vchs() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let a = create_small(
        &sim,
        &client,
        &spec,
        &isos,
        "va",
        "LocalDS_0/shared-vols:data",
    )
    .await
    .unwrap_or_else(|e| panic!("create va: {e}"));
    // S18: a second VCH on the same directory is refused at create, naming the first.
    let err = create_small(
        &sim,
        &client,
        &spec,
        &isos,
        "vb",
        "ds://LocalDS_0/shared-vols/:data",
    )
    .await
    .expect_err("the shared volume store is refused");
    let message = err.to_string();
    assert!(
        message.contains("S18") && message.contains("\"va\"") && message.contains(&a.id),
        "{message}"
    );
    // A VCH from before the rule that shares it: --force refuses to delete the shared store.
    let b = create_small(&sim, &client, &spec, &isos, "vb", "LocalDS_0/vb-own:data")
        .await
        .unwrap_or_else(|e| panic!("create vb: {e}"));
    client
        .reconfigure_extra_config(
            &proxy::vsphere::MoRef::new("VirtualMachine", &b.id),
            &[(
                "guestinfo.vice./storage/VolumeLocations|data/Path",
                "[LocalDS_0] shared-vols",
            )],
        )
        .await
        .expect("make vb share va's store");
    let err = deploy::delete::delete(&client, &Selector::Id(a.id.clone()), true, &Progress::new())
        .await
        .expect_err("deleting a shared store is refused");
    let message = err.to_string();
    assert!(
        message.contains("[LocalDS_0] shared-vols is also used by \"vb\"")
            && message.contains("nothing was deleted"),
        "{message}"
    );
    // Without --force the store is kept, so the delete goes ahead.
    let report = deploy::delete::delete(
        &client,
        &Selector::Id(a.id.clone()),
        false,
        &Progress::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("delete va: {e}"));
    assert!(
        report
            .kept_volume_stores
            .contains(&"[LocalDS_0] shared-vols".to_owned()),
        "{:?}",
        report.kept_volume_stores
    );
    sim.stop().await;
}

#[tokio::test]
async fn images_under_a_custom_image_store_path_are_removed() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let mut args = small_args(&sim, &isos, "imgs");
    args.extend([
        "--image-store".to_owned(),
        "LocalDS_0/custom-images".to_owned(),
    ]);
    let config = config_from(&args);
    let mut options = CreateOptions::from_config(&config, spec);
    options.wait_for_ip = false;
    let created = deploy::create(
        &client,
        &config,
        &options,
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("create failed: {e}"));
    let vm = proxy::vsphere::MoRef::new("VirtualMachine", &created.id);
    let uuid = client.vm_info(std::slice::from_ref(&vm)).await.expect("vm")[0]
        .uuid
        .clone()
        .expect("the VM has a uuid");
    // What the port layer makes once the VCH runs.
    let datacenter = proxy::vsphere::MoRef::new(
        "Datacenter",
        &client.inventory().await.expect("inventory").datacenters[0].id,
    );
    let fm = client.file_manager().await.expect("file manager");
    client
        .make_directory(
            &fm,
            &format!("[LocalDS_0] custom-images/VIC/{uuid}/images"),
            &datacenter,
        )
        .await
        .expect("the image directory");
    let images = format!("custom-images/VIC/{uuid}");
    let verdict = verify(
        &sim,
        &json!({"name": "nobody", "present": false, "datastore": "LocalDS_0", "paths_kept": [images]}),
    );
    assert_eq!(verdict["ok"], true, "made: {verdict}");

    let report = deploy::delete::delete(
        &client,
        &Selector::Id(created.id.clone()),
        false,
        &Progress::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("delete failed: {e}"));
    assert!(
        report
            .removed
            .iter()
            .any(|o| o.id == format!("[LocalDS_0] {images}")),
        "{:?}",
        report.removed
    );
    let verdict = verify(
        &sim,
        &json!({"name": "imgs", "present": false, "datastore": "LocalDS_0", "paths": [images, "imgs"]}),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi after delete: {verdict}");
    sim.stop().await;
}
