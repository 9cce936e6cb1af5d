//! More of the life cycle against the simulator: configure then `configure --rollback` restores
//! the previous configuration; `vch debug` runs `enable-ssh <key>` and `passwd <password>` in the
//! appliance through guest operations (our harness records them; read back with
//! ListProcessesInGuest) and refuses clearly while VMware Tools is not running; a VCH written by
//! vic-machine 1.5.8 (the extraConfig fixture F4 of the spec) is listed with its version and
//! upgraded.

mod deploy_support;

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use deploy_support::*;
use proxy::deploy::debug::{DebugOptions, debug};
use proxy::deploy::rollback::{RollbackOptions, rollback};
use proxy::deploy::upgrade::{UpgradeOptions, upgrade};
use proxy::deploy::vch::{self, Selector};
use proxy::deploy::{self, ConfigureOptions, CreateOptions, DeployError, Progress};
use proxy::vsphere::vm::{Reconfig, VmSpec};
use proxy::vsphere::{Client, MoRef, TargetSpec};
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

/// Creates `name` with a played appliance; returns the VCH id and the client IP it reported.
async fn create(
    sim: &proxy::simulator::Simulator,
    client: &Client,
    isos: &Isos,
    name: &str,
) -> (String, &'static str) {
    let config = config_from(&small_args(sim, isos, name));
    let options = CreateOptions::from_config(&config, TargetSpec::from_simulator(sim));
    let progress = Progress::new();
    let ip = unique_loopback_ip();
    let appliance = play_appliance(client.clone(), &progress, ip);
    let created = deploy::create(
        client,
        &config,
        &options,
        &progress,
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("create failed: {e}"));
    appliance.abort();
    (created.id, ip)
}

fn rollback_options() -> RollbackOptions {
    RollbackOptions {
        timeout: Duration::from_secs(30),
        reset_progress: false,
    }
}

#[tokio::test]
async fn configure_then_rollback_restores_the_previous_configuration() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let (id, _) = create(&sim, &client, &isos, "cr1").await;
    let selector = Selector::Id(id.clone());
    let (_, before) = vch::inspect_config(&client, &selector)
        .await
        .expect("inspect config");
    assert!(!before.contains("10.0.0.53"), "{before}");

    let request = config_from(&["--dns-server".to_owned(), "10.0.0.53".to_owned()]);
    deploy::configure(
        &client,
        &selector,
        &request,
        &ConfigureOptions {
            target: spec.clone(),
        },
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("configure failed: {e}"));
    let (_, changed) = vch::inspect_config(&client, &selector)
        .await
        .expect("inspect config");
    assert!(changed.contains("--dns-server 10.0.0.53"), "{changed}");

    let done = rollback(
        &client,
        &selector,
        &rollback_options(),
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("configure --rollback failed: {e}"));
    assert!(
        done.snapshot.starts_with("reconfigure for "),
        "{}",
        done.snapshot
    );
    let (_, after) = vch::inspect_config(&client, &selector)
        .await
        .expect("inspect config");
    assert_eq!(after, before);
    sim.stop().await;
}

#[tokio::test]
async fn debug_runs_the_guest_programs_once_tools_run() {
    let (sim, client, _) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let (id, ip) = create(&sim, &client, &isos, "dbg1").await;
    let vm = MoRef::new("VirtualMachine", &id);
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0123456789abcdef tester@example";
    let options = DebugOptions {
        enable_ssh: true,
        authorized_key: Some(format!("{key}\n")),
        root_password: Some(SecretString::from("Sup3r-secret".to_owned())),
    };

    let refused = debug(
        &client,
        &Selector::Id(id.clone()),
        &options,
        &Progress::new(),
    )
    .await
    .expect_err("Tools is not running in a fresh simulator VM");
    assert!(matches!(refused, DeployError::Refused(_)), "{refused}");
    assert!(
        refused.to_string().contains("VMware Tools is not running"),
        "{refused}"
    );

    // What the appliance's Tools would report once it has booted.
    client
        .reconfigure_extra_config(
            &vm,
            &[("SET.guest.toolsRunningStatus", "guestToolsRunning")],
        )
        .await
        .expect("Tools running");
    let done = debug(
        &client,
        &Selector::Id(id.clone()),
        &options,
        &Progress::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("debug failed: {e}"));
    assert_eq!(done.programs, ["enable-ssh", "passwd"]);
    assert_eq!(done.ssh_hint, Some(format!("ssh root@{ip}")));

    let ran: Vec<String> = client
        .list_guest_processes(&vm, "", "")
        .await
        .expect("ListProcessesInGuest")
        .into_iter()
        .map(|p| p.cmd_line)
        .collect();
    assert_eq!(
        ran,
        [
            format!("\"enable-ssh\" {key}"),
            "\"passwd\" Sup3r-secret".to_owned()
        ]
    );
    sim.stop().await;
}

/// The deterministic F4 of the spec (shared/tests/fixtures): vic-machine 1.5.8's final
/// extraConfig, with its environment-dependent values as the shared fixture test fills them in.
fn f4(vm_id: &str) -> Vec<(String, String)> {
    const OVF_ENV: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const KEY_SEALED: &str = "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3NBFPHR9GXPRZwlzlQk6bu3rGh27ONdbtJX5fAaLBNJUBq5XJbM1CdWYgFYEYMK1Knbwg0GIXUVGzGhB6Xb1iuyxI6jHA4WVXa4eYS0lU5TVVxw39BdStWW6aWWfS8Vm+QKVX/3Ko+f0=";
    const TOKEN_SEALED: &str = "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3eJWjaYiyKhPw1SEBPkR0z3fx2nPsR9Wd";
    const CERT_PEM: &str = "-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n";
    include_str!("../../shared/tests/fixtures/extraconfig/f4-after-create.tsv")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('\t').expect("key TAB value");
            let v = match k {
                "guestinfo.ovfEnv" => OVF_ENV.to_owned(),
                "guestinfo.vice./connect/token@secret" => TOKEN_SEALED.to_owned(),
                "guestinfo.vice./cert/HostCertificate/Key@secret" => KEY_SEALED.to_owned(),
                "guestinfo.vice./cert/HostCertificate/Cert" => {
                    base64::engine::general_purpose::STANDARD.encode(CERT_PEM)
                }
                "guestinfo.vice./init/common/id" => format!("VirtualMachine:{vm_id}"),
                _ => v.to_owned(),
            };
            (k.to_owned(), v)
        })
        .collect()
}

#[tokio::test]
async fn a_vch_made_by_vic_machine_1_5_8_is_listed_and_upgraded() {
    let (sim, client, spec) = simulator().await;
    // The appliance VM as vic-machine 1.5.8 left it: its folder on LocalDS_0, the CD-ROM on its
    // ISO, and F4's extraConfig naming this VM.
    let folder = client
        .find_by_inventory_path("DC0/vm")
        .await
        .expect("find")
        .expect("DC0/vm");
    let pool = client
        .find_by_inventory_path("DC0/host/DC0_C0/Resources")
        .await
        .expect("find")
        .expect("the cluster's pool");
    let vm = client
        .create_vm(
            &folder,
            &pool,
            None,
            &VmSpec {
                name: "vch1".into(),
                guest_id: "otherGuest64".into(),
                vm_path_name: "[LocalDS_0]".into(),
                num_cpus: 1,
                memory_mb: 2048,
                ..VmSpec::default()
            },
        )
        .await
        .expect("create the appliance VM");
    client
        .reconfigure_vm(
            &vm,
            &Reconfig {
                add_cdrom_iso: Some("[LocalDS_0] vch1/V1.5.8-12345-2C978FE-appliance.iso".into()),
                extra_config: f4(&vm.value),
                add_serial_file: Some("[LocalDS_0] vch1/tether.debug".into()),
            },
        )
        .await
        .expect("write F4");
    client.power_on_vm(&vm).await.expect("power on");
    client
        .reconfigure_extra_config(&vm, &[("SET.guest.ipAddress", "127.0.0.23")])
        .await
        .expect("guest IP");

    let newer = isos("VMware v1.5.9-13000-abcdef1");
    let installer = deploy::iso::read_iso(&newer.appliance)
        .await
        .expect("ISO")
        .build();
    let rows = deploy::status::list(&client, Some(&installer))
        .await
        .expect("ls");
    let row = rows
        .iter()
        .find(|r| r.summary.id == vm.value)
        .expect("listed as a VCH");
    assert_eq!(row.summary.name, "vch1");
    assert_eq!(row.summary.version, "v1.5.8-12345-2c978fe");
    assert_eq!(
        row.upgrade_status.as_deref(),
        Some("Upgradeable to v1.5.9-13000-abcdef1")
    );

    let done = upgrade(
        &client,
        &Selector::Name("vch1".into()),
        &UpgradeOptions {
            target: spec.clone(),
            appliance_iso: newer.appliance.clone(),
            bootstrap_iso: newer.bootstrap.clone(),
            timeout: Duration::from_secs(30),
            force: false,
            reset_progress: false,
        },
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("upgrade of the vic-machine VCH failed: {e}"));
    assert_eq!(done.to_version, "v1.5.9-13000-abcdef1");
    let after = client
        .vm_info(std::slice::from_ref(&vm))
        .await
        .expect("vm")
        .remove(0);
    let values: BTreeMap<String, String> =
        shared::extraconfig::collect_extra_config(after.extra_config.clone());
    assert_eq!(values["guestinfo.vice./init/version/Version"], "v1.5.9");
    assert_eq!(values["guestinfo.vice./init/version/BuildNumber"], "13000");
    // The schema version 1.5.8 wrote is kept: 1.5.x appliances read the same keys.
    assert_eq!(values["guestinfo.vice./init/version/PluginVersion"], "10");
    assert_eq!(
        values["guestinfo.vice./container/bootstrap_image_path"],
        "[LocalDS_0] vch1/V1.5.9-13000-ABCDEF1-bootstrap.iso"
    );
    assert_eq!(
        after.cdrom_isos,
        ["[LocalDS_0] vch1/V1.5.9-13000-ABCDEF1-appliance.iso"]
    );
    // The sealed settings survived the re-encode with a new key.
    let tree: shared::extraconfig::VirtualContainerHostConfigSpec =
        shared::extraconfig::decode_extra_config(
            after.extra_config,
            shared::extraconfig::Secrets::FromOvfEnv,
        )
        .expect("decode with secrets");
    assert_eq!(tree.connection.token, "Admin!23");
    sim.stop().await;
}
