//! Every `--compute-resource` form the rules accept is one the deployer can place a VCH in: both
//! use the same resolution (`shared::validate::inventory::resolve_compute`).

mod deploy_support;

use deploy_support::*;
use proxy::deploy::vch::Selector;
use proxy::deploy::{self, CreateOptions, Progress};
use proxy::simulator::{Inventory, SimulatorOptions};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn a_nested_pool_given_by_name_is_where_the_vch_goes() {
    let (sim, client, spec) = simulator_from(SimulatorOptions::vpx().with_inventory(Inventory {
        portgroups: Some(2),
        pools: Some(2),
        ..Inventory::default()
    }))
    .await;
    let isos = isos(VERSION_PUBLISHER);
    let snapshot = client.inventory().await.unwrap();
    let pool = snapshot.datacenters[0]
        .compute_resources
        .iter()
        .flat_map(|c| c.resource_pools.iter())
        .find(|p| p.name != "Resources")
        .expect("the simulator made child pools")
        .clone();

    let mut args: Vec<String> = small_args(&sim, &isos, "in-a-pool");
    let at = args.iter().position(|a| a == "--compute-resource").unwrap();
    args[at + 1] = pool.name.clone();
    let config = config_from(&args);
    let report = shared::validate(&config, Some(&snapshot));
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.code.starts_with('C') && f.severity == shared::Severity::Error),
        "the rules accept a pool by name: {report:?}"
    );

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
    .unwrap_or_else(|e| panic!("create in {}: {e}", pool.path));
    assert_eq!(created.resource_pool, format!("{}/in-a-pool", pool.path));

    deploy::delete::delete(&client, &Selector::Id(created.id), true, &Progress::new())
        .await
        .expect("delete");
    assert!(leftovers(&client, "in-a-pool").await.is_empty());
}
