//! Sign-up, verification, sign-in, rate limits, cross-site refusal, sessions.

use app::auth::Me;
use app::domain::{AccountKind, InputError};
use app::error::AppError;
use app::i18n::Lang;
use app::settings::AccountUser;
use reqwest::StatusCode;

use db::Refusal;

use crate::helpers::{error_of, sign_up_form, token_in, TestApp, PASSWORD};

#[tokio::test]
async fn sign_up_signs_in_and_sends_a_verification_link() {
    let app = TestApp::spawn().await;
    let browser = app.browser();

    let response = browser
        .sign_up("seller", "Acme Trading", "Ann@Example.com")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = browser.session_cookie(&response).expect("a session cookie");
    assert_eq!(cookie.len(), "scc_session=".len() + 64);
    let set_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("scc_session="))
        .unwrap();
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));
    assert!(!set_cookie.contains("Secure"), "plain http in tests");

    let me = browser.whoami().await.expect("signed in");
    assert_eq!(me.email, "ann@example.com");
    assert_eq!(me.company_name, "Acme Trading");
    assert_eq!(me.kind, AccountKind::Seller);
    assert!(me.is_admin);
    assert!(!me.verified);

    let mail = app.last_email_to("ann@example.com").await;
    assert!(mail.subject.contains("Verify"));
    assert!(mail
        .text_body
        .contains(&format!("{}/verify-email?token=", app.address)));
    app.stop().await;
}

#[tokio::test]
async fn a_verification_link_works_once() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser
        .sign_up("supplier", "Shenzhen Goods", "li@example.cn")
        .await;
    let token = token_in(&app.last_email_to("li@example.cn").await.text_body);
    assert_eq!(token.len(), 64);

    // Anyone holding the link may use it, signed in or not.
    let stranger = app.browser();
    assert_eq!(stranger.verify(&token).await.status(), StatusCode::OK);
    assert!(browser.whoami().await.expect("signed in").verified);

    let (status, error) = error_of(stranger.verify(&token).await).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(error, AppError::Refused(Refusal::LinkInvalid));

    let (status, error) = error_of(stranger.verify(&"0".repeat(64)).await).await;
    assert_eq!(
        (status, error),
        (StatusCode::GONE, AppError::Refused(Refusal::LinkInvalid))
    );
    let (status, _) = error_of(stranger.verify("not-a-token").await).await;
    assert_eq!(status, StatusCode::GONE);
    app.stop().await;
}

#[tokio::test]
async fn resending_the_link_kills_the_old_one() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser.sign_up("seller", "Acme", "ann@example.com").await;
    let old = token_in(&app.last_email_to("ann@example.com").await.text_body);
    assert_eq!(
        browser.call("auth/resend_verification", &[]).await.status(),
        StatusCode::OK
    );
    let new = token_in(&app.last_email_to("ann@example.com").await.text_body);
    assert_ne!(old, new);
    assert_eq!(app.emails_to("ann@example.com").await, 2);

    assert_eq!(browser.verify(&old).await.status(), StatusCode::GONE);
    assert_eq!(browser.verify(&new).await.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_with_the_reason_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let cases: &[(&[(&str, &str)], InputError)] = &[
        (&[("email", "not-an-email")], InputError::EmailInvalid),
        (&[("password", "password1")], InputError::PasswordTooCommon),
        (&[("password", "short")], InputError::PasswordTooShort),
        (&[("company_name", "   ")], InputError::CompanyNameEmpty),
        (&[("name", "")], InputError::PersonNameEmpty),
        (&[("kind", "admin")], InputError::AccountKindInvalid),
        (&[("lang", "fr")], InputError::LanguageInvalid),
    ];
    for (overrides, expected) in cases {
        let mut form = sign_up_form("seller", "Acme", "ann@example.com");
        for (k, v) in overrides.iter() {
            form.iter_mut().find(|(key, _)| key == k).unwrap().1 = v;
        }
        let (status, error) = error_of(browser.call("auth/sign_up", &form).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{expected:?}");
        assert_eq!(error, AppError::Input(*expected));
    }
    assert_eq!(browser.whoami().await, None);
    assert!(app
        .state
        .db
        .credentials("ann@example.com")
        .await
        .unwrap()
        .is_none());
    app.stop().await;
}

// Several worker threads, so the requests really run at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_email_address_has_one_account_even_under_concurrent_sign_ups() {
    let app = TestApp::spawn().await;
    let attempts = (0..8).map(|i| {
        let browser = app.browser();
        async move {
            browser
                .sign_up("seller", &format!("Company {i}"), "same@example.com")
                .await
                .status()
        }
    });
    let statuses = futures_join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    app.stop().await;
}

async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn sign_in_with_the_right_password_and_not_with_a_wrong_one() {
    let app = TestApp::spawn().await;
    app.browser()
        .sign_up("seller", "Acme", "ann@example.com")
        .await;

    let browser = app.browser();
    let (wrong_status, wrong_body) =
        error_of(browser.sign_in("ann@example.com", "wrong password!").await).await;
    let (unknown_status, unknown_body) =
        error_of(browser.sign_in("nobody@example.com", PASSWORD).await).await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_body, AppError::BadCredentials);
    // An unknown email looks exactly like a wrong password.
    assert_eq!((unknown_status, unknown_body), (wrong_status, wrong_body));
    assert_eq!(browser.whoami().await, None);

    let response = browser.sign_in("  ANN@example.com ", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Lang>().await.unwrap(), Lang::En);
    assert_eq!(
        browser.whoami().await.expect("signed in").email,
        "ann@example.com"
    );
    app.stop().await;
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_account() {
    let app = TestApp::spawn_with(&[("SIGN_IN_LIMIT_PER_ACCOUNT", "3")]).await;
    app.browser()
        .sign_up("seller", "Acme", "ann@example.com")
        .await;
    let browser = app.browser();
    for _ in 0..3 {
        assert_eq!(
            browser
                .sign_in("ann@example.com", "wrong password!")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, error) = error_of(browser.sign_in("ann@example.com", PASSWORD).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error, AppError::TooManyAttempts);
    // Even the right password waits for the window to pass.
    assert_eq!(browser.whoami().await, None);
    app.stop().await;
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_client() {
    let app = TestApp::spawn_with(&[("SIGN_IN_LIMIT_PER_CLIENT", "4")]).await;
    let browser = app.browser();
    for i in 0..4 {
        let status = browser
            .sign_in(&format!("user{i}@example.com"), "whatever1234")
            .await
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = browser
        .sign_in("user9@example.com", "whatever1234")
        .await
        .status();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn a_client_cannot_escape_the_limit_by_claiming_another_address() {
    let app = TestApp::spawn_with(&[("SIGN_IN_LIMIT_PER_CLIENT", "2")]).await;
    let browser = app.browser();
    for i in 0..3 {
        let status = browser
            .sign_in_forwarded(
                &format!("10.0.0.{i}"),
                &format!("u{i}@example.com"),
                "whatever1234",
            )
            .await
            .status();
        let expected = if i < 2 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status, expected, "attempt {i}");
    }
    app.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let app = TestApp::spawn_with(&[
        ("SIGN_IN_LIMIT_PER_CLIENT", "2"),
        ("TRUST_FORWARDED_FOR", "true"),
        // Behind a proxy the development mailbox is off: some SMTP server is required.
        ("SMTP_URL", "smtp://127.0.0.1:9"),
    ])
    .await;
    let browser = app.browser();
    for i in 0..3 {
        // The proxy appends the real address last; what the client wrote before it is ignored.
        let status = browser
            .sign_in_forwarded(
                &format!("1.2.3.4, 10.0.0.{i}"),
                &format!("u{i}@example.com"),
                "whatever1234",
            )
            .await
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    app.stop().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let form = sign_up_form("seller", "Evil", "eve@example.com");
    let response = browser
        .client
        .post(format!("{}/api/auth/sign_up", app.address))
        .header("Origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = browser
        .client
        .post(format!("{}/api/auth/sign_up", app.address))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(app
        .state
        .db
        .credentials("eve@example.com")
        .await
        .unwrap()
        .is_none());

    // The site's own origin passes.
    let response = browser
        .client
        .post(format!("{}/api/auth/sign_up", app.address))
        .header("Origin", app.address.as_str())
        .header("Sec-Fetch-Site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_dies_at_sign_out() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let first = browser
        .session_cookie(&browser.sign_up("seller", "Acme", "ann@example.com").await)
        .unwrap();
    let second = browser
        .session_cookie(&browser.sign_in("ann@example.com", PASSWORD).await)
        .unwrap();
    assert_ne!(first, second);

    // The session from before sign-in no longer works.
    let old = reqwest::Client::new()
        .post(format!("{}/api/auth/whoami", app.address))
        .header("Cookie", first.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(old.json::<Option<Me>>().await.unwrap(), None);

    let response = browser.sign_out().await;
    assert_eq!(response.status(), StatusCode::OK);
    let cleared = browser.session_cookie(&response).unwrap();
    assert_eq!(cleared, "scc_session=");
    assert_eq!(browser.whoami().await, None);

    // Replaying the cookie after sign-out gets nothing either.
    let replay = reqwest::Client::new()
        .post(format!("{}/api/auth/whoami", app.address))
        .header("Cookie", second.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(replay.json::<Option<Me>>().await.unwrap(), None);
    app.stop().await;
}

#[tokio::test]
async fn account_data_needs_a_session() {
    let app = TestApp::spawn().await;
    let anonymous = app.browser();
    let (status, error) = error_of(anonymous.call("settings/account_users", &[]).await).await;
    assert_eq!(
        (status, error),
        (StatusCode::UNAUTHORIZED, AppError::Unauthorized)
    );
    let (status, _) = error_of(anonymous.call("auth/resend_verification", &[]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Each account sees its own users only.
    let ann = app.browser();
    ann.sign_up("seller", "Acme", "ann@example.com").await;
    let bob = app.browser();
    bob.sign_up("supplier", "Bob Freight", "bob@example.com")
        .await;
    let users: Vec<AccountUser> = ann.answer("settings/account_users", &[]).await;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].email, "ann@example.com");
    app.stop().await;
}

#[tokio::test]
async fn a_plain_form_post_goes_back_to_its_page_with_the_error() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let response = browser
        .client
        .post(format!("{}/api/auth/sign_in", app.address))
        .header("Accept", "text/html")
        .header("Referer", format!("{}/sign-in", app.address))
        .form(&[
            ("email", "nobody@example.com"),
            ("password", "whatever1234"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        "/sign-in?error=%22bad_credentials%22"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_language_follows_the_user() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser
        .sign_up("supplier", "好运贸易", "wang@example.cn")
        .await;
    let response = browser.call("auth/set_language", &[("lang", "zh")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(browser.whoami().await.expect("signed in").lang, Lang::Zh);

    // Signing in elsewhere brings the setting along, in the cookie the pages read.
    let other = app.browser();
    let response = other.sign_in("wang@example.cn", PASSWORD).await;
    let lang_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("scc_lang=zh"));
    assert!(lang_cookie);

    // And pages render in it.
    let page = other
        .client
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.contains("欢迎"));
    app.stop().await;
}

#[tokio::test]
async fn pages_render_on_the_server_in_the_browsers_language() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let html = client
        .get(format!("{}/sign-in", app.address))
        .header("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<form"),
        "the form is in the HTML before any wasm runs"
    );
    assert!(html.contains("电子邮件地址"));
    let missing = client
        .get(format!("{}/no/such/page", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let health = client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn without_smtp_the_development_mailbox_shows_every_email() {
    let app = TestApp::spawn().await;
    app.browser()
        .sign_up("seller", "Acme", "ann@example.com")
        .await;
    let html = reqwest::get(format!("{}/dev/mailbox", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Verify your email address for Supply Chain Connect"));
    assert!(html.contains(&format!("href=\"{}/verify-email?token=", app.address)));
    app.stop().await;
}

#[tokio::test]
async fn with_smtp_configured_there_is_no_mailbox() {
    let app = TestApp::spawn_with(&[("SMTP_URL", "smtp://127.0.0.1:9")]).await;
    let (status, error) = error_of(app.browser().call("dev/mailbox", &[]).await).await;
    assert_eq!(
        (status, error),
        (StatusCode::NOT_FOUND, AppError::Refused(Refusal::NotFound))
    );
    app.stop().await;
}
