//! Settings › My account: the signed-in user's own name, language and password, and
//! their sessions (each browser signed in, with a way to sign it out). Everything here
//! is the caller's own: every function is scoped to the caller's user, and the storage
//! checks the session it ends belongs to them.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::auth::Me;
use crate::error::AppError;
use crate::i18n::{use_i18n, Lang, Msg};
use crate::ui::{form_error, use_session, ErrorAlert, LanguageSelect, RequireUser, SubmitButton};

/// One signed-in browser of the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// Names the session to its own user; grants nothing.
    pub id: String,
    /// "Chrome on Windows", from the browser's User-Agent at sign-in.
    pub browser: String,
    pub address: String,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
    /// The session of the request that asked.
    pub current: bool,
}

#[server(endpoint = "account/sessions")]
pub async fn sessions() -> Result<Vec<SessionView>, AppError> {
    use crate::server::{boundary, internal};

    boundary("account.sessions", |cx| async move {
        let me = cx.require_user().await?;
        let current = ssr::current_session(&cx)?;
        let rows = cx
            .state
            .db
            .user_sessions(&me.user_id, cx.now())
            .await
            .map_err(internal("listing sessions failed"))?;
        Ok(rows
            .into_iter()
            .map(|s| SessionView {
                current: s.id == current,
                browser: describe_browser(s.user_agent.as_deref().unwrap_or_default()),
                address: s.address.unwrap_or_default(),
                signed_in_at: s.created_at,
                last_seen_at: s.last_seen_at,
                id: s.id,
            })
            .collect())
    })
    .await
}

#[server(endpoint = "account/save_profile")]
pub async fn save_profile(name: String, lang: String) -> Result<Lang, AppError> {
    use crate::domain::{InputError, PersonName};
    use crate::server::{boundary, cookies, db_error};

    boundary("account.save_profile", |cx| async move {
        let me = cx.require_user().await?;
        let name = PersonName::parse(&name)?;
        let lang = Lang::parse(&lang).ok_or(InputError::LanguageInvalid)?;
        cx.state
            .db
            .update_profile(&me.user_id, name.as_str(), lang.code())
            .await
            .map_err(db_error("saving the profile failed"))?;
        cookies::set_lang(&cx, lang.code());
        cx.redirect("/settings/account?saved=profile");
        Ok(lang)
    })
    .await
}

/// Changes the caller's password: the current one is required (a borrowed or stolen
/// session cannot lock the owner out), and guesses count against the account as
/// failed sign-ins do. Every other session of the user ends; this one stays.
#[server(endpoint = "account/change_password")]
pub async fn change_password(current_password: String, password: String) -> Result<(), AppError> {
    use crate::domain::Password;
    use crate::server::emails::{self, PasswordChanged};
    use crate::server::{boundary, db_error, internal, passwords};

    boundary("account.change_password", |cx| async move {
        let me = cx.require_user().await?;
        let current = ssr::current_session(&cx)?;
        let state = &cx.state;
        let now = cx.now();
        let new = Password::parse(&password)?;
        let attempts_key = format!("sign_in:account:{}", me.email);
        const WINDOW_SECS: i64 = 15 * 60;
        let attempts = state
            .db
            .rate_limit_hit(&attempts_key, WINDOW_SECS, now)
            .await
            .map_err(internal("rate limit failed"))?;
        if attempts > state.settings.sign_in_limit_per_account {
            return Err(AppError::TooManyAttempts);
        }
        if current_password.len() > 1024 {
            return Err(AppError::BadCredentials);
        }
        let stored = state
            .db
            .credentials(&me.user_id)
            .await
            .map_err(internal("reading credentials failed"))?
            .map(|c| c.password_hash);
        if !passwords::verify(current_password, stored).await? {
            return Err(AppError::BadCredentials);
        }
        state
            .db
            .rate_limit_forgive(&attempts_key, WINDOW_SECS, now)
            .await
            .map_err(internal("rate limit failed"))?;
        let hash = passwords::hash(new).await?;
        let sign_in_link = format!("{}/sign-in", state.settings.public_url);
        let mail = emails::password_changed(
            Lang::parse(&me.lang).unwrap_or_default(),
            &PasswordChanged {
                to: &me.email,
                name: &me.name,
                at: now.timestamp(),
                sign_in_link: &sign_in_link,
            },
        );
        state
            .db
            .change_password(&me.user_id, &current, &hash, &mail, now)
            .await
            .map_err(db_error("changing the password failed"))?;
        state.mail_wakeup.notify_one();
        tracing::info!(user = %me.user_id, "password changed");
        cx.redirect("/settings/account?saved=password");
        Ok(())
    })
    .await
}

/// Signs out one of the caller's sessions (another browser, or this one).
#[server(endpoint = "account/sign_out_session")]
pub async fn sign_out_session(id: String) -> Result<(), AppError> {
    use crate::server::{boundary, db_error};

    boundary("account.sign_out_session", |cx| async move {
        let me = cx.require_user().await?;
        let current = ssr::current_session(&cx)?;
        // A session id is the 64 hex digits of a hash; anything else names none.
        let id = id.trim().to_ascii_lowercase();
        if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::Refused(db::Refusal::NotFound));
        }
        cx.state
            .db
            .delete_user_session(&me.user_id, &id)
            .await
            .map_err(db_error("ending a session failed"))?;
        if id == current {
            crate::server::cookies::clear_session(&cx);
            cx.redirect("/sign-in");
        } else {
            cx.redirect("/settings/account");
        }
        Ok(())
    })
    .await
}

#[server(endpoint = "account/sign_out_others")]
pub async fn sign_out_others() -> Result<(), AppError> {
    use crate::server::{boundary, internal};

    boundary("account.sign_out_others", |cx| async move {
        let me = cx.require_user().await?;
        let current = ssr::current_session(&cx)?;
        cx.state
            .db
            .delete_other_sessions(&me.user_id, &current)
            .await
            .map_err(internal("ending sessions failed"))?;
        cx.redirect("/settings/account");
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::server::{cookies, Ctx};

    /// The id (hash) of the session this request came with.
    pub fn current_session(cx: &Ctx) -> Result<String, AppError> {
        cookies::session_secret(&cx.parts.headers, cx.state.settings.secure_cookies())
            .map(|secret| secret.hash())
            .ok_or(AppError::Unauthorized)
    }
}

/// A short name for a browser from its User-Agent: "Chrome on Windows". The order of
/// the checks matters: Edge and Opera also say Chrome, Chrome also says Safari.
pub fn describe_browser(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("MicroMessenger", "WeChat"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(token, _)| user_agent.contains(token))
    .map(|(_, name)| name);
    let system = [
        ("Windows", "Windows"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Mac OS X", "macOS"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(token, _)| user_agent.contains(token))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) => user_agent.chars().take(60).collect(),
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{i18n.t(Msg::AccountTitle)}</h1>
        <RequireUser signed_in=|me: Me| view! {
            <SavedNote/>
            <ProfileCard me=me.clone()/>
            <PasswordCard/>
            <SessionsCard/>
        }/>
    }
}

/// What a plain form post (or the wasm's navigation) lands on after a save.
#[component]
fn SavedNote() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        let msg = match query.with(|q| q.get("saved")).as_deref() {
            Some("profile") => Msg::ProfileSaved,
            Some("password") => Msg::PasswordChangedNote,
            _ => return None,
        };
        Some(view! { <p class="alert alert-ok" role="status">{i18n.t(msg)}</p> })
    }
}

#[component]
fn ProfileCard(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let action = ServerAction::<SaveProfile>::new();
    let error = form_error(move || action.value().get());
    Effect::new(move |_| {
        if let Some(Ok(lang)) = action.value().get() {
            i18n.set(lang);
            session.refresh();
        }
    });
    view! {
        <section class="card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">{i18n.t(Msg::ProfileHeading)}</h2>
            <p>{i18n.tf(Msg::HomeSignedInAs, vec![("email", me.email.clone()), ("company", me.company_name.clone())])}</p>
            <ErrorAlert error/>
            <ActionForm action>
                <label for="profile-name">{i18n.t(Msg::FieldYourName)}</label>
                <input id="profile-name" name="name" required maxlength="100" autocomplete="name" value=me.name.clone()/>
                <LanguageSelect id="profile-lang" label=Msg::FieldLanguage/>
                <SubmitButton label=Msg::SaveButton pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
fn PasswordCard() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangePassword>::new();
    let error = form_error(move || action.value().get());
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{i18n.t(Msg::PasswordHeading)}</h2>
            <p class="muted">{i18n.t(Msg::PasswordChangeIntro)}</p>
            <ErrorAlert error/>
            <ActionForm action>
                <label for="current_password">{i18n.t(Msg::FieldCurrentPassword)}</label>
                <input id="current_password" name="current_password" type="password" required
                    autocomplete="current-password"/>
                <label for="password">{i18n.t(Msg::FieldNewPassword)}</label>
                <input id="password" name="password" type="password" required minlength="8" maxlength="128"
                    autocomplete="new-password" aria-describedby="password-help"/>
                <p id="password-help" class="help">{i18n.t(Msg::PasswordHelp)}</p>
                <SubmitButton label=Msg::ChangePasswordButton pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
fn SessionsCard() -> impl IntoView {
    let i18n = use_i18n();
    let sign_out_one = ServerAction::<SignOutSession>::new();
    let sign_out_others = ServerAction::<SignOutOthers>::new();
    // A saved password (`?saved=password`) signs other browsers out: fetch again.
    let query = use_query_map();
    let list = Resource::new(
        move || {
            (
                sign_out_one.version().get(),
                sign_out_others.version().get(),
                query.with(|q| q.get("saved")),
            )
        },
        |_| sessions(),
    );
    let error = form_error(move || {
        sign_out_one
            .value()
            .get()
            .or_else(|| sign_out_others.value().get())
    });
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">{i18n.t(Msg::SessionsHeading)}</h2>
            <p class="muted">{i18n.t(Msg::SessionsIntro)}</p>
            <ErrorAlert error/>
            <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) => view! { <SessionsTable rows action=sign_out_one/> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=Signal::stored(Some(e))/> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=sign_out_others>
                <SubmitButton label=Msg::SignOutOthersButton pending=sign_out_others.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
fn SessionsTable(rows: Vec<SessionView>, action: ServerAction<SignOutSession>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t(Msg::ColumnBrowser)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnAddress)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnSignedIn)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnLastSeen)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnActions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|s| view! {
                        <tr>
                            <td>
                                {s.browser.clone()}
                                {s.current.then(|| view! { " " <span class="badge">{i18n.t(Msg::ThisBrowser)}</span> })}
                            </td>
                            <td>{s.address.clone()}</td>
                            <td>{crate::text::format_time(s.signed_in_at)}</td>
                            <td>{crate::text::format_time(s.last_seen_at)}</td>
                            <td>
                                <ActionForm action>
                                    <input type="hidden" name="id" value=s.id.clone()/>
                                    <button type="submit" class="button small"
                                        aria-label=format!("{}: {}", i18n.t(Msg::SignOut)(), s.browser)>
                                        {i18n.t(Msg::SignOut)}
                                    </button>
                                </ActionForm>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::describe_browser;

    #[test]
    fn a_browser_is_named_by_what_it_is_not_what_it_also_claims() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(describe_browser(chrome), "Chrome · Windows");
        let edge = format!("{chrome} Edg/131.0");
        assert_eq!(describe_browser(&edge), "Edge · Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_browser(safari), "Safari · iPhone");
        assert_eq!(describe_browser("curl/8.0"), "curl/8.0");
    }
}
