//! The server side of connections: parse, check who is calling, render emails, and
//! call the storage, which scopes every query by the caller's account again.

use db::connections::{InvitationRow, NewInvitation};
use db::secrets::Secret;
use db::sessions::SessionUser;
use db::{Actor, Refusal};

use super::*;
use crate::domain::{CompanyName, EmailAddress, InputError, Password, PersonName};
use crate::i18n::{tf, Lang, Msg};
use crate::server::emails::{self, Invitation};
use crate::server::{db_error, internal, passwords, AppState, Ctx};

const INVITATION_DAYS: i64 = 7;
const INVITATIONS_PER_DAY: i64 = 50;
/// An invitation is resent at most once in this many seconds.
const RESEND_EVERY_SECS: i64 = 10 * 60;

pub(crate) fn actor(me: &SessionUser) -> Actor {
    Actor {
        user_id: me.user_id.clone(),
        name: me.name.clone(),
        company: me.company_name.clone(),
    }
}

fn require_admin(me: &SessionUser) -> Result<(), AppError> {
    if me.is_admin {
        Ok(())
    } else {
        Err(AppError::AdminOnly)
    }
}

fn kind_of(s: &str) -> Result<AccountKind, AppError> {
    AccountKind::parse(s).map_err(|_| AppError::Internal)
}

fn lang_of(s: &str) -> Lang {
    Lang::parse(s).unwrap_or_default()
}

fn permissions_link(state: &AppState) -> String {
    format!("{}/settings/user-permissions", state.settings.public_url)
}

fn invitation_email(
    state: &AppState,
    inv: &InvitationRow,
    token: &Secret,
    expires_at: i64,
) -> db::outbox::OutgoingEmail {
    let link = format!(
        "{}/invitations/accept?token={}",
        state.settings.public_url,
        token.expose()
    );
    emails::invitation(
        lang_of(&inv.lang),
        &Invitation {
            to: &inv.to_email,
            to_contact: &inv.to_contact,
            to_company: &inv.to_company,
            from_name: &inv.from_name,
            from_company: &inv.from_company,
            from_seller: inv.from_kind == "seller",
            expires_at,
            link: &link,
        },
    )
}

pub async fn overview(cx: &Ctx, me: SessionUser) -> Result<Overview, AppError> {
    let state = &cx.state;
    let db = &state.db;
    let now = state.clock.now();
    let fail = || internal("reading connections failed");
    let sent = db.invitations_sent(&me.account_id).await.map_err(fail())?;
    let received = db
        .invitations_received(&me.account_id, now)
        .await
        .map_err(fail())?;
    let mut connected = Vec::new();
    for row in db.connections(&me.account_id).await.map_err(fail())? {
        let contact = db
            .account_admins(&row.account_id)
            .await
            .map_err(fail())?
            .into_iter()
            .next();
        let history = db
            .connection_history(&me.account_id, &row.account_id)
            .await
            .map_err(fail())?
            .into_iter()
            .filter_map(|e| {
                Some(HistoryEvent {
                    action: HistoryAction::parse(&e.action)?,
                    actor_name: e.actor_name,
                    actor_company: e.actor_company,
                    at: e.at_nanos / 1_000_000_000,
                })
            })
            .collect();
        connected.push(Connection {
            kind: kind_of(&row.kind)?,
            contact_name: contact.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
            contact_email: contact.map(|c| c.email).unwrap_or_default(),
            account_id: row.account_id,
            company: row.company_name,
            since: row.since,
            history,
        });
    }
    let now_secs = now.timestamp();
    Ok(Overview {
        kind: kind_of(&me.account_kind)?,
        company: me.company_name.clone(),
        is_admin: me.is_admin,
        verified: me.verified,
        sent: sent
            .into_iter()
            .map(|i| SentInvitation {
                status: match i.status.as_str() {
                    "declined" => InvitationStatus::Declined,
                    _ if i.expires_at <= now_secs => InvitationStatus::Expired,
                    _ => InvitationStatus::Pending,
                },
                id: i.id,
                to_company: i.to_company,
                to_contact: i.to_contact,
                to_email: i.to_email,
                sent_at: i.sent_at,
                expires_at: i.expires_at,
            })
            .collect(),
        received: received
            .into_iter()
            .map(|i| {
                Ok(ReceivedInvitation {
                    from_kind: kind_of(&i.from_kind)?,
                    id: i.id,
                    from_company: i.from_company,
                    from_name: i.from_name,
                    to_email: i.to_email,
                    sent_at: i.sent_at,
                    expires_at: i.expires_at,
                })
            })
            .collect::<Result<_, AppError>>()?,
        connected,
    })
}

pub async fn send_invitation(
    cx: &Ctx,
    me: SessionUser,
    company: &str,
    contact: &str,
    email: &str,
    lang: &str,
) -> Result<(), AppError> {
    require_admin(&me)?;
    if !me.verified {
        return Err(AppError::Refused(Refusal::EmailNotVerified));
    }
    let company = CompanyName::parse(company)?;
    let contact = PersonName::parse(contact)?;
    let email = EmailAddress::parse(email)?;
    let lang = Lang::parse(lang).ok_or(InputError::LanguageInvalid)?;
    let state = &cx.state;
    let now = state.clock.now();
    count_invitation_email(state, &me).await?;
    let token = Secret::generate();
    let expires = now + db::chrono::Duration::days(INVITATION_DAYS);
    let row = InvitationRow {
        id: String::new(),
        from_account: me.account_id.clone(),
        from_company: me.company_name.clone(),
        from_kind: me.account_kind.clone(),
        from_name: me.name.clone(),
        from_email: me.email.clone(),
        from_lang: me.lang.clone(),
        to_email: email.as_str().into(),
        to_company: company.as_str().into(),
        to_contact: contact.as_str().into(),
        lang: lang.code().into(),
        status: "pending".into(),
        created_at: now.timestamp(),
        sent_at: now.timestamp(),
        expires_at: expires.timestamp(),
    };
    let mail = invitation_email(state, &row, &token, expires.timestamp());
    let new = NewInvitation {
        from_account: me.account_id.clone(),
        from_kind: me.account_kind.clone(),
        to_email: row.to_email.clone(),
        to_company: row.to_company.clone(),
        to_contact: row.to_contact.clone(),
        lang: row.lang.clone(),
        token_hash: token.hash(),
        expires_at: expires,
    };
    let id = state
        .db
        .create_invitation(&new, &actor(&me), &mail, now)
        .await
        .map_err(db_error("creating an invitation failed"))?;
    tracing::info!(invitation = %id, "invitation sent");
    state.mail_wakeup.notify_one();
    Ok(())
}

/// The caller's own invitation (sent by their account), or `NotFound`.
async fn own_invitation(
    state: &AppState,
    me: &SessionUser,
    id: &str,
) -> Result<InvitationRow, AppError> {
    state
        .db
        .invitation(id)
        .await
        .map_err(db_error("reading an invitation failed"))?
        .filter(|i| i.from_account == me.account_id && i.status == "pending")
        .ok_or(AppError::Refused(Refusal::NotFound))
}

/// Counts one more invitation email of `me`'s account today (sent or resent), or
/// refuses past [`INVITATIONS_PER_DAY`].
async fn count_invitation_email(state: &AppState, me: &SessionUser) -> Result<(), AppError> {
    let sent_today = state
        .db
        .rate_limit_hit(
            &format!("invitations:{}", me.account_id),
            24 * 3600,
            state.clock.now(),
        )
        .await
        .map_err(internal("rate limit failed"))?;
    if sent_today > INVITATIONS_PER_DAY {
        return Err(AppError::InvitationLimit);
    }
    Ok(())
}

pub async fn resend(cx: &Ctx, me: SessionUser, id: &str) -> Result<(), AppError> {
    require_admin(&me)?;
    let state = &cx.state;
    let inv = own_invitation(state, &me, id).await?;
    let now = state.clock.now();
    // One resend of an invitation per ten minutes, and each counts toward the day's.
    let resends = state
        .db
        .rate_limit_hit(
            &format!("invitation_resend:{}", inv.id),
            RESEND_EVERY_SECS,
            now,
        )
        .await
        .map_err(internal("rate limit failed"))?;
    if resends > 1 {
        return Err(AppError::TooManyAttempts);
    }
    count_invitation_email(state, &me).await?;
    let token = Secret::generate();
    let expires = now + db::chrono::Duration::days(INVITATION_DAYS);
    let mail = invitation_email(state, &inv, &token, expires.timestamp());
    state
        .db
        .resend_invitation(
            id,
            &me.account_id,
            &token.hash(),
            expires,
            &actor(&me),
            &mail,
            now,
        )
        .await
        .map_err(db_error("resending an invitation failed"))?;
    state.mail_wakeup.notify_one();
    Ok(())
}

pub async fn cancel(cx: &Ctx, me: SessionUser, id: &str) -> Result<(), AppError> {
    require_admin(&me)?;
    let state = &cx.state;
    state
        .db
        .cancel_invitation(id, &me.account_id, &actor(&me), state.clock.now())
        .await
        .map_err(db_error("cancelling an invitation failed"))
}

/// The notice to the inviter that `me`'s company accepted or declined.
fn answer_email(
    state: &AppState,
    inv: &InvitationRow,
    me: &SessionUser,
    accepted: bool,
) -> db::outbox::OutgoingEmail {
    let lang = lang_of(&inv.from_lang);
    let (subject, body) = if accepted {
        (Msg::EmailAcceptedSubject, Msg::EmailAcceptedBody)
    } else {
        (Msg::EmailDeclinedSubject, Msg::EmailDeclinedBody)
    };
    let args = [
        ("company", me.company_name.as_str()),
        ("name", me.name.as_str()),
    ];
    emails::notice(
        lang,
        &inv.from_email,
        tf(lang, subject, &args),
        tf(lang, body, &args),
        &permissions_link(state),
    )
}

async fn invitation_by_id(state: &AppState, id: &str) -> Result<InvitationRow, AppError> {
    state
        .db
        .invitation(id)
        .await
        .map_err(db_error("reading an invitation failed"))?
        .ok_or(AppError::Refused(Refusal::InvitationInvalid))
}

pub async fn accept(cx: &Ctx, me: SessionUser, id: &str) -> Result<(), AppError> {
    require_admin(&me)?;
    // Accepting or declining speaks for the invited address: it must be proven ours.
    if !me.verified {
        return Err(AppError::Refused(Refusal::EmailNotVerified));
    }
    let state = &cx.state;
    let inv = invitation_by_id(state, id).await?;
    let mail = answer_email(state, &inv, &me, true);
    state
        .db
        .accept_invitation(id, &me.account_id, &actor(&me), &mail, state.clock.now())
        .await
        .map_err(db_error("accepting an invitation failed"))?;
    tracing::info!(invitation = %id, "invitation accepted");
    state.mail_wakeup.notify_one();
    Ok(())
}

pub async fn decline(cx: &Ctx, me: SessionUser, id: &str) -> Result<(), AppError> {
    require_admin(&me)?;
    // Accepting or declining speaks for the invited address: it must be proven ours.
    if !me.verified {
        return Err(AppError::Refused(Refusal::EmailNotVerified));
    }
    let state = &cx.state;
    let inv = invitation_by_id(state, id).await?;
    let mail = answer_email(state, &inv, &me, false);
    state
        .db
        .decline_invitation(id, &me.account_id, &actor(&me), &mail, state.clock.now())
        .await
        .map_err(db_error("declining an invitation failed"))?;
    state.mail_wakeup.notify_one();
    Ok(())
}

pub async fn remove(cx: &Ctx, me: SessionUser, other_id: &str) -> Result<(), AppError> {
    require_admin(&me)?;
    let state = &cx.state;
    let db = &state.db;
    let fail = || internal("removing a connection failed");
    let other = db
        .connections(&me.account_id)
        .await
        .map_err(fail())?
        .into_iter()
        .find(|c| c.account_id == other_id)
        .ok_or(AppError::Refused(Refusal::NotFound))?;
    let (seller, supplier) = if me.account_kind == "seller" {
        (me.company_name.as_str(), other.company_name.as_str())
    } else {
        (other.company_name.as_str(), me.company_name.as_str())
    };
    let mut recipients = db.account_admins(&me.account_id).await.map_err(fail())?;
    recipients.extend(db.account_admins(other_id).await.map_err(fail())?);
    let link = permissions_link(state);
    let mails: Vec<_> = recipients
        .iter()
        .map(|r| {
            let lang = lang_of(&r.lang);
            let args = [
                ("seller", seller),
                ("supplier", supplier),
                ("name", me.name.as_str()),
                ("company", me.company_name.as_str()),
            ];
            emails::notice(
                lang,
                &r.email,
                tf(lang, Msg::EmailRemovedSubject, &args),
                tf(lang, Msg::EmailRemovedBody, &args),
                &link,
            )
        })
        .collect();
    db.remove_connection(
        &me.account_id,
        other_id,
        &actor(&me),
        &mails,
        state.clock.now(),
    )
    .await
    .map_err(db_error("removing a connection failed"))?;
    tracing::info!(other = %other_id, "connection removed");
    state.mail_wakeup.notify_one();
    Ok(())
}

/// The live invitation behind a link; every way of not being one looks the same.
async fn by_link(state: &AppState, token: &str) -> Result<InvitationRow, AppError> {
    let secret = Secret::from_user(token).ok_or(AppError::Refused(Refusal::InvitationInvalid))?;
    state
        .db
        .invitation_by_token(&secret.hash(), state.clock.now())
        .await
        .map_err(db_error("reading an invitation failed"))?
        .ok_or(AppError::Refused(Refusal::InvitationInvalid))
}

pub async fn view_by_link(cx: &Ctx, token: &str) -> Result<InvitationView, AppError> {
    let state = &cx.state;
    let inv = by_link(state, token).await?;
    let viewer = match cx.caller().await? {
        None => Viewer::SignedOut,
        Some(me) if me.email == inv.to_email => Viewer::Recipient {
            same_kind: me.account_kind == inv.from_kind,
            company: me.company_name,
            is_admin: me.is_admin,
        },
        Some(me) => Viewer::OtherEmail {
            signed_in_as: me.email,
        },
    };
    Ok(InvitationView {
        from_kind: kind_of(&inv.from_kind)?,
        lang: lang_of(&inv.lang),
        from_company: inv.from_company,
        from_name: inv.from_name,
        to_email: inv.to_email,
        to_company: inv.to_company,
        to_contact: inv.to_contact,
        expires_at: inv.expires_at,
        viewer,
    })
}

/// The link's invitation, if it was sent to the signed-in user's own address. A link
/// opened by someone else is refused without being used up.
async fn recipients_invitation(
    state: &AppState,
    me: &SessionUser,
    token: &str,
) -> Result<InvitationRow, AppError> {
    let inv = by_link(state, token).await?;
    if inv.to_email != me.email {
        return Err(AppError::InvitationForOtherEmail);
    }
    require_admin(me)?;
    Ok(inv)
}

pub async fn accept_by_link(cx: &Ctx, me: SessionUser, token: &str) -> Result<(), AppError> {
    let state = &cx.state;
    let inv = recipients_invitation(state, &me, token).await?;
    accept(cx, me, &inv.id).await
}

pub async fn decline_by_link(cx: &Ctx, me: SessionUser, token: &str) -> Result<(), AppError> {
    let state = &cx.state;
    let inv = recipients_invitation(state, &me, token).await?;
    decline(cx, me, &inv.id).await
}

pub async fn create_account_by_link(
    cx: &Ctx,
    token: &str,
    company: &str,
    name: &str,
    password: &str,
    lang: &str,
) -> Result<Lang, AppError> {
    let company = CompanyName::parse(company)?;
    let name = PersonName::parse(name)?;
    let password = Password::parse(password)?;
    let lang = Lang::parse(lang).ok_or(InputError::LanguageInvalid)?;
    let state = &cx.state;
    let inv = by_link(state, token).await?;
    crate::auth::count_new_account(cx).await?;
    let kind = if inv.from_kind == "seller" {
        "supplier"
    } else {
        "seller"
    };
    let password_hash = passwords::hash(password).await?;
    let new = db::accounts::NewAccount {
        kind: kind.into(),
        company_name: company.as_str().into(),
        user_name: name.as_str().into(),
        email: inv.to_email.clone(),
        password_hash,
        lang: lang.code().into(),
    };
    let from_lang = lang_of(&inv.from_lang);
    let args = [("company", company.as_str()), ("name", name.as_str())];
    let mail = emails::notice(
        from_lang,
        &inv.from_email,
        tf(from_lang, Msg::EmailAcceptedSubject, &args),
        tf(from_lang, Msg::EmailAcceptedBody, &args),
        &permissions_link(state),
    );
    let account = state
        .db
        .accept_invitation_with_new_account(&inv.id, &new, &mail, state.clock.now())
        .await
        .map_err(db_error("creating an account from an invitation failed"))?;
    tracing::info!(%account, invitation = %inv.id, "account created from an invitation");
    state.mail_wakeup.notify_one();
    crate::auth::start_session(cx, &inv.to_email, lang).await?;
    Ok(lang)
}
