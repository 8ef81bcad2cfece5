//! Live updates: one task per replica follows the database's feed of shipment events
//! (a LIVE SELECT, so changes made through any replica arrive) and fans them out;
//! `/api/events` streams to each signed-in browser the ids of its account's
//! shipments as they change (Server-Sent Events). Only ids travel: the page fetches
//! what changed through its server functions, which check access as always.

use std::convert::Infallible;
use std::time::Duration;

use app::server::cookies::session_secret;
use app::server::{user_from_headers, LiveEvent};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use db::Db;
use futures::StreamExt;
use tokio::sync::broadcast;

use crate::ServerState;

/// How often an open stream checks that its session is still valid (signed out in
/// another tab, expired, removed).
const SESSION_RECHECK: Duration = Duration::from_secs(60);

/// Follows the feed for as long as the server runs, subscribing again whenever the
/// database connection drops; beside it, the feed that keeps the session cache true
/// to every replica's sign-outs and changes of users (see `db::session_cache`).
pub fn spawn(db: Db, tx: broadcast::Sender<LiveEvent>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        tokio::join!(
            follow_shipments(db.clone(), tx),
            db.follow_session_changes()
        );
    })
}

async fn follow_shipments(db: Db, tx: broadcast::Sender<LiveEvent>) {
    loop {
        match db.shipment_feed().await {
            Ok(mut feed) => {
                tracing::debug!("live feed subscribed");
                // Whatever happened while we were not subscribed is unknown: pages
                // fetch everything again. (No subscriber is not an error.)
                let _ = tx.send(LiveEvent::Resync);
                while let Some(event) = feed.next().await {
                    let _ = tx.send(LiveEvent::Changed(event));
                }
                tracing::warn!("live feed ended; subscribing again");
            }
            Err(e) => tracing::warn!(error = %e, "live feed unavailable; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

pub async fn events(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    let user = match user_from_headers(&state.app, &headers).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let secure = state.app.settings.secure_cookies();
    let Some(session) = session_secret(&headers, secure).map(|s| s.hash()) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let follow = Follow {
        account: user.account_id,
        session,
        rx: state.app.live.subscribe(),
        recheck: tokio::time::interval_at(
            tokio::time::Instant::now() + SESSION_RECHECK,
            SESSION_RECHECK,
        ),
        app: state.app.clone(),
        closing: state.closing.clone(),
    };
    let stream = futures::stream::unfold(follow, |mut f| async move {
        let data = f.next().await?;
        Some((Ok::<_, Infallible>(Event::default().data(data)), f))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// One browser's stream: the ids of its account's shipments as they change, `*` when
/// it should fetch everything again; it ends when the session does, or the server.
struct Follow {
    account: String,
    session: String,
    rx: broadcast::Receiver<LiveEvent>,
    recheck: tokio::time::Interval,
    app: app::server::AppState,
    /// The server is shutting down: the stream ends (the browser reconnects).
    closing: tokio::sync::watch::Receiver<bool>,
}

impl Follow {
    async fn next(&mut self) -> Option<String> {
        loop {
            tokio::select! {
                event = self.rx.recv() => match event {
                    Ok(LiveEvent::Changed(e))
                        if e.seller_key == self.account
                            || e.supplier_key.as_deref() == Some(&self.account) =>
                    {
                        return Some(e.shipment_key);
                    }
                    Ok(LiveEvent::Changed(_)) => continue,
                    // Fell behind, or the feed was re-subscribed: fetch everything.
                    Ok(LiveEvent::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some("*".into());
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = crate::until_closing(&mut self.closing) => return None,
                _ = self.recheck.tick() => {
                    let valid = self
                        .app
                        .db
                        .session_user(&self.session, self.app.clock.now())
                        .await
                        .ok()
                        .flatten()
                        .is_some_and(|u| u.account_id == self.account);
                    if !valid {
                        return None;
                    }
                }
            }
        }
    }
}
