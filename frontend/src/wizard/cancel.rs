//! Cancel on a changed draft asks first: leaving would throw the entries away.

use leptos::prelude::*;

use crate::components::dialog::Dialog;

#[component]
pub fn ConfirmCancel(
    configure: bool,
    on_discard: Callback<()>,
    on_keep: Callback<()>,
) -> impl IntoView {
    let (title, text, discard) = if configure {
        (
            "Discard these changes?",
            "The virtual container host stays as it is deployed; the changes made here are lost.",
            "Discard changes",
        )
    } else {
        (
            "Discard this new virtual container host?",
            "Everything entered in this wizard is lost.",
            "Discard",
        )
    };
    view! {
        <Dialog id="cancel-dialog" title=title on_close=on_keep>
            <p>{text}</p>
            <div class="page-actions">
                <button type="button" class="btn btn--danger" on:click=move |_| on_discard.run(())>{discard}</button>
                <button type="button" class="btn btn--primary" data-autofocus="" on:click=move |_| on_keep.run(())>"Keep editing"</button>
            </div>
        </Dialog>
    }
}
