//! The landing page once connected: the session, the inventory status, and the target's VCHs with
//! inspect, command line and delete.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, FetchError, VchDetails, VchSummary};
use crate::components::alert::{ErrorAlert, Loading};
use crate::components::command_line::CommandLineView;
use crate::context::{AppContext, Inventory, Page};
use crate::dom::focus_first_later;

#[component]
pub fn HomePage(
    /// A line to show once, e.g. after a wizard was cancelled.
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let open_wizard = move |_| {
        notice.set(None);
        app.page.set(Page::NewVch);
        focus_first_later(&["#wizard-step-heading"]);
    };
    view! {
        <h1 class="page-title">"Virtual Container Hosts"</h1>
        {move || notice.get().map(|text| view! { <p class="alert alert--info" role="status">{text}</p> })}
        <div class="page-actions">
            <button id="new-vch" type="button" class="btn btn--primary" on:click=open_wizard>
                "New Virtual Container Host"
            </button>
        </div>
        <div class="card-grid">
            <SessionCard/>
            <VchList/>
        </div>
    }
}

#[component]
fn SessionCard() -> impl IntoView {
    let app = expect_context::<AppContext>();
    let disconnect = move |_| {
        spawn_local(async move {
            // Forgetting the session locally is what matters; the server drops it on expiry anyway.
            let _ = api::logout().await;
            app.disconnected();
            focus_first_later(&["#connect-target"]);
        });
    };
    let inventory_line = move || {
        match app.inventory.get() {
        Inventory::NotLoaded | Inventory::Loading => view! { <Loading text="Reading the inventory…"/> }.into_any(),
        Inventory::Loaded(s) => {
            let dcs = s.datacenters.len();
            let networks: usize = s.datacenters.iter().map(|d| d.networks.len()).sum();
            let datastores: usize = s.datacenters.iter().map(|d| d.datastores.len()).sum();
            let names: Vec<String> = s.datacenters.iter().map(|d| d.name.clone()).collect();
            view! {
                <p class="muted">
                    {format!("Inventory: {dcs} datacenter(s), {networks} network(s), {datastores} datastore(s).")}
                </p>
                <ul class="datacenter-list" aria-label="Datacenters">
                    {names.into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}
                </ul>
            }
            .into_any()
        }
        Inventory::Failed(e) => view! {
            <ErrorAlert title="Could not read the inventory" error=e on_retry=Callback::new(move |()| app.load_inventory(true))/>
        }
        .into_any(),
    }
    };
    view! {
        <section class="card" aria-labelledby="connection-heading">
            <h2 id="connection-heading" class="card__title">"Connection"</h2>
            {move || {
                app.session
                    .get()
                    .map(|s| {
                        view! {
                            <p class="status status--ok">
                                <span class="status__dot" aria-hidden="true"></span>
                                "Connected to " <code class="status__target">{s.target}</code>
                                " as " {s.user}
                            </p>
                            <p class="muted">{s.product}</p>
                        }
                    })
            }}
            {inventory_line}
            <div class="page-actions">
                <button type="button" class="btn btn--sm" on:click=move |_| app.load_inventory(true)>
                    "Refresh inventory"
                </button>
                <button type="button" class="btn btn--sm btn--link" on:click=disconnect>
                    "Disconnect"
                </button>
            </div>
        </section>
    }
}

#[component]
fn VchList() -> impl IntoView {
    let vchs = LocalResource::new(api::list_vchs);
    let retry = Callback::new(move |()| vchs.refetch());
    view! {
        <section class="card card--wide" aria-labelledby="vchs-heading">
            <h2 id="vchs-heading" class="card__title">"Virtual container hosts on this target"</h2>
            {move || match vchs.get() {
                None => view! { <Loading text="Loading virtual container hosts…"/> }.into_any(),
                Some(Err(FetchError::NotAvailable)) => view! {
                    <p class="muted" role="status">
                        "Listing virtual container hosts is not available on this server yet."
                    </p>
                }
                .into_any(),
                Some(Err(e)) => view! { <ErrorAlert title="Could not list the virtual container hosts" error=e on_retry=retry/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"There are no virtual container hosts on this target yet."</p> }.into_any(),
                Some(Ok(list)) => view! { <VchTable list=list on_changed=retry/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn VchTable(list: Vec<VchSummary>, on_changed: Callback<()>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|vch| view! { <VchRow vch=vch on_changed=on_changed/> })
        .collect_view();
    view! {
        <table class="table">
            <caption class="visually-hidden">"Virtual container hosts"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Power"</th>
                    <th scope="col">"Version"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn VchRow(vch: VchSummary, on_changed: Callback<()>) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let details = RwSignal::new(None::<Result<VchDetails, FetchError>>);
    let confirming = RwSignal::new(false);
    let force = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<FetchError>);
    let id = StoredValue::new(vch.id.clone());
    let name = StoredValue::new(vch.name.clone());

    let inspect = move |_| {
        if details.with_untracked(Option::is_some) {
            details.set(None);
            return;
        }
        spawn_local(async move {
            details.set(Some(api::vch_details(&id.get_value()).await));
        });
    };
    let delete = move |_| {
        spawn_local(async move {
            match api::delete_vch(&id.get_value(), force.get_untracked()).await {
                Ok(job) => app.page.set(Page::Job {
                    id: job.job,
                    title: Some(format!("Deleting {}", name.get_value())),
                }),
                Err(e) => {
                    delete_error.set(Some(e));
                    on_changed.run(());
                }
            }
        });
    };
    let dash = |v: Option<String>| v.filter(|s| !s.is_empty()).unwrap_or_else(|| "–".into());
    view! {
        <tr>
            <th scope="row">
                <a href=format!("#/vch/{}", vch.id) on:click={
                    let id = vch.id.clone();
                    move |ev| {
                        ev.prevent_default();
                        app.page.set(Page::Vch { id: id.clone() });
                    }
                }>{vch.name.clone()}</a>
            </th>
            <td>{dash(vch.status)}</td>
            <td>{dash(vch.power_state)}</td>
            <td>{dash(vch.version)}</td>
            <td class="table__actions">
                <button type="button" class="btn btn--sm" aria-expanded=move || details.with(Option::is_some).to_string() on:click=inspect aria-label=format!("Inspect {}", vch.name)>
                    "Inspect"
                </button>
                <button type="button" class="btn btn--sm btn--danger" on:click=move |_| confirming.set(true) aria-label=format!("Delete {}", vch.name)>
                    "Delete"
                </button>
            </td>
        </tr>
        {move || confirming.get().then(|| view! {
            <tr>
                <td colspan="5">
                    <div class="alert alert--danger" role="alertdialog" aria-labelledby=format!("delete-{}", id.get_value())>
                        <div class="alert__body">
                            <p id=format!("delete-{}", id.get_value()) class="alert__title">
                                {format!("Delete {} and its container VMs?", name.get_value())}
                            </p>
                            <label class="checkbox">
                                <input type="checkbox" prop:checked=force on:change=move |ev| force.set(event_target_checked(&ev))/>
                                <span>"Also delete running container VMs and volume stores (force)"</span>
                            </label>
                        </div>
                        <button type="button" class="btn btn--sm btn--danger" on:click=delete>"Delete"</button>
                        <button type="button" class="btn btn--sm" on:click=move |_| confirming.set(false)>"Keep it"</button>
                    </div>
                    {move || delete_error.get().map(|e| view! { <ErrorAlert title="Could not delete" error=e/> })}
                </td>
            </tr>
        })}
        {move || details.get().map(|d| view! {
            <tr>
                <td colspan="5">
                    {match d {
                        Ok(details) => view! { <CommandLineView lines=details.command_lines/> }.into_any(),
                        Err(e) => view! { <ErrorAlert title="Could not inspect" error=e/> }.into_any(),
                    }}
                </td>
            </tr>
        })}
    }
}
