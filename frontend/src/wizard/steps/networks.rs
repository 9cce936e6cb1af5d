//! Step 4: bridge, public, client, management and container networks, DNS and proxies, with the
//! live topology picture.

use leptos::prelude::*;
use shared::config::{
    ContainerNetwork, DEFAULT_BRIDGE_RANGE, DEFAULT_BRIDGE_WIDTH, DEFAULT_PUBLIC_NETWORK,
};
use shared::inventory::NetworkKind;
use shared::ui_support::{picker_scope, usable_networks};

use super::Intro;
use crate::components::field::{Control, split_lines};
use crate::wizard::WizardContext;
use crate::wizard::disclosure::Disclosure;
use crate::wizard::fields::{Bind, Check, Text};
use crate::wizard::topology::Topology;
use crate::{bind_flag, bind_lines, bind_opt};

const PORT_GROUPS: &str = "port-groups";

#[component]
pub fn Networks() -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let cfg = ctx.config;
    // Only the datacenter and compute resource change the list: typing elsewhere must not
    // rebuild thousands of options.
    let scope = Memo::new(move |_| cfg.with(picker_scope));
    let options = Memo::new(move |_| {
        ctx.inventory.with(|inv| {
            inv.as_deref()
                .map(|snapshot| {
                    scope.with(|c| {
                        usable_networks(snapshot, c)
                            .into_iter()
                            .map(|n| {
                                let kind = match n.kind {
                                    NetworkKind::Standard => "standard port group",
                                    NetworkKind::DistributedPortGroup => "distributed port group",
                                    NetworkKind::Opaque => "opaque network (NSX)",
                                };
                                (n.name.clone(), kind)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .unwrap_or_default()
        })
    });
    let count = Memo::new(move |_| cfg.with(|c| c.network.container_networks.len()));
    let add = move |_| {
        cfg.update(|c| {
            c.network
                .container_networks
                .push(ContainerNetwork::default())
        });
        let last = count.get_untracked().saturating_sub(1);
        let id = crate::wizard::field_id(&format!("network.container_networks[{last}].port_group"));
        crate::dom::focus_id_later(id);
    };
    view! {
        <Intro>
            "Choose the port groups for the bridge and public networks, and optionally separate "
            "client, management and container networks and HTTP proxies."
        </Intro>
        <datalist id=PORT_GROUPS>
            {move || options.get().into_iter().map(|(name, kind)| view! { <option value=name>{kind}</option> }).collect_view()}
        </datalist>
        <Topology/>
        <fieldset class="fieldset">
            <legend>"Bridge network"</legend>
            <Text path="network.bridge.port_group" label="Bridge network" bind=bind_opt!(cfg, network.bridge.port_group) list=PORT_GROUPS
                required=true helper="A port group of its own, used by no other VCH or VM; container VMs talk to each other on it."/>
            <Text path="network.bridge.ip_range" label="Bridge network range" bind=bind_opt!(cfg, network.bridge.ip_range) placeholder=DEFAULT_BRIDGE_RANGE/>
            <Text path="network.bridge.width" label="Bridge network width" bind=bind_opt!(cfg, network.bridge.width) placeholder=DEFAULT_BRIDGE_WIDTH.to_string()
                helper="Prefix length of each Docker bridge network cut from the range."/>
        </fieldset>
        <fieldset class="fieldset">
            <legend>"Public network"</legend>
            <Text path="network.public.port_group" label="Public network" bind=bind_opt!(cfg, network.public.port_group) list=PORT_GROUPS
                placeholder=DEFAULT_PUBLIC_NETWORK helper="Carries the default route; containers reach the outside world through it."/>
            <Text path="network.public.ip" label="Public static IP" bind=bind_opt!(cfg, network.public.ip) placeholder="DHCP"
                helper="Address with prefix length, e.g. 10.0.0.5/24; empty uses DHCP."/>
            <Text path="network.public.gateway" label="Public gateway" bind=bind_opt!(cfg, network.public.gateway)/>
            <Text path="network.dns_servers" label="DNS servers" control=Control::Lines bind=bind_lines!(cfg, network.dns_servers)
                helper="One address per line; at most 3 are used."/>
        </fieldset>
        <Disclosure summary="Client and management networks" paths=&["network.client", "network.management", "network.asymmetric_routes"]>
            <Role role="client" title="Client network" helper="Docker clients connect here; defaults to the public network."/>
            <Role role="management" title="Management network" helper="Reaches vCenter Server and the ESXi hosts; defaults to the client network."/>
            <Check path="network.asymmetric_routes" label="Allow asymmetric routes (ESXi hosts reach the VCH over the public network)"
                bind=bind_flag!(cfg, network.asymmetric_routes)/>
        </Disclosure>
        <Disclosure summary="Container networks" paths=&["network.container_networks"]>
            <p class="muted">"Port groups container VMs attach to directly, bypassing the VCH."</p>
            {move || (0..count.get()).map(|i| view! { <ContainerNetworkRow index=i/> }).collect_view()}
            <button type="button" class="btn btn--sm" on:click=add>"Add container network"</button>
        </Disclosure>
        <Disclosure summary="Proxies" paths=&["network.proxy"]>
            <Text path="network.proxy.http_proxy" label="HTTP proxy" bind=bind_opt!(cfg, network.proxy.http_proxy) placeholder="http://proxy.example.com:3128"/>
            <Text path="network.proxy.https_proxy" label="HTTPS proxy" bind=bind_opt!(cfg, network.proxy.https_proxy) placeholder="https://proxy.example.com:3128"/>
            <Text path="network.proxy.no_proxy" label="No proxy for" bind=bind_opt!(cfg, network.proxy.no_proxy)
                helper="Comma-separated hosts, domains, IPs or CIDRs, or *."/>
        </Disclosure>
    }
}

#[component]
fn Role(role: &'static str, title: &'static str, helper: &'static str) -> impl IntoView {
    let cfg = expect_context::<WizardContext>().config;
    fn pick<'a>(c: &'a mut shared::VchConfig, role: &str) -> &'a mut shared::config::RoleNetwork {
        if role == "client" {
            &mut c.network.client
        } else {
            &mut c.network.management
        }
    }
    let field =
        move |get: fn(&shared::config::RoleNetwork) -> &Option<String>,
              set: fn(&mut shared::config::RoleNetwork) -> &mut Option<String>| Bind {
            get: Signal::derive(move || {
                cfg.with(|c| {
                    let r = if role == "client" {
                        &c.network.client
                    } else {
                        &c.network.management
                    };
                    get(r).clone().unwrap_or_default()
                })
            }),
            set: Callback::new(move |v: String| {
                cfg.update(|c| *set(pick(c, role)) = (!v.is_empty()).then_some(v))
            }),
        };
    let path = |f: &str| format!("network.{role}.{f}");
    view! {
        <fieldset class="fieldset">
            <legend>{title}</legend>
            <Text path=path("port_group") label=title bind=field(|r| &r.port_group, |r| &mut r.port_group) list=PORT_GROUPS helper=helper/>
            <Text path=path("ip") label=format!("{title}: static IP") bind=field(|r| &r.ip, |r| &mut r.ip) placeholder="DHCP"/>
            <Text path=path("gateway") label=format!("{title}: gateway") bind=field(|r| &r.gateway, |r| &mut r.gateway)
                helper="Routing destinations then the gateway: 10.1.0.0/16,10.2.0.0/16:10.0.1.1"/>
        </fieldset>
    }
}

/// A container network's field at `index`; a row removed meanwhile is left alone.
fn cn_bind(
    index: usize,
    get: fn(&ContainerNetwork) -> String,
    set: fn(&mut ContainerNetwork, String),
) -> Bind<String> {
    let cfg = expect_context::<WizardContext>().config;
    Bind {
        get: Signal::derive(move || {
            cfg.with(|c| {
                c.network
                    .container_networks
                    .get(index)
                    .map(get)
                    .unwrap_or_default()
            })
        }),
        set: Callback::new(move |v: String| {
            cfg.update(|c| {
                if let Some(cn) = c.network.container_networks.get_mut(index) {
                    set(cn, v);
                }
            })
        }),
    }
}

fn opt(v: String) -> Option<String> {
    (!v.is_empty()).then_some(v)
}

#[component]
fn ContainerNetworkRow(index: usize) -> impl IntoView {
    let cfg = expect_context::<WizardContext>().config;
    let path = move |f: &str| format!("network.container_networks[{index}].{f}");
    let remove = move |_| {
        cfg.update(|c| {
            if index < c.network.container_networks.len() {
                c.network.container_networks.remove(index);
            }
        })
    };
    let n = index + 1;
    view! {
        <fieldset class="fieldset fieldset--row">
            <legend>{format!("Container network {n}")}</legend>
            <datalist id="firewall-policies">
                <option value="closed"></option>
                <option value="outbound"></option>
                <option value="peers"></option>
                <option value="published"></option>
                <option value="open"></option>
            </datalist>
            <Text path=path("port_group") label=format!("Container network {n}: port group") list=PORT_GROUPS
                bind=cn_bind(index, |c| c.port_group.clone(), |c, v| c.port_group = v)/>
            <Text path=path("alias") label=format!("Container network {n}: name in Docker")
                bind=cn_bind(index, |c| c.alias.clone().unwrap_or_default(), |c, v| c.alias = opt(v))/>
            <Text path=path("gateway") label=format!("Container network {n}: gateway")
                bind=cn_bind(index, |c| c.gateway.clone().unwrap_or_default(), |c, v| c.gateway = opt(v))
                placeholder="10.10.0.1/24" helper="Gateway with prefix length; empty uses DHCP."/>
            <Text path=path("ip_ranges") label=format!("Container network {n}: IP ranges") control=Control::Lines
                bind=cn_bind(index, |c| c.ip_ranges.join("\n"), |c, v| c.ip_ranges = split_lines(&v))
                helper="One per line: 10.10.0.10-10.10.0.99, 10.10.0.10-99 or a CIDR."/>
            <Text path=path("dns") label=format!("Container network {n}: DNS servers") control=Control::Lines
                bind=cn_bind(index, |c| c.dns.join("\n"), |c, v| c.dns = split_lines(&v))/>
            <Text path=path("firewall") label=format!("Container network {n}: firewall policy") list="firewall-policies"
                bind=cn_bind(index, |c| c.firewall.clone().unwrap_or_default(), |c, v| c.firewall = opt(v)) placeholder="published"/>
            <button type="button" class="btn btn--sm btn--link" on:click=remove>
                {format!("Remove container network {n}")}
            </button>
        </fieldset>
    }
}
