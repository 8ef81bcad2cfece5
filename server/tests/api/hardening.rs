//! The refusals a review of the app as an attacker with an account asked for. Each test
//! first shows the call succeeding with valid input, then changes one thing.

use app::error::AppError;
use db::Refusal;
use reqwest::StatusCode;

use crate::helpers::{error_of, sign_up_form, TestApp, PASSWORD};

#[tokio::test]
async fn an_unverified_account_cannot_take_an_invitation_sent_to_its_address() {
    let app = TestApp::spawn().await;
    let seller = app
        .verified_account("seller", "Harbour Seller", "ann@seller.example")
        .await;
    // Someone signs up with the supplier's address and never verifies it.
    let squatter = app.browser();
    let signed_up = squatter
        .sign_up("supplier", "Squatter", "wang@supplier.example")
        .await;
    assert_eq!(signed_up.status(), StatusCode::OK);
    let cookie = squatter.session_cookie(&signed_up).expect("a session");
    assert_eq!(
        seller
            .invite("Pearl River", "wang@supplier.example")
            .await
            .status(),
        StatusCode::OK
    );
    // The squatter is not even shown it: only verified addresses see what is sent to
    // them. Its id is no secret, though (the seller has it).
    assert!(squatter.overview().await.received.is_empty());
    let id = seller.overview().await.sent[0].id.clone();
    let token = app.invitation_token("wang@supplier.example").await;
    let refused = (
        StatusCode::FORBIDDEN,
        AppError::Refused(Refusal::EmailNotVerified),
    );
    for (endpoint, field, value) in [
        ("connections/accept", "id", &id),
        ("connections/decline", "id", &id),
        ("invitations/accept", "token", &token),
        ("invitations/decline", "token", &token),
    ] {
        let answer = squatter.call(endpoint, &[(field, value.as_str())]).await;
        assert_eq!(error_of(answer).await, refused, "{endpoint}");
    }
    assert!(
        seller.overview().await.connected.is_empty(),
        "nothing changed"
    );

    // The storage refuses it too, whatever the app checked before.
    let value = cookie.trim_start_matches("scc_session=");
    let secret = db::secrets::Secret::from_user(value).expect("our cookie");
    let user = app
        .state
        .db
        .session_user(&secret.hash(), db::chrono::Utc::now())
        .await
        .expect("read")
        .expect("the squatter's session");
    let actor = db::Actor {
        user_id: user.user_id.clone(),
        name: user.name.clone(),
        company: user.company_name.clone(),
    };
    let mail = db::outbox::OutgoingEmail {
        to: "ann@seller.example".into(),
        subject: "s".into(),
        text: "t".into(),
        html: "h".into(),
    };
    let stored = app
        .state
        .db
        .accept_invitation(&id, &user.account_id, &actor, &mail, db::chrono::Utc::now())
        .await;
    assert!(
        matches!(stored, Err(db::DbError::Refused(Refusal::EmailNotVerified))),
        "{stored:?}"
    );

    // Once the address is verified, the same link works.
    let verify_token = crate::helpers::token_in(
        &app.state
            .db
            .recent_emails(100)
            .await
            .expect("mail")
            .into_iter()
            .find(|m| {
                m.to_address == "wang@supplier.example" && m.text_body.contains("/verify-email")
            })
            .expect("the verification email")
            .text_body,
    );
    assert_eq!(
        squatter.verify(&verify_token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        squatter
            .call("invitations/accept", &[("token", &token)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(seller.overview().await.connected.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn successful_sign_ins_do_not_lock_the_owner_out_and_bad_addresses_write_nothing() {
    let app = TestApp::spawn_with(&[("SIGN_IN_LIMIT_PER_ACCOUNT", "3")]).await;
    app.browser()
        .sign_up("seller", "Acme", "ann@example.com")
        .await;
    let browser = app.browser();
    for i in 0..6 {
        assert_eq!(
            browser.sign_in("ann@example.com", PASSWORD).await.status(),
            StatusCode::OK,
            "sign-in {i}"
        );
    }
    // Failures still count: three wrong passwords lock the right one out.
    for _ in 0..3 {
        assert_eq!(
            browser
                .sign_in("ann@example.com", "wrong password!")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, _) = error_of(browser.sign_in("ann@example.com", PASSWORD).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // An address that is not one (here 100 kB long) is refused without a counter row.
    let before = app
        .state
        .db
        .rate_limit_count("sign_in:client:127.0.0.1", 15 * 60, db::chrono::Utc::now())
        .await
        .expect("count");
    let long = format!("{}@example.com", "a".repeat(100_000));
    let (status, error) = error_of(app.browser().sign_in(&long, PASSWORD).await).await;
    assert_eq!(
        (status, error),
        (StatusCode::UNAUTHORIZED, AppError::BadCredentials)
    );
    let key = format!("sign_in:account:{long}");
    assert_eq!(
        app.state
            .db
            .rate_limit_count(&key, 15 * 60, db::chrono::Utc::now())
            .await
            .expect("count"),
        0
    );
    // It still counted against the client.
    assert_eq!(
        app.state
            .db
            .rate_limit_count("sign_in:client:127.0.0.1", 15 * 60, db::chrono::Utc::now())
            .await
            .expect("count"),
        before + 1
    );
    app.stop().await;
}

#[tokio::test]
async fn a_client_may_create_only_so_many_accounts_an_hour() {
    let app = TestApp::spawn_with(&[("SIGN_UP_LIMIT_PER_CLIENT", "2")]).await;
    for i in 0..2 {
        let email = format!("user{i}@example.com");
        assert_eq!(
            app.browser()
                .call("auth/sign_up", &sign_up_form("seller", "Acme", &email))
                .await
                .status(),
            StatusCode::OK
        );
    }
    let (status, error) = error_of(
        app.browser()
            .call(
                "auth/sign_up",
                &sign_up_form("seller", "Acme", "user2@example.com"),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::TOO_MANY_REQUESTS, AppError::TooManyAttempts)
    );
    assert_eq!(
        app.emails_to("user2@example.com").await,
        0,
        "nothing stored or sent"
    );
    app.stop().await;
}

#[tokio::test]
async fn resends_wait_ten_minutes_and_count_toward_the_day() {
    let app = TestApp::spawn().await;
    app.advance_to_one_am();
    let seller = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;
    assert_eq!(
        seller.invite("S", "s0@example.com").await.status(),
        StatusCode::OK
    );
    let id = seller.overview().await.sent[0].id.clone();
    let resend = || async {
        seller
            .call("connections/resend", &[("id", id.as_str())])
            .await
    };
    assert_eq!(resend().await.status(), StatusCode::OK);
    let (status, error) = error_of(resend().await).await;
    assert_eq!(
        (status, error),
        (StatusCode::TOO_MANY_REQUESTS, AppError::TooManyAttempts)
    );
    app.advance_secs(11 * 60);
    assert_eq!(resend().await.status(), StatusCode::OK);

    // 1 invitation and 2 resends so far: 47 more invitations reach the day's 50.
    for i in 1..48 {
        let status = seller
            .invite("S", &format!("s{i}@example.com"))
            .await
            .status();
        assert_eq!(status, StatusCode::OK, "invitation {i}");
    }
    app.advance_secs(11 * 60);
    let (status, error) = error_of(resend().await).await;
    assert_eq!(
        (status, error),
        (StatusCode::TOO_MANY_REQUESTS, AppError::InvitationLimit)
    );
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_a_message() {
    let app = TestApp::spawn().await;
    let limit = server::limits::MAX_BODY_BYTES;
    // Just under the limit: read, and refused for what it says (a bad language).
    let padding = |n: usize| "x".repeat(n);
    let under = format!("lang=zz&pad={}", padding(limit - 1000));
    let response = app
        .browser()
        .client
        .post(format!("{}/api/auth/set_language", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(under)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Just over: 413 and the user's message, in the request's language.
    let over = format!("lang=zh&pad={}", padding(limit));
    let response = app
        .browser()
        .client
        .post(format!("{}/api/auth/set_language", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("accept-language", "zh-CN")
        .body(over.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().await.expect("text").contains("上限为 1 MB"));
    let response = app
        .browser()
        .client
        .post(format!("{}/api/auth/set_language", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(over)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        error_of(response).await,
        (StatusCode::PAYLOAD_TOO_LARGE, AppError::TooLarge)
    );
    // The same body streamed without a length is refused the same way.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = format!("lang=zh&pad={}", padding(limit))
        .into_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let response = app
        .browser()
        .client
        .post(format!("{}/api/auth/set_language", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        error_of(response).await,
        (StatusCode::PAYLOAD_TOO_LARGE, AppError::TooLarge)
    );
    app.stop().await;
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn responses_carry_the_security_headers_and_other_hosts_are_refused() {
    let app = TestApp::spawn().await;
    let anonymous = app.browser();
    let page = anonymous
        .client
        .get(format!("{}/sign-in", app.address))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    assert_eq!(header(&page, "referrer-policy"), "same-origin");
    assert_eq!(header(&page, "x-frame-options"), "DENY");
    assert_eq!(header(&page, "cache-control"), "", "nothing private yet");
    assert_eq!(header(&page, "strict-transport-security"), "", "http");
    let csp = header(&page, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    let html = page.text().await.expect("html");
    // Every inline script carries the response's nonce, or the browser would not run
    // it (the hydration script among them).
    let inline_scripts = html.matches("<script").count();
    assert!(inline_scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        inline_scripts
    );

    // Signed in, what comes back is not kept by caches.
    let seller = app
        .verified_account("seller", "Harbour Seller", "ann@seller.example")
        .await;
    let page = seller
        .client
        .get(format!("{}/shipments", app.address))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header(&page, "cache-control"), "no-store");

    // Another name for this server (DNS rebinding) reaches nothing but the health check.
    let port = app.address.rsplit(':').next().expect("port");
    for path in ["/sign-in", "/api/auth/whoami"] {
        let refused = anonymous
            .client
            .get(format!("{}{path}", app.address))
            .header("host", format!("rebound.evil.example:{port}"))
            .send()
            .await
            .expect("sent");
        assert_eq!(refused.status(), StatusCode::MISDIRECTED_REQUEST, "{path}");
    }
    let health = anonymous
        .client
        .get(format!("{}/healthz", app.address))
        .header("host", "10.0.0.7")
        .send()
        .await
        .expect("sent");
    assert_eq!(health.status(), StatusCode::OK);
    let local_name = anonymous
        .client
        .get(format!("{}/sign-in", app.address))
        .header("host", format!("localhost:{port}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(local_name.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn over_https_the_session_is_a_host_only_cookie_and_hsts_is_on() {
    let app = TestApp::spawn_with(&[
        ("PUBLIC_URL", "https://connect.example.com"),
        ("SMTP_URL", "smtp://127.0.0.1:9"),
    ])
    .await;
    let response = app
        .browser()
        .client
        .post(format!("{}/api/auth/sign_up", app.address))
        .header("host", "connect.example.com")
        .form(&sign_up_form("seller", "Acme", "ann@example.com"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = header(&response, "set-cookie");
    assert!(cookie.starts_with("__Host-scc_session="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert_eq!(
        header(&response, "strict-transport-security"),
        "max-age=31536000"
    );
    app.stop().await;
}
