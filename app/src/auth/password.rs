//! "Forgot password?": ask for a link by email, then set a new password with it.
//! Asking answers the same whether or not an account uses the address, so the form
//! cannot be used to find out who has one.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::Lang;

/// How long a reset link works.
#[cfg(feature = "ssr")]
const RESET_LINK_MINUTES: i64 = 60;

/// Reset links one address may be sent in an hour: enough to ask again when one is
/// slow to arrive, too few to flood someone's inbox.
#[cfg(feature = "ssr")]
const RESETS_PER_ADDRESS_PER_HOUR: i64 = 3;

#[server(endpoint = "auth/forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use crate::domain::EmailAddress;
    use crate::server::emails::{self, PasswordReset};
    use crate::server::{boundary, internal};
    use db::accounts::VerificationLink;
    use db::secrets::Secret;

    boundary("auth.forgot_password", |cx| async move {
        let state = &cx.state;
        let now = state.clock.now();
        // Every request counts against its client first, before anything is read.
        let client = super::ssr::client_address(&cx.parts, state.settings.trust_forwarded_for);
        let per_client = state
            .db
            .rate_limit_hit(&format!("forgot_password:client:{client}"), 15 * 60, now)
            .await
            .map_err(internal("rate limit failed"))?;
        if per_client > state.settings.sign_in_limit_per_client {
            tracing::warn!("forgot-password rate limit reached for a client");
            return Err(AppError::TooManyAttempts);
        }
        let email = EmailAddress::parse(&email)?;
        // Counted whether or not the address has an account: the answer is the same.
        let per_address = state
            .db
            .rate_limit_hit(
                &format!("forgot_password:address:{}", email.as_str()),
                3600,
                now,
            )
            .await
            .map_err(internal("rate limit failed"))?;
        if per_address > RESETS_PER_ADDRESS_PER_HOUR {
            return Err(AppError::TooManyAttempts);
        }
        let user = state
            .db
            .user(email.as_str())
            .await
            .map_err(internal("reading the user failed"))?;
        if let Some(user) = user {
            let token = Secret::generate();
            let link = format!(
                "{}/reset-password?token={}",
                state.settings.public_url,
                token.expose()
            );
            let mail = emails::password_reset(
                Lang::parse(&user.lang).unwrap_or_default(),
                &PasswordReset {
                    to: &user.email,
                    name: &user.name,
                    link: &link,
                },
            );
            state
                .db
                .issue_password_reset(
                    &user.user_id,
                    VerificationLink {
                        token_hash: &token.hash(),
                        expires_at: now + db::chrono::Duration::minutes(RESET_LINK_MINUTES),
                        email: &mail,
                    },
                    now,
                )
                .await
                .map_err(internal("issuing a reset link failed"))?;
            state.mail_wakeup.notify_one();
            tracing::info!(user = %user.user_id, "password reset link sent");
        }
        cx.redirect("/forgot-password?sent=1");
        Ok(())
    })
    .await
}

/// The address a live reset link is for, so its page can say whose password it sets,
/// or that the link no longer works, before anything is typed.
#[server(endpoint = "auth/reset_link")]
pub async fn reset_link(token: String) -> Result<String, AppError> {
    use crate::server::{boundary, db_error};
    use db::secrets::Secret;

    boundary("auth.reset_link", |cx| async move {
        let secret =
            Secret::from_user(&token).ok_or(AppError::Refused(db::Refusal::LinkInvalid))?;
        let user = cx
            .state
            .db
            .password_reset_user(&secret.hash(), cx.now())
            .await
            .map_err(db_error("reading a reset link failed"))?;
        Ok(user.email)
    })
    .await
}

/// Sets a new password with a reset link: every session of the user ends (a thief
/// who had one is out), this browser is signed in, and the user is told by email.
#[server(endpoint = "auth/reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<Lang, AppError> {
    use crate::domain::Password;
    use crate::server::emails::{self, PasswordChanged};
    use crate::server::{boundary, db_error, passwords};
    use db::secrets::Secret;

    boundary("auth.reset_password", |cx| async move {
        let secret =
            Secret::from_user(&token).ok_or(AppError::Refused(db::Refusal::LinkInvalid))?;
        let password = Password::parse(&password)?;
        let state = &cx.state;
        let now = state.clock.now();
        let user = state
            .db
            .password_reset_user(&secret.hash(), now)
            .await
            .map_err(db_error("reading a reset link failed"))?;
        let lang = Lang::parse(&user.lang).unwrap_or_default();
        let password_hash = passwords::hash(password).await?;
        let sign_in_link = format!("{}/sign-in", state.settings.public_url);
        let mail = emails::password_changed(
            lang,
            &PasswordChanged {
                to: &user.email,
                name: &user.name,
                at: now.timestamp(),
                sign_in_link: &sign_in_link,
            },
        );
        // The transaction checks the link again: of two uses at once, one wins.
        state
            .db
            .reset_password(&secret.hash(), &password_hash, &mail, now)
            .await
            .map_err(db_error("setting a new password failed"))?;
        state.mail_wakeup.notify_one();
        tracing::info!(user = %user.user_id, "password reset");
        super::start_session(&cx, &user.user_id, lang).await?;
        cx.redirect("/?password=reset");
        Ok(lang)
    })
    .await
}
