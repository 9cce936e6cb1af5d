//! Step 2: where the VCH runs (cluster, host or resource pool) and its CPU and memory limits.

use leptos::prelude::*;
use shared::config::{DEFAULT_ENDPOINT_CPU, DEFAULT_ENDPOINT_MEMORY_MB};
use shared::inventory::{ComputeKind, ComputeResource, Datacenter};

use super::Intro;
use crate::wizard::WizardContext;
use crate::wizard::disclosure::Disclosure;
use crate::wizard::fields::{Check, Text};
use crate::wizard::firewall::FirewallFix;
use crate::{bind_flag, bind_opt};

#[component]
pub fn Compute() -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let cfg = ctx.config;
    view! {
        <Intro>
            "Choose the cluster, host or resource pool the VCH runs in, and limit the CPU and "
            "memory its containers may use."
        </Intro>
        {move || match ctx.inventory.get() {
            Some(snapshot) => {
                let dcs = snapshot.datacenters.clone();
                view! { <ComputeTree datacenters=dcs/> }.into_any()
            }
            None => view! { <p class="muted">"The inventory is not loaded; type the compute resource path below."</p> }.into_any(),
        }}
        <Text path="target.compute_resource" label="Compute resource path" bind=bind_opt!(cfg, target.compute_resource)
            helper="Filled in by the choice above; a cluster, host or resource pool path can also be typed."/>
        <FirewallFix/>
        <Text path="compute.cpu_limit" label="CPU limit (MHz)" bind=bind_opt!(cfg, compute.cpu_limit) placeholder="Unlimited"/>
        <Text path="compute.memory_limit" label="Memory limit (MB)" bind=bind_opt!(cfg, compute.memory_limit) placeholder="Unlimited"/>
        <Disclosure summary="Advanced: reservations, shares and the appliance size" paths=&[
            "compute.cpu_reservation", "compute.cpu_shares", "compute.memory_reservation",
            "compute.memory_shares", "compute.endpoint_cpu", "compute.endpoint_memory",
        ]>
            <datalist id="share-levels">
                <option value="low"></option>
                <option value="normal"></option>
                <option value="high"></option>
            </datalist>
            <Text path="compute.cpu_reservation" label="CPU reservation (MHz)" bind=bind_opt!(cfg, compute.cpu_reservation)/>
            <Text path="compute.cpu_shares" label="CPU shares" bind=bind_opt!(cfg, compute.cpu_shares) list="share-levels" placeholder="normal"/>
            <Text path="compute.memory_reservation" label="Memory reservation (MB)" bind=bind_opt!(cfg, compute.memory_reservation)/>
            <Text path="compute.memory_shares" label="Memory shares" bind=bind_opt!(cfg, compute.memory_shares) list="share-levels" placeholder="normal"/>
            <Text path="compute.endpoint_cpu" label="Appliance vCPUs" bind=bind_opt!(cfg, compute.endpoint_cpu) placeholder=DEFAULT_ENDPOINT_CPU.to_string()/>
            <Text path="compute.endpoint_memory" label="Appliance memory (MB)" bind=bind_opt!(cfg, compute.endpoint_memory) placeholder=DEFAULT_ENDPOINT_MEMORY_MB.to_string()/>
            <Check path="compute.affinity_vm_group" label="Create a DRS VM group for VM-host affinity rules" bind=bind_flag!(cfg, compute.affinity_vm_group)
                helper="Needs a cluster with DRS on."/>
        </Disclosure>
    }
}

/// Datacenter → cluster or standalone host → resource pool, as one radio group.
#[component]
fn ComputeTree(datacenters: Vec<Datacenter>) -> impl IntoView {
    let groups = datacenters
        .into_iter()
        .map(|dc| {
            let dc_name = dc.name.clone();
            let items = dc
                .compute_resources
                .into_iter()
                .map(|cr| view! { <ComputeNode datacenter=dc_name.clone() resource=cr/> })
                .collect_view();
            view! {
                <li class="tree__dc">
                    <span class="tree__label">"Datacenter " <strong>{dc.name}</strong></span>
                    <ul class="tree">{items}</ul>
                </li>
            }
        })
        .collect_view();
    view! {
        <fieldset class="fieldset">
            <legend>"Compute resource"</legend>
            <ul class="tree tree--root">{groups}</ul>
        </fieldset>
    }
}

#[component]
fn ComputeNode(datacenter: String, resource: ComputeResource) -> impl IntoView {
    let describe = match (resource.kind, resource.drs_enabled) {
        (ComputeKind::Cluster, Some(true)) => {
            format!("cluster, DRS on, {} host(s)", resource.hosts.len())
        }
        (ComputeKind::Cluster, Some(false)) => {
            format!("cluster, DRS off, {} host(s)", resource.hosts.len())
        }
        (ComputeKind::Cluster, None) => format!("cluster, {} host(s)", resource.hosts.len()),
        (ComputeKind::StandaloneHost, _) => "standalone host".to_owned(),
    };
    // The first pool is the root (`Resources`): choosing it is choosing the cluster or host.
    let pools = resource
        .resource_pools
        .iter()
        .skip(1)
        .map(|rp| {
            let kind = if rp.is_vapp { "vApp" } else { "resource pool" };
            view! { <li><Choice datacenter=datacenter.clone() path=rp.path.clone() name=rp.name.clone() describe=kind.to_owned()/></li> }
        })
        .collect_view();
    view! {
        <li>
            <Choice datacenter=datacenter.clone() path=resource.path.clone() name=resource.name.clone() describe=describe/>
            <ul class="tree">{pools}</ul>
        </li>
    }
}

#[component]
fn Choice(datacenter: String, path: String, name: String, describe: String) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let cfg = ctx.config;
    let value = path.clone();
    let checked = move || cfg.with(|c| c.target.compute_resource.as_deref() == Some(path.as_str()));
    let choose = move |_| {
        let value = value.clone();
        let datacenter = datacenter.clone();
        cfg.update(|c| {
            c.target.compute_resource = Some(value);
            c.target.datacenter = Some(datacenter);
        });
        ctx.state.update(|s| s.touch("target.compute_resource"));
    };
    view! {
        <label class="radio tree__choice">
            <input type="radio" name="compute-resource" prop:checked=checked on:change=choose/>
            <span>{name}</span>
            <span class="muted">{format!(" ({describe})")}</span>
        </label>
    }
}
