//! Headers every response carries, and the `Host` check.
//!
//! - A request whose `Host` is not this site's (from `PUBLIC_URL`; on a loopback site
//!   also `localhost`, `127.0.0.1` and `[::1]` with its port) is refused: a page on
//!   another site that points its name at this server (DNS rebinding) reaches nothing.
//!   `/healthz` answers any host, for load balancers.
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`,
//!   `X-Frame-Options: DENY`, HSTS when the site is https.
//! - `Cache-Control: no-store` on what a signed-in request gets back that is the
//!   user's own (pages, JSON, PDFs, events), not on the static assets.
//! - A strict `Content-Security-Policy` on any response that has none; pages set their
//!   own, with the nonce of their inline scripts (`app::shell`).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The hosts this site answers to, and whether it is served over https.
#[derive(Clone, Debug)]
pub struct Site {
    hosts: Vec<String>,
    https: bool,
}

impl Site {
    pub fn from_public_url(url: &str) -> Site {
        let https = url.starts_with("https://");
        let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
        let authority = after_scheme
            .split('/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let default_port = if https { "443" } else { "80" };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => (h.to_owned(), p.to_owned()),
            _ => (authority.clone(), default_port.to_owned()),
        };
        let loopback = ["localhost", "127.0.0.1", "[::1]"];
        let names: Vec<String> = if loopback.contains(&host.as_str()) {
            loopback.iter().map(|h| h.to_string()).collect()
        } else {
            vec![host]
        };
        let mut hosts = Vec::new();
        for name in names {
            hosts.push(format!("{name}:{port}"));
            if port == default_port {
                hosts.push(name);
            }
        }
        Site { hosts, https }
    }

    fn allows(&self, host: Option<&str>) -> bool {
        host.is_some_and(|h| self.hosts.iter().any(|ok| ok.eq_ignore_ascii_case(h)))
    }
}

/// For responses that set none: nothing may load, nothing may frame it.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn secure(State(site): State<Site>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    if request.uri().path() != "/healthz" && !site.allows(host) {
        tracing::warn!(?host, "request for another host refused");
        return (StatusCode::MISDIRECTED_REQUEST, "Unknown host.").into_response();
    }
    let signed_in = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("scc_session="));
    let mut response = next.run(request).await;
    let private = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            [
                "text/html",
                "application/json",
                "application/pdf",
                "text/event-stream",
                "text/plain",
            ]
            .iter()
            .any(|p| t.starts_with(p))
        });
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if site.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if signed_in && private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_answers_to_its_own_host_only() {
        let site = Site::from_public_url("https://connect.example.com");
        assert!(site.allows(Some("connect.example.com")));
        assert!(site.allows(Some("connect.example.com:443")));
        assert!(!site.allows(Some("evil.example")));
        assert!(!site.allows(Some("connect.example.com.evil.example")));
        assert!(!site.allows(None));
        let local = Site::from_public_url("http://127.0.0.1:3000");
        for host in ["127.0.0.1:3000", "localhost:3000", "[::1]:3000"] {
            assert!(local.allows(Some(host)), "{host}");
        }
        assert!(!local.allows(Some("127.0.0.1:3001")));
        assert!(!local.allows(Some("rebound.evil.example:3000")));
    }
}
