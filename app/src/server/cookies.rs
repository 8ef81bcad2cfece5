//! The two cookies: the session (HttpOnly, SameSite=Lax, Secure behind https) and
//! the chosen language (readable by nothing but the server too; it only picks texts).

use http::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use db::secrets::Secret;

pub const SESSION: &str = "scc_session";
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

pub fn session_secret(headers: &HeaderMap) -> Option<Secret> {
    get(headers, SESSION).and_then(|v| Secret::from_user(&v))
}

fn set(value: String) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

pub fn set_session(secret: &Secret, secure: bool) {
    set(format!(
        "{SESSION}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        secret.expose(),
        SESSION_DAYS * 24 * 3600,
        if secure { "; Secure" } else { "" }
    ));
}

pub fn clear_session(secure: bool) {
    set(format!(
        "{SESSION}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    ));
}

pub fn set_lang(code: &str, secure: bool) {
    set(format!(
        "{LANG}={code}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        365 * 24 * 3600,
        if secure { "; Secure" } else { "" }
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; scc_lang=zh; b=2"));
        assert_eq!(get(&headers, LANG).as_deref(), Some("zh"));
        assert_eq!(get(&headers, SESSION), None);
    }
}
