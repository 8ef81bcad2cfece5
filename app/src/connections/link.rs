//! The page an invitation email links to: who invites, and what to do — create an
//! account (the address is fixed to the invited one), sign in, or accept / decline.
//! A dead link of any kind gets the same plain message.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::*;
use crate::i18n::{use_i18n, Msg};
use crate::text::{encode_query_value, format_time};
use crate::ui::{
    form_error, use_session, ErrorAlert, LanguageSelect, NewPasswordField, SubmitButton,
};

#[component]
pub fn InvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token")).unwrap_or_default();
    let view_res = Resource::new(token, view_invitation);
    view! {
        <section class="card narrow">
            <h1>{i18n.t(Msg::InvitationTitle)}</h1>
            <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match view_res.await {
                        Ok(inv) => view! { <Invitation inv token=token()/> }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{i18n.t(e.message())}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Invitation(inv: InvitationView, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let role = match inv.from_kind {
        AccountKind::Seller => Msg::RoleWordSupplier,
        AccountKind::Supplier => Msg::RoleWordSeller,
    };
    let what = match inv.from_kind {
        AccountKind::Seller => Msg::InvitationWhatSellerInvites,
        AccountKind::Supplier => Msg::InvitationWhatSupplierInvites,
    };
    let from_text = {
        let (name, company, to_company) = (
            inv.from_name.clone(),
            inv.from_company.clone(),
            inv.to_company.clone(),
        );
        move || {
            crate::i18n::tf(
                i18n.lang(),
                Msg::InvitationFromText,
                &[
                    ("name", &name),
                    ("company", &company),
                    ("to_company", &to_company),
                    ("role", crate::i18n::t(i18n.lang(), role)),
                ],
            )
        }
    };
    let action = match inv.viewer.clone() {
        Viewer::SignedOut => view! { <SignedOutChoices inv=inv.clone() token=token.clone()/> }.into_any(),
        Viewer::Recipient { company, is_admin: true, same_kind: false } => {
            view! { <AcceptDecline inv=inv.clone() token=token.clone() my_company=company/> }.into_any()
        }
        Viewer::Recipient { same_kind: true, .. } => {
            view! { <p class="alert alert-error" role="alert">{i18n.t(Msg::Refused(db::Refusal::WrongAccountKind))}</p> }.into_any()
        }
        Viewer::Recipient { is_admin: false, .. } => {
            view! { <p class="alert alert-warn">{i18n.t(Msg::ErrAdminOnly)}</p> }.into_any()
        }
        Viewer::OtherEmail { signed_in_as } => {
            let sign_out = use_session().sign_out;
            view! {
                <p class="alert alert-warn" role="status">
                    {i18n.tf(Msg::InvitationOtherEmail, vec![("email", inv.to_email.clone()), ("me", signed_in_as)])}
                </p>
                <ActionForm action=sign_out>
                    <button type="submit" class="button">{i18n.t(Msg::SignOut)}</button>
                </ActionForm>
            }
            .into_any()
        }
    };
    view! {
        <p class="lead">{from_text}</p>
        <p>{i18n.tf(what, vec![("company", inv.from_company.clone())])}</p>
        <p class="muted">
            {i18n.tf(Msg::InvitationSentToText, vec![("email", inv.to_email.clone()), ("date", format_time(inv.expires_at))])}
        </p>
        {action}
    }
}

#[component]
fn AcceptDecline(inv: InvitationView, token: String, my_company: String) -> impl IntoView {
    let i18n = use_i18n();
    let accept = ServerAction::<AcceptInvitationLink>::new();
    let decline = ServerAction::<DeclineInvitationLink>::new();
    let error = form_error(move || accept.value().get().or_else(|| decline.value().get()));
    let decline_token = token.clone();
    view! {
        <p>{i18n.tf(Msg::InvitationAcceptIntro, vec![("company", inv.from_company.clone()), ("my_company", my_company)])}</p>
        <ErrorAlert error/>
        <div class="actions">
            <ActionForm action=accept>
                <input type="hidden" name="token" value=token/>
                <SubmitButton label=Msg::ActionAccept pending=accept.pending()/>
            </ActionForm>
            <ActionForm action=decline>
                <input type="hidden" name="token" value=decline_token/>
                <button type="submit" class="button">{i18n.t(Msg::ActionDecline)}</button>
            </ActionForm>
        </div>
    }
}

#[component]
fn SignedOutChoices(inv: InvitationView, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<AcceptWithNewAccount>::new();
    let error = form_error(move || create.value().get());
    // Now signed in, in the language the new account chose.
    let session = use_session();
    Effect::new(move |_| {
        if let Some(Ok(lang)) = create.value().get() {
            i18n.set(lang);
            session.refresh();
        }
    });
    let title = match inv.invitee_kind() {
        AccountKind::Supplier => Msg::CreateSupplierAccountTitle,
        AccountKind::Seller => Msg::CreateSellerAccountTitle,
    };
    let next = format!("/invitations/accept?token={token}");
    let sign_in_href = format!("/sign-in?next={}", encode_query_value(&next));
    let fixed_email = i18n.tf(
        Msg::InvitationEmailFixed,
        vec![("email", inv.to_email.clone())],
    );
    let have_account = i18n.tf(
        Msg::InvitationHaveAccount,
        vec![("email", inv.to_email.clone())],
    );
    let (company, contact) = (inv.to_company.clone(), inv.to_contact.clone());
    view! {
        <h2>{i18n.t(title)}</h2>
        <ErrorAlert error/>
        <ActionForm action=create>
            <input type="hidden" name="token" value=token/>
            <p class="muted">{fixed_email}</p>
            <label for="company_name">{i18n.t(Msg::FieldCompanyName)}</label>
            <input id="company_name" name="company_name" required maxlength="120" autocomplete="organization"
                value=company/>
            <label for="name">{i18n.t(Msg::FieldYourName)}</label>
            <input id="name" name="name" required maxlength="100" autocomplete="name" value=contact/>
                <NewPasswordField/>
                <LanguageSelect id="lang" label=Msg::FieldLanguage/>
            <SubmitButton label=Msg::CreateAndConnect pending=create.pending()/>
        </ActionForm>
        <p class="muted">
            {have_account}
            " "
            <a href=sign_in_href>{i18n.t(Msg::InvitationSignInToAccept)}</a>
        </p>
    }
}
