//! One deployed VCH (`#/vch/<id>`): its state and version, the Docker endpoint with the
//! environment for docker clients, its networks and their picture, its configuration checked
//! again against today's inventory, and the actions on it (configure, upgrade, rollback, debug,
//! delete), each a job with progress.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::VchConfig;

use crate::api::{self, FetchError, VchDetails, VchInspect};
use crate::components::alert::{ErrorAlert, Loading};
use crate::components::command_line::CommandLineView;
use crate::components::dialog::Dialog;
use crate::context::{AppContext, Page};
use crate::state::Step;
use crate::wizard::OWN_NAME_FINDINGS;
use crate::wizard::topology::DeployedTopology;

/// K3 concerns generating a certificate at creation, not a running VCH.
const CREATION_ONLY: &[&str] = &["K3"];

fn dash(v: Option<String>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or_else(|| "–".into())
}

/// What a docker client needs, as shell lines to paste.
fn docker_env(v: &VchInspect, name: &str) -> Option<String> {
    let host = v.docker_host.as_deref()?;
    let mut lines = vec![format!("export DOCKER_HOST={host}")];
    if v.tls_verify {
        lines.push("export DOCKER_TLS_VERIFY=1".into());
        lines.push(format!("export DOCKER_CERT_PATH=\"$PWD/{name}\""));
    } else if v.tls {
        lines.push("# TLS without client verification: add --tls to docker commands".into());
    }
    lines.push(if v.tls && !v.tls_verify {
        "docker --tls info".into()
    } else {
        "docker info".into()
    });
    Some(lines.join("\n"))
}

#[component]
pub fn VchPage(id: String) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let id = StoredValue::new(id);
    let inspect =
        LocalResource::new(move || async move { api::vch_inspect(&id.get_value()).await });
    let details =
        LocalResource::new(move || async move { api::vch_details(&id.get_value()).await });
    // Re-validated against today's inventory, not the one cached at sign-in.
    spawn_local(async move {
        let _ = app.reload_inventory().await;
    });
    let refresh = Callback::new(move |()| {
        inspect.refetch();
        details.refetch();
    });
    let name = move || {
        inspect
            .get()
            .and_then(Result::ok)
            .map(|v| v.summary.name)
            .unwrap_or_else(|| "Virtual container host".into())
    };
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href="#/" on:click=move |ev| { ev.prevent_default(); app.page.set(Page::Home); }>"Virtual Container Hosts"</a>
        </nav>
        <h1 class="page-title">{name}</h1>
        {move || match inspect.get() {
            None => view! { <Loading text="Reading the virtual container host…"/> }.into_any(),
            Some(Err(e)) => view! { <ErrorAlert title="Could not read the virtual container host" error=e on_retry=refresh/> }.into_any(),
            Some(Ok(v)) => view! { <Overview v=v details=details id=id.get_value() on_changed=refresh/> }.into_any(),
        }}
    }
}

#[component]
fn Overview(
    v: VchInspect,
    details: LocalResource<Result<VchDetails, FetchError>>,
    id: String,
    on_changed: Callback<()>,
) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let s = v.summary.clone();
    let env = docker_env(&v, &s.name);
    let id = StoredValue::new(id);
    // `GET ./api/vchs/<id>` says what the VCH is; its row of the list says how it compares to
    // this server's ISOs (the upgrade status is decided there, against the ISO read now).
    let row = LocalResource::new(move || async move {
        api::list_vchs()
            .await
            .ok()
            .and_then(|rows| rows.into_iter().find(|r| r.id == id.get_value()))
    });
    let upgrade_status = Signal::derive(move || row.get().flatten().and_then(|r| r.upgrade_status));
    let version = {
        let read = s.version.clone();
        move || {
            dash(
                row.get()
                    .flatten()
                    .and_then(|r| r.version)
                    .or_else(|| read.clone()),
            )
        }
    };
    let name = StoredValue::new(s.name.clone());
    let configure = move |_| app.page.set(Page::Configure { id: id.get_value() });
    let volume_stores = v.volume_stores.clone();
    view! {
        <div class="page-actions">
            <button type="button" class="btn btn--primary" on:click=configure>"Configure"</button>
            <Lifecycle id=id.get_value() name=name.get_value() upgrade_status=upgrade_status/>
            <DeleteVch id=id.get_value() name=name.get_value() volume_stores=volume_stores/>
            <button type="button" class="btn btn--link" on:click=move |_| on_changed.run(())>"Refresh"</button>
        </div>
        <div class="card-grid">
            <section class="card" aria-labelledby="vch-state-heading">
                <h2 id="vch-state-heading" class="card__title">"State"</h2>
                <dl class="stack__rows">
                    <div class="stack__row"><dt>"Status"</dt><dd>{s.status.clone()}</dd></div>
                    <div class="stack__row"><dt>"Power"</dt><dd>{dash(s.power_state.clone())}</dd></div>
                    <div class="stack__row"><dt>"Version"</dt><dd id="vch-version">{version}</dd></div>
                    <div class="stack__row"><dt>"Upgrade status"</dt><dd id="vch-upgrade-status">{move || match row.get() {
                        None => "Checking…".to_owned(),
                        Some(_) => upgrade_status.get().unwrap_or_else(|| "Unknown (this server has no appliance ISO)".into()),
                    }}</dd></div>
                    <div class="stack__row"><dt>"Resource pool"</dt><dd>{dash(s.path.clone())}</dd></div>
                    <div class="stack__row"><dt>"Appliance VM"</dt><dd>{id.get_value()}</dd></div>
                </dl>
            </section>
            <section class="card" aria-labelledby="vch-docker-heading">
                <h2 id="vch-docker-heading" class="card__title">"Docker endpoint"</h2>
                {match v.docker_host.clone() {
                    Some(host) => view! {
                        <p>"Docker endpoint: " <code class="docker-endpoint">{host}</code></p>
                        <p class="muted">{if v.tls_verify { "TLS with client certificates." } else if v.tls { "TLS without client verification." } else { "No TLS." }}</p>
                        {env.map(|e| view! {
                            <p>{if v.tls_verify {
                                "For docker clients, with the client bundle's ca.pem, cert.pem and key.pem in a folder named after the VCH:"
                            } else {
                                "For docker clients:"
                            }}</p>
                            <pre class="command-line__text" tabindex="0" aria-label="Docker client environment"><code>{e}</code></pre>
                        })}
                    }.into_any(),
                    None => view! { <p class="muted">"The appliance has not reported its client address yet."</p> }.into_any(),
                }}
                {v.admin_portal.clone().map(|a| view! { <p>"Admin portal: " <code>{a}</code></p> })}
                {v.tls.then(|| view! {
                    <p><a href=api::vch_certificate_url(&id.get_value()) download=format!("{}-server-cert.pem", name.get_value())>"Download the server certificate"</a></p>
                })}
                <p><a href=api::vch_log_url(&id.get_value()) target="_blank" rel="noopener">"Appliance log"</a>" (the appliance's serial-port log, newest 8 MiB)"</p>
            </section>
            <Networks v=v.clone() details=details/>
            <Findings details=details/>
        </div>
    }
}

/// Gateways come from the configuration; addresses as configured and as the appliance reports.
#[component]
fn Networks(
    v: VchInspect,
    details: LocalResource<Result<VchDetails, FetchError>>,
) -> impl IntoView {
    let config = move || details.get().and_then(Result::ok).map(|d| d.config);
    let gateway = move |role: &str| {
        config().and_then(|c| {
            let n = c.resolved().network;
            match role {
                "public" => n.public.gateway,
                "client" => n.client.gateway,
                "management" => n.management.gateway,
                _ => None,
            }
        })
    };
    let rows = v
        .endpoints
        .iter()
        .map(|e| {
            let role = e.role.clone();
            let address = match (&e.static_ip, &e.assigned_ip) {
                (Some(s), _) => format!("{s} (static)"),
                (None, Some(a)) => format!("{a} (DHCP)"),
                (None, None) => "DHCP".into(),
            };
            view! {
                <tr>
                    <th scope="row">{role.clone()}</th>
                    <td>{e.port_group.clone()}</td>
                    <td>{address}</td>
                    <td>{move || dash(gateway(&role))}</td>
                </tr>
            }
        })
        .collect_view();
    let containers = v
        .container_networks
        .iter()
        .map(|(alias, pg)| {
            let (alias, pg) = (alias.clone(), pg.clone());
            let key = alias.clone();
            let extra = move || {
                config()
                    .and_then(|c| {
                        c.network
                            .container_networks
                            .into_iter()
                            .find(|cn| cn.effective_alias() == key)
                    })
                    .map(|cn| {
                        let mut parts: Vec<String> = cn.gateway.into_iter().collect();
                        parts.extend(cn.ip_ranges);
                        parts.join(", ")
                    })
            };
            view! {
                <tr>
                    <th scope="row">{format!("container: {alias}")}</th>
                    <td>{pg}</td>
                    <td>{move || dash(extra())}</td>
                    <td>"–"</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card card--wide" aria-labelledby="vch-networks-heading">
            <h2 id="vch-networks-heading" class="card__title">"Networks"</h2>
            <table class="table">
                <caption class="visually-hidden">"Networks of the appliance"</caption>
                <thead><tr><th scope="col">"Role"</th><th scope="col">"Port group"</th><th scope="col">"Addresses"</th><th scope="col">"Gateway"</th></tr></thead>
                <tbody>{rows}{containers}</tbody>
            </table>
            {v.bridge_range.clone().map(|r| view! { <p class="muted">"Bridge range " {r}</p> })}
            {move || config().map(|c| view! { <DeployedTopology config=c/> })}
        </section>
    }
}

/// The deployed configuration checked with today's inventory: drift shows here (a port group
/// gone, a firewall closed).
#[component]
fn Findings(details: LocalResource<Result<VchDetails, FetchError>>) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let findings = move || {
        let config: VchConfig = details.get()?.ok()?.config;
        let snapshot = app.inventory.with(|i| i.snapshot())?;
        Some(
            shared::validate(&config, Some(&*snapshot))
                .findings
                .into_iter()
                .filter(|f| {
                    !OWN_NAME_FINDINGS.contains(&f.code.as_str())
                        && !CREATION_ONLY.contains(&f.code.as_str())
                        && f.severity != shared::finding::Severity::Info
                })
                .collect::<Vec<_>>(),
        )
    };
    view! {
        <section class="card card--wide" aria-labelledby="vch-findings-heading">
            <h2 id="vch-findings-heading" class="card__title">"Checked against today's inventory"</h2>
            {move || match findings() {
                None => view! { <Loading text="Checking the configuration…"/> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="status status--ok"><span class="status__dot" aria-hidden="true"></span>"No errors or warnings."</p>
                }.into_any(),
                Some(list) => view! {
                    <ul class="finding-list">
                        {list.into_iter().map(|f| {
                            let (class, label) = if f.is_error() { ("finding finding--error", "Error") } else { ("finding finding--warning", "Warning") };
                            let step = Step::of_path(&f.path).title();
                            view! { <li class=class><span class="finding__severity">{label}": "</span>{f.message}<span>{format!(" (Configure → {step})")}</span></li> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            {move || details.get().and_then(Result::ok).map(|d| view! { <CommandLineView lines=d.command_lines/> })}
        </section>
    }
}

/// The open confirmation, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Upgrade,
    Rollback,
    Debug,
}

/// Upgrade (to the version of this server's ISOs), rollback (to the snapshot the last upgrade or
/// configure kept) and debug access (SSH with a public key, optionally root's password), each
/// confirmed in a dialog and run as a job whose page shows its progress.
#[component]
fn Lifecycle(id: String, name: String, upgrade_status: Signal<Option<String>>) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let error = RwSignal::new(None::<FetchError>);
    let open = RwSignal::new(None::<Action>);
    let key = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let id = StoredValue::new(id);
    let name = StoredValue::new(name);
    let start = move |action: Action| {
        spawn_local(async move {
            let (path, verb, body) = match action {
                Action::Upgrade => ("upgrade", "Upgrading", serde_json::json!({})),
                Action::Rollback => ("rollback", "Rolling back", serde_json::json!({})),
                Action::Debug => {
                    let key = key.get_untracked();
                    let password = password.get_untracked();
                    (
                        "debug",
                        "Enabling debug access on",
                        serde_json::json!({
                            "enable_ssh": true,
                            "authorized_key": Some(key.trim()).filter(|k| !k.is_empty()),
                            "root_password": Some(password).filter(|p| !p.is_empty()),
                        }),
                    )
                }
            };
            match api::vch_action(&id.get_value(), path, &body).await {
                Ok(job) => {
                    password.set(String::new());
                    app.page.set(Page::Job {
                        id: job.job,
                        title: Some(format!("{verb} {}", name.get_value())),
                    })
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let close = Callback::new(move |()| {
        open.set(None);
        error.set(None);
    });
    let failed = move || {
        error
            .get()
            .map(|e| view! { <ErrorAlert title="The server did not start it" error=e/> })
    };
    let buttons = move |action: Action, label: &'static str| {
        view! {
            <div class="page-actions">
                <button type="button" class="btn btn--primary" on:click=move |_| start(action)
                    disabled=move || action == Action::Debug && key.with(|k| k.trim().is_empty()) && password.with(String::is_empty)>{label}</button>
                <button type="button" class="btn" data-autofocus="" on:click=move |_| close.run(())>"Cancel"</button>
            </div>
        }
    };
    view! {
        {move || upgrade_status.get().map(|_| view! {
            <button type="button" class="btn" on:click=move |_| open.set(Some(Action::Upgrade))>"Upgrade…"</button>
        })}
        <button type="button" class="btn" on:click=move |_| open.set(Some(Action::Rollback))>"Roll back…"</button>
        <button type="button" class="btn" on:click=move |_| open.set(Some(Action::Debug))>"Debug…"</button>
        {move || match open.get() {
            None => ().into_any(),
            Some(Action::Upgrade) => view! {
                <Dialog id="upgrade-dialog" title=format!("Upgrade {}?", name.get_value()) on_close=close>
                    <p>{move || upgrade_status.get().unwrap_or_default()}"."</p>
                    <p>"The appliance is snapshotted, powered off, given this server's appliance ISO and powered on again; "
                       "running containers keep running. Roll back returns to the snapshot."</p>
                    {failed}
                    {buttons(Action::Upgrade, "Upgrade")}
                </Dialog>
            }.into_any(),
            Some(Action::Rollback) => view! {
                <Dialog id="rollback-dialog" title=format!("Roll back {}?", name.get_value()) on_close=close>
                    <p>"The appliance returns to the snapshot its last upgrade or configure took, with the version and settings it had then."</p>
                    {failed}
                    {buttons(Action::Rollback, "Roll back")}
                </Dialog>
            }.into_any(),
            Some(Action::Debug) => view! {
                <Dialog id="debug-dialog" title="Enable SSH for debugging" on_close=close>
                    <p>"SSH is started in the appliance through VMware Tools; log in as root with the key or the password."</p>
                    <div class="field field--stacked">
                        <label class="field__label" for="debug-key">"Public key for root"</label>
                        <textarea id="debug-key" class="field__input field__input--lines" rows="3" data-autofocus="" aria-describedby="debug-key-help"
                            prop:value=key on:input=move |ev| key.set(event_target_value(&ev))></textarea>
                        <p id="debug-key-help" class="field__helper">"One or more OpenSSH public key lines (ssh-ed25519 …)."</p>
                    </div>
                    <div class="field field--stacked">
                        <label class="field__label" for="debug-password">"Root password (optional)"</label>
                        <input id="debug-password" class="field__input" type="password" autocomplete="new-password"
                            prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/>
                    </div>
                    {failed}
                    {buttons(Action::Debug, "Enable SSH")}
                </Dialog>
            }.into_any(),
        }}
    }
}

/// Delete with what it takes apart: the appliance always, container VMs and volume stores only
/// when asked, the volume stores listed so nobody loses data by surprise.
#[component]
fn DeleteVch(
    id: String,
    name: String,
    volume_stores: std::collections::BTreeMap<String, String>,
) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let open = RwSignal::new(false);
    let force = RwSignal::new(false);
    let error = RwSignal::new(None::<FetchError>);
    let id = StoredValue::new(id);
    let name = StoredValue::new(name);
    let stores = StoredValue::new(volume_stores);
    let delete = move |_| {
        spawn_local(async move {
            match api::delete_vch(&id.get_value(), force.get_untracked()).await {
                Ok(job) => app.page.set(Page::Job {
                    id: job.job,
                    title: Some(format!("Deleting {}", name.get_value())),
                }),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <button type="button" class="btn btn--danger" on:click=move |_| open.set(true)>"Delete"</button>
        {move || open.get().then(|| view! {
            <Dialog id="delete-dialog" title=format!("Delete {}?", name.get_value()) on_close=Callback::new(move |()| open.set(false)) danger=true>
                <p>"The appliance VM and its resource pool are removed."</p>
                <h3 class="stack__title">"Container VMs"</h3>
                <p>"Stopped container VMs are removed. Running ones stop the delete unless the box below is checked."</p>
                <h3 class="stack__title">"Volume stores"</h3>
                {stores.with_value(|s| if s.is_empty() {
                    view! { <p class="muted">"This VCH has no volume stores."</p> }.into_any()
                } else {
                    view! {
                        <p>"Kept unless the box below is checked; their volumes hold container data:"</p>
                        <ul>{s.iter().map(|(label, at)| view! { <li><code>{label.clone()}</code>" at "<code>{at.clone()}</code></li> }).collect_view()}</ul>
                    }.into_any()
                })}
                <label class="checkbox">
                    <input type="checkbox" prop:checked=force on:change=move |ev| force.set(event_target_checked(&ev))/>
                    <span>"Also delete running container VMs and the volume stores (force)"</span>
                </label>
                {move || error.get().map(|e| view! { <ErrorAlert title="Could not delete" error=e/> })}
                <div class="page-actions">
                    <button type="button" class="btn btn--danger" on:click=delete>"Delete"</button>
                    <button type="button" class="btn btn--primary" data-autofocus="" on:click=move |_| open.set(false)>"Keep it"</button>
                </div>
            </Dialog>
        })}
    }
}
