//! The frame around every page: header with the company, navigation, language
//! switch and sign-out; and the footer.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::Me;
use crate::i18n::{use_i18n, Msg};
use crate::ui::use_session;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <header class="site-header">
            <a class="skip-link" href="#main">{i18n.t(Msg::SkipToContent)}</a>
            <div class="bar">
                <a class="brand" href="/">{i18n.t(Msg::AppName)}</a>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match session.me.await {
                            Ok(Some(me)) => view! { <SignedInNav me/> }.into_any(),
                            _ => view! { <SignedOutNav/> }.into_any(),
                        }
                    })}
                </Suspense>
                <LanguageSwitch/>
            </div>
        </header>
    }
}

#[component]
fn SignedInNav(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let sign_out = use_session().sign_out;
    view! {
        <span class="company" title=me.email.clone()>{me.company_name.clone()}</span>
        // `A` marks the current page with aria-current="page".
        <nav class="main-nav" aria-label=i18n.t(Msg::MainNavigation)>
            <A href="/shipments">{i18n.t(Msg::NavShipments)}</A>
            <A href="/settings/user-permissions">
                {i18n.t(Msg::NavSettings)} " › " {i18n.t(Msg::NavUserPermissions)}
            </A>
            <A href="/settings/account">{i18n.t(Msg::NavAccount)}</A>
        </nav>
        <ActionForm action=sign_out>
            <button type="submit" class="button link">{i18n.t(Msg::SignOut)}</button>
        </ActionForm>
    }
}

#[component]
fn SignedOutNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="main-nav" aria-label=i18n.t(Msg::MainNavigation)>
            <A href="/sign-in">{i18n.t(Msg::NavSignIn)}</A>
            <A href="/sign-up">{i18n.t(Msg::NavCreateAccount)}</A>
        </nav>
    }
}

/// One button that offers the other language; works as a plain form post too.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let action = use_session().set_language;
    let other = move || match i18n.lang() {
        crate::i18n::Lang::En => crate::i18n::Lang::Zh,
        crate::i18n::Lang::Zh => crate::i18n::Lang::En,
    };
    view! {
        <ActionForm action>
            <input type="hidden" name="lang" value=move || other().code()/>
            <button
                type="submit"
                class="button link lang-switch"
                lang=move || other().html_tag()
                aria-label=move || format!("{}: {}", i18n.t(Msg::LanguageLabel)(), other().native_name())
            >
                {move || other().native_name()}
            </button>
        </ActionForm>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    let mailbox = Resource::new(|| (), |_| crate::mailbox::mailbox_enabled());
    view! {
        <footer class="site-footer">
            <p>{i18n.t(Msg::AppName)} " · " {i18n.t(Msg::Tagline)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    matches!(mailbox.await, Ok(true))
                        .then(|| view! { <p><a href="/dev/mailbox">{i18n.t(Msg::NavDevMailbox)}</a></p> })
                })}
            </Suspense>
        </footer>
    }
}
