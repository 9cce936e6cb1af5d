//! The "New Virtual Container Host" wizard: step list, the current step's page, and the
//! Cancel/Back/Next/Finish bar. Navigation rules live in [`crate::state`]; the draft is one
//! `VchConfig` signal and a memo runs `shared::validate` against the cached inventory on every
//! change.

mod cancel;
pub mod diff;
mod disclosure;
pub mod fields;
mod finish;
pub mod firewall;
mod import;
mod nav;
mod server_check;
mod steps;
pub mod topology;

use std::sync::Arc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::VchConfig;
use shared::inventory::InventorySnapshot;
use shared::ui_support::related_paths;

use crate::components::field::FieldMessage;
use crate::context::AppContext;
use crate::dom::{focus_first_later, focus_id_later};
use crate::state::{Advance, Issue, Step, WizardState};
use finish::{FinishState, FinishStatus};
use nav::StepNav;

const HEADING_ID: &str = "wizard-step-heading";
const FOCUS_HEADING: &[&str] = &["#wizard-step-heading"];
const FOCUS_FIRST_PROBLEM: &[&str] = &[
    ".wizard__content [aria-invalid='true']",
    "#wizard-step-errors",
];

/// Findings that name a deployed VCH itself when it is checked again: its name taken (G12) and
/// its VM folder (G14), as the proxy's configure treats them.
pub const OWN_NAME_FINDINGS: &[&str] = &["G12", "G14"];

/// What step pages need from the wizard, provided as context.
#[derive(Clone, Copy)]
pub struct WizardContext {
    pub state: RwSignal<WizardState>,
    pub config: RwSignal<VchConfig>,
    pub inventory: Signal<Option<Arc<InventorySnapshot>>>,
    pub issues: Memo<Vec<Issue>>,
    /// The deployed configuration when the wizard changes an existing VCH.
    pub original: StoredValue<Option<VchConfig>>,
}

/// The wizard opened on a deployed VCH: its id and the configuration it runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Existing {
    pub id: String,
    pub config: VchConfig,
}

/// The element id of the control editing `path`; links in the error list point at it.
pub fn field_id(path: &str) -> String {
    let mut id = String::from("f-");
    id.extend(path.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        }
    }));
    id
}

impl WizardContext {
    /// The message the field at `path` should show now (revealed by touch or a refused Next).
    pub fn message(self, path: String) -> Signal<Option<FieldMessage>> {
        Signal::derive(move || {
            self.issues.with(|issues| {
                self.state.with(|s| {
                    s.visible_message(&path, issues).map(|i| FieldMessage {
                        text: i.message.clone(),
                        is_error: i.blocking,
                        suggestions: i.suggestions.clone(),
                        notes: i.notes.clone(),
                        commands: i.suggests_commands(),
                    })
                })
            })
        })
    }

    pub fn touch(self, path: String) -> Callback<()> {
        Callback::new(move |()| {
            // A blur can arrive after Enter moved to another step and disposed the field.
            if self.state.try_with_untracked(|s| s.is_touched(&path)) == Some(false) {
                self.state.try_update(|s| s.touch(&path));
            }
        })
    }

    pub fn go_to(self, step: Step) {
        if self.state.try_update(|s| s.go_to(step)).unwrap_or(false) {
            focus_first_later(FOCUS_HEADING);
        }
    }

    /// Shows the step of the field at `path` and focuses the field.
    pub fn show_field(self, path: &str) {
        let step = Step::of_path(path);
        if self.state.try_update(|s| s.go_to(step)).unwrap_or(false) {
            focus_id_later(field_id(path));
        }
    }

    pub fn is_configure(self) -> bool {
        self.original.with_value(Option::is_some)
    }
}

/// Every finding of the draft as the wizard shows it: on its own field and on the fields it
/// also concerns. The wizard cannot prompt for the operations password as vic-machine does, so
/// a new operations user without one is an error here (changing a VCH keeps the stored one).
fn issues_of(
    config: &VchConfig,
    inventory: Option<&InventorySnapshot>,
    original: Option<&VchConfig>,
) -> Vec<Issue> {
    let mut report = shared::validate(config, inventory);
    if original.is_some() {
        // A deployed VCH's own name is in the inventory: that is no clash.
        report
            .findings
            .retain(|f| !OWN_NAME_FINDINGS.contains(&f.code.as_str()));
    }
    let new_ops_user = original.is_none_or(|o| o.operations.ops_user != config.operations.ops_user);
    if new_ops_user && let Some(f) = shared::validate::missing_ops_password(config) {
        report.findings.push(f);
    }
    report
        .findings
        .iter()
        .map(|f| Issue::from_finding(f, related_paths(f, config), config))
        .collect()
}

/// The target as the session knows it: the server as a person types it (never the SDK URL),
/// the user, the thumbprint confirmed at connect, and the datacenter when there is one only.
pub fn session_target(app: AppContext, config: &mut VchConfig) {
    if config.target.datacenter.is_none()
        && let Some(snapshot) = app.inventory.get_untracked().snapshot()
        && let [only] = snapshot.datacenters.as_slice()
    {
        config.target.datacenter = Some(only.name.clone());
    }
    if let Some(session) = app.session.get_untracked() {
        config.target.server = Some(shared::vic_machine::server_as_typed(&session.target));
        config.target.user = Some(session.user);
        if let Some((target, thumbprint)) = app.thumbprint.get_untracked()
            && target == session.target
        {
            config.target.thumbprint = Some(thumbprint);
        }
    }
}

/// A fresh draft for the connected target: the server and user come from the session, and a
/// target with one datacenter needs no choice.
pub fn fresh_draft(app: AppContext) -> VchConfig {
    let mut config = VchConfig::default();
    session_target(app, &mut config);
    // Opened from an object's Actions menu in the vSphere Client: start with that object.
    if let Some(host) = use_context::<crate::plugin_host::PluginHost>() {
        let snapshot = app.inventory.get_untracked().snapshot();
        host.preselect(&mut config, snapshot.as_deref());
    }
    config
}

/// The draft to start from: the one kept in memory (a create the server refused, with its
/// password), else the one saved for this target before a reload, else a fresh one.
fn starting_draft(app: AppContext) -> (VchConfig, bool) {
    if let Some(kept) = app.draft.get_untracked() {
        return (kept, true);
    }
    // Inside the vSphere Client the wizard starts from the object it was opened on.
    if use_context::<crate::plugin_host::PluginHost>().is_some_and(|h| h.is_hosted()) {
        return (fresh_draft(app), false);
    }
    let target = app
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.target.clone()));
    if let Some(saved) = target.as_deref().and_then(crate::draft::load) {
        return (saved, true);
    }
    (fresh_draft(app), false)
}

#[component]
pub fn Wizard(
    #[prop(into)] on_cancel: Callback<()>,
    /// Called with the job id and the VCH name once the server accepted the create (or change).
    #[prop(into)]
    on_started: Callback<(String, String)>,
    /// Change this deployed VCH instead of creating one.
    #[prop(optional)]
    existing: Option<Existing>,
) -> impl IntoView {
    let app = expect_context::<AppContext>();
    let configure_id = existing.as_ref().map(|e| e.id.clone());
    let (start, restored) = match &existing {
        Some(e) => (e.config.clone(), false),
        None => starting_draft(app),
    };
    let pristine = match &existing {
        Some(e) => e.config.clone(),
        None => fresh_draft(app),
    };
    let pristine = StoredValue::new(pristine);
    let original = StoredValue::new(existing.map(|e| e.config));
    let state = RwSignal::new(if restored || original.with_value(Option::is_some) {
        WizardState::restored()
    } else {
        WizardState::new()
    });
    let config = RwSignal::new(start);
    let inventory = Signal::derive(move || app.inventory.with(|i| i.snapshot()));
    let issues = Memo::new(move |_| {
        config.with(|c| {
            inventory.with(|inv| original.with_value(|o| issues_of(c, inv.as_deref(), o.as_ref())))
        })
    });
    let ctx = WizardContext {
        state,
        config,
        inventory,
        issues,
        original,
    };
    provide_context(ctx);
    // A kept draft comes back on the step of its first error, with the inventory read again (the
    // server refused it because of something the browser's copy did not show).
    let refused = app.refused.get_untracked();
    if restored && app.draft.with_untracked(Option::is_some) {
        leptos::task::spawn_local(async move {
            let _ = app.reload_inventory().await;
            let moved = issues
                .try_with_untracked(|i| state.try_update(|s| s.show_first_error(i)).flatten())
                .flatten();
            if moved.is_some() {
                focus_first_later(FOCUS_FIRST_PROBLEM);
            }
        });
    }
    // Every change is kept: in memory with its password, and without secrets across reloads.
    let hosted = use_context::<crate::plugin_host::PluginHost>().is_some_and(|h| h.is_hosted());
    if original.with_value(Option::is_none) && !hosted {
        Effect::new(move |_| {
            let c = config.get();
            let changed = pristine.with_value(|p| *p != c);
            let target = app
                .session
                .with_untracked(|s| s.as_ref().map(|s| s.target.clone()));
            match target {
                Some(target) if changed => {
                    crate::draft::save(&target, &c);
                    app.draft.set(Some(c));
                }
                _ => {
                    crate::draft::clear();
                    app.draft.set(None);
                }
            }
        });
    }
    let changed = Memo::new(move |_| config.with(|c| pristine.with_value(|p| p != c)));
    let asking = RwSignal::new(false);
    app.refused.set(None);
    let discard = Callback::new(move |()| {
        if original.with_value(Option::is_none) {
            crate::draft::clear();
            app.draft.set(None);
        }
        on_cancel.run(());
    });
    let on_cancel_click = move |_| {
        if changed.get_untracked() {
            asking.set(true);
        } else {
            discard.run(());
        }
    };
    let finish = FinishState::new();
    // A memo so touching a field (which updates `state`) doesn't re-render the whole page.
    let current = Memo::new(move |_| state.with(WizardState::current));

    let on_back = move |_| {
        if state.try_update(WizardState::back).flatten().is_some() {
            focus_first_later(FOCUS_HEADING);
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if finish.is_busy() {
            return;
        }
        let outcome = issues.with_untracked(|issues| state.try_update(|s| s.advance(issues)));
        match outcome {
            Some(Advance::Moved(_)) => focus_first_later(FOCUS_HEADING),
            Some(Advance::Blocked(_)) => focus_first_later(FOCUS_FIRST_PROBLEM),
            Some(Advance::Finished) => match &configure_id {
                Some(id) => finish.review(id.clone()),
                None => finish.run(ctx, on_started),
            },
            None => {}
        }
    };

    view! {
        <section class="wizard" aria-labelledby="wizard-title">
            <div class="wizard__nav">
                <h1 id="wizard-title" class="wizard__title">
                    {move || match original.with_value(|o| o.as_ref().and_then(|c| c.general.name.clone())) {
                        Some(name) => format!("Configure {name}"),
                        None => "New Virtual Container Host".to_owned(),
                    }}
                </h1>
                <StepNav on_select=Callback::new(move |step| ctx.go_to(step))/>
                <RefreshInventory/>
            </div>
            // novalidate: the validator's messages are the only ones; Enter means Next.
            <form class="wizard__main" novalidate on:submit=on_submit>
                <div class="wizard__content">
                    <h2 id=HEADING_ID class="wizard__step-title" tabindex="-1">
                        {move || current.get().title()}
                    </h2>
                    {refused.map(|message| view! {
                        <div class="alert alert--danger" role="alert">
                            <div class="alert__body">
                                <p class="alert__title">"The server refused to create it; nothing was made. Your entries are as you left them."</p>
                                <p>{message}</p>
                            </div>
                        </div>
                    })}
                    <StepErrors current=current/>
                    {move || steps::page(current.get())}
                    <FinishStatus finish=finish on_started=on_started/>
                </div>
                <div class="wizard__footer">
                    <button type="button" class="btn btn--link" on:click=on_cancel_click>
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class="btn"
                        on:click=on_back
                        disabled=move || current.get().previous().is_none()
                    >
                        "Back"
                    </button>
                    <button type="submit" class="btn btn--primary" disabled=move || finish.is_busy()>
                        {move || match (current.get().is_last(), ctx.is_configure()) {
                            (false, _) => "Next",
                            (true, false) => "Finish",
                            (true, true) => "Review changes",
                        }}
                    </button>
                </div>
            </form>
            {move || asking.get().then(|| view! {
                <cancel::ConfirmCancel
                    configure=ctx.is_configure()
                    on_discard=discard
                    on_keep=Callback::new(move |()| asking.set(false))/>
            })}
        </section>
    }
}

/// The step's revealed problems, each linking to its field; the focus target when no field on
/// the page is invalid (e.g. a problem with the session's target).
#[component]
fn StepErrors(current: Memo<Step>) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let shown = Memo::new(move |_| {
        ctx.issues.with(|issues| {
            ctx.state.with(|s| {
                s.visible_on_step(current.get(), issues)
                    .into_iter()
                    .filter(|i| i.blocking)
                    .map(|i| (i.path.clone(), i.message.clone()))
                    .collect::<Vec<_>>()
            })
        })
    });
    move || {
        let list = shown.get();
        let n = list.len();
        (n > 0).then(|| {
            let text = if n == 1 {
                "This page has 1 problem. Fix it to continue.".to_owned()
            } else {
                format!("This page has {n} problems. Fix them to continue.")
            };
            view! {
                <div id="wizard-step-errors" class="alert alert--danger" role="alert" tabindex="-1">
                    <span class="alert__icon" aria-hidden="true">"!"</span>
                    <div class="alert__body">
                        <p class="alert__title">{text}</p>
                        <ul class="alert__list">
                            {list
                                .into_iter()
                                .map(|(path, message)| {
                                    let id = field_id(&path);
                                    view! {
                                        <li>
                                            <a
                                                href=format!("#{id}")
                                                on:click=move |ev| {
                                                    ev.prevent_default();
                                                    ctx.show_field(&path);
                                                }
                                            >
                                                {message}
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                </div>
            }
        })
    }
}

/// Re-reads the inventory on demand (a port group made meanwhile, a VCH deleted elsewhere); the
/// rules and pickers follow it at once.
#[component]
fn RefreshInventory() -> impl IntoView {
    let app = expect_context::<AppContext>();
    let busy = RwSignal::new(false);
    let note = RwSignal::new(None::<&'static str>);
    let refresh = move |_| {
        busy.set(true);
        note.set(None);
        leptos::task::spawn_local(async move {
            let done = app.reload_inventory().await;
            busy.try_set(false);
            note.try_set(Some(if done.is_ok() {
                "Inventory read again."
            } else {
                "The inventory could not be read; the previous one is still used."
            }));
        });
    };
    view! {
        <div class="wizard__refresh">
            <button type="button" class="btn btn--sm btn--link" on:click=refresh disabled=busy>
                {move || if busy.get() { "Reading the inventory…" } else { "Refresh inventory" }}
            </button>
            <p class="muted" role="status">{move || note.get()}</p>
        </div>
    }
}
