//! Server-only helpers shared by every feature's server functions: the state handed
//! in as context, who is calling, cookies, passwords, emails, and the error boundary.

pub mod cookies;
pub mod emails;
pub mod passwords;

use std::future::Future;
use std::sync::Arc;

use db::sessions::SessionUser;
use db::{Db, Timestamp};
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

/// What the server hands to every server function and page render.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    /// Wakes the email worker when a message is queued, so it goes out at once.
    pub mail_wakeup: Arc<tokio::sync::Notify>,
    /// Every shipment change, from the database's live feed, for `/api/events`.
    pub live: tokio::sync::broadcast::Sender<LiveEvent>,
}

/// What the live feed fans out to the browsers' streams.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// A step on one shipment.
    Changed(db::shipments::FeedEvent),
    /// Changes may have been missed (the database feed was re-subscribed): every page
    /// should fetch what it shows again.
    Resync,
}

/// The part of the configuration server functions need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where users reach the app, e.g. `https://connect.example.com`; links in emails
    /// start with it, and cookies are `Secure` when it is https.
    pub public_url: String,
    /// No SMTP server: emails stay in the outbox and `/dev/mailbox` shows them.
    pub dev_mailbox: bool,
    /// Sign-in attempts allowed per account, and per client address, in 15 minutes.
    pub sign_in_limit_per_account: i64,
    pub sign_in_limit_per_client: i64,
    /// Behind a reverse proxy: take the client's address from the last
    /// `X-Forwarded-For` entry the proxy appended, not from the TCP peer.
    pub trust_forwarded_for: bool,
}

impl Settings {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// The time, injectable so tests can move it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(db::chrono::Utc::now))
    }

    pub fn new(f: impl Fn() -> Timestamp + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }

    pub fn now(&self) -> Timestamp {
        (self.0)()
    }
}

/// The process's state, for work the framework runs outside a request's reactive
/// context (a page's data loaded after an await that really waited, as it does with
/// a remote database). One server per process: set once at start.
static PROCESS_STATE: std::sync::OnceLock<AppState> = std::sync::OnceLock::new();

/// Called once by the server at start; later calls (tests start several servers in
/// one process) keep the first, and those always run with the context.
pub fn set_process_state(state: AppState) {
    let _ = PROCESS_STATE.set(state);
}

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .or_else(|| PROCESS_STATE.get().cloned())
        .ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            AppError::Internal
        })
}

pub fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the context");
        AppError::Internal
    })
}

/// Logs an unexpected failure with its cause and turns it into `Internal`.
pub fn internal(context: &'static str) -> impl FnOnce(db::DbError) -> AppError {
    move |e| {
        tracing::error!(error = %e, "{context}");
        AppError::Internal
    }
}

/// Storage errors a user can act on become their own messages; the rest are logged
/// with `context` and shown as a generic failure.
pub fn db_error(context: &'static str) -> impl FnOnce(db::DbError) -> AppError {
    use db::DbError;
    move |e| match e {
        DbError::NotFound => AppError::NotFound,
        DbError::InvitationInvalid => AppError::InvitationInvalid,
        DbError::AlreadyInvited => AppError::AlreadyInvited,
        DbError::AlreadyConnected => AppError::AlreadyConnected,
        DbError::WrongAccountKind => AppError::WrongAccountKind,
        DbError::EmailTaken => AppError::EmailTaken,
        DbError::WrongState => AppError::WrongState,
        DbError::NotConnected => AppError::NotConnected,
        DbError::Stale => AppError::Stale,
        e => internal(context)(e),
    }
}

/// The signed-in user, or `None`.
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let parts = request_parts()?;
    user_from_headers(&state()?, &parts.headers).await
}

/// The user a request's session cookie belongs to, for handlers outside server
/// functions (the live feed, the labels PDF).
pub async fn user_from_headers(
    state: &AppState,
    headers: &http::HeaderMap,
) -> Result<Option<SessionUser>, AppError> {
    let Some(secret) = cookies::session_secret(headers) else {
        return Ok(None);
    };
    state
        .db
        .session_user(&secret.hash(), state.clock.now())
        .await
        .map_err(internal("session lookup failed"))
}

/// The signed-in user, or `Unauthorized`. Every server function that touches an
/// account's data starts here and scopes what it reads and writes by the result.
pub async fn require_user() -> Result<SessionUser, AppError> {
    let user = current_user().await?.ok_or(AppError::Unauthorized)?;
    tracing::Span::current().record("account", user.account_id.as_str());
    Ok(user)
}

/// Wraps a server function's body in a span named after it, and on error sets the
/// HTTP status, or, for a plain HTML form post (no wasm yet), sends the browser back
/// to the form's page with the error in `?error=`, where the page shows it.
pub async fn boundary<T>(
    name: &'static str,
    body: impl Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    use tracing::Instrument;
    let span = tracing::info_span!("server_fn", name, account = tracing::field::Empty);
    let result = body.instrument(span.clone()).await;
    if let Err(error) = &result {
        if !matches!(error, AppError::Internal) {
            tracing::info!(parent: &span, error = %error, "refused");
        }
        // Only for a server function's own request: the same function called while a
        // page renders must not change that page's response.
        let own_request = use_context::<Parts>().filter(|p| p.uri.path().starts_with("/api/"));
        if let (Some(response), Some(parts)) = (use_context::<ResponseOptions>(), own_request) {
            match plain_form_back_to(&parts) {
                Some(page) => leptos_axum::redirect(&with_error(&page, error)),
                None => response.set_status(
                    http::StatusCode::from_u16(error.status())
                        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
                ),
            }
        }
    }
    result
}

/// For a plain form post, the path (and query) of the page it came from. Only the
/// path is kept, so the redirect never leaves this site.
fn plain_form_back_to(parts: &Parts) -> Option<String> {
    let accepts_html = parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !accepts_html {
        return None;
    }
    let referer = parts.headers.get(http::header::REFERER)?.to_str().ok()?;
    let uri: http::Uri = referer.parse().ok()?;
    Some(uri.path_and_query()?.as_str().to_owned())
}

fn with_error(page: &str, error: &AppError) -> String {
    let (path, query) = page.split_once('?').unwrap_or((page, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("error="))
        .collect();
    let error_param = format!("error={}", crate::ui::encode_query_value(&error.to_query()));
    params.push(&error_param);
    format!("{path}?{}", params.join("&"))
}

/// Redirects after success: for a plain form post the browser follows it; with wasm
/// the router navigates without reloading.
pub fn redirect(path: &str) {
    leptos_axum::redirect(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_added_to_the_page_it_came_from() {
        let page = with_error("/sign-in?next=%2F&error=old", &AppError::BadCredentials);
        assert_eq!(page, "/sign-in?next=%2F&error=%22bad_credentials%22");
        assert_eq!(
            with_error("/", &AppError::Internal),
            "/?error=%22internal%22"
        );
    }
}
