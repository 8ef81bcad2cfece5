//! The two cookies: the session (HttpOnly, SameSite=Lax, Secure behind https) and
//! the chosen language (readable by nothing but the server too; it only picks texts).

use http::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};

use db::secrets::Secret;

use super::Ctx;

/// The session cookie's name over http (a developer's machine, the tests).
pub const SESSION: &str = "scc_session";
/// Its name over https: a `__Host-` cookie is only accepted by browsers when Secure,
/// for the whole site and this host alone, so a sibling domain cannot set or shadow it.
pub const SESSION_HTTPS: &str = "__Host-scc_session";
pub const LANG: &str = "scc_lang";
pub const SESSION_DAYS: i64 = 30;

pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn session_name(secure: bool) -> &'static str {
    if secure {
        SESSION_HTTPS
    } else {
        SESSION
    }
}

/// The session a request carries; `secure` as the site's cookies are.
pub fn session_secret(headers: &HeaderMap, secure: bool) -> Option<Secret> {
    get(headers, session_name(secure)).and_then(|v| Secret::from_user(&v))
}

/// `; Secure` when the site is served over https.
fn secure(cx: &Ctx) -> &'static str {
    if cx.state.settings.secure_cookies() {
        "; Secure"
    } else {
        ""
    }
}

fn set(cx: &Ctx, value: String) {
    match HeaderValue::from_str(&value) {
        Ok(value) => cx.append_header(SET_COOKIE, value),
        Err(_) => tracing::error!("a cookie that is not a header value"),
    }
}

pub fn set_session(cx: &Ctx, secret: &Secret) {
    set(
        cx,
        format!(
            "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            session_name(cx.state.settings.secure_cookies()),
            secret.expose(),
            SESSION_DAYS * 24 * 3600,
            secure(cx)
        ),
    );
}

pub fn clear_session(cx: &Ctx) {
    set(
        cx,
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
            session_name(cx.state.settings.secure_cookies()),
            secure(cx)
        ),
    );
}

pub fn set_lang(cx: &Ctx, code: &str) {
    set(
        cx,
        format!(
            "{LANG}={code}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            365 * 24 * 3600,
            secure(cx)
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_is_a_host_cookie_over_https() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("scc_session=ab; __Host-scc_session=cd"),
        );
        assert_eq!(get(&headers, session_name(false)).as_deref(), Some("ab"));
        assert_eq!(get(&headers, session_name(true)).as_deref(), Some("cd"));
    }

    #[test]
    fn finds_a_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; scc_lang=zh; b=2"));
        assert_eq!(get(&headers, LANG).as_deref(), Some("zh"));
        assert_eq!(get(&headers, SESSION), None);
    }
}
