//! The home page: what the product does for a visitor; who you are once signed in.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::auth::Me;
use crate::domain::AccountKind;
use crate::i18n::{use_i18n, Msg};
use crate::ui::{form_error, use_session, ErrorAlert, SubmitButton};

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match session.me.await {
                    Ok(Some(me)) => view! { <Dashboard me/> }.into_any(),
                    _ => view! { <Welcome/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="hero">
            <h1>{i18n.t(Msg::HomeSignedOutTitle)}</h1>
            <p class="lead">{i18n.t(Msg::HomeSignedOutIntro)}</p>
            <ol class="steps">
                <li>{i18n.t(Msg::HomeStepInvite)}</li>
                <li>{i18n.t(Msg::HomeStepShare)}</li>
                <li>{i18n.t(Msg::HomeStepComplete)}</li>
            </ol>
            <p class="actions">
                <a class="button primary" href="/sign-up">{i18n.t(Msg::NavCreateAccount)}</a>
                <a class="button" href="/sign-in">{i18n.t(Msg::NavSignIn)}</a>
            </p>
        </section>
    }
}

#[component]
fn Dashboard(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let kind = match me.kind {
        AccountKind::Seller => Msg::KindSeller,
        AccountKind::Supplier => Msg::KindSupplier,
    };
    let role = if me.is_admin {
        Msg::RoleAdmin
    } else {
        Msg::RoleMember
    };
    let verified = me.verified;
    let email = me.email.clone();
    // Where setting a new password lands.
    let query = use_query_map();
    let password_reset = move || query.with(|q| q.get("password").as_deref() == Some("reset"));
    view! {
        <section class="card">
            <h1>{i18n.tf(Msg::HomeWelcome, vec![("name", me.name.clone())])}</h1>
            <Show when=password_reset>
                <p class="alert alert-ok" role="status">{i18n.t(Msg::ResetDone)}</p>
            </Show>
            <p>{i18n.tf(Msg::HomeSignedInAs, vec![("email", me.email.clone()), ("company", me.company_name.clone())])}</p>
            <p>
                <span class="badge">{i18n.t(kind)}</span>
                " "
                <span class="badge">{i18n.t(role)}</span>
            </p>
            {if verified {
                view! { <p class="alert alert-ok">{i18n.t(Msg::EmailVerifiedNote)}</p> }.into_any()
            } else {
                view! { <VerifyBanner email/> }.into_any()
            }}
        </section>
    }
}

#[component]
fn VerifyBanner(email: String) -> impl IntoView {
    let i18n = use_i18n();
    let resend = use_session().resend;
    let error = form_error(move || resend.value().get());
    let sent = move || matches!(resend.value().get(), Some(Ok(())));
    view! {
        <div class="alert alert-warn" role="status">
            <h2>{i18n.t(Msg::VerifyBannerTitle)}</h2>
            <p>{i18n.tf(Msg::VerifyBannerText, vec![("email", email)])}</p>
            <ErrorAlert error/>
            <Show when=sent>
                <p>{i18n.t(Msg::VerificationResent)}</p>
            </Show>
            <ActionForm action=resend>
                <SubmitButton label=Msg::ResendVerification pending=resend.pending()/>
            </ActionForm>
        </div>
    }
}
