//! The operations user, DRS VM groups and configure's resource-pool changes against the
//! simulator (with fixed credentials, so a wrong password is refused):
//! * a wrong ops password is a clear error and leaves nothing (not even the ReadOnly permission
//!   `--ops-grant-perms` gives first);
//! * `--ops-grant-perms --affinity-vm-group`: roles, permissions and the VM group, read back with
//!   pyvmomi; `vch delete` removes the group;
//! * a failure after those steps rolls back the group, the new roles and the permissions;
//! * configure changes the pool's allocations (pyvmomi reads `config`), and a failed configure
//!   puts them back.

mod deploy_support;

use deploy_support::*;
use proxy::deploy::vch::Selector;
use proxy::deploy::{
    self, ConfigureOptions, CreateOptions, DeployError, Progress, Step, StepError,
};
use proxy::vsphere::{Client, MoRef, TargetSpec};
use serde_json::json;
use tokio_util::sync::CancellationToken;

const USER: &str = "administrator@vsphere.local";
const PASSWORD: &str = "Adm1n-pw!";
/// Not a login the simulator accepts.
const OPS_USER: &str = "vch-ops@vsphere.local";
const WRONG_PASSWORD: &str = "Wr0ng-ops-pw!";

fn with(mut args: Vec<String>, extra: &[&str]) -> Vec<String> {
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

async fn run_create(
    client: &Client,
    spec: &TargetSpec,
    args: &[String],
) -> Result<deploy::CreatedVch, DeployError> {
    let config = config_from(args);
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

async fn user_permissions(client: &Client, user: &str, entities: &[MoRef]) -> Vec<String> {
    let manager = client.authorization_manager().await.expect("authz manager");
    let mut out = Vec::new();
    for e in entities {
        for p in client
            .entity_permissions(&manager, e)
            .await
            .expect("permissions")
        {
            if p.principal == user {
                out.push(format!("{e}: role {}", p.role_id));
            }
        }
    }
    out
}

async fn vic_roles(client: &Client) -> Vec<String> {
    let manager = client.authorization_manager().await.expect("authz manager");
    client
        .roles(&manager)
        .await
        .expect("roles")
        .into_iter()
        .filter(|r| r.name.starts_with("vic-vch-"))
        .map(|r| r.name)
        .collect()
}

async fn moref(client: &Client, path: &str) -> MoRef {
    client
        .find_by_inventory_path(path)
        .await
        .expect("find")
        .unwrap_or_else(|| panic!("{path} not found"))
}

#[tokio::test]
async fn a_wrong_ops_password_is_refused_and_leaves_nothing() {
    let (sim, client, spec) = simulator_with_credentials(USER, PASSWORD).await;
    let isos = isos(VERSION_PUBLISHER);
    let dc = moref(&client, "DC0").await;
    for grant in [false, true] {
        let mut args = with(
            small_args(&sim, &isos, "opsbad"),
            &[
                "--ops-user",
                OPS_USER,
                &format!("--ops-password={WRONG_PASSWORD}"),
            ],
        );
        if grant {
            args.push("--ops-grant-perms".into());
        }
        let err = run_create(&client, &spec, &args)
            .await
            .expect_err("the ops login must be refused");
        let message = err.to_string();
        println!("{message}");
        assert!(!message.contains(WRONG_PASSWORD) && !message.contains(PASSWORD));
        assert!(
            message.contains("failed to validate the operations credentials")
                && message.contains(OPS_USER),
            "{message}"
        );
        match &err {
            DeployError::Failed {
                step: Step::OpsCredentials,
                cause: StepError::OpsLogin { .. },
                rollback,
            } => assert!(rollback.is_clean(), "{message}"),
            other => panic!("expected an ops-credentials failure, got {other:?}"),
        }
        assert_eq!(leftovers(&client, "opsbad").await, Vec::<String>::new());
        // The ReadOnly permission given before the login (with --ops-grant-perms) went back.
        assert_eq!(
            user_permissions(&client, OPS_USER, std::slice::from_ref(&dc)).await,
            Vec::<String>::new()
        );
    }
    // T14: a user without a password is refused before anything is read.
    let args = with(small_args(&sim, &isos, "opsbad"), &["--ops-user", OPS_USER]);
    let err = run_create(&client, &spec, &args)
        .await
        .expect_err("no ops password");
    assert!(err.to_string().contains("operations user"), "{err}");
    sim.stop().await;
}

#[tokio::test]
async fn grant_perms_and_vm_group_round_trip() {
    let (sim, client, spec) = simulator_with_credentials(USER, PASSWORD).await;
    let isos = isos(VERSION_PUBLISHER);
    // The simulator only lets USER log in, so USER is the ops user here.
    let args = with(
        small_args(&sim, &isos, "opsvch"),
        &[
            "--ops-user",
            USER,
            &format!("--ops-password={PASSWORD}"),
            "--ops-grant-perms",
            "--affinity-vm-group",
        ],
    );
    let created = run_create(&client, &spec, &args)
        .await
        .unwrap_or_else(|e| panic!("create failed: {e}"));
    for e in &created.warnings {
        println!("warning: {e}");
    }
    let verdict = verify(
        &sim,
        &json!({
            "name": "opsvch",
            "present": true,
            "vm_group": {"cluster": "DC0_C0", "vms": ["opsvch"]},
            "roles": {
                "vic-vch-vcenter": ["Datastore.Config"],
                "vic-vch-datacenter": ["Datastore.Config", "Datastore.FileManagement"],
                "vic-vch-cluster": ["Host.Inventory.EditCluster", "Datastore.AllocateSpace"],
                "vic-vch-datastore": ["Datastore.Browse", "Host.Config.SystemManagement"],
                "vic-vch-network": ["Network.Assign"],
                "vic-vch-endpoint": ["VirtualMachine.Inventory.Create", "Resource.AssignVMToPool"],
            },
            "permissions": {"principal": USER, "entities": {
                "/": ["vic-vch-vcenter", false],
                "DC0": ["vic-vch-datacenter", true],
                "DC0_C0": ["vic-vch-cluster", true],
                "LocalDS_0": ["vic-vch-datastore", false],
                "DC0_DVPG0": ["vic-vch-network", true],
                "DC0_DVPG1": ["vic-vch-network", true],
                "opsvch": ["vic-vch-endpoint", true],
            }},
        }),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi: {verdict}");

    let report = deploy::delete::delete(
        &client,
        &Selector::Id(created.id.clone()),
        true,
        &Progress::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("delete failed: {e}"));
    assert!(
        report
            .removed
            .iter()
            .any(|o| o.kind == deploy::ObjectKind::VmGroup && o.name == "opsvch"),
        "{report:?}"
    );
    let verdict = verify(
        &sim,
        &json!({"name": "opsvch", "present": false, "vm_group": {"cluster": "DC0_C0"}}),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi: {verdict}");
    sim.stop().await;
}

#[tokio::test]
async fn a_failure_after_grants_and_group_rolls_them_back() {
    let (sim, client, spec) = simulator_with_credentials(USER, PASSWORD).await;
    let isos = isos(VERSION_PUBLISHER);
    let entities = [
        moref(&client, "DC0").await,
        moref(&client, "DC0/host/DC0_C0").await,
    ];
    let before = user_permissions(&client, USER, &entities).await;
    // The final reconfigure (after the grants and the group) never reaches the server.
    let proxy = CuttingProxy::start_on(sim.addr(), "ReconfigVM_Task", false).await;
    let mut via = spec.clone();
    via.url.set_port(Some(proxy.port)).expect("proxy port");
    let cut_client = Client::connect(&via).await.expect("connect via the proxy");
    let args = with(
        small_args(&sim, &isos, "opscut"),
        &[
            "--ops-user",
            USER,
            &format!("--ops-password={PASSWORD}"),
            "--ops-grant-perms",
            "--affinity-vm-group",
        ],
    );
    let err = run_create(&cut_client, &via, &args)
        .await
        .expect_err("the reconfigure was cut");
    let message = err.to_string();
    println!("{message}");
    let rollback = err.rollback().expect("a rollback report");
    assert!(rollback.is_clean(), "{message}");
    for kind in [
        deploy::ObjectKind::VmGroup,
        deploy::ObjectKind::Role,
        deploy::ObjectKind::Permission,
    ] {
        assert!(
            rollback.removed.iter().any(|o| o.kind == kind),
            "{kind:?} not rolled back: {message}"
        );
    }
    assert_eq!(leftovers(&client, "opscut").await, Vec::<String>::new());
    assert_eq!(vic_roles(&client).await, Vec::<String>::new());
    assert_eq!(user_permissions(&client, USER, &entities).await, before);
    let verdict = verify(
        &sim,
        &json!({"name": "opscut", "present": false, "vm_group": {"cluster": "DC0_C0"}}),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi: {verdict}");
    sim.stop().await;
}

#[tokio::test]
async fn configure_changes_the_pool_and_a_failure_restores_it() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let args = with(
        small_args(&sim, &isos, "poolvch"),
        &["--cpu", "2000", "--memory-shares", "low"],
    );
    let created = run_create(&client, &spec, &args)
        .await
        .unwrap_or_else(|e| panic!("create failed: {e}"));
    let request = config_from(
        &[
            "--cpu",
            "3000",
            "--cpu-reservation",
            "250",
            "--memory",
            "2048",
            "--memory-reservation",
            "128",
            "--cpu-shares",
            "high",
        ]
        .map(str::to_owned),
    );
    let configured = deploy::configure(
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
    println!("{:?}", configured.changes);
    assert!(
        configured
            .changes
            .iter()
            .any(|c| c.starts_with("resource pool:")),
        "{:?}",
        configured.changes
    );
    let changed = json!({"cpu_limit": 3000, "cpu_reservation": 250, "cpu_shares": "high",
                         "memory_limit": 2048, "memory_reservation": 128, "memory_shares": "low"});
    let verdict = verify(
        &sim,
        &json!({"name": "poolvch", "present": true, "pool": changed}),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi: {verdict}");

    // A configure that fails after the pool changed puts the allocations back.
    let proxy = CuttingProxy::start_on(sim.addr(), "ReconfigVM_Task", true).await;
    let mut via = spec.clone();
    via.url.set_port(Some(proxy.port)).expect("proxy port");
    let cut_client = Client::connect(&via).await.expect("connect via the proxy");
    let err = deploy::configure(
        &cut_client,
        &Selector::Id(created.id.clone()),
        &config_from(&["--cpu", "0", "--memory-shares", "high"].map(str::to_owned)),
        &ConfigureOptions { target: via },
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("the reconfigure reply was lost");
    let message = err.to_string();
    println!("{message}");
    assert!(
        message.contains("restored the resource pool's allocations"),
        "{message}"
    );
    let verdict = verify(
        &sim,
        &json!({"name": "poolvch", "present": true, "pool": changed}),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi: {verdict}");
    sim.stop().await;
}
