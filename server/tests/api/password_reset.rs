//! "Forgot password?": the link is emailed only to an account's own address, answers
//! the same for an address without an account, works once, for one hour, only while
//! it is the newest, and ends every session of the user.

use app::domain::InputError;
use app::error::AppError;
use db::Refusal;
use reqwest::StatusCode;

use crate::helpers::{error_of, token_in, Browser, TestApp, PASSWORD};

const NEW_PASSWORD: &str = "a different long passphrase";

/// The token of the newest reset link emailed to `to`.
async fn reset_token(app: &TestApp, to: &str) -> String {
    let mail = app.last_email_to(to).await;
    assert!(
        mail.text_body.contains("/reset-password?token="),
        "the newest email to {to} is a reset link: {}",
        mail.subject
    );
    token_in(&mail.text_body)
}

impl Browser {
    async fn forgot(&self, email: &str) -> reqwest::Response {
        self.call("auth/forgot_password", &[("email", email)]).await
    }

    async fn reset(&self, token: &str, password: &str) -> reqwest::Response {
        self.call(
            "auth/reset_password",
            &[("token", token), ("password", password)],
        )
        .await
    }
}

#[tokio::test]
async fn asking_for_a_link_answers_the_same_whether_or_not_the_address_has_an_account() {
    let app = TestApp::spawn().await;
    app.verified_account("seller", "Acme", "ann@acme.example")
        .await;
    let anonymous = app.browser();

    let known = anonymous.forgot("Ann@Acme.example").await;
    let unknown = anonymous.forgot("nobody@acme.example").await;
    assert_eq!(known.status(), StatusCode::OK);
    assert_eq!(known.status(), unknown.status());
    let redirect = |r: &reqwest::Response| r.headers().get("location").cloned();
    assert_eq!(redirect(&known), redirect(&unknown));
    assert_eq!(
        known.text().await.expect("body"),
        unknown.text().await.expect("body")
    );

    let mail = app.last_email_to("ann@acme.example").await;
    assert!(mail.subject.contains("Set a new password"));
    assert!(mail
        .text_body
        .contains(&format!("{}/reset-password?token=", app.address)));
    assert_eq!(app.emails_to("nobody@acme.example").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_and_signs_out_every_other_session() {
    let app = TestApp::spawn().await;
    let laptop = app
        .verified_account("supplier", "Pearl River", "wang@pearl.example")
        .await;
    let phone = app.browser();
    assert_eq!(
        phone.sign_in("wang@pearl.example", PASSWORD).await.status(),
        StatusCode::OK
    );
    let anonymous = app.browser();
    assert_eq!(
        anonymous.forgot("wang@pearl.example").await.status(),
        StatusCode::OK
    );
    let token = reset_token(&app, "wang@pearl.example").await;

    // A password the rules refuse changes nothing: the link still works afterwards.
    let (status, error) = error_of(anonymous.reset(&token, "short").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error, AppError::Input(InputError::PasswordTooShort));
    assert!(laptop.whoami().await.is_some(), "nothing was signed out");

    let response = anonymous.reset(&token, NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(anonymous.session_cookie(&response).is_some());
    let me = anonymous
        .whoami()
        .await
        .expect("the resetting browser is signed in");
    assert_eq!(me.email, "wang@pearl.example");
    assert_eq!(laptop.whoami().await, None, "the laptop was signed out");
    assert_eq!(phone.whoami().await, None, "the phone was signed out");

    let changed = app.last_email_to("wang@pearl.example").await;
    assert!(changed.subject.contains("password was changed"));

    let (_, error) = error_of(app.browser().sign_in("wang@pearl.example", PASSWORD).await).await;
    assert_eq!(
        error,
        AppError::BadCredentials,
        "the old password is refused"
    );
    assert_eq!(
        app.browser()
            .sign_in("wang@pearl.example", NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );

    // Used once: a second use is refused and changes nothing.
    let (status, error) =
        error_of(app.browser().reset(&token, "yet another passphrase").await).await;
    assert_eq!(
        (status, error),
        (StatusCode::GONE, AppError::Refused(Refusal::LinkInvalid))
    );
    assert!(anonymous.whoami().await.is_some(), "nobody was signed out");
    let (_, error) = error_of(
        app.browser()
            .sign_in("wang@pearl.example", "yet another passphrase")
            .await,
    )
    .await;
    assert_eq!(error, AppError::BadCredentials);
    app.stop().await;
}

#[tokio::test]
async fn an_older_link_stops_working_when_a_newer_one_is_sent() {
    let app = TestApp::spawn().await;
    app.verified_account("seller", "Acme", "ann@acme.example")
        .await;
    let anonymous = app.browser();
    anonymous.forgot("ann@acme.example").await;
    let older = reset_token(&app, "ann@acme.example").await;
    anonymous.forgot("ann@acme.example").await;
    let newer = reset_token(&app, "ann@acme.example").await;
    assert_ne!(older, newer);

    let (status, error) = error_of(anonymous.reset(&older, NEW_PASSWORD).await).await;
    assert_eq!(
        (status, error),
        (StatusCode::GONE, AppError::Refused(Refusal::LinkInvalid))
    );
    assert_eq!(
        anonymous.reset(&newer, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    app.stop().await;
}

#[tokio::test]
async fn a_reset_link_works_for_one_hour() {
    let app = TestApp::spawn().await;
    app.verified_account("seller", "Acme", "ann@acme.example")
        .await;
    let anonymous = app.browser();
    anonymous.forgot("ann@acme.example").await;
    let token = reset_token(&app, "ann@acme.example").await;

    // At 59 minutes the link's page still names the address.
    app.advance_secs(59 * 60);
    let email: String = anonymous
        .answer("auth/reset_link", &[("token", token.as_str())])
        .await;
    assert_eq!(email, "ann@acme.example");

    // Past the hour it is refused, and the old password still works.
    app.advance_secs(61);
    let (status, error) = error_of(anonymous.reset(&token, NEW_PASSWORD).await).await;
    assert_eq!(
        (status, error),
        (StatusCode::GONE, AppError::Refused(Refusal::LinkInvalid))
    );
    assert_eq!(
        app.browser()
            .sign_in("ann@acme.example", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    app.stop().await;
}

#[tokio::test]
async fn links_to_one_address_are_limited_whether_or_not_it_has_an_account() {
    let app = TestApp::spawn().await;
    app.verified_account("seller", "Acme", "ann@acme.example")
        .await;
    for address in ["ann@acme.example", "nobody@acme.example"] {
        for _ in 0..3 {
            assert_eq!(
                app.browser().forgot(address).await.status(),
                StatusCode::OK,
                "{address}"
            );
        }
        let (status, error) = error_of(app.browser().forgot(address).await).await;
        assert_eq!(
            (status, error),
            (StatusCode::TOO_MANY_REQUESTS, AppError::TooManyAttempts),
            "{address}"
        );
    }
    assert_eq!(app.emails_to("ann@acme.example").await, 1 + 3, "verify + 3");
    // An hour later the address may ask again.
    app.advance_secs(3601);
    assert_eq!(
        app.browser().forgot("ann@acme.example").await.status(),
        StatusCode::OK
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_uses_of_one_link_at_once_exactly_one_sets_the_password() {
    let app = TestApp::spawn().await;
    app.verified_account("seller", "Acme", "ann@acme.example")
        .await;
    app.browser().forgot("ann@acme.example").await;
    let token = reset_token(&app, "ann@acme.example").await;

    let (first, second) = (app.browser(), app.browser());
    let (a, b) = tokio::join!(
        first.reset(&token, "first racing passphrase"),
        second.reset(&token, "second racing passphrase"),
    );
    let statuses = [a.status(), b.status()];
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.contains(&StatusCode::GONE), "{statuses:?}");
    // Exactly one password took, and exactly one "changed" email went out.
    let works = |p: &'static str| {
        let browser = app.browser();
        async move { browser.sign_in("ann@acme.example", p).await.status() == StatusCode::OK }
    };
    let first_took = works("first racing passphrase").await;
    let second_took = works("second racing passphrase").await;
    assert!(first_took != second_took, "{first_took} {second_took}");
    let changed = app
        .state
        .db
        .recent_emails(100)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.subject.contains("password was changed"))
        .count();
    assert_eq!(changed, 1);
    app.stop().await;
}
