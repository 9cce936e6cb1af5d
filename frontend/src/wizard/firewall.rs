//! F1/F2 fixed from the wizard: when a host firewall of the chosen compute resource blocks
//! outgoing 2377/tcp, one button opens it (`POST ./api/firewall`, as `vch update firewall
//! --allow` does) and the snapshot is re-read, so the finding goes away live.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ui_support::placement;

use crate::api::{self, FetchError, HostFirewallChange};
use crate::components::alert::ErrorAlert;
use crate::context::AppContext;
use crate::state::is_firewall_code;
use crate::wizard::WizardContext;

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Working,
    Done(usize),
    /// Some hosts refused the change.
    Partial(Vec<HostFirewallChange>),
    Failed(FetchError),
}

/// The chosen compute resource as the firewall call needs it: its inventory path and a name to
/// show. Without a snapshot entry (a typed path), the path itself and its last segment.
fn compute_resource(ctx: WizardContext) -> Option<(String, String)> {
    let typed = ctx
        .config
        .with(|c| c.target.compute_resource.clone())
        .filter(|c| !c.trim().is_empty())?;
    let known = ctx.inventory.with(|inv| {
        inv.as_deref().and_then(|s| placement(s, &typed)).map(|p| {
            let cr = p.compute_resource;
            (cr.path.clone(), cr.name.clone())
        })
    });
    Some(known.unwrap_or_else(|| {
        let name = typed.rsplit('/').next().unwrap_or(&typed).to_owned();
        (typed, name)
    }))
}

/// The "Allow 2377/tcp" box. Shown while the browser's own rules report F1/F2, or always when
/// `reported` (the server's check on Finish found it); `on_fixed` runs once the hosts are open.
#[component]
pub fn FirewallFix(
    #[prop(optional)] reported: bool,
    #[prop(optional, into)] on_fixed: Option<Callback<()>>,
) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let app = expect_context::<AppContext>();
    let status = RwSignal::new(Status::Idle);
    let blocked = Memo::new(move |_| {
        reported
            || ctx
                .issues
                .with(|issues| issues.iter().any(|i| is_firewall_code(&i.code)))
    });
    let target = Memo::new(move |_| compute_resource(ctx));

    let allow = move |_| {
        let Some((path, _)) = target.get_untracked() else {
            return;
        };
        status.set(Status::Working);
        spawn_local(async move {
            let next = match api::allow_firewall(&path).await {
                Err(e) => Status::Failed(e),
                Ok(result) => {
                    // The change is made; a failed re-read only leaves the old finding showing.
                    let _ = app.reload_inventory().await;
                    if result.ok {
                        Status::Done(result.hosts.len())
                    } else {
                        Status::Partial(
                            result
                                .hosts
                                .into_iter()
                                .filter(|h| h.error.is_some())
                                .collect(),
                        )
                    }
                }
            };
            let fixed = matches!(next, Status::Done(_));
            status.set(next);
            // Last: the caller may drop this component.
            if let (true, Some(done)) = (fixed, on_fixed) {
                done.run(());
            }
        });
    };

    let outcome = move || {
        match status.get() {
        Status::Idle | Status::Working => ().into_any(),
        Status::Done(n) => view! {
            <p class="alert alert--success">
                {format!("Allowed outgoing 2377/tcp on {n} host(s).")}
            </p>
        }
        .into_any(),
        Status::Partial(hosts) => view! {
            <div class="alert alert--danger">
                <div class="alert__body">
                    <p class="alert__title">"Some hosts were not changed:"</p>
                    <ul class="alert__list">
                        {hosts
                            .into_iter()
                            .map(|h| view! { <li>{format!("{}: {}", h.host, h.error.unwrap_or_default())}</li> })
                            .collect_view()}
                    </ul>
                </div>
            </div>
        }
        .into_any(),
        Status::Failed(e) => {
            view! { <ErrorAlert title="Could not change the firewall" error=e/> }.into_any()
        }
    }
    };

    view! {
        <div class="firewall-fix" role="status">
            {move || {
                let (_, name) = target.get()?;
                blocked.get().then(|| {
                    let working = move || status.with(|s| *s == Status::Working);
                    view! {
                        <div class="alert alert--warning">
                            <div class="alert__body">
                                <p class="alert__title">"A host firewall blocks the VCH port"</p>
                                <p>
                                    "ESXi must reach the VCH on 2377/tcp. This opens the port in the "
                                    "firewall of every host of " <strong>{name.clone()}</strong>
                                    ", as " <code>"vch update firewall --allow"</code> " does."
                                </p>
                                <button type="button" class="btn btn--sm btn--primary" on:click=allow disabled=working>
                                    {format!("Allow 2377/tcp on the hosts of {name}")}
                                </button>
                                {move || working().then(|| view! {
                                    <span class="loading"><span class="spinner" aria-hidden="true"></span>"Changing the firewall…"</span>
                                })}
                            </div>
                        </div>
                    }
                })
            }}
            {outcome}
        </div>
    }
}
