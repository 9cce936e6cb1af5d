//! Step 3: the image datastore, base image size and volume datastores.

use leptos::prelude::*;

use super::Intro;

#[component]
pub fn Storage() -> impl IntoView {
    view! {
        <Intro>
            "Choose the datastore for container images, the size of the base image, and the "
            "datastores containers may create volumes on."
        </Intro>
    }
}
