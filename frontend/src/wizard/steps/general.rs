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
    let cfg = expect_context::<WizardContext>().config;
    view! {
        <Intro>
            "Name the virtual container host, choose how container VMs are named, and set the "
            "debug level and an optional syslog server."
        </Intro>
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
        <Text path="general.debug" label="Debug level" bind=bind_opt!(cfg, general.debug) list="debug-levels" placeholder="0"/>
        <Text path="general.syslog_address" label="Syslog server" bind=bind_opt!(cfg, general.syslog_address)
            placeholder="tcp://syslog.example.com:514" helper="Optional; tcp:// or udp:// with host and port."/>
        <Disclosure summary="Deployment options" paths=&["target"]>
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
