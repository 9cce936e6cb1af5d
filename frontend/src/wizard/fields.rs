//! Fields bound to one place in the draft `VchConfig`, keyed by the model path the validator
//! reports, so a finding lands on the control that edits it.

use leptos::prelude::*;

use super::{WizardContext, field_id};
use crate::components::field::{CheckboxField, Control, TextField};

/// Read and write access to one value of the draft.
pub struct Bind<T: Send + Sync + 'static> {
    pub get: Signal<T>,
    pub set: Callback<T>,
}

impl<T: Send + Sync> Clone for Bind<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync> Copy for Bind<T> {}

/// Binds an `Option<String>` field: an empty box means "not given".
#[macro_export]
macro_rules! bind_opt {
    ($cfg:expr, $($field:tt)+) => {{
        let cfg = $cfg;
        $crate::wizard::fields::Bind {
            get: Signal::derive(move || cfg.with(|c| c.$($field)+.clone().unwrap_or_default())),
            set: Callback::new(move |v: String| {
                cfg.update(|c| c.$($field)+ = if v.is_empty() { None } else { Some(v) })
            }),
        }
    }};
}

/// Binds a `Vec<String>` field as one entry per line.
#[macro_export]
macro_rules! bind_lines {
    ($cfg:expr, $($field:tt)+) => {{
        let cfg = $cfg;
        $crate::wizard::fields::Bind {
            get: Signal::derive(move || cfg.with(|c| c.$($field)+.join("\n"))),
            set: Callback::new(move |v: String| {
                cfg.update(|c| c.$($field)+ = $crate::components::field::split_lines(&v))
            }),
        }
    }};
}

/// Binds a `bool` field.
#[macro_export]
macro_rules! bind_flag {
    ($cfg:expr, $($field:tt)+) => {{
        let cfg = $cfg;
        $crate::wizard::fields::Bind {
            get: Signal::derive(move || cfg.with(|c| c.$($field)+)),
            set: Callback::new(move |v: bool| cfg.update(|c| c.$($field)+ = v)),
        }
    }};
}

#[component]
pub fn Text(
    #[prop(into)] path: String,
    #[prop(into)] label: String,
    bind: Bind<String>,
    #[prop(optional, into)] helper: Option<String>,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] list: Option<String>,
    #[prop(optional)] control: Control,
) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    view! {
        <TextField
            id=field_id(&path)
            label=label
            value=bind.get
            on_input=bind.set
            on_blur=ctx.touch(path.clone())
            message=ctx.message(path)
            helper=helper
            placeholder=placeholder
            required=required
            list=list
            control=control
        />
    }
}

#[component]
pub fn Check(
    #[prop(into)] path: String,
    #[prop(into)] label: String,
    bind: Bind<bool>,
    #[prop(optional, into)] helper: Option<String>,
) -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    // A switch has no half-typed state: its consequences show as soon as it flips.
    let touch = ctx.touch(path.clone());
    let set = Callback::new(move |v: bool| {
        bind.set.run(v);
        touch.run(());
    });
    view! {
        <CheckboxField
            id=field_id(&path)
            label=label
            checked=bind.get
            on_change=set
            on_blur=touch
            message=ctx.message(path)
            helper=helper
        />
    }
}
