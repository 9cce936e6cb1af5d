//! Step 7: the vSphere user the VCH operates as after deployment.

use leptos::prelude::*;
use shared::secret::Secret;

use super::Intro;
use crate::components::field::Control;
use crate::wizard::WizardContext;
use crate::wizard::fields::{Bind, Check, Text};
use crate::{bind_flag, bind_opt};

#[component]
pub fn OpsUser() -> impl IntoView {
    let cfg = expect_context::<WizardContext>().config;
    // The password is a `Secret`: it never leaves the draft except in the create request.
    let password = Bind {
        get: Signal::derive(move || {
            cfg.with(|c| {
                c.operations
                    .ops_password
                    .as_ref()
                    .map(|s| s.expose().to_owned())
                    .unwrap_or_default()
            })
        }),
        set: Callback::new(move |v: String| {
            cfg.update(|c| c.operations.ops_password = (!v.is_empty()).then(|| Secret::new(v)))
        }),
    };
    view! {
        <Intro>
            "Give the vSphere user the VCH uses for day-to-day operations, and whether to grant "
            "it the permissions it needs."
        </Intro>
        <Text path="operations.ops_user" label="Operations user" bind=bind_opt!(cfg, operations.ops_user)
            placeholder="vch-ops@vsphere.local" helper="Without one, the VCH keeps using the credentials you connected with."/>
        <Text path="operations.ops_password" label="Operations password" bind=password control=Control::Password/>
        <Check path="operations.ops_grant_perms" label="Grant this user the permissions it needs" bind=bind_flag!(cfg, operations.ops_grant_perms)/>
    }
}
