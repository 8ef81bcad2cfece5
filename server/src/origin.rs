//! Cross-site request refusal: a state-changing request (anything but GET, HEAD and
//! OPTIONS) whose `Origin` is not this site, or that the browser marks cross-site,
//! gets 403 before any handler runs. Non-browser clients send no `Origin` and are
//! not a CSRF vector; they still need a session cookie for anything that matters.

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Clone)]
pub struct SiteOrigin(pub String);

impl SiteOrigin {
    /// `https://example.com:8443/path` → `https://example.com:8443`.
    pub fn from_public_url(url: &str) -> SiteOrigin {
        let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
        let end = url[after_scheme..]
            .find('/')
            .map(|i| after_scheme + i)
            .unwrap_or(url.len());
        SiteOrigin(url[..end].to_ascii_lowercase())
    }
}

pub async fn refuse_cross_site(
    State(site): State<SiteOrigin>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe {
        let headers = request.headers();
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let origin_ok = match origin {
            None => true,
            Some(origin) => {
                let origin = origin.to_ascii_lowercase();
                origin == site.0
                    || host.is_some_and(|h| {
                        let h = h.to_ascii_lowercase();
                        origin == format!("http://{h}") || origin == format!("https://{h}")
                    })
            }
        };
        if fetch_site == Some("cross-site") || !origin_ok {
            tracing::warn!(?origin, ?fetch_site, path = %request.uri().path(), "cross-site request refused");
            return (StatusCode::FORBIDDEN, "Cross-site requests are refused.").into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_of_public_url() {
        assert_eq!(
            SiteOrigin::from_public_url("http://127.0.0.1:3000").0,
            "http://127.0.0.1:3000"
        );
        assert_eq!(
            SiteOrigin::from_public_url("https://Connect.Example.com/app").0,
            "https://connect.example.com"
        );
    }
}
