//! `configure` with the options it carries out beyond the appliance's settings: a DRS VM group
//! added to a VCH that had none and the ops user's permissions granted (pyvmomi sees both), an operations user checked by logging
//! in (a wrong password changes nothing), and the ones it refuses with a finding.

mod deploy_support;

use deploy_support::*;
use proxy::deploy::vch::Selector;
use proxy::deploy::{self, ConfigureOptions, CreateOptions, DeployError, Progress};
use proxy::vsphere::{Client, TargetSpec};
use serde_json::json;
use tokio_util::sync::CancellationToken;

const USER: &str = "administrator@vsphere.local";
const PASSWORD: &str = "s3cret!";

async fn create_small(
    sim: &proxy::simulator::Simulator,
    client: &Client,
    spec: &TargetSpec,
    isos: &Isos,
    name: &str,
) {
    let config = config_from(&small_args(sim, isos, name));
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
    .unwrap_or_else(|e| panic!("create failed: {e}"));
}

async fn configure(
    client: &Client,
    spec: &TargetSpec,
    name: &str,
    flags: &[&str],
) -> Result<deploy::ConfiguredVch, DeployError> {
    let words: Vec<String> = flags.iter().map(|s| (*s).to_owned()).collect();
    let request = config_from(&words);
    deploy::configure(
        client,
        &Selector::Name(name.to_owned()),
        &request,
        &ConfigureOptions {
            target: spec.clone(),
        },
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
}

#[tokio::test]
async fn configure_adds_the_vm_group_checks_the_ops_user_and_refuses_the_rest() {
    // Only USER may log in, so a wrong ops password is caught by the login check.
    let (sim, client, spec) = simulator_with_credentials(USER, PASSWORD).await;
    let isos = isos(VERSION_PUBLISHER);
    create_small(&sim, &client, &spec, &isos, "scope").await;

    let wrong = configure(
        &client,
        &spec,
        "scope",
        &["--ops-user", USER, "--ops-password", "wrong"],
    )
    .await;
    assert!(
        matches!(&wrong, Err(DeployError::Refused(why)) if why.contains(USER)),
        "{wrong:?}"
    );
    let verdict = verify(
        &sim,
        &json!({"name": "scope", "present": true,
                "extra_config": {"guestinfo.vice./connect/username": USER}}),
    );
    assert_eq!(
        verdict["ok"], true,
        "unchanged after the refusal: {verdict}"
    );

    for (flags, code) in [
        (&["--certificate-key-size", "2048"][..], "CF1"),
        (&["--appliance-iso", "other.iso"][..], "CF2"),
    ] {
        match configure(&client, &spec, "scope", flags).await {
            Err(DeployError::Invalid { report }) => {
                assert!(report.has_code(code), "{flags:?}: {report:?}")
            }
            other => panic!("{flags:?} was not refused: {other:?}"),
        }
    }

    let done = configure(
        &client,
        &spec,
        "scope",
        &[
            "--affinity-vm-group",
            "--ops-grant-perms",
            "--ops-user",
            USER,
            "--ops-password",
            PASSWORD,
        ],
    )
    .await
    .unwrap_or_else(|e| panic!("configure failed: {e}"));
    assert!(
        done.changes
            .iter()
            .any(|c| c.contains("DRS VM group scope")),
        "{:?}",
        done.changes
    );
    assert!(
        done.changes.iter().any(|c| c.contains("permission(s) set")),
        "{:?}",
        done.changes
    );
    assert!(done.tls.is_none(), "nothing regenerated");
    let verdict = verify(
        &sim,
        &json!({"name": "scope", "present": true,
                "vm_group": {"cluster": "DC0_C0", "vms": ["scope"]},
                "permissions": {"principal": USER, "entities": {
                    "/": ["vic-vch-vcenter", false],
                    "DC0": ["vic-vch-datacenter", true],
                    "DC0_C0": ["vic-vch-cluster", true],
                    "LocalDS_0": ["vic-vch-datastore", false],
                    "DC0_DVPG0": ["vic-vch-network", true],
                    "DC0_DVPG1": ["vic-vch-network", true],
                    "scope": ["vic-vch-endpoint", true],
                }},
                "extra_config": {"guestinfo.vice./container/UseVMGroup": "true",
                                 "guestinfo.vice./grant_permissions": "ADD",
                                 "guestinfo.vice./connect/username": USER}}),
    );
    assert_eq!(verdict["ok"], true, "pyvmomi: {verdict}");

    // --organization regenerates the server certificate (client verification stays off here:
    // no CA list appears).
    let done = configure(&client, &spec, "scope", &["--organization", "Acme"])
        .await
        .unwrap_or_else(|e| panic!("configure failed: {e}"));
    let tls = done.tls.expect("new certificates");
    assert!(tls.server.is_some() && tls.client_cert_pem.is_none());
    let details = proxy::deploy::vch::inspect(&client, &Selector::Name("scope".into()))
        .await
        .unwrap();
    let server: Vec<_> = details
        .certificates
        .iter()
        .filter(|c| c.role == "server")
        .collect();
    assert!(
        server.len() == 1 && server[0].subject.contains("O=Acme"),
        "{:?}",
        details.certificates
    );
    assert!(!details.tls_verify);
    sim.stop().await;
}
