//! The pages of signing up, signing in, verifying an email address and setting a new
//! password. Each form is an `ActionForm`: it posts like a plain HTML form before the
//! wasm has loaded.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::password::{reset_link, ForgotPassword};
use crate::i18n::{use_i18n, Msg};
use crate::ui::{
    form_error, use_session, ErrorAlert, LanguageSelect, NewPasswordField, SubmitButton,
};

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = use_session().sign_up;
    let error = form_error(move || action.value().get());
    view! {
        <section class="card narrow">
            <h1>{i18n.t(Msg::SignUpTitle)}</h1>
            <p class="muted">{i18n.t(Msg::SignUpIntro)}</p>
            <ErrorAlert error/>
            <ActionForm action>
                <fieldset class="choices">
                    <legend>{i18n.t(Msg::FieldAccountKind)}</legend>
                    <label class="choice">
                        <input type="radio" name="kind" value="seller" checked=true/>
                        <span>{i18n.t(Msg::KindSellerHelp)}</span>
                    </label>
                    <label class="choice">
                        <input type="radio" name="kind" value="supplier"/>
                        <span>{i18n.t(Msg::KindSupplierHelp)}</span>
                    </label>
                </fieldset>
                <label for="company_name">{i18n.t(Msg::FieldCompanyName)}</label>
                <input id="company_name" name="company_name" required maxlength="120" autocomplete="organization"/>
                <label for="name">{i18n.t(Msg::FieldYourName)}</label>
                <input id="name" name="name" required maxlength="100" autocomplete="name"/>
                <label for="email">{i18n.t(Msg::FieldEmail)}</label>
                <input id="email" name="email" type="email" required maxlength="254" autocomplete="email"/>
                <NewPasswordField/>
                <LanguageSelect id="lang" label=Msg::FieldLanguage/>
                <SubmitButton label=Msg::CreateAccountButton pending=action.pending()/>
            </ActionForm>
            <p class="muted">
                {i18n.t(Msg::HaveAccount)} " " <a href="/sign-in">{i18n.t(Msg::NavSignIn)}</a>
            </p>
        </section>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = use_session().sign_in;
    let error = form_error(move || action.value().get());
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    view! {
        <section class="card narrow">
            <h1>{i18n.t(Msg::SignInTitle)}</h1>
            <ErrorAlert error/>
            <ActionForm action>
                <input type="hidden" name="next" value=next/>
                <label for="email">{i18n.t(Msg::FieldEmail)}</label>
                <input id="email" name="email" type="email" required autocomplete="username"/>
                <label for="password">{i18n.t(Msg::FieldPassword)}</label>
                <input id="password" name="password" type="password" required autocomplete="current-password"/>
                <SubmitButton label=Msg::SignInButton pending=action.pending()/>
            </ActionForm>
            <p><a href="/forgot-password">{i18n.t(Msg::ForgotPasswordLink)}</a></p>
            <p class="muted">
                {i18n.t(Msg::NoAccount)} " " <a href="/sign-up">{i18n.t(Msg::NavCreateAccount)}</a>
            </p>
        </section>
    }
}

/// Opened from the emailed link. Verifying takes a click (a POST), so link scanners
/// that fetch every URL in an email do not use the link up.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = use_session().verify;
    let error = form_error(move || action.value().get());
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token")).unwrap_or_default();
    view! {
        <section class="card narrow">
            <h1>{i18n.t(Msg::VerifyTitle)}</h1>
            <ErrorAlert error/>
            <Show
                when=move || !token().is_empty()
                fallback=move || view! { <p>{i18n.t(Msg::VerifyMissingToken)}</p> }
            >
                <p>{i18n.t(Msg::VerifyIntro)}</p>
                <ActionForm action>
                    <input type="hidden" name="token" value=token/>
                    <SubmitButton label=Msg::VerifyButton pending=action.pending()/>
                </ActionForm>
            </Show>
        </section>
    }
}

/// Asks for a link to set a new password. The answer is the same whether or not an
/// account uses the address.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ForgotPassword>::new();
    let error = form_error(move || action.value().get());
    let query = use_query_map();
    let sent = move || {
        matches!(action.value().get(), Some(Ok(()))) || query.with(|q| q.get("sent").is_some())
    };
    view! {
        <section class="card narrow">
            <h1>{i18n.t(Msg::ForgotTitle)}</h1>
            <Show
                when=sent
                fallback=move || view! {
                    <p>{i18n.t(Msg::ForgotIntro)}</p>
                    <ErrorAlert error/>
                    <ActionForm action>
                        <label for="email">{i18n.t(Msg::FieldEmail)}</label>
                        <input id="email" name="email" type="email" required maxlength="254" autocomplete="username"/>
                        <SubmitButton label=Msg::ForgotButton pending=action.pending()/>
                    </ActionForm>
                }
            >
                <p class="alert alert-ok" role="status">{i18n.t(Msg::ForgotSent)}</p>
            </Show>
            <p class="muted"><a href="/sign-in">{i18n.t(Msg::NavSignIn)}</a></p>
        </section>
    }
}

/// Opened from the emailed link: says whose password it sets (or that the link no
/// longer works) before anything is typed, then takes the new password.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = use_session().reset_password;
    let error = form_error(move || action.value().get());
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token")).unwrap_or_default();
    let link = Resource::new(token, |token| async move {
        if token.is_empty() {
            None
        } else {
            Some(reset_link(token).await)
        }
    });
    view! {
        <section class="card narrow">
            <h1>{i18n.t(Msg::ForgotTitle)}</h1>
            <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match link.await {
                        None => view! { <p>{i18n.t(Msg::VerifyMissingToken)}</p> }.into_any(),
                        Some(Err(e)) => view! {
                            <ErrorAlert error=Signal::stored(Some(e))/>
                            <p><a href="/forgot-password">{i18n.t(Msg::ForgotButton)}</a></p>
                        }.into_any(),
                        Some(Ok(email)) => view! {
                            <p>{i18n.tf(Msg::ResetIntro, vec![("email", email)])}</p>
                            <ErrorAlert error/>
                            <ActionForm action>
                                <input type="hidden" name="token" value=token/>
                                <NewPasswordField/>
                                <SubmitButton label=Msg::ResetButton pending=action.pending()/>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
