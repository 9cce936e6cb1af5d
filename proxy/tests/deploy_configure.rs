//! `configure` against the simulator: the management network moved to another port group, a
//! container network added and one removed (checked independently with pyvmomi and through
//! `inspect config`); an invalid request changes nothing; a reconfigure whose reply is lost
//! reverts the VM to exactly what it was.

mod deploy_support;

use std::collections::BTreeMap;

use deploy_support::*;
use proxy::deploy::vch::Selector;
use proxy::deploy::{
    self, ConfigureOptions, CreateOptions, DeployError, EventKind, Progress, Step,
};
use proxy::vsphere::vm::VmInfo;
use proxy::vsphere::{Client, MoRef, TargetSpec};
use serde_json::json;
use tokio_util::sync::CancellationToken;

fn flags(args: &[&str]) -> shared::VchConfig {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    config_from(&args)
}

async fn create_full(
    sim: &proxy::simulator::Simulator,
    client: &Client,
    spec: &TargetSpec,
    isos: &Isos,
    name: &str,
) -> String {
    let config = config_from(&full_args(sim, isos, name));
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
    .unwrap_or_else(|e| panic!("create failed: {e}"))
    .id
}

async fn vm(client: &Client, id: &str) -> VmInfo {
    client
        .vm_info(&[MoRef::new("VirtualMachine", id)])
        .await
        .expect("vm info")
        .into_iter()
        .next()
        .expect("the VM exists")
}

/// What a VM is, as far as configure may change it: NICs by slot, size, extraConfig (last wins;
/// an empty value counts as absent, since the simulator cannot delete a key and vCenter deletes
/// one set to "").
type VmState = (
    Vec<(Option<u32>, String)>,
    Option<i64>,
    Option<i64>,
    BTreeMap<String, String>,
);

fn state(vm: &VmInfo) -> VmState {
    let mut nics: Vec<_> = vm
        .nics
        .iter()
        .map(|n| (n.pci_slot, format!("{:?}", n.backing)))
        .collect();
    nics.sort();
    (
        nics,
        vm.num_cpus,
        vm.memory_mb,
        shared::extraconfig::collect_extra_config(vm.extra_config.clone())
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect(),
    )
}

#[tokio::test]
async fn configure_moves_management_and_changes_container_networks() {
    let (sim, client, spec) = simulator_with(8).await;
    let isos = isos(VERSION_PUBLISHER);
    let id = create_full(&sim, &client, &spec, &isos, "cfg1").await;
    let before = vm(&client, &id).await;

    let request = flags(&[
        "--management-network",
        "DC0_DVPG6",
        "--management-network-ip",
        "10.0.6.10/24",
        "--management-network-gateway",
        "10.0.0.0/16:10.0.6.1",
        "--container-network",
        "DC0_DVPG4:net1",
        "--container-network",
        "DC0_DVPG7:net3",
        "--volume-store",
        "LocalDS_0/vols-c:third",
        "--endpoint-memory",
        "8192",
    ]);
    let progress = Progress::new();
    let done = deploy::configure(
        &client,
        &Selector::Name("cfg1".into()),
        &request,
        &ConfigureOptions {
            target: spec.clone(),
        },
        &progress,
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("configure failed: {e}"));
    println!(
        "configure: {} SOAP round trips; {}",
        done.round_trips,
        done.changes.join("; ")
    );
    assert!(
        done.changes
            .iter()
            .any(|c| c.contains("1248") && c.contains("DC0_DVPG6")),
        "{:?}",
        done.changes
    );
    let steps: Vec<Step> = progress
        .history()
        .iter()
        .filter(|e| e.kind == EventKind::Finished)
        .map(|e| e.step)
        .collect();
    for step in [
        Step::Snapshot,
        Step::PowerOff,
        Step::Configure,
        Step::PowerOn,
        Step::Done,
    ] {
        assert!(steps.contains(&step), "{step:?} missing from {steps:?}");
    }

    // Independently: the management NIC (slot 1248) now backs onto DC0_DVPG6, the others stay.
    let verdict = verify(
        &sim,
        &json!({
            "name": "cfg1",
            "present": true,
            "memory_mb": 8192,
            "nics": {"DC0_DVPG0": 1184, "DC0_DVPG2": 1216, "DC0_DVPG6": 1248, "DC0_DVPG1": 1280},
            "extra_config": {
                "guestinfo.vice./init/common/id": format!("VirtualMachine:{id}"),
                "guestinfo.vice./init/networks|management/Common/id": "1248",
                "guestinfo.vice./storage/VolumeLocations|third/Path": "[LocalDS_0] vols-c",
                "guestinfo.vice./storage/VolumeLocations|default/Path": "[LocalDS_0] volumes/a",
            },
            "extra_config_present": [
                "guestinfo.vice./network/container_networks|net1/Common/id",
                "guestinfo.vice./network/container_networks|net3/Common/id",
                "guestinfo.vice./connect/token@secret",
            ],
            "datastore": "LocalDS_0",
            "paths": ["vols-c", "volumes/a"],
        }),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi: {verdict}");
    let after = vm(&client, &id).await;
    assert_ne!(state(&before).3, state(&after).3, "extraConfig unchanged");
    assert_eq!(after.power_state, "poweredOn");

    let (config, line) = deploy::vch::inspect_config(&client, &Selector::Id(id.clone()))
        .await
        .expect("inspect config");
    println!("{line}");
    assert!(line.contains("--management-network DC0_DVPG6"), "{line}");
    assert!(line.contains("10.0.6.10/24"), "{line}");
    assert!(line.contains("DC0_DVPG7:net3"), "{line}");
    assert!(
        line.contains("192.168.4.1/24"),
        "net1 kept its gateway: {line}"
    );
    assert!(!line.contains("DC0_DVPG5"), "net2 removed: {line}");
    assert!(line.contains("--client-network DC0_DVPG2"), "{line}");
    assert_eq!(config.compute.endpoint_memory.as_deref(), Some("8192"));
    // Sealed values carried over: the token still opens with the new key.
    let tree: shared::extraconfig::VirtualContainerHostConfigSpec =
        shared::extraconfig::decode_extra_config(
            after.extra_config.clone(),
            shared::extraconfig::Secrets::FromOvfEnv,
        )
        .expect("decode with secrets");
    assert!(tree.certificate.host_certificate.is_some());
    assert!(!tree.connection.token.is_empty());

    // The same request again changes nothing on the NICs.
    let again = deploy::configure(
        &client,
        &Selector::Id(id.clone()),
        &request,
        &ConfigureOptions { target: spec },
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect("configure again");
    assert!(
        !again.changes.iter().any(|c| c.contains("NIC")),
        "{:?}",
        again.changes
    );
    sim.stop().await;
}

#[tokio::test]
async fn invalid_or_refused_configure_changes_nothing() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let id = create_full(&sim, &client, &spec, &isos, "cfg2").await;
    let before = vm(&client, &id).await;
    let options = ConfigureOptions { target: spec };
    for (args, expect) in [
        (&["--management-network", "NoSuchNetwork"][..], "not valid"),
        (&["--bridge-network", "DC0_DVPG5"][..], "bridge-network"),
        (&["--public-network-ip", "not-an-ip"][..], "not valid"),
    ] {
        let err = deploy::configure(
            &client,
            &Selector::Id(id.clone()),
            &flags(args),
            &options,
            &Progress::new(),
            &CancellationToken::new(),
        )
        .await
        .expect_err("refused");
        let message = err.to_string();
        assert!(message.contains(expect), "{args:?}: {message}");
        assert!(
            matches!(err, DeployError::Invalid { .. } | DeployError::Refused(_)),
            "{message}"
        );
        assert!(
            state(&before) == state(&vm(&client, &id).await),
            "{args:?} changed the VM"
        );
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_lost_reconfigure_reply_reverts() {
    let (sim, client, spec) = simulator_with(8).await;
    let isos = isos(VERSION_PUBLISHER);
    let id = create_full(&sim, &client, &spec, &isos, "cfg3").await;
    let before = vm(&client, &id).await;

    // The server carries the reconfigure out; we never hear back.
    let proxy = CuttingProxy::start_on(sim.addr(), "ReconfigVM_Task", true).await;
    let mut via = spec.clone();
    via.url.set_port(Some(proxy.port)).expect("proxy port");
    let cut_client = Client::connect(&via).await.expect("connect via the proxy");
    let progress = Progress::new();
    let err = deploy::configure(
        &cut_client,
        &Selector::Id(id.clone()),
        &flags(&[
            "--management-network",
            "DC0_DVPG6",
            "--container-network",
            "DC0_DVPG7:net3",
            "--volume-store",
            "LocalDS_0/vols-new:fresh",
        ]),
        &ConfigureOptions { target: via },
        &progress,
        &CancellationToken::new(),
    )
    .await
    .expect_err("the reconfigure reply was lost");
    let message = err.to_string();
    println!("{message}");
    match &err {
        DeployError::ConfigureFailed {
            step,
            revert,
            rollback,
            ..
        } => {
            assert_eq!(*step, Step::Configure);
            assert!(revert.is_clean(), "{message}");
            assert!(rollback.is_clean(), "{message}");
            assert!(message.contains("reverted to snapshot"), "{message}");
            assert!(message.contains("removed the snapshot"), "{message}");
        }
        other => panic!("expected a failed configure, got {other}"),
    }
    // The simulator's revert restores the configuration, as vSphere's does: nothing needed
    // writing back, so the cut reconfigure was the only one.
    assert_eq!(proxy.requests.load(std::sync::atomic::Ordering::SeqCst), 1);
    let after = vm(&client, &id).await;
    let (before, after_state) = (state(&before), state(&after));
    assert!(before == after_state, "the VM was not restored");
    assert_eq!(after.power_state, "poweredOn");
    // The new volume store directory this run made went with the revert.
    let verdict = verify(
        &sim,
        &json!({"name": "nothing-named-so", "present": false, "datastore": "LocalDS_0",
                "paths": ["vols-new"]}),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi: {verdict}");
    sim.stop().await;
}
