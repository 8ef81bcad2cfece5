//! Accounts and sign-in: create an account, verify its email, sign in and out, set a
//! forgotten password again (`password.rs`), and the language setting. Server functions here; pages in `pages.rs`.

mod pages;
mod password;

pub use pages::{ForgotPasswordPage, ResetPasswordPage, SignInPage, SignUpPage, VerifyEmailPage};
pub use password::{forgot_password, reset_link, reset_password, ForgotPassword, ResetPassword};
#[cfg(feature = "ssr")]
pub use ssr::{count_new_account, start_session};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::AccountKind;
use crate::error::AppError;
use crate::i18n::Lang;

/// Who is signed in, as pages see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub email: String,
    pub company_name: String,
    pub kind: AccountKind,
    pub is_admin: bool,
    pub verified: bool,
    pub lang: Lang,
}

#[cfg(feature = "ssr")]
mod ssr {
    use db::secrets::Secret;
    use db::sessions::SessionUser;

    use super::Me;
    use crate::domain::AccountKind;
    use crate::error::AppError;
    use crate::i18n::Lang;
    use crate::server::{cookies, internal, Ctx};

    pub const VERIFY_LINK_DAYS: i64 = 7;

    impl TryFrom<SessionUser> for Me {
        type Error = AppError;

        fn try_from(u: SessionUser) -> Result<Me, AppError> {
            Ok(Me {
                kind: AccountKind::parse(&u.account_kind).map_err(|_| AppError::Internal)?,
                lang: Lang::parse(&u.lang).unwrap_or_default(),
                name: u.name,
                email: u.email,
                company_name: u.company_name,
                is_admin: u.is_admin,
                verified: u.verified,
            })
        }
    }

    /// Starts a new session for `user_id`: any session the browser already had is
    /// ended first, so the session id always changes at sign-in.
    pub async fn start_session(cx: &Ctx, user_id: &str, lang: Lang) -> Result<(), AppError> {
        let state = &cx.state;
        if let Some(old) =
            cookies::session_secret(&cx.parts.headers, state.settings.secure_cookies())
        {
            state
                .db
                .delete_session(&old.hash())
                .await
                .map_err(internal("ending the previous session failed"))?;
        }
        let secret = Secret::generate();
        let now = state.clock.now();
        let client = db::sessions::SessionClient {
            user_agent: cx
                .parts
                .headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(300).collect()),
            address: Some(
                client_address(&cx.parts, state.settings.trust_forwarded_for)
                    .chars()
                    .take(64)
                    .collect(),
            ),
        };
        state
            .db
            .create_session(
                &secret.hash(),
                user_id,
                &client,
                now,
                now + db::chrono::Duration::days(cookies::SESSION_DAYS),
            )
            .await
            .map_err(internal("creating a session failed"))?;
        cookies::set_session(cx, &secret);
        cookies::set_lang(cx, lang.code());
        Ok(())
    }

    /// Counts one more account created by this request's client, or refuses past
    /// `SIGN_UP_LIMIT_PER_CLIENT` an hour: each costs a password hash and an email.
    pub async fn count_new_account(cx: &Ctx) -> Result<(), AppError> {
        let state = &cx.state;
        let client = client_address(&cx.parts, state.settings.trust_forwarded_for);
        let created = state
            .db
            .rate_limit_hit(&format!("sign_up:client:{client}"), 3600, state.clock.now())
            .await
            .map_err(internal("rate limit failed"))?;
        if created > state.settings.sign_up_limit_per_client {
            tracing::warn!("sign-up rate limit reached for a client");
            return Err(AppError::TooManyAttempts);
        }
        Ok(())
    }

    /// The client for rate limiting: the TCP peer, or, behind a trusted proxy, the
    /// address the proxy saw (the last `X-Forwarded-For` entry of the last such header,
    /// the one the proxy itself appended; what comes before is whatever the client
    /// claimed). An IPv6 client is its /64, which one subscriber usually holds whole.
    pub fn client_address(parts: &http::request::Parts, trust_forwarded_for: bool) -> String {
        let forwarded = trust_forwarded_for
            .then(|| {
                parts
                    .headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .next_back()?
                    .to_str()
                    .ok()?
                    .rsplit(',')
                    .next()
                    .and_then(|ip| ip.trim().parse::<std::net::IpAddr>().ok())
            })
            .flatten();
        let peer = || {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip())
        };
        match forwarded.or_else(peer) {
            Some(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
            Some(std::net::IpAddr::V6(v6)) => v6
                .to_ipv4_mapped()
                .map_or_else(|| "unknown".into(), |v4| v4.to_string()),
            Some(ip) => ip.to_string(),
            None => "unknown".into(),
        }
    }
}

#[server(endpoint = "auth/sign_up")]
pub async fn sign_up(
    kind: String,
    company_name: String,
    name: String,
    email: String,
    password: String,
    lang: String,
) -> Result<Lang, AppError> {
    use crate::domain::{CompanyName, EmailAddress, InputError, Password, PersonName};
    use crate::server::emails::{self, VerifyEmail};
    use crate::server::{boundary, db_error, passwords};
    use db::accounts::{NewAccount, VerificationLink};
    use db::secrets::Secret;

    boundary("auth.sign_up", |cx| async move {
        let kind = AccountKind::parse(&kind)?;
        let company = CompanyName::parse(&company_name)?;
        let name = PersonName::parse(&name)?;
        let email = EmailAddress::parse(&email)?;
        let password = Password::parse(&password)?;
        let lang = Lang::parse(&lang).ok_or(InputError::LanguageInvalid)?;

        let state = &cx.state;
        ssr::count_new_account(&cx).await?;
        let password_hash = passwords::hash(password).await?;
        let now = state.clock.now();
        let token = Secret::generate();
        let link = format!(
            "{}/verify-email?token={}",
            state.settings.public_url,
            token.expose()
        );
        let mail = emails::verify_email(
            lang,
            &VerifyEmail {
                to: email.as_str(),
                name: name.as_str(),
                company: company.as_str(),
                link: &link,
            },
        );
        let new = NewAccount {
            kind: kind.as_str().into(),
            company_name: company.as_str().into(),
            user_name: name.as_str().into(),
            email: email.as_str().into(),
            password_hash,
            lang: lang.code().into(),
        };
        let verification = VerificationLink {
            token_hash: &token.hash(),
            expires_at: now + db::chrono::Duration::days(ssr::VERIFY_LINK_DAYS),
            email: &mail,
        };
        let account = state
            .db
            .create_account(&new, verification, now)
            .await
            .map_err(db_error("creating an account failed"))?;
        tracing::info!(account = %account, kind = kind.as_str(), "account created");
        state.mail_wakeup.notify_one();
        ssr::start_session(&cx, email.as_str(), lang).await?;
        cx.redirect("/");
        Ok(lang)
    })
    .await
}

#[server(endpoint = "auth/sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<Lang, AppError> {
    use crate::domain::EmailAddress;
    use crate::server::{boundary, internal, passwords};

    boundary("auth.sign_in", |cx| async move {
        let state = &cx.state;
        let parts = &cx.parts;
        let now = state.clock.now();
        const WINDOW_SECS: i64 = 15 * 60;
        // Every attempt counts against the client, first, before anything else is
        // written: a flood of made-up addresses stops here.
        let client = ssr::client_address(parts, state.settings.trust_forwarded_for);
        let per_client = state
            .db
            .rate_limit_hit(&format!("sign_in:client:{client}"), WINDOW_SECS, now)
            .await
            .map_err(internal("rate limit failed"))?;
        if per_client > state.settings.sign_in_limit_per_client {
            tracing::warn!("sign-in rate limit reached for a client");
            return Err(AppError::TooManyAttempts);
        }
        // Only a well-formed address (at most 254 characters) names a counter.
        let Ok(email) = EmailAddress::parse(&email) else {
            return Err(AppError::BadCredentials);
        };
        // Failed attempts only count against the account: its owner signing in many
        // times is not an attack. Each attempt is counted before the password is
        // checked (so guesses sent at once are all counted) and forgiven on success.
        let account_key = format!("sign_in:account:{}", email.as_str());
        let attempts = state
            .db
            .rate_limit_hit(&account_key, WINDOW_SECS, now)
            .await
            .map_err(internal("rate limit failed"))?;
        if attempts > state.settings.sign_in_limit_per_account {
            tracing::warn!("sign-in rate limit reached for an account");
            return Err(AppError::TooManyAttempts);
        }
        let email = email.as_str().to_owned();
        if password.len() > 1024 {
            return Err(AppError::BadCredentials);
        }
        let credentials = state
            .db
            .credentials(&email)
            .await
            .map_err(internal("reading credentials failed"))?;
        let user_id = credentials.as_ref().map(|c| c.user_id.clone());
        let stored = credentials.map(|c| c.password_hash);
        if !passwords::verify(password, stored).await? {
            return Err(AppError::BadCredentials);
        }
        let user_id = user_id.ok_or(AppError::BadCredentials)?;
        let user = state
            .db
            .user(&user_id)
            .await
            .map_err(internal("reading the user failed"))?
            .ok_or(AppError::BadCredentials)?;
        state
            .db
            .rate_limit_forgive(&account_key, WINDOW_SECS, now)
            .await
            .map_err(internal("rate limit failed"))?;
        let lang = Lang::parse(&user.lang).unwrap_or_default();
        ssr::start_session(&cx, &user_id, lang).await?;
        cx.redirect(&safe_next(next.as_deref()));
        Ok(lang)
    })
    .await
}

/// Where to go after signing in: a path on this site, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[server(endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::{boundary, cookies, internal};

    boundary("auth.sign_out", |cx| async move {
        let state = &cx.state;
        let parts = &cx.parts;
        if let Some(secret) =
            cookies::session_secret(&parts.headers, state.settings.secure_cookies())
        {
            state
                .db
                .delete_session(&secret.hash())
                .await
                .map_err(internal("ending the session failed"))?;
        }
        cookies::clear_session(&cx);
        cx.redirect("/sign-in");
        Ok(())
    })
    .await
}

#[server(endpoint = "auth/verify_email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    use crate::server::{boundary, db_error};
    use db::secrets::Secret;

    boundary("auth.verify_email", |cx| async move {
        let secret =
            Secret::from_user(&token).ok_or(AppError::Refused(db::Refusal::LinkInvalid))?;
        let state = &cx.state;
        let user = state
            .db
            .verify_email(&secret.hash(), state.clock.now())
            .await
            .map_err(db_error("verifying an email failed"))?;
        tracing::info!(user = %user.user_id, "email verified");
        cx.redirect("/");
        Ok(())
    })
    .await
}

#[server(endpoint = "auth/resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::server::emails::{self, VerifyEmail};
    use crate::server::{boundary, internal};
    use db::accounts::VerificationLink;
    use db::secrets::Secret;

    boundary("auth.resend_verification", |cx| async move {
        let user = cx.require_user().await?;
        if user.verified {
            return Ok(());
        }
        let state = &cx.state;
        let now = state.clock.now();
        let sent = state
            .db
            .rate_limit_hit(&format!("verify_resend:{}", user.user_id), 3600, now)
            .await
            .map_err(internal("rate limit failed"))?;
        if sent > 5 {
            return Err(AppError::TooManyAttempts);
        }
        let token = Secret::generate();
        let link = format!(
            "{}/verify-email?token={}",
            state.settings.public_url,
            token.expose()
        );
        let lang = Lang::parse(&user.lang).unwrap_or_default();
        let mail = emails::verify_email(
            lang,
            &VerifyEmail {
                to: &user.email,
                name: &user.name,
                company: &user.company_name,
                link: &link,
            },
        );
        state
            .db
            .reissue_verification(
                &user.user_id,
                VerificationLink {
                    token_hash: &token.hash(),
                    expires_at: now + db::chrono::Duration::days(ssr::VERIFY_LINK_DAYS),
                    email: &mail,
                },
                now,
            )
            .await
            .map_err(internal("reissuing a verification link failed"))?;
        state.mail_wakeup.notify_one();
        Ok(())
    })
    .await
}

#[server(endpoint = "auth/whoami")]
pub async fn whoami() -> Result<Option<Me>, AppError> {
    use crate::server::boundary;

    boundary("auth.whoami", |cx| async move {
        cx.caller().await?.map(Me::try_from).transpose()
    })
    .await
}

#[server(endpoint = "auth/set_language")]
pub async fn set_language(lang: String) -> Result<Lang, AppError> {
    use crate::domain::InputError;
    use crate::server::{boundary, cookies, internal};

    boundary("auth.set_language", |cx| async move {
        let lang = Lang::parse(&lang).ok_or(InputError::LanguageInvalid)?;
        let state = &cx.state;
        if let Some(user) = cx.caller().await? {
            state
                .db
                .set_user_lang(&user.user_id, lang.code())
                .await
                .map_err(internal("saving the language failed"))?;
        }
        cookies::set_lang(&cx, lang.code());
        Ok(lang)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/invitations/accept?token=ab")),
            "/invitations/accept?token=ab"
        );
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
