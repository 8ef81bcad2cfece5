//! The size limit of request bodies, set explicitly and answered with 413 and a message
//! the user can read (in the request's language), not the framework's internal error.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::error::AppError;

/// The largest body the server reads: a shipment of 500 items with long names, typed
/// and pasted, stays well under it.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The framework's own limit, set explicitly (its default is another figure); bodies
/// over it are refused before they reach it (`refuse_large_bodies`).
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_BODY_BYTES)
}

/// Refuses a body that says it is over the limit before reading any of it, reads one
/// that does not say its length up to the limit (refusing it past that), and turns any
/// other 413 into the same answer.
pub async fn refuse_large_bodies(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let lang = app::i18n::request_lang(request.headers());
    let html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return too_large(lang, html);
    }
    // A body that does not say its length (chunked) is read here, up to the limit.
    let request = if declared.is_none() && request.method() != axum::http::Method::GET {
        let (parts, body) = request.into_parts();
        match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(bytes) => Request::from_parts(parts, Body::from(bytes)),
            Err(_) => return too_large(lang, html),
        }
    } else {
        request
    };
    let response = next.run(request).await;
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(lang, html);
    }
    response
}

/// A plain form post gets the message as text; a server-function call the error it
/// decodes (`"too_large"`), as every other error.
fn too_large(lang: app::i18n::Lang, html: bool) -> Response {
    let error = AppError::TooLarge;
    let mut response = if html {
        let text = app::i18n::t(lang, error.message()).to_owned();
        (StatusCode::PAYLOAD_TOO_LARGE, text).into_response()
    } else {
        let body = serde_json::to_string(&error).unwrap_or_else(|_| "\"too_large\"".into());
        let mut response = (StatusCode::PAYLOAD_TOO_LARGE, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    };
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
