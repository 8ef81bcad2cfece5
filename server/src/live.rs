//! Live updates: one task per replica follows the database's feed of shipment events
//! (a LIVE SELECT, so changes made through any replica arrive) and fans them out;
//! `/api/events` streams to each signed-in browser the ids of its account's
//! shipments as they change (Server-Sent Events). Only ids travel: the page fetches
//! what changed through its server functions, which check access as always.

use std::convert::Infallible;
use std::time::Duration;

use app::server::user_from_headers;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use db::shipments::FeedEvent;
use db::Db;
use futures::StreamExt;
use tokio::sync::broadcast;

use crate::ServerState;

/// Follows the feed for as long as the server runs, subscribing again whenever the
/// database connection drops.
pub fn spawn(db: Db, tx: broadcast::Sender<FeedEvent>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match db.shipment_feed().await {
                Ok(mut feed) => {
                    tracing::debug!("live feed subscribed");
                    while let Some(event) = feed.next().await {
                        // No subscriber is not an error: nobody is looking.
                        let _ = tx.send(event);
                    }
                    tracing::warn!("live feed ended; subscribing again");
                }
                Err(e) => tracing::warn!(error = %e, "live feed unavailable; retrying"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}

pub async fn events(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    let user = match user_from_headers(&state.app, &headers).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let account = user.account_id;
    let rx = state.app.live.subscribe();
    let stream = futures::stream::unfold(rx, move |mut rx| {
        let account = account.clone();
        async move {
            loop {
                match rx.recv().await {
                    Ok(e)
                        if e.seller_key == account
                            || e.supplier_key.as_deref() == Some(&account) =>
                    {
                        let event = Event::default().data(e.shipment_key);
                        return Some((Ok::<_, Infallible>(event), rx));
                    }
                    Ok(_) => continue,
                    // Fell behind: an empty id tells the page to fetch everything.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((Ok(Event::default().data("")), rx));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
