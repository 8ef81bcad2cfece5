//! Every page renders on the server with its data, for the user it belongs to. Pages
//! call their server functions inside the render; each function reads its request's
//! context (state, request, response) where it starts, before its first await, and
//! passes it down, so nothing it does later depends on the framework's context still
//! being reachable.

use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp};

/// What a page answers and its HTML.
async fn page(app: &TestApp, browser: &Browser, path: &str) -> (StatusCode, String) {
    let response = browser
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .expect("page request");
    let status = response.status();
    (status, response.text().await.expect("page body"))
}

#[tokio::test]
async fn every_page_renders_on_the_server_with_its_data() {
    let app = TestApp::spawn().await;
    let anonymous = app.browser();
    let seller = app
        .verified_account("seller", "Harbour Seller", "ann@seller.example")
        .await;
    let supplier = app
        .verified_account("supplier", "Pearl River Supplier", "wang@supplier.example")
        .await;
    // The supplier invites the seller, who accepts: connected.
    supplier
        .invite_and_get_accepted_by(&seller, "ann@seller.example")
        .await;
    // An open invitation to a company without an account: its link's page.
    assert_eq!(
        seller
            .invite("Lotus Prep", "li@lotus.example")
            .await
            .status(),
        StatusCode::OK
    );
    let token = app.invitation_token("li@lotus.example").await;
    let id = seller.create_shipment().await;
    // A link to set a new password, asked for by someone not signed in.
    assert_eq!(
        anonymous
            .call(
                "auth/forgot_password",
                &[("email", "wang@supplier.example")]
            )
            .await
            .status(),
        StatusCode::OK
    );
    let reset =
        crate::helpers::token_in(&app.last_email_to("wang@supplier.example").await.text_body);

    let pages: Vec<(&Browser, String, &str)> = vec![
        (
            &anonymous,
            "/".into(),
            "Hand your shipments to the suppliers",
        ),
        (&anonymous, "/sign-in".into(), "<form"),
        (&anonymous, "/sign-up".into(), "<form"),
        (&anonymous, "/forgot-password".into(), "<form"),
        (
            &anonymous,
            "/forgot-password?sent=1".into(),
            "a link to set a new password is on its way",
        ),
        (
            &anonymous,
            format!("/reset-password?token={reset}"),
            "Choose a new password for wang@supplier.example",
        ),
        (
            &anonymous,
            "/reset-password?token=0000".into(),
            "This link is no longer valid",
        ),
        (&anonymous, "/dev/mailbox".into(), "li@lotus.example"),
        (
            &anonymous,
            format!("/invitations/accept?token={token}"),
            "Harbour Seller",
        ),
        (&seller, "/".into(), "Welcome"),
        (&seller, "/shipments".into(), "Spring restock"),
        (&seller, "/shipments/new".into(), "<form"),
        (&seller, format!("/shipments/{id}"), "Spring restock"),
        (&seller, format!("/shipments/{id}/edit"), "MUG-1"),
        (
            &seller,
            "/settings/user-permissions".into(),
            "Pearl River Supplier",
        ),
        (
            &supplier,
            "/settings/user-permissions".into(),
            "Harbour Seller",
        ),
        (
            &seller,
            "/settings/account".into(),
            "Where you are signed in",
        ),
        (&supplier, "/shipments".into(), "Harbour Seller"),
    ];
    for (browser, path, expected) in pages {
        let (status, html) = page(&app, browser, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(expected), "{path} lacks {expected:?}");
        assert!(
            !html.contains("Something went wrong on our side"),
            "{path} rendered an internal error"
        );
    }

    // A shipment that is not the caller's renders the same not-found message as one
    // that does not exist.
    // (The seller's own answered 200 above.)
    let not_available = "This shipment does not exist, or is not shared with you";
    let (status, html) = page(&app, &supplier, &format!("/shipments/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains(not_available) && !html.contains("Spring restock"),
        "the supplier is not shown the seller's draft"
    );
    let (status, html) = page(&app, &supplier, "/shipments/nosuchshipment").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains(not_available));
    app.stop().await;
}

#[tokio::test]
async fn static_files_go_out_as_compressed_at_build_time() {
    // A site as `scripts/precompress` leaves it: each file with its brotli and gzip
    // copies (here marked, so the test sees which one was sent).
    let site = std::env::temp_dir().join(format!("scc-site-{}", db::secrets::new_key()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("app.wasm"), b"\0asm the module").unwrap();
    std::fs::write(pkg.join("app.wasm.br"), b"brotli, quality 11").unwrap();
    std::fs::write(pkg.join("app.wasm.gz"), b"gzip -9").unwrap();
    let app = TestApp::spawn_with(&[("LEPTOS_SITE_ROOT", site.to_str().unwrap())]).await;
    let client = app.browser().client;
    let get = |encoding: Option<&'static str>| {
        let mut request = client.get(format!("{}/pkg/app.wasm", app.address));
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        request.send()
    };
    for (accepts, sent, encoding) in [
        (
            Some("gzip, deflate, br"),
            &b"brotli, quality 11"[..],
            Some("br"),
        ),
        (Some("gzip"), &b"gzip -9"[..], Some("gzip")),
        (None, &b"\0asm the module"[..], None),
    ] {
        let response = get(accepts).await.expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{accepts:?}");
        let header = response.headers().get("content-encoding").cloned();
        assert_eq!(
            header.as_ref().map(|h| h.to_str().unwrap()),
            encoding,
            "{accepts:?}"
        );
        // Sent as made, not compressed again on the way out.
        assert_eq!(&response.bytes().await.unwrap()[..], sent, "{accepts:?}");
    }
    app.stop().await;
    let _ = std::fs::remove_dir_all(&site);
}
