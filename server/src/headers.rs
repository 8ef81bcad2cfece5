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
//! - A `Content-Security-Policy` on every response: on a page, scripts only from this
//!   site or inline with the nonce the framework put on this page's inline scripts
//!   (read back from the page), WebAssembly from this site, nothing framed or framing
//!   it; on anything else, nothing may load.

use axum::body::Body;
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

/// For responses that are not pages: nothing may load, nothing may frame it.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The largest page read back for its nonce; a page is a few tens of kilobytes.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// A page's policy, allowing the inline scripts that carry `nonce`.
fn page_policy(nonce: Option<&str>) -> String {
    let nonce = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    // `cargo leptos watch` reloads the page over a websocket of its own.
    let reload = if std::env::var_os("LEPTOS_WATCH").is_some() {
        let port = std::env::var("LEPTOS_RELOAD_PORT").unwrap_or_else(|_| "3001".into());
        format!(" ws://127.0.0.1:{port} ws://localhost:{port}")
    } else {
        String::new()
    };
    format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'{reload}; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The nonce of the first inline script of `html`, if it has one.
fn nonce_in(html: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(html).ok()?;
    let start = text.find("nonce=\"")? + "nonce=\"".len();
    let nonce = &text[start..start + text[start..].find('"')?];
    let plain = nonce
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=-_".contains(&b));
    (plain && !nonce.is_empty()).then_some(nonce)
}

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
    let page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !page {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(html) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "page too large").into_response();
    };
    if let Ok(policy) = HeaderValue::from_str(&page_policy(nonce_in(&html))) {
        parts
            .headers
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    Response::from_parts(parts, Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_s_policy_allows_its_own_nonce_only() {
        let html = br#"<html><script type="module" nonce="VPIbl-mD_8w">x</script></html>"#;
        assert_eq!(nonce_in(html), Some("VPIbl-mD_8w"));
        assert!(page_policy(nonce_in(html)).contains("'nonce-VPIbl-mD_8w'"));
        assert_eq!(nonce_in(b"<html><p>no scripts</p></html>"), None);
        assert_eq!(nonce_in(br#"<script nonce="a' 'unsafe-inline">"#), None);
        assert!(!page_policy(None).contains("nonce"));
    }

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
