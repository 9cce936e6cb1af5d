//! Step 3: the image datastore, base image size and volume datastores.

use leptos::prelude::*;
use shared::config::DEFAULT_BASE_IMAGE_SIZE;
use shared::ui_support::{picker_scope, usable_datastores};

use super::Intro;
use crate::components::field::Control;
use crate::wizard::WizardContext;
use crate::wizard::disclosure::Disclosure;
use crate::wizard::fields::Text;
use crate::{bind_lines, bind_opt};

/// `1.5 TiB`-style sizes for people; the model never sees these.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    // Integer tenths, rounded half up: no float formatting code in the wasm for this.
    let mut unit = 0;
    while unit + 1 < UNITS.len() && bytes >> (10 * (unit + 1)) > 0 {
        unit += 1;
    }
    let divisor = 1u128 << (10 * unit);
    let tenths = (u128::from(bytes) * 10 + divisor / 2) / divisor;
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

#[derive(Debug, Clone, PartialEq)]
struct DatastoreRow {
    name: String,
    kind: String,
    free: u64,
    capacity: u64,
    accessible: bool,
}

#[component]
pub fn Storage() -> impl IntoView {
    let ctx = expect_context::<WizardContext>();
    let cfg = ctx.config;
    // Only the datacenter and compute resource change the list.
    let scope = Memo::new(move |_| cfg.with(picker_scope));
    let rows = Memo::new(move |_| {
        ctx.inventory.with(|inv| {
            inv.as_deref().map(|snapshot| {
                scope.with(|c| {
                    usable_datastores(snapshot, c)
                        .into_iter()
                        .map(|d| DatastoreRow {
                            name: d.name.clone(),
                            kind: d.kind.clone(),
                            free: d.free_bytes,
                            capacity: d.capacity_bytes,
                            accessible: d.accessible,
                        })
                        .collect::<Vec<_>>()
                })
            })
        })
    });
    let options = move || {
        rows.get()
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                let label = format!(
                    "{} free of {}",
                    human_bytes(d.free),
                    human_bytes(d.capacity)
                );
                view! { <option value=d.name>{label}</option> }
            })
            .collect_view()
    };
    let table = move || {
        rows.get().map(|rows| {
            view! {
                <table class="table table--compact">
                    <caption>"Datastores the chosen compute resource can use"</caption>
                    <thead><tr><th scope="col">"Datastore"</th><th scope="col">"Type"</th><th scope="col">"Free"</th><th scope="col">"Capacity"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|d| view! {
                            <tr>
                                <th scope="row">{d.name}{(!d.accessible).then_some(" (not accessible)")}</th>
                                <td>{d.kind}</td>
                                <td>{human_bytes(d.free)}</td>
                                <td>{human_bytes(d.capacity)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
        })
    };
    view! {
        <Intro>
            "Choose the datastore for container images, the size of the base image, and the "
            "datastores containers may create volumes on."
        </Intro>
        <datalist id="datastores">{options}</datalist>
        <Text path="storage.image_store" label="Image datastore" bind=bind_opt!(cfg, storage.image_store) list="datastores"
            required=true helper="A datastore, optionally with a folder: datastore1/images."/>
        {table}
        <Text path="storage.base_image_size" label="Base image size" bind=bind_opt!(cfg, storage.base_image_size)
            placeholder=DEFAULT_BASE_IMAGE_SIZE helper="A size with a unit, e.g. 8GB. It cannot be changed after deployment."/>
        <Text path="storage.volume_stores" label="Volume datastores" control=Control::Lines bind=bind_lines!(cfg, storage.volume_stores)
            helper="One per line: datastore/folder:label or nfs://host/path:label. A store labelled default serves anonymous volumes."/>
        <Disclosure summary="Advanced: quota and container count" paths=&["storage.storage_quota", "storage.containers"]>
            <Text path="storage.storage_quota" label="Storage quota (GB)" bind=bind_opt!(cfg, storage.storage_quota) placeholder="Unlimited"/>
            <Text path="storage.containers" label="Maximum number of containers" bind=bind_opt!(cfg, storage.containers) placeholder="Unlimited"/>
        </Disclosure>
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn human_bytes_in_tenths() {
        assert_eq!(human_bytes(0), "0.0 B");
        assert_eq!(human_bytes(1023), "1023.0 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(10 << 30), "10.0 GiB");
        assert_eq!(human_bytes((3 << 40) + (1 << 39)), "3.5 TiB");
        assert_eq!(human_bytes(u64::MAX), "16777216.0 TiB");
    }
}
