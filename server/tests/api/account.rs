//! My account: name and language, a password change that needs the current password
//! and signs out every other browser, the list of one's own sessions with a way to end
//! each, and sessions that end after 7 days unused.

use app::account::SessionView;
use app::error::AppError;
use db::Refusal;
use reqwest::StatusCode;

use crate::helpers::{error_of, Browser, TestApp, PASSWORD};

const NEW_PASSWORD: &str = "a different long passphrase";

impl Browser {
    async fn my_sessions(&self) -> Vec<SessionView> {
        self.answer("account/sessions", &[]).await
    }

    async fn change_password(&self, current: &str, new: &str) -> reqwest::Response {
        self.call(
            "account/change_password",
            &[("current_password", current), ("password", new)],
        )
        .await
    }
}

/// Signs `email` in from a new browser that says it is `user_agent`.
async fn signed_in_as(app: &TestApp, email: &str, user_agent: &str) -> Browser {
    let browser = app.browser().with_user_agent(user_agent);
    assert_eq!(
        browser.sign_in(email, PASSWORD).await.status(),
        StatusCode::OK
    );
    browser
}

const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_signs_out_every_other_browser() {
    let app = TestApp::spawn().await;
    let laptop = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;
    let phone = signed_in_as(&app, "ann@acme.example", FIREFOX_LINUX).await;

    // A wrong current password changes nothing.
    let (status, error) = error_of(
        laptop
            .change_password("not the password", NEW_PASSWORD)
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::UNAUTHORIZED, AppError::BadCredentials)
    );
    assert!(phone.whoami().await.is_some(), "nobody was signed out");
    assert_eq!(
        app.browser()
            .sign_in("ann@acme.example", PASSWORD)
            .await
            .status(),
        StatusCode::OK,
        "the password is unchanged"
    );

    assert_eq!(
        laptop
            .change_password(PASSWORD, NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert!(
        laptop.whoami().await.is_some(),
        "this browser stays signed in"
    );
    assert_eq!(
        phone.whoami().await,
        None,
        "the other browser was signed out"
    );
    assert!(app
        .last_email_to("ann@acme.example")
        .await
        .subject
        .contains("password was changed"));
    let (_, error) = error_of(app.browser().sign_in("ann@acme.example", PASSWORD).await).await;
    assert_eq!(error, AppError::BadCredentials);
    assert_eq!(
        app.browser()
            .sign_in("ann@acme.example", NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    app.stop().await;
}

#[tokio::test]
async fn a_user_sees_and_ends_their_own_sessions_and_nobody_else_s() {
    let app = TestApp::spawn().await;
    let laptop = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;
    let phone = signed_in_as(&app, "ann@acme.example", FIREFOX_LINUX).await;
    let stranger = app
        .verified_account("supplier", "Other", "li@other.example")
        .await;

    let sessions = laptop.my_sessions().await;
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert_eq!(sessions.iter().filter(|s| s.current).count(), 1);
    let phone_session = sessions
        .iter()
        .find(|s| s.browser == "Firefox · Linux")
        .expect("the phone's session, named by its browser")
        .clone();
    assert!(!phone_session.current);
    assert_eq!(phone_session.address, "127.0.0.1");
    assert_eq!(stranger.my_sessions().await.len(), 1, "only its own");

    // Another user cannot end it: the same answer as for a session that does not exist.
    let (status, error) = error_of(
        stranger
            .call(
                "account/sign_out_session",
                &[("id", phone_session.id.as_str())],
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::NOT_FOUND, AppError::Refused(Refusal::NotFound))
    );
    assert!(phone.whoami().await.is_some());

    // Its own user can.
    assert_eq!(
        laptop
            .status(
                "account/sign_out_session",
                &[("id", phone_session.id.as_str())]
            )
            .await,
        200
    );
    assert_eq!(phone.whoami().await, None);
    assert_eq!(laptop.my_sessions().await.len(), 1);

    // Sign out everywhere else: two more browsers go, this one stays.
    let tablet = signed_in_as(&app, "ann@acme.example", FIREFOX_LINUX).await;
    let office = signed_in_as(&app, "ann@acme.example", FIREFOX_LINUX).await;
    assert_eq!(laptop.my_sessions().await.len(), 3);
    assert_eq!(laptop.status("account/sign_out_others", &[]).await, 200);
    assert_eq!(tablet.whoami().await, None);
    assert_eq!(office.whoami().await, None);
    assert!(laptop.whoami().await.is_some());
    assert!(
        stranger.whoami().await.is_some(),
        "another user's session is untouched"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_session_ends_after_seven_days_unused_but_not_while_it_is_used() {
    let app = TestApp::spawn().await;
    let used = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;
    let idle = signed_in_as(&app, "ann@acme.example", FIREFOX_LINUX).await;

    // Used every six days, a session lives on; the idle one is over after seven.
    app.advance_days(6);
    assert!(used.whoami().await.is_some());
    app.advance_days(1);
    app.advance_secs(60);
    assert!(used.whoami().await.is_some(), "used a day ago");
    assert_eq!(idle.whoami().await, None, "unused for seven days");
    // Thirty days after sign-in it ends however much it is used.
    for _ in 0..3 {
        app.advance_days(6);
        assert!(used.whoami().await.is_some());
    }
    app.advance_secs(4 * 86_400 + 23 * 3600);
    assert!(
        used.whoami().await.is_some(),
        "29 days and 23 hours after sign-in"
    );
    app.advance_secs(2 * 3600);
    assert_eq!(used.whoami().await, None, "30 days after sign-in");
    app.stop().await;
}

#[tokio::test]
async fn name_and_language_are_one_s_own_to_change() {
    let app = TestApp::spawn().await;
    let ann = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;
    assert_eq!(
        ann.status(
            "account/save_profile",
            &[("name", "Ann Lee 李安"), ("lang", "zh")]
        )
        .await,
        200
    );
    let me = ann.whoami().await.expect("signed in");
    assert_eq!(me.name, "Ann Lee 李安");
    assert_eq!(me.lang, app::i18n::Lang::Zh);

    // Signed out, nothing to change.
    let (status, error) = error_of(
        app.browser()
            .call(
                "account/save_profile",
                &[("name", "Mallory"), ("lang", "en")],
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::UNAUTHORIZED, AppError::Unauthorized)
    );
    assert_eq!(ann.whoami().await.expect("signed in").name, "Ann Lee 李安");
    app.stop().await;
}
