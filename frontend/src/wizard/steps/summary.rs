//! Step 8: a read-only stack view of every step, each with a way back to edit it; the network
//! picture; the equivalent vic-machine command line; the JSON download; and the import.

use leptos::prelude::*;
use shared::VchConfig;
use shared::config::PemFile;
use shared::vic_machine::{Os, generate};
use wasm_bindgen::JsCast;

use super::Intro;
use crate::api::CommandLines;
use crate::components::command_line::CommandLineView;
use crate::state::Step;
use crate::wizard::WizardContext;
use crate::wizard::import::ImportCommandLine;
use crate::wizard::server_check::ServerCheck;
use crate::wizard::topology::Topology;

fn text(v: &Option<String>) -> String {
    v.clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "–".into())
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "–".into()
    } else {
        v.join(", ")
    }
}

fn files(v: &[PemFile]) -> String {
    if v.is_empty() {
        "–".into()
    } else {
        v.iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn yes_no(v: bool) -> String {
    if v { "Yes".into() } else { "No".into() }
}

/// What the stack view shows for a step: the values as entered, "–" where nothing was given.
fn rows(step: Step, c: &VchConfig) -> Vec<(String, String)> {
    let r = |label: &str, value: String| (label.to_owned(), value);
    match step {
        Step::General => vec![
            r("Target", text(&c.target.server)),
            r("User", text(&c.target.user)),
            r("Datacenter", text(&c.target.datacenter)),
            r("Certificate thumbprint", text(&c.target.thumbprint)),
            r("Name", text(&c.general.name)),
            r(
                "Container VM name template",
                text(&c.general.container_name_convention),
            ),
            r("Debug level", text(&c.general.debug)),
            r("Syslog server", text(&c.general.syslog_address)),
            r("Deployment timeout", text(&c.target.timeout)),
            r("Appliance ISO", text(&c.target.appliance_iso)),
            r("Bootstrap ISO", text(&c.target.bootstrap_iso)),
            r("Force", yes_no(c.target.force)),
        ],
        Step::Compute => vec![
            r("Compute resource", text(&c.target.compute_resource)),
            r("CPU limit (MHz)", text(&c.compute.cpu_limit)),
            r("CPU reservation (MHz)", text(&c.compute.cpu_reservation)),
            r("CPU shares", text(&c.compute.cpu_shares)),
            r("Memory limit (MB)", text(&c.compute.memory_limit)),
            r(
                "Memory reservation (MB)",
                text(&c.compute.memory_reservation),
            ),
            r("Memory shares", text(&c.compute.memory_shares)),
            r("Appliance vCPUs", text(&c.compute.endpoint_cpu)),
            r("Appliance memory (MB)", text(&c.compute.endpoint_memory)),
            r("DRS VM group", yes_no(c.compute.affinity_vm_group)),
        ],
        Step::Storage => vec![
            r("Image datastore", text(&c.storage.image_store)),
            r("Base image size", text(&c.storage.base_image_size)),
            r("Volume datastores", list(&c.storage.volume_stores)),
            r("Storage quota (GB)", text(&c.storage.storage_quota)),
            r("Maximum containers", text(&c.storage.containers)),
        ],
        Step::Networks => {
            let n = &c.network;
            let mut v = vec![
                r("Bridge network", text(&n.bridge.port_group)),
                r("Bridge range", text(&n.bridge.ip_range)),
                r("Bridge width", text(&n.bridge.width)),
            ];
            for (name, role) in [
                ("Public", &n.public),
                ("Client", &n.client),
                ("Management", &n.management),
            ] {
                v.push(r(&format!("{name} network"), text(&role.port_group)));
                v.push(r(&format!("{name} static IP"), text(&role.ip)));
                v.push(r(&format!("{name} gateway"), text(&role.gateway)));
            }
            v.push(r("DNS servers", list(&n.dns_servers)));
            v.push(r("Asymmetric routes", yes_no(n.asymmetric_routes)));
            for (i, cn) in n.container_networks.iter().enumerate() {
                let mut d = format!("{} as {}", cn.port_group, cn.effective_alias());
                if let Some(g) = &cn.gateway {
                    d.push_str(&format!(", gateway {g}"));
                }
                if !cn.ip_ranges.is_empty() {
                    d.push_str(&format!(", ranges {}", cn.ip_ranges.join(", ")));
                }
                if !cn.dns.is_empty() {
                    d.push_str(&format!(", DNS {}", cn.dns.join(", ")));
                }
                if let Some(f) = &cn.firewall {
                    d.push_str(&format!(", firewall {f}"));
                }
                v.push(r(&format!("Container network {}", i + 1), d));
            }
            v.push(r("HTTP proxy", text(&n.proxy.http_proxy)));
            v.push(r("HTTPS proxy", text(&n.proxy.https_proxy)));
            v.push(r("No proxy for", text(&n.proxy.no_proxy)));
            v
        }
        Step::Security => vec![
            r(
                "TLS",
                if c.security.no_tls {
                    "Off".into()
                } else {
                    "On".into()
                },
            ),
            r(
                "Verify client certificates",
                yes_no(!c.security.no_tlsverify),
            ),
            r("Client CAs", files(&c.security.tls_ca)),
            r("Common name", text(&c.security.tls_cname)),
            r("Organization", list(&c.security.organization)),
            r("Key size", text(&c.security.certificate_key_size)),
            r(
                "Server certificate",
                files(c.security.tls_server_cert.as_slice()),
            ),
            r("Server key", files(c.security.tls_server_key.as_slice())),
            r("Certificate folder", text(&c.security.tls_cert_path)),
        ],
        Step::Registry => vec![
            r("Allowed registries", list(&c.registry.whitelist_registries)),
            r("Insecure registries", list(&c.registry.insecure_registries)),
            r("Registry CAs", files(&c.registry.registry_ca)),
        ],
        Step::OpsUser => vec![
            r("Operations user", text(&c.operations.ops_user)),
            r(
                "Password",
                if c.operations.ops_password.is_some() {
                    "Given".into()
                } else {
                    "–".into()
                },
            ),
            r("Grant permissions", yes_no(c.operations.ops_grant_perms)),
        ],
        Step::Summary => Vec::new(),
    }
}

/// Saves the draft (without passwords) as a JSON file.
fn download(config: &VchConfig) {
    let Ok(json) = serde_json::to_string_pretty(config) else {
        return;
    };
    let parts = js_sys::Array::of1(&json.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let name = config.resolved().general.name.unwrap_or_default();
    if let Some(a) = document()
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(&format!("{name}.json"));
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[component]
pub fn Summary() -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let groups = Step::ALL
        .into_iter()
        .filter(|step| !step.is_last())
        .map(|step| {
            let heading_id = format!("summary-{}", step.slug());
            let labelled_by = heading_id.clone();
            let errors = move || {
                ctx.issues.with(|issues| issues.iter().filter(|i| i.blocking && i.step() == step).count())
            };
            view! {
                <section class="stack" aria-labelledby=labelled_by>
                    <div class="stack__header">
                        <h3 id=heading_id class="stack__title">{step.title()}</h3>
                        {move || {
                            let n = errors();
                            (n > 0).then(|| view! { <span class="badge badge--danger">{format!("{n} error(s)")}</span> })
                        }}
                        <button
                            type="button"
                            class="btn btn--sm btn--link"
                            aria-label=format!("Edit {}", step.title())
                            on:click=move |_| ctx.go_to(step)
                        >
                            "Edit"
                        </button>
                    </div>
                    <dl class="stack__rows">
                        {move || {
                            ctx.config.with(|c| rows(step, c))
                                .into_iter()
                                .map(|(label, value)| view! {
                                    <div class="stack__row"><dt>{label}</dt><dd>{value}</dd></div>
                                })
                                .collect_view()
                        }}
                    </dl>
                </section>
            }
        })
        .collect_view();
    let lines = Signal::derive(move || {
        ctx.config.with(|c| CommandLines {
            linux: generate(c, Os::Linux),
            darwin: generate(c, Os::Darwin),
            windows: generate(c, Os::Windows),
        })
    });
    view! {
        <Intro>
            {if ctx.is_configure() {
                "Review the settings, then select Review changes to see what will change before it is applied."
            } else {
                "Review the settings, then select Finish to create the virtual container host."
            }}
        </Intro>
        <ServerCheck/>
        <div class="stack-view">{groups}</div>
        <Topology id="summary-topology"/>
        <CommandLineView lines=lines/>
        <div class="page-actions">
            <button type="button" class="btn btn--sm" on:click=move |_| ctx.config.with_untracked(download)>
                "Download the configuration (JSON)"
            </button>
        </div>
        <ImportCommandLine/>
    }
}
