//! Shipments. The list fills once shipments can be created and shared.

use leptos::prelude::*;

use crate::auth::Me;
use crate::i18n::{use_i18n, Msg};
use crate::ui::RequireUser;

#[component]
pub fn ShipmentsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{i18n.t(Msg::ShipmentsTitle)}</h1>
        <RequireUser signed_in=move |_me: Me| view! {
            <section class="card"><p>{i18n.t(Msg::ShipmentsEmpty)}</p></section>
        }/>
    }
}
