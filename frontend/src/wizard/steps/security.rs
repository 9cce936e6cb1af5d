//! Step 5: client certificate authentication and the VCH's server certificate.

use leptos::prelude::*;
use shared::config::DEFAULT_CERTIFICATE_KEY_SIZE;

use super::Intro;
use super::pem::PemFiles;
use crate::components::field::Control;
use crate::wizard::WizardContext;
use crate::wizard::disclosure::Disclosure;
use crate::wizard::fields::{Check, Text};
use crate::{bind_flag, bind_lines, bind_opt};

#[component]
pub fn Security() -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let cfg = ctx.config;
    // K3: a generated certificate needs a common name and no static client address gives one.
    // The server would name it after the VCH; saying so here makes it visible and editable.
    let needs_cname = ctx
        .issues
        .with_untracked(|issues| issues.iter().any(|i| i.code == "K3"));
    if needs_cname && !ctx.is_configure() {
        cfg.update(|c| {
            if c.security
                .tls_cname
                .as_deref()
                .is_none_or(|n| n.trim().is_empty())
            {
                c.security.tls_cname = c.resolved().general.name;
            }
        });
    }
    let tls_off = Signal::derive(move || cfg.with(|c| c.security.no_tls));
    view! {
        <Intro>
            "Decide how Docker clients authenticate to the VCH and which server certificate "
            "the VCH presents."
        </Intro>
        <fieldset class="fieldset">
            <legend>"Client certificates"</legend>
            <Check path="security.no_tlsverify" label="Do not verify client certificates (anyone who reaches the VCH can use it)"
                bind=bind_flag!(cfg, security.no_tlsverify)/>
            <PemFiles path="security.tls_ca" label="Client certificate authorities"
                get=|c| c.security.tls_ca.clone() set=|c, v| c.security.tls_ca = v
                helper="CAs that sign the client certificates Docker users present."/>
        </fieldset>
        <fieldset class="fieldset">
            <legend>"Server certificate"</legend>
            <Text path="security.tls_cname" label="Common name (CN)" bind=bind_opt!(cfg, security.tls_cname)
                helper="The name or address Docker clients connect to; used when the certificate is generated. Defaults to the VCH's name."/>
            <Text path="security.organization" label="Organization" control=Control::Lines bind=bind_lines!(cfg, security.organization)
                helper="One per line; optional."/>
            <Text path="security.certificate_key_size" label="Key size (bits)" bind=bind_opt!(cfg, security.certificate_key_size)
                placeholder=DEFAULT_CERTIFICATE_KEY_SIZE.to_string()/>
            <Disclosure summary="Use an existing server certificate" paths=&["security.tls_server_cert", "security.tls_server_key", "security.tls_cert_path"]>
                <PemFiles path="security.tls_server_cert" label="Server certificate" single=true
                    get=|c| c.security.tls_server_cert.clone().into_iter().collect()
                    set=|c, v| c.security.tls_server_cert = v.into_iter().next()/>
                <PemFiles path="security.tls_server_key" label="Server private key (unencrypted)" single=true
                    get=|c| c.security.tls_server_key.clone().into_iter().collect()
                    set=|c, v| c.security.tls_server_key = v.into_iter().next()/>
                <Text path="security.tls_cert_path" label="Certificate folder" bind=bind_opt!(cfg, security.tls_cert_path)
                    helper="Where vic-machine keeps the certificates; defaults to a folder named after the VCH."/>
            </Disclosure>
        </fieldset>
        <Disclosure summary="Turn TLS off" paths=&["security.no_tls"]>
            <Check path="security.no_tls" label="No TLS: the Docker API is unencrypted (not recommended)" bind=bind_flag!(cfg, security.no_tls)/>
            {move || tls_off.get().then(|| view! { <p class="muted">"Certificates above are ignored while TLS is off."</p> })}
        </Disclosure>
    }
}
