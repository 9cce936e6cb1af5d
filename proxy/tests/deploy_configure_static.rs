//! Configure of a VCH whose static public address is shared with the client and management
//! roles (one port group): a DNS-only change goes through (the read-back no longer copies the
//! address into the client role, which NV1 refuses), keeps every NIC on its port group, and keeps
//! the recorded create options and the keys the appliance wrote.

mod deploy_support;

use deploy_support::*;
use proxy::deploy::vch::Selector;
use proxy::deploy::{self, ConfigureOptions, CreateOptions, Progress};
use proxy::vsphere::MoRef;
use tokio_util::sync::CancellationToken;

const CREATE_OPTIONS: &str = "guestinfo.vice./vic_machine_create_options";
const APPLIANCE_KEY: &str = "guestinfo.vice..init.networks|public.assigned.IP";

#[tokio::test]
async fn a_dns_change_on_a_shared_static_address_keeps_everything_else() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let mut args = small_args(&sim, &isos, "shared-ip");
    args.extend(
        [
            "--public-network-ip",
            "127.0.40.10/24",
            "--public-network-gateway",
            "127.0.40.1",
            "--timeout",
            "3m",
        ]
        .map(str::to_owned),
    );
    let config = config_from(&args);
    let mut options = CreateOptions::from_config(&config, spec.clone());
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
    let vm = MoRef::new("VirtualMachine", &created.id);
    // What the appliance writes once booted (4 bytes of 127.0.40.10).
    client
        .reconfigure_extra_config(&vm, &[(APPLIANCE_KEY, "fwAoCg==")])
        .await
        .expect("play the appliance");
    let before = client.vm_info(std::slice::from_ref(&vm)).await.expect("vm")[0].clone();
    // Stored as vic-machine 1.5.8 stores them.
    let stored = before.extra_config_map();
    let options = stored
        .get("guestinfo.vice./vic_machine_create_options~")
        .cloned()
        .unwrap_or_default();
    assert!(
        options.split('|').any(|o| o == "--timeout=3m0s"),
        "the timeout is recorded as Go prints it: {options}"
    );
    assert_eq!(
        stored
            .get("guestinfo.vice./init/version/PluginVersion")
            .map(String::as_str),
        Some("10")
    );
    let date = stored
        .get("guestinfo.vice./init/version/BuildDate")
        .cloned()
        .unwrap_or_default();
    assert!(
        date.len() == 19 && date.as_bytes()[4] == b'/' && date.as_bytes()[10] == b'@',
        "BuildDate {date:?}"
    );

    let request = config_from(&["--dns-server".to_owned(), "127.0.0.53".to_owned()]);
    deploy::configure(
        &client,
        &Selector::Id(created.id.clone()),
        &request,
        &ConfigureOptions {
            target: spec.clone(),
        },
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("configure failed: {e}"));

    let after = client.vm_info(std::slice::from_ref(&vm)).await.expect("vm")[0].clone();
    let nics = |v: &proxy::vsphere::vm::VmInfo| {
        let mut n: Vec<_> = v
            .nics
            .iter()
            .map(|n| (n.pci_slot, format!("{:?}", n.backing)))
            .collect();
        n.sort();
        n
    };
    assert_eq!(nics(&after), nics(&before), "every NIC on its port group");
    let (b, a) = (before.extra_config_map(), after.extra_config_map());
    assert_eq!(a.get(CREATE_OPTIONS), b.get(CREATE_OPTIONS));
    assert!(b.contains_key(CREATE_OPTIONS));
    assert_eq!(a.get(APPLIANCE_KEY).map(String::as_str), Some("fwAoCg=="));
    let (back, line) = deploy::vch::inspect_config(&client, &Selector::Id(created.id.clone()))
        .await
        .expect("inspect config");
    assert_eq!(back.network.dns_servers, ["127.0.0.53"], "{line}");
    assert_eq!(
        back.network.public.ip.as_deref(),
        Some("127.0.40.10/24"),
        "{line}"
    );
    assert_eq!(back.network.client.ip, None, "{line}");
    sim.stop().await;
}
