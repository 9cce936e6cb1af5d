//! The live network picture: the appliance with one NIC per distinct port group, which roles share
//! each NIC, static addresses and gateways, the bridge range, and the container networks container
//! VMs attach to directly. A port group with a shown error gets a red dashed outline and the word
//! "error" (never colour alone); the whole picture is also described in text for screen readers.

use leptos::prelude::*;
use shared::VchConfig;

use super::WizardContext;
use crate::state::{Issue, WizardState};

const ROW: i32 = 64;
const TOP: i32 = 36;

#[derive(Debug, Clone, PartialEq)]
struct Nic {
    port_group: String,
    roles: Vec<&'static str>,
    /// Static address and gateway lines; empty when DHCP.
    details: Vec<String>,
    error: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct ContainerNet {
    port_group: String,
    alias: String,
    details: Vec<String>,
    error: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Picture {
    nics: Vec<Nic>,
    containers: Vec<ContainerNet>,
}

fn has_error(state: &WizardState, issues: &[Issue], prefix: &str) -> bool {
    state
        .visible_message(prefix, issues)
        .is_some_and(|i| i.blocking)
}

/// The picture of a draft, with defaults resolved by `shared` exactly as the deployment will.
fn picture(config: &VchConfig, state: &WizardState, issues: &[Issue]) -> Picture {
    let r = config.resolved();
    let n = &r.network;
    let roles = [
        (
            "bridge",
            n.bridge.port_group.clone().unwrap_or_default(),
            None,
        ),
        (
            "public",
            n.public.port_group.clone().unwrap_or_default(),
            Some(&n.public),
        ),
        (
            "client",
            n.client.port_group.clone().unwrap_or_default(),
            Some(&n.client),
        ),
        (
            "management",
            n.management.port_group.clone().unwrap_or_default(),
            Some(&n.management),
        ),
    ];
    let mut nics: Vec<Nic> = Vec::new();
    for (role, pg, settings) in roles {
        let index = match nics.iter().position(|nic| nic.port_group == pg) {
            Some(i) => i,
            None => {
                nics.push(Nic {
                    port_group: pg.clone(),
                    roles: Vec::new(),
                    details: Vec::new(),
                    error: false,
                });
                nics.len() - 1
            }
        };
        let nic = &mut nics[index];
        nic.roles.push(role);
        nic.error |= has_error(state, issues, &format!("network.{role}"));
        if role == "bridge" {
            nic.details.push(format!(
                "bridge range {} /{}",
                n.bridge.ip_range.as_deref().unwrap_or_default(),
                n.bridge.width.as_deref().unwrap_or_default()
            ));
        }
        if let Some(s) = settings {
            if let Some(ip) = s.ip.as_deref() {
                nic.details.push(format!("{role} {ip}"));
            }
            if let Some(gw) = s.gateway.as_deref() {
                nic.details.push(format!("{role} gateway {gw}"));
            }
        }
    }
    let containers = n
        .container_networks
        .iter()
        .enumerate()
        .map(|(i, cn)| {
            let mut details: Vec<String> =
                cn.gateway.iter().map(|g| format!("gateway {g}")).collect();
            details.extend(cn.ip_ranges.iter().map(|r| format!("range {r}")));
            ContainerNet {
                port_group: cn.port_group.clone(),
                alias: cn.effective_alias().to_owned(),
                details,
                error: has_error(state, issues, &format!("network.container_networks[{i}]")),
            }
        })
        .collect();
    Picture { nics, containers }
}

fn describe(p: &Picture) -> String {
    let mut parts: Vec<String> = p
        .nics
        .iter()
        .enumerate()
        .map(|(i, nic)| {
            let mut s = format!(
                "NIC {} on port group {} carries {}",
                i + 1,
                if nic.port_group.is_empty() {
                    "(none)"
                } else {
                    &nic.port_group
                },
                nic.roles.join(" and ")
            );
            if !nic.details.is_empty() {
                s.push_str(&format!(" ({})", nic.details.join(", ")));
            }
            if nic.error {
                s.push_str(", has an error");
            }
            s
        })
        .collect();
    parts.extend(p.containers.iter().map(|c| {
        let mut s = format!(
            "container VMs attach to port group {} as {}",
            c.port_group, c.alias
        );
        if !c.details.is_empty() {
            s.push_str(&format!(" ({})", c.details.join(", ")));
        }
        if c.error {
            s.push_str(", has an error");
        }
        s
    }));
    format!(
        "The appliance has {} NIC(s). {}.",
        p.nics.len(),
        parts.join("; ")
    )
}

#[component]
pub fn Topology(#[prop(optional)] id: Option<&'static str>) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let id = id.unwrap_or("topology");
    let pic = Memo::new(move |_| {
        ctx.config.with(|c| {
            ctx.issues
                .with(|issues| ctx.state.with(|s| picture(c, s, issues)))
        })
    });
    view! { <Figure pic=pic id=id caption="Live picture of the network settings; it updates as you type."/> }
}

/// The picture of a deployed VCH's configuration.
#[component]
pub fn DeployedTopology(config: VchConfig) -> impl IntoView {
    let pic = Memo::new(move |_| picture(&config, &WizardState::new(), &[]));
    view! { <Figure pic=pic id="vch-topology" caption="The networks of the deployed appliance."/> }
}

#[component]
fn Figure(pic: Memo<Picture>, id: &'static str, caption: &'static str) -> impl IntoView {
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    view! {
        <figure class="topology" tabindex="0">
            {move || {
                let p = pic.get();
                let rows = p.nics.len() + p.containers.len();
                let height = TOP + ROW * rows as i32 + if p.containers.is_empty() { 8 } else { 40 };
                let appliance_h = ROW * p.nics.len() as i32 - 12;
                let nics = p
                    .nics
                    .iter()
                    .enumerate()
                    .map(|(i, nic)| {
                        let y = TOP + ROW * i as i32;
                        let cy = y + 20;
                        let class = if nic.error { "topo__pg topo__pg--error" } else { "topo__pg" };
                        let name = if nic.port_group.is_empty() { "(no port group)".to_owned() } else { nic.port_group.clone() };
                        let roles = format!("NIC {}", i + 1);
                        let details = std::iter::once(nic.roles.join(" + "))
                            .chain(nic.details.iter().cloned())
                            .collect::<Vec<_>>()
                            .join(" · ");
                        view! {
                            <circle class="topo__nic" cx="190" cy=cy r="6"/>
                            <line class="topo__link" x1="196" y1=cy x2="300" y2=cy/>
                            <text class="topo__small" x="204" y=cy - 6>{roles}</text>
                            <rect class=class x="300" y=y rx="4" width="420" height=ROW - 12/>
                            <text class="topo__label" x="312" y=y + 20>
                                {name}
                                {nic.error.then_some("  ⚠ error")}
                            </text>
                            <text class="topo__small" x="312" y=y + 40>{details}</text>
                        }
                    })
                    .collect_view();
                let base = TOP + ROW * p.nics.len() as i32 + 24;
                let containers = (!p.containers.is_empty()).then(|| {
                    let box_h = ROW * p.containers.len() as i32 - 12;
                    let items = p
                        .containers
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let y = base + ROW * i as i32;
                            let cy = y + 20;
                            let class = if c.error { "topo__pg topo__pg--error" } else { "topo__pg topo__pg--container" };
                            view! {
                                <line class="topo__link topo__link--container" x1="180" y1=cy x2="300" y2=cy/>
                                <rect class=class x="300" y=y rx="4" width="420" height=ROW - 12/>
                                <text class="topo__label" x="312" y=y + 20>
                                    {format!("{} as \u{201c}{}\u{201d}", c.port_group, c.alias)}
                                    {c.error.then_some("  ⚠ error")}
                                </text>
                                <text class="topo__small" x="312" y=y + 40>{c.details.join(" · ")}</text>
                            }
                        })
                        .collect_view();
                    view! {
                        <rect class="topo__box topo__box--containers" x="20" y=base rx="6" width="160" height=box_h/>
                        <text class="topo__label" x="32" y=base + 22>"Container VMs"</text>
                        <text class="topo__small" x="32" y=base + 40>"attached directly"</text>
                        {items}
                    }
                });
                view! {
                    <svg
                        class="topology__svg"
                        role="img"
                        aria-labelledby=labelled.clone()
                        viewBox=format!("0 0 740 {height}")
                        width="100%"
                    >
                        <title id=title_id.clone()>"Network topology"</title>
                        <desc id=desc_id.clone()>{describe(&p)}</desc>
                        <text class="topo__heading" x="20" y="20">"VCH appliance"</text>
                        <text class="topo__heading" x="300" y="20">"Port groups"</text>
                        <rect class="topo__box" x="20" y=TOP rx="6" width="170" height=appliance_h/>
                        <text class="topo__label" x="32" y=TOP + 22>"Appliance VM"</text>
                        {nics}
                        {containers}
                    </svg>
                }
            }}
            <figcaption class="muted">{caption}</figcaption>
        </figure>
    }
}
