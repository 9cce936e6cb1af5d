//! Step 1: the VCH name, container VM naming, debug level and syslog; deployment options of the
//! target (timeout, ISOs, force) behind a disclosure; importing a vic-machine command line.

use leptos::prelude::*;
use shared::config::{DEFAULT_NAME, DEFAULT_TIMEOUT};

use super::Intro;
use crate::wizard::WizardContext;
use crate::wizard::disclosure::Disclosure;
use crate::wizard::fields::{Check, Text};
use crate::wizard::import::ImportCommandLine;
use crate::{bind_flag, bind_opt};

#[component]
pub fn General() -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let cfg = ctx.config;
    let datacenters = Memo::new(move |_| {
        ctx.inventory.with(|inv| {
            inv.as_deref()
                .map(|s| {
                    s.datacenters
                        .iter()
                        .map(|d| d.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let server = move || {
        cfg.with(|c| {
            let server = c.target.server.clone().unwrap_or_default();
            match &c.target.user {
                Some(user) => format!("{server} as {user}"),
                None => server,
            }
        })
    };
    view! {
        <Intro>
            "Name the virtual container host, choose how container VMs are named, and set the "
            "debug level and an optional syslog server."
        </Intro>
        <fieldset class="fieldset">
            <legend>"Target"</legend>
            <p class="muted" id="target-server">
                "Deploys to " <code>{server}</code>
                ", the server this session is connected to. To deploy elsewhere, disconnect and connect to it."
            </p>
            <datalist id="datacenters">
                {move || datacenters.get().into_iter().map(|d| view! { <option value=d></option> }).collect_view()}
            </datalist>
            <Text path="target.datacenter" label="Datacenter" bind=bind_opt!(cfg, target.datacenter) list="datacenters"
                helper="The datacenter of the target the VCH goes to; may stay empty when there is only one."/>
            <Text path="target.thumbprint" label="Certificate thumbprint" bind=bind_opt!(cfg, target.thumbprint)
                helper="SHA-1 thumbprint of the server's certificate (--thumbprint), when it is not signed by a trusted authority."/>
        </fieldset>
        <Text path="general.name" label="Name" bind=bind_opt!(cfg, general.name) required=true
            placeholder=DEFAULT_NAME helper="Up to 31 characters; also the name of its resource pool or vApp."/>
        <Text path="general.container_name_convention" label="Container VM name template"
            bind=bind_opt!(cfg, general.container_name_convention) placeholder="{name}"
            helper="Must contain {id} (container ID) or {name} (Docker name), e.g. web-{name}."/>
        <datalist id="debug-levels">
            <option value="0">"0: normal logging"</option>
            <option value="1">"1: verbose logging"</option>
            <option value="2">"2: also keeps failed containers and enables SSH"</option>
            <option value="3">"3: also disables restarts on failure"</option>
        </datalist>
        <Text path="general.debug" label="Debug level" bind=bind_opt!(cfg, general.debug) list="debug-levels" placeholder="0"
            helper="0 to 3; higher keeps more for troubleshooting."/>
        <Text path="general.syslog_address" label="Syslog server" bind=bind_opt!(cfg, general.syslog_address)
            placeholder="tcp://syslog.example.com:514" helper="Optional; tcp:// or udp:// with host and port."/>
        <Disclosure summary="Deployment options" paths=&["target.timeout", "target.appliance_iso", "target.bootstrap_iso", "target.force"]>
            <Text path="target.timeout" label="Deployment timeout" bind=bind_opt!(cfg, target.timeout)
                placeholder=DEFAULT_TIMEOUT helper="A duration such as 3m, 90s or 1h30m."/>
            <Text path="target.appliance_iso" label="Appliance ISO" bind=bind_opt!(cfg, target.appliance_iso)
                helper="Leave empty to use the server's ISO."/>
            <Text path="target.bootstrap_iso" label="Bootstrap ISO" bind=bind_opt!(cfg, target.bootstrap_iso)/>
            <Check path="target.force" label="Force: continue despite non-fatal problems" bind=bind_flag!(cfg, target.force)/>
        </Disclosure>
        <ImportCommandLine/>
    }
}
