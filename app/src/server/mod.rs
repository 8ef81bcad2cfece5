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
    /// The wasm chunks of each lazily loaded page, which its HTML preloads.
    pub route_chunks: Arc<crate::preload::RouteChunks>,
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
    /// Failed sign-ins allowed per account, and sign-in attempts per client address,
    /// in 15 minutes.
    pub sign_in_limit_per_account: i64,
    pub sign_in_limit_per_client: i64,
    /// Accounts one client address may create in an hour.
    pub sign_up_limit_per_client: i64,
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

/// Everything one server function call needs from its request, read from the
/// framework's context synchronously where the call starts (before its first
/// `await`, after which the context may no longer be reachable) and passed down.
#[derive(Clone)]
pub struct Ctx {
    pub state: AppState,
    pub parts: Parts,
    response: ResponseOptions,
}

impl Ctx {
    /// Reads the context of the current request. Call it before the first `await`.
    pub fn capture() -> Result<Ctx, AppError> {
        let state = use_context::<AppState>();
        let parts = use_context::<Parts>();
        let response = use_context::<ResponseOptions>();
        match (state, parts, response) {
            (Some(state), Some(parts), Some(response)) => Ok(Ctx {
                state,
                parts,
                response,
            }),
            (state, parts, response) => {
                tracing::error!(
                    state = state.is_some(),
                    parts = parts.is_some(),
                    response = response.is_some(),
                    "server function called outside a request's context"
                );
                Err(AppError::Internal)
            }
        }
    }

    pub fn now(&self) -> Timestamp {
        self.state.clock.now()
    }

    /// The signed-in user, or `None`.
    pub async fn caller(&self) -> Result<Option<SessionUser>, AppError> {
        user_from_headers(&self.state, &self.parts.headers).await
    }

    /// The signed-in user, or `Unauthorized`. Every server function that touches an
    /// account's data starts here and scopes what it reads and writes by the result.
    pub async fn require_user(&self) -> Result<SessionUser, AppError> {
        let user = self.caller().await?.ok_or(AppError::Unauthorized)?;
        tracing::Span::current().record("account", user.account_id.as_str());
        Ok(user)
    }

    /// Adds a header to the response (a cookie).
    pub fn append_header(&self, name: http::HeaderName, value: http::HeaderValue) {
        self.response.append_header(name, value);
    }

    /// Sends a plain form post (before the wasm loads) to `path` after success; the
    /// wasm client stays where it is, updating the page in place.
    pub fn redirect_form_post(&self, path: &str) {
        if accepts_html(&self.parts) {
            self.redirect(path);
        }
    }

    /// Sends the browser to `path` after success: a plain form post follows a 302; the
    /// wasm client is told through the server-function redirect header and navigates
    /// without reloading.
    pub fn redirect(&self, path: &str) {
        let Ok(location) = http::HeaderValue::from_str(path) else {
            tracing::error!(path, "redirect to a path that is not a header value");
            return;
        };
        self.response
            .insert_header(http::header::LOCATION, location);
        if accepts_html(&self.parts) {
            self.response.set_status(http::StatusCode::FOUND);
        } else {
            self.response.insert_header(
                http::HeaderName::from_static(leptos::server_fn::redirect::REDIRECT_HEADER),
                http::HeaderValue::from_static(""),
            );
        }
    }

    /// Whether this call is a server function's own request (not a page rendering
    /// that calls the function directly, whose response must not change).
    fn own_request(&self) -> bool {
        self.parts.uri.path().starts_with("/api/")
    }
}

/// Logs an unexpected failure with its cause and turns it into `Internal`.
pub fn internal(context: &'static str) -> impl FnOnce(db::DbError) -> AppError {
    move |e| {
        tracing::error!(error = %e, "{context}");
        AppError::Internal
    }
}

/// A refusal of the storage becomes its own message; anything else is logged with
/// `context` and shown as a generic failure.
pub fn db_error(context: &'static str) -> impl FnOnce(db::DbError) -> AppError {
    move |e| match e {
        db::DbError::Refused(refusal) => AppError::Refused(refusal),
        e => internal(context)(e),
    }
}

/// The user a request's session cookie belongs to, for handlers outside server
/// functions (the live feed, the labels PDF) and for [`Ctx::caller`].
pub async fn user_from_headers(
    state: &AppState,
    headers: &http::HeaderMap,
) -> Result<Option<SessionUser>, AppError> {
    let Some(secret) = cookies::session_secret(headers, state.settings.secure_cookies()) else {
        return Ok(None);
    };
    state
        .db
        .session_user(&secret.hash(), state.clock.now())
        .await
        .map_err(internal("session lookup failed"))
}

/// Runs a server function's body with its request's [`Ctx`], captured before anything
/// awaits, in a span named after it; on error sets the HTTP status, or, for a plain
/// HTML form post (no wasm yet), sends the browser back to the form's page with the
/// error in `?error=`, where the page shows it.
pub async fn boundary<T, Fut>(
    name: &'static str,
    body: impl FnOnce(Ctx) -> Fut,
) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    use tracing::Instrument;
    let span = tracing::info_span!("server_fn", name, account = tracing::field::Empty);
    let cx = Ctx::capture()?;
    let after = cx.clone();
    let result = body(cx).instrument(span.clone()).await;
    if let Err(error) = &result {
        if !matches!(error, AppError::Internal) {
            tracing::info!(parent: &span, error = %error, "refused");
        }
        if after.own_request() {
            match plain_form_back_to(&after.parts, &after.state.settings.public_url) {
                Some(page) => after.redirect(&with_error(&page, error)),
                // A plain form from a page that is not ours to go back to: home, with
                // the error (never the framework's default of the raw Referer).
                None if accepts_html(&after.parts) => after.redirect(&with_error("/", error)),
                None => after.response.set_status(
                    http::StatusCode::from_u16(error.status())
                        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
                ),
            }
            if matches!(error, AppError::Busy) {
                after.response.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from_static(BUSY_RETRY_AFTER_SECS),
                );
            }
        }
    }
    result
}

/// How long a client told `Busy` should wait before trying again.
const BUSY_RETRY_AFTER_SECS: &str = "5";

fn accepts_html(parts: &Parts) -> bool {
    parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// For a plain form post, the path (and query) of the page it came from, if that page
/// is on this site (`public_url`'s origin) and its path starts with a single `/`, so
/// the redirect can never leave the site (`//evil.example` is another site).
fn plain_form_back_to(parts: &Parts, public_url: &str) -> Option<String> {
    if !accepts_html(parts) {
        return None;
    }
    let referer = parts.headers.get(http::header::REFERER)?.to_str().ok()?;
    same_site_path(referer, public_url)
}

/// `url`'s path and query, if `url` is on the site at `public_url`.
fn same_site_path(url: &str, public_url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    let site: http::Uri = public_url.parse().ok()?;
    let same_origin = uri.scheme() == site.scheme()
        && uri.authority().map(|a| a.as_str().to_ascii_lowercase())
            == site.authority().map(|a| a.as_str().to_ascii_lowercase());
    let path = uri.path_and_query()?.as_str();
    let single_slash = path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\");
    (same_origin && single_slash).then(|| path.to_owned())
}

fn with_error(page: &str, error: &AppError) -> String {
    let (path, query) = page.split_once('?').unwrap_or((page, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("error="))
        .collect();
    let error_param = format!(
        "error={}",
        crate::text::encode_query_value(&error.to_query())
    );
    params.push(&error_param);
    format!("{path}?{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_goes_back_only_to_a_page_of_this_site() {
        let site = "http://127.0.0.1:3000";
        assert_eq!(
            same_site_path("http://127.0.0.1:3000/sign-in?next=%2F", site).as_deref(),
            Some("/sign-in?next=%2F")
        );
        for elsewhere in [
            "http://evil.example/sign-in",
            "https://127.0.0.1:3000/sign-in",
            "http://127.0.0.1:3001/sign-in",
            "http://127.0.0.1:3000//evil.example/",
            "http://127.0.0.1:3000/\\evil.example/",
            "not a url",
        ] {
            assert_eq!(same_site_path(elsewhere, site), None, "{elsewhere}");
        }
    }

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
