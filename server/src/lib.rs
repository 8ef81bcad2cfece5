//! The axum server: configuration, the router (pages, server functions, static
//! files, health), the guards every request passes (host, cross-site, body size), the
//! security headers, and the background workers (email, live feed, clean-up).

pub mod cleanup;
pub mod config;
pub mod headers;
pub mod limits;
pub mod live;
pub mod mailer;
pub mod origin;

use std::net::SocketAddr;
use std::sync::Arc;

use app::server::{AppState, Clock, Settings};
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;

#[derive(Clone, FromRef)]
pub struct ServerState {
    pub leptos_options: LeptosOptions,
    pub app: AppState,
    /// Turns true when the server begins to shut down: open event streams end.
    pub closing: tokio::sync::watch::Receiver<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Database(#[from] db::DbError),
    #[error("email: {0}")]
    Mailer(#[from] mailer::MailerError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("leptos configuration: {0}")]
    Leptos(String),
}

/// A started server.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    pub server: tokio::task::JoinHandle<()>,
    pub worker: tokio::task::JoinHandle<()>,
    pub feed: tokio::task::JoinHandle<()>,
    pub cleanup: tokio::task::JoinHandle<()>,
    /// Tells the server, its event streams and the workers to finish.
    closing: tokio::sync::watch::Sender<bool>,
    /// The embedded database's directory, which [`Running::shut_down`] waits on.
    database_dir: Option<std::path::PathBuf>,
}

/// How long a shutdown waits for each of its steps before it gives up on it.
#[derive(Debug, Clone, Copy)]
pub struct ShutdownLimits {
    /// Requests in flight (and event streams, which end at once) finish within this.
    pub requests: std::time::Duration,
    /// The email being sent, and a clean-up under way, finish within this.
    pub workers: std::time::Duration,
    /// The embedded database flushes and closes within this.
    pub database: std::time::Duration,
}

/// 10 + 5 + 15 s: within the 30 s a service manager commonly waits after SIGTERM
/// before it kills (Kubernetes' default grace period; give Docker `--stop-timeout 30`).
impl Default for ShutdownLimits {
    fn default() -> Self {
        ShutdownLimits {
            requests: std::time::Duration::from_secs(10),
            workers: std::time::Duration::from_secs(5),
            database: std::time::Duration::from_secs(15),
        }
    }
}

/// Returns once `closing` turns true (or its sender is gone): the server is stopping.
pub(crate) async fn until_closing(closing: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = closing.wait_for(|closing| *closing).await;
}

/// Awaits `task` for at most `limit`, then cancels it. True if it finished by itself.
async fn finish_or_abort(task: tokio::task::JoinHandle<()>, limit: std::time::Duration) -> bool {
    let abort = task.abort_handle();
    match tokio::time::timeout(limit, task).await {
        Ok(_) => true,
        Err(_) => {
            abort.abort();
            false
        }
    }
}

impl Running {
    /// Stops in order, logging how long each step took: no new connections, requests
    /// in flight answered, the email worker done with the message it is sending (so
    /// nothing is sent twice), the clean-up and the live feed stopped; then every
    /// handle on the database dropped so the embedded engine flushes and closes, and
    /// the next start has no write-ahead log to replay. A step that overruns its limit
    /// is cancelled and logged; nothing acknowledged is lost either way (every commit
    /// is already on disk).
    pub async fn shut_down(self, limits: ShutdownLimits) {
        let started = std::time::Instant::now();
        let _ = self.closing.send(true);
        let step = std::time::Instant::now();
        if finish_or_abort(self.server, limits.requests).await {
            tracing::info!(
                ms = step.elapsed().as_millis(),
                "shutdown: requests answered"
            );
        } else {
            tracing::warn!(
                ms = step.elapsed().as_millis(),
                "shutdown: requests cut off"
            );
        }
        let step = std::time::Instant::now();
        self.feed.abort();
        let _ = self.feed.await;
        let worker = finish_or_abort(self.worker, limits.workers);
        let cleanup = finish_or_abort(self.cleanup, limits.workers);
        let (worker, cleanup) = tokio::join!(worker, cleanup);
        if worker && cleanup {
            tracing::info!(ms = step.elapsed().as_millis(), "shutdown: workers stopped");
        } else {
            tracing::warn!(
                ms = step.elapsed().as_millis(),
                worker,
                cleanup,
                "shutdown: workers cut off"
            );
        }
        drop(self.state);
        let Some(dir) = self.database_dir else {
            tracing::info!(ms = started.elapsed().as_millis(), "shutdown: done");
            return;
        };
        let step = std::time::Instant::now();
        if db::wait_until_closed(&dir, limits.database).await {
            tracing::info!(ms = step.elapsed().as_millis(), "shutdown: database closed");
        } else {
            tracing::warn!(
                ms = step.elapsed().as_millis(),
                "shutdown: database still open; the next start replays its log"
            );
        }
        tracing::info!(ms = started.elapsed().as_millis(), "shutdown: done");
    }

    /// Stops serving and sending (for tests that restart the server on the same data).
    pub async fn stop(self) {
        self.server.abort();
        self.worker.abort();
        self.feed.abort();
        self.cleanup.abort();
        let _ = self.server.await;
        let _ = self.worker.await;
        let _ = self.feed.await;
        let _ = self.cleanup.await;
    }
}

fn leptos_options(config: &Config) -> Result<LeptosOptions, StartError> {
    // cargo-leptos passes the site's layout in LEPTOS_* variables; started any other
    // way (tests, a bare binary), the defaults of Cargo.toml's metadata apply.
    let mut options = if std::env::var_os("LEPTOS_OUTPUT_NAME").is_some() {
        leptos::config::get_configuration(None)
            .map_err(|e| StartError::Leptos(e.to_string()))?
            .leptos_options
    } else {
        LeptosOptions::builder()
            .output_name("supply-chain-connect")
            .site_pkg_dir("pkg")
            .build()
    };
    if options.output_name.is_empty() {
        options.output_name = "supply-chain-connect".into();
    }
    // cargo-leptos's setting, made absolute (or the default beside the binary).
    options.site_root = config.site_root.as_str().into();
    options.site_addr = config.site_addr;
    Ok(options)
}

/// Connects to the database, starts the email worker and serves on `listener`.
pub async fn start(
    config: Config,
    clock: Clock,
    listener: TcpListener,
) -> Result<Running, StartError> {
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: config.site_addr,
        source,
    })?;
    let db = db::Db::connect(&config.database).await?;
    let (closing, closing_rx) = tokio::sync::watch::channel(false);
    let transport = mailer::Transport::from_config(config.smtp_url.as_deref(), &config.mail_from)?;
    let settings = Settings {
        public_url: config.public_url.clone(),
        dev_mailbox: config.smtp_url.is_none(),
        sign_in_limit_per_account: config.sign_in_limit_per_account,
        sign_in_limit_per_client: config.sign_in_limit_per_client,
        sign_up_limit_per_client: config.sign_up_limit_per_client,
        trust_forwarded_for: config.trust_forwarded_for,
    };
    let options = leptos_options(&config)?;
    let app_state = AppState {
        db: db.clone(),
        settings: Arc::new(settings),
        clock: clock.clone(),
        mail_wakeup: Arc::new(tokio::sync::Notify::new()),
        live: tokio::sync::broadcast::channel(1024).0,
        route_chunks: Arc::new(app::preload::RouteChunks::load(
            &options.site_root,
            &options.site_pkg_dir,
        )),
    };
    let feed = live::spawn(db.clone(), app_state.live.clone());
    let cleanup = cleanup::spawn(
        db.clone(),
        clock.clone(),
        std::time::Duration::from_secs(config.cleanup_interval_seconds.unsigned_abs().max(1)),
        closing_rx.clone(),
    );
    let worker = mailer::spawn(
        db,
        transport,
        app_state.mail_wakeup.clone(),
        clock,
        std::time::Duration::from_secs(config.mail_lease_seconds.unsigned_abs()),
        closing_rx.clone(),
    );
    let state = ServerState {
        leptos_options: options,
        app: app_state.clone(),
        closing: closing_rx.clone(),
    };
    let router = router(
        state,
        origin::SiteOrigin::from_public_url(&config.public_url),
        headers::Site::from_public_url(&config.public_url),
    );
    let mut stop_serving = closing_rx;
    let server = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let stopping = async move { until_closing(&mut stop_serving).await };
        if let Err(e) = axum::serve(listener, service)
            .with_graceful_shutdown(stopping)
            .await
        {
            tracing::error!(error = %e, "server stopped");
        }
    });
    tracing::info!(%addr, "listening");
    Ok(Running {
        addr,
        state: app_state,
        server,
        worker,
        feed,
        cleanup,
        closing,
        database_dir: config.database.embedded_dir(),
    })
}

pub fn router(state: ServerState, site: origin::SiteOrigin, hosts: headers::Site) -> Router {
    let routes = generate_route_list(app::App);
    let app_state = state.app.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/events", get(live::events))
        .route("/api/{*fn_name}", post(server_fn_handler))
        .route("/shipments/{id}/labels.pdf", get(labels))
        .route("/shipments/{id}/labels.zpl", get(labels_zpl))
        .route("/shipments/{id}/unit-labels.pdf", get(unit_labels))
        .route("/shipments/{id}/unit-labels.zpl", get(unit_labels_zpl))
        .route("/shipments/{id}/pack-list.csv", get(pack_list))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(app_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || app::shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<ServerState, _>(
            app::shell,
        ))
        .layer(axum::middleware::map_response(with_error_status))
        .layer(limits::body_limit())
        .layer(axum::middleware::from_fn(limits::refuse_large_bodies))
        .layer(axum::middleware::from_fn_with_state(
            site,
            origin::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn_with_state(hosts, headers::secure))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn server_fn_handler(
    State(state): State<ServerState>,
    request: Request<Body>,
) -> impl IntoResponse {
    let app_state = state.app.clone();
    handle_server_fns_with_context(move || provide_context(app_state.clone()), request).await
}

/// Errors raised before a server function's body runs (its arguments did not parse)
/// leave the framework's 500; they get the status of the error they carry instead.
async fn with_error_status(response: Response) -> Response {
    let from_server_fn = response.headers().contains_key("serverfnerror");
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR || !from_server_fn {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn healthz(State(state): State<ServerState>) -> Response {
    match state.app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

#[derive(serde::Deserialize)]
struct LabelsQuery {
    paper: Option<String>,
    stock: Option<String>,
    /// `1`: unit labels for every item, not only those the supplier labels.
    all: Option<String>,
    /// One SKU's unit labels only (empty: every SKU).
    sku: Option<String>,
}

/// The box labels PDF of a shipment (box and box-content labels), for its seller and
/// its supplier.
async fn labels(
    State(state): State<ServerState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<LabelsQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    box_labels_as(state, id, query, headers, false).await
}

/// The same box labels as ZPL, for a Zebra-compatible thermal printer.
async fn labels_zpl(
    State(state): State<ServerState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<LabelsQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    box_labels_as(state, id, query, headers, true).await
}

async fn box_labels_as(
    state: ServerState,
    id: String,
    query: LabelsQuery,
    headers: axum::http::HeaderMap,
    zpl: bool,
) -> Response {
    use app::shipments::labels::Paper;
    let paper = query
        .paper
        .as_deref()
        .and_then(Paper::parse)
        .unwrap_or(Paper::A4);
    let file = if zpl {
        LabelFile::Zpl("labels")
    } else {
        LabelFile::Pdf("labels")
    };
    let id: &str = &id;
    file_for_user(&state, &headers, id, file, |app, user| async move {
        app::shipments::ssr::labels(&app, &user, id, paper, zpl).await
    })
    .await
}

/// The unit (FNSKU) labels PDF of a shipment, for its seller and its supplier.
async fn unit_labels(
    State(state): State<ServerState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<LabelsQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    unit_labels_as(state, id, query, headers, false).await
}

/// The same unit labels as ZPL, for a Zebra-compatible thermal printer.
async fn unit_labels_zpl(
    State(state): State<ServerState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<LabelsQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    unit_labels_as(state, id, query, headers, true).await
}

async fn unit_labels_as(
    state: ServerState,
    id: String,
    query: LabelsQuery,
    headers: axum::http::HeaderMap,
    zpl: bool,
) -> Response {
    use app::shipments::LabelStock;
    let stock = query
        .stock
        .as_deref()
        .and_then(LabelStock::parse)
        .unwrap_or(LabelStock::Letter30);
    let every_item = query.all.as_deref() == Some("1");
    let sku = query.sku.filter(|s| !s.is_empty());
    let file = if zpl {
        LabelFile::Zpl("unit-labels")
    } else {
        LabelFile::Pdf("unit-labels")
    };
    let id: &str = &id;
    file_for_user(&state, &headers, id, file, |app, user| async move {
        let sku = sku.as_deref();
        app::shipments::ssr::unit_labels(&app, &user, id, stock, every_item, sku, zpl).await
    })
    .await
}

/// The pack list (box contents) CSV of a shipment, for its seller and its supplier.
async fn pack_list(
    State(state): State<ServerState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let id: &str = &id;
    file_for_user(
        &state,
        &headers,
        id,
        LabelFile::Csv("pack-list"),
        |app, user| async move { app::shipments::ssr::pack_list(&app, &user, id).await },
    )
    .await
}

/// A file's kind, and the start of its name.
#[derive(Clone, Copy)]
enum LabelFile {
    Pdf(&'static str),
    Zpl(&'static str),
    Csv(&'static str),
}

/// A labels file about shipment `id` made by `make` for the signed-in user, named
/// `{name}-{id}.pdf` (shown in the browser) or `.zpl` (downloaded, for the printer); a
/// browser without a session is sent to sign in and back to the shipment; a refusal is
/// its message in the user's language, with its status.
async fn file_for_user<F, Fut>(
    state: &ServerState,
    headers: &axum::http::HeaderMap,
    id: &str,
    file: LabelFile,
    make: F,
) -> Response
where
    F: FnOnce(AppState, db::sessions::SessionUser) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<u8>, app::error::AppError>>,
{
    let user = match app::server::user_from_headers(&state.app, headers).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            let next = format!("/shipments/{}", app::text::encode_query_value(id));
            return axum::response::Redirect::to(&format!(
                "/sign-in?next={}",
                app::text::encode_query_value(&next)
            ))
            .into_response();
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let lang = app::i18n::Lang::parse(&user.lang).unwrap_or_default();
    match make(state.app.clone(), user).await {
        Ok(bytes) => {
            let id: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
            let (content_type, disposition) = match file {
                LabelFile::Pdf(name) => (
                    "application/pdf",
                    format!("inline; filename=\"{name}-{id}.pdf\""),
                ),
                LabelFile::Zpl(name) => (
                    "application/zpl; charset=utf-8",
                    format!("attachment; filename=\"{name}-{id}.zpl\""),
                ),
                LabelFile::Csv(name) => (
                    "text/csv; charset=utf-8",
                    format!("attachment; filename=\"{name}-{id}.csv\""),
                ),
            };
            (
                [
                    (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
                    (axum::http::header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            app::i18n::t(lang, e.message()),
        )
            .into_response(),
    }
}
