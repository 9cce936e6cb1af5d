//! Step 6: registry whitelist or insecure registries, and extra registry CAs.

use leptos::prelude::*;

use super::Intro;
use crate::bind_lines;
use crate::components::field::Control;
use crate::wizard::WizardContext;
use crate::wizard::fields::Text;
use crate::wizard::steps::pem::PemFiles;

#[component]
pub fn Registry() -> impl IntoView {
    let cfg = expect_context::<WizardContext>().config;
    view! {
        <Intro>
            "Restrict which registries the VCH pulls from, allow insecure registries, and add "
            "certificate authorities for private registries."
        </Intro>
        <Text path="registry.whitelist_registries" label="Allowed registries (whitelist)" control=Control::Lines
            bind=bind_lines!(cfg, registry.whitelist_registries)
            helper="One per line: host, IP, CIDR or *.domain. Empty allows every registry."/>
        <Text path="registry.insecure_registries" label="Insecure registries" control=Control::Lines
            bind=bind_lines!(cfg, registry.insecure_registries)
            helper="One per line: host[:port] or URL, reached over plain HTTP or unverified TLS."/>
        <PemFiles path="registry.registry_ca" label="Registry certificate authorities"
            get=|c| c.registry.registry_ca.clone() set=|c, v| c.registry.registry_ca = v/>
    }
}
