//! Invitations both ways, the link's rules, the authorization matrix, removal with
//! history, and concurrent accepts.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_of, Browser, TestApp, PASSWORD};

/// A seller invites a new supplier, who creates an account through the link.
#[tokio::test]
async fn a_seller_invites_a_new_supplier_who_signs_up_through_the_link() {
    let app = TestApp::spawn().await;
    let seller = app
        .verified_account("seller", "Acme Trading", "ann@acme.example")
        .await;
    assert_eq!(
        seller
            .invite("Shenzhen Goods", "li@goods.example")
            .await
            .status(),
        StatusCode::OK
    );

    let overview = seller.overview().await;
    assert_eq!(overview["sent"][0]["to_email"], "li@goods.example");
    assert_eq!(overview["sent"][0]["status"], "pending");

    let mail = app.last_email_to("li@goods.example").await;
    assert!(mail.subject.contains("Acme Trading"));
    assert!(mail.text_body.contains("supplier"));
    let token = app.invitation_token("li@goods.example").await;

    let supplier = app.browser();
    let view: Value = supplier
        .call("invitations/view", &[("token", &token)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["from_company"], "Acme Trading");
    assert_eq!(view["from_kind"], "seller");
    assert_eq!(view["viewer"], "SignedOut");

    let response = supplier
        .call(
            "invitations/create_account",
            &[
                ("token", &token),
                ("company_name", "Shenzhen Goods Co."),
                ("name", "Li Wei"),
                ("password", PASSWORD),
                ("lang", "zh"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let me = supplier.whoami().await;
    assert_eq!(me["kind"], "supplier");
    assert_eq!(me["verified"], true, "the link proved the address");
    assert_eq!(me["email"], "li@goods.example");

    let seller_view = seller.overview().await;
    assert_eq!(seller_view["sent"], json!([]));
    assert_eq!(seller_view["connected"][0]["company"], "Shenzhen Goods Co.");
    assert_eq!(
        seller_view["connected"][0]["contact_email"],
        "li@goods.example"
    );
    let supplier_view = supplier.overview().await;
    assert_eq!(supplier_view["connected"][0]["company"], "Acme Trading");
    // The inviter is told by email.
    assert!(app
        .last_email_to("ann@acme.example")
        .await
        .subject
        .contains("accepted"));
    // The link is used up.
    let (status, error) = error_of(
        app.browser()
            .call("invitations/view", &[("token", &token)])
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::GONE, json!("invitation_invalid"))
    );
    app.stop().await;
}

/// A supplier invites an existing seller, who accepts on User Permissions.
#[tokio::test]
async fn a_supplier_invites_an_existing_seller_who_accepts() {
    let app = TestApp::spawn().await;
    let seller = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;
    let supplier = app
        .verified_account("supplier", "Bob Freight", "bob@freight.example")
        .await;
    assert_eq!(
        supplier.invite("Acme", "ann@acme.example").await.status(),
        StatusCode::OK
    );

    let received = &seller.overview().await["received"];
    assert_eq!(received[0]["from_company"], "Bob Freight");
    assert_eq!(received[0]["from_kind"], "supplier");
    let id = received[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        seller
            .call("connections/accept", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );

    assert_eq!(
        seller.overview().await["connected"][0]["company"],
        "Bob Freight"
    );
    let history = &supplier.overview().await["connected"][0]["history"];
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["invited", "accepted"]);
    app.stop().await;
}

#[tokio::test]
async fn removing_a_connection_ends_it_for_both_and_keeps_the_history() {
    let app = TestApp::spawn().await;
    let seller = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;
    let supplier = app
        .verified_account("supplier", "Bob Freight", "bob@freight.example")
        .await;
    seller.invite("Bob Freight", "bob@freight.example").await;
    let id = supplier.overview().await["received"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    supplier.call("connections/accept", &[("id", &id)]).await;
    let supplier_id = seller.overview().await["connected"][0]["account_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let response = seller
        .call("connections/remove", &[("account_id", &supplier_id)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(seller.overview().await["connected"], json!([]));
    assert_eq!(supplier.overview().await["connected"], json!([]));
    assert!(app
        .last_email_to("bob@freight.example")
        .await
        .subject
        .contains("removed"));
    assert!(app
        .last_email_to("ann@acme.example")
        .await
        .subject
        .contains("removed"));

    // Connecting again shows the whole story, the removal included.
    supplier.invite("Acme", "ann@acme.example").await;
    let id = seller.overview().await["received"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        seller
            .call("connections/accept", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    let history = &seller.overview().await["connected"][0]["history"];
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["invited", "accepted", "removed", "invited", "accepted"]
    );
    app.stop().await;
}

#[tokio::test]
async fn invitation_rules() {
    let app = TestApp::spawn().await;
    let seller = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;
    assert_eq!(
        seller.invite("Li", "li@goods.example").await.status(),
        StatusCode::OK
    );
    let (status, error) = error_of(seller.invite("Li again", "LI@goods.example").await).await;
    assert_eq!(
        (status, error),
        (StatusCode::CONFLICT, json!("already_invited"))
    );

    // An unverified administrator cannot invite yet.
    let fresh = app.browser();
    fresh.sign_up("seller", "Fresh", "fresh@acme.example").await;
    let (status, error) = error_of(fresh.invite("X", "x@example.com").await).await;
    assert_eq!(
        (status, error),
        (StatusCode::FORBIDDEN, json!("email_not_verified"))
    );

    // Bad input names its field.
    let (status, error) = error_of(seller.invite("X", "not-an-email").await).await;
    assert_eq!(
        (status, error),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "input": "email_invalid" })
        )
    );

    // Already connected companies are refused.
    let supplier = app
        .verified_account("supplier", "Bob", "bob@freight.example")
        .await;
    supplier.invite("Acme", "ann@acme.example").await;
    let id = seller.overview().await["received"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    seller.call("connections/accept", &[("id", &id)]).await;
    let (status, error) = error_of(seller.invite("Bob", "bob@freight.example").await).await;
    assert_eq!(
        (status, error),
        (StatusCode::CONFLICT, json!("already_connected"))
    );

    // A seller cannot connect with a seller: the invitation bites at acceptance.
    let other_seller = app
        .verified_account("seller", "Other Seller", "os@other.example")
        .await;
    seller.invite("Other", "os@other.example").await;
    let id = other_seller.overview().await["received"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, error) = error_of(
        other_seller
            .call("connections/accept", &[("id", &id)])
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::CONFLICT, json!("wrong_account_kind"))
    );
    app.stop().await;
}

#[tokio::test]
async fn at_most_fifty_invitations_a_day() {
    let app = TestApp::spawn().await;
    let seller = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;
    for i in 0..50 {
        let status = seller
            .invite("S", &format!("s{i}@example.com"))
            .await
            .status();
        assert_eq!(status, StatusCode::OK, "invitation {i}");
    }
    let (status, error) = error_of(seller.invite("S", "s50@example.com").await).await;
    assert_eq!(
        (status, error),
        (StatusCode::TOO_MANY_REQUESTS, json!("invitation_limit"))
    );
    app.advance_days(2);
    assert_eq!(
        seller.invite("S", "s50@example.com").await.status(),
        StatusCode::OK
    );
    app.stop().await;
}

async fn view_status(app: &TestApp, token: &str) -> StatusCode {
    app.browser()
        .call("invitations/view", &[("token", token)])
        .await
        .status()
}

#[tokio::test]
async fn a_link_dies_when_expired_used_cancelled_declined_or_resent() {
    let app = TestApp::spawn().await;
    let seller = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;

    // Expired: 7 days.
    seller.invite("A", "a@example.com").await;
    let token = app.invitation_token("a@example.com").await;
    app.advance_days(6);
    assert_eq!(view_status(&app, &token).await, StatusCode::OK);
    app.advance_days(2);
    assert_eq!(view_status(&app, &token).await, StatusCode::GONE);
    let listed = seller.overview().await;
    assert_eq!(listed["sent"][0]["status"], "expired");

    // Resent: the old link dies, the new one works.
    let id = listed["sent"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        seller
            .call("connections/resend", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    let new_token = app.invitation_token("a@example.com").await;
    assert_ne!(token, new_token);
    assert_eq!(view_status(&app, &token).await, StatusCode::GONE);
    assert_eq!(view_status(&app, &new_token).await, StatusCode::OK);

    // Cancelled.
    assert_eq!(
        seller
            .call("connections/cancel", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(view_status(&app, &new_token).await, StatusCode::GONE);

    // Declined through the link by the invited address.
    seller.invite("B", "b@example.com").await;
    let token = app.invitation_token("b@example.com").await;
    let b = app
        .verified_account("supplier", "B Co", "b@example.com")
        .await;
    assert_eq!(
        b.call("invitations/decline", &[("token", &token)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(view_status(&app, &token).await, StatusCode::GONE);
    assert_eq!(seller.overview().await["sent"][0]["status"], "declined");
    assert!(app
        .last_email_to("ann@acme.example")
        .await
        .subject
        .contains("declined"));

    // Used.
    seller.invite("C", "c@example.com").await;
    let token = app.invitation_token("c@example.com").await;
    let c = app
        .verified_account("supplier", "C Co", "c@example.com")
        .await;
    assert_eq!(
        c.call("invitations/accept", &[("token", &token)])
            .await
            .status(),
        StatusCode::OK
    );
    let (status, error) = error_of(c.call("invitations/accept", &[("token", &token)]).await).await;
    assert_eq!(
        (status, error),
        (StatusCode::GONE, json!("invitation_invalid"))
    );

    // Unknown and malformed look the same as all of the above.
    assert_eq!(view_status(&app, &"ab".repeat(32)).await, StatusCode::GONE);
    assert_eq!(view_status(&app, "x").await, StatusCode::GONE);
    app.stop().await;
}

#[tokio::test]
async fn a_link_opened_as_someone_else_says_so_and_stays_valid() {
    let app = TestApp::spawn().await;
    let seller = app
        .verified_account("seller", "Acme", "ann@acme.example")
        .await;
    seller.invite("Li", "li@goods.example").await;
    let token = app.invitation_token("li@goods.example").await;
    let intruder = app
        .verified_account("supplier", "Intruder", "eve@evil.example")
        .await;

    let view: Value = intruder
        .call("invitations/view", &[("token", &token)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["viewer"]["OtherEmail"]["signed_in_as"],
        "eve@evil.example"
    );
    let (status, error) = error_of(
        intruder
            .call("invitations/accept", &[("token", &token)])
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::FORBIDDEN, json!("invitation_for_other_email"))
    );
    let (status, _) = error_of(
        intruder
            .call("invitations/decline", &[("token", &token)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Creating an account from it needs no session but takes the invited address:
    // someone already signed in gains nothing, and the link still works.
    assert_eq!(view_status(&app, &token).await, StatusCode::OK);
    assert_eq!(intruder.overview().await["connected"], json!([]));
    app.stop().await;
}

struct Cast {
    anonymous: Browser,
    a_admin: Browser,
    a_member: Browser,
    b_seller: Browser,
    s1_connected: Browser,
    s2_unconnected: Browser,
    invitation_id: String,
    invitation_token: String,
    s1_account: String,
    a_account: String,
}

/// Seller A (admin and member), seller B, supplier S1 connected to A, supplier S2 not
/// connected but holding A's pending invitation.
async fn cast(app: &TestApp) -> Cast {
    let a_admin = app
        .verified_account("seller", "Seller A", "admin@a.example")
        .await;
    let a_member = app.member_of("admin@a.example", "member@a.example").await;
    let b_seller = app
        .verified_account("seller", "Seller B", "admin@b.example")
        .await;
    let s1_connected = app
        .verified_account("supplier", "Supplier One", "admin@s1.example")
        .await;
    let s2_unconnected = app
        .verified_account("supplier", "Supplier Two", "admin@s2.example")
        .await;
    s1_connected.invite("Seller A", "admin@a.example").await;
    let id = a_admin.overview().await["received"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        a_admin
            .call("connections/accept", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        a_admin
            .invite("Supplier Two", "admin@s2.example")
            .await
            .status(),
        StatusCode::OK
    );
    let a_view = a_admin.overview().await;
    Cast {
        anonymous: app.browser(),
        invitation_id: a_view["sent"][0]["id"].as_str().unwrap().to_owned(),
        invitation_token: app.invitation_token("admin@s2.example").await,
        s1_account: a_view["connected"][0]["account_id"]
            .as_str()
            .unwrap()
            .to_owned(),
        a_account: s1_connected.overview().await["connected"][0]["account_id"]
            .as_str()
            .unwrap()
            .to_owned(),
        a_admin,
        a_member,
        b_seller,
        s1_connected,
        s2_unconnected,
    }
}

async fn status(browser: &Browser, endpoint: &str, form: &[(&str, &str)]) -> u16 {
    browser.call(endpoint, form).await.status().as_u16()
}

#[tokio::test]
async fn the_authorization_matrix_of_every_connection_function() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = c.invitation_id.as_str();
    let token = c.invitation_token.as_str();
    let everyone_but_a_admin: [(&str, &Browser); 5] = [
        ("anonymous", &c.anonymous),
        ("A member", &c.a_member),
        ("B", &c.b_seller),
        ("S1", &c.s1_connected),
        ("S2", &c.s2_unconnected),
    ];

    // Resend and cancel: only the sending account's administrator.
    for endpoint in ["connections/resend", "connections/cancel"] {
        for (who, browser) in everyone_but_a_admin {
            let got = status(browser, endpoint, &[("id", id)]).await;
            let expected = match who {
                "anonymous" => 401,
                "A member" => 403,
                _ => 404,
            };
            assert_eq!(got, expected, "{endpoint} by {who}");
        }
    }
    // …which changed nothing: the link still works and no email went out again.
    assert_eq!(view_status(&app, token).await, StatusCode::OK);
    assert_eq!(
        app.emails_to("admin@s2.example").await,
        2,
        "verification + one invitation"
    );

    // Accept and decline by id: only the invited account's administrator.
    let not_recipients: [(&str, &Browser, u16); 5] = [
        ("anonymous", &c.anonymous, 401),
        ("A admin", &c.a_admin, 410),
        ("A member", &c.a_member, 403),
        ("B", &c.b_seller, 410),
        ("S1", &c.s1_connected, 410),
    ];
    for endpoint in ["connections/accept", "connections/decline"] {
        for (who, browser, expected) in not_recipients {
            assert_eq!(
                status(browser, endpoint, &[("id", id)]).await,
                expected,
                "{endpoint} by {who}"
            );
        }
    }
    // By link: the token alone is not enough, the invited address must be signed in.
    for endpoint in ["invitations/accept", "invitations/decline"] {
        for (who, browser, _) in not_recipients {
            let expected = if who == "anonymous" {
                401
            } else if who == "A member" {
                403
            } else {
                403
            };
            assert_eq!(
                status(browser, endpoint, &[("token", token)]).await,
                expected,
                "{endpoint} by {who}"
            );
        }
    }
    // Creating an account from the link takes the invited address, which exists: refused.
    let got = status(
        &c.anonymous,
        "invitations/create_account",
        &[
            ("token", token),
            ("company_name", "X"),
            ("name", "X"),
            ("password", PASSWORD),
            ("lang", "en"),
        ],
    )
    .await;
    assert_eq!(got, 409);
    assert_eq!(
        view_status(&app, token).await,
        StatusCode::OK,
        "nothing was used up"
    );

    // Overviews: each sees only its own.
    assert_eq!(status(&c.anonymous, "connections/overview", &[]).await, 401);
    let b = c.b_seller.overview().await;
    assert_eq!(
        (
            b["sent"].clone(),
            b["received"].clone(),
            b["connected"].clone()
        ),
        (json!([]), json!([]), json!([]))
    );
    let s2 = c.s2_unconnected.overview().await;
    assert_eq!(s2["received"][0]["from_company"], "Seller A");
    assert_eq!(s2["connected"], json!([]));
    let member = c.a_member.overview().await;
    assert_eq!(member["is_admin"], false);
    assert_eq!(
        member["connected"][0]["company"], "Supplier One",
        "members see, they do not act"
    );

    // Remove: an administrator of either side; nobody else.
    let s1 = c.s1_account.as_str();
    for (who, browser, expected) in [
        ("anonymous", &c.anonymous, 401),
        ("A member", &c.a_member, 403),
        ("B", &c.b_seller, 404),
        ("S2", &c.s2_unconnected, 404),
    ] {
        assert_eq!(
            status(browser, "connections/remove", &[("account_id", s1)]).await,
            expected,
            "remove by {who}"
        );
    }
    assert_eq!(
        c.a_admin.overview().await["connected"][0]["company"],
        "Supplier One"
    );
    // S1 removes from its side.
    assert_eq!(
        status(
            &c.s1_connected,
            "connections/remove",
            &[("account_id", &c.a_account)]
        )
        .await,
        200
    );
    assert_eq!(c.a_admin.overview().await["connected"], json!([]));

    // The recipient's administrator is the one who may accept.
    assert_eq!(
        status(&c.s2_unconnected, "connections/accept", &[("id", id)]).await,
        200
    );
    assert_eq!(
        c.a_admin.overview().await["connected"][0]["company"],
        "Supplier Two"
    );
    app.stop().await;
}

#[tokio::test]
async fn many_simultaneous_accepts_make_exactly_one_edge() {
    let app = TestApp::spawn().await;
    for round in 0..5 {
        let seller_email = format!("seller{round}@example.com");
        let supplier_email = format!("supplier{round}@example.com");
        let seller = app
            .verified_account("seller", "Seller", &seller_email)
            .await;
        let supplier = app
            .verified_account("supplier", "Supplier", &supplier_email)
            .await;
        seller.invite("Supplier", &supplier_email).await;
        let id = supplier.overview().await["received"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        let supplier = std::sync::Arc::new(supplier);
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let supplier = supplier.clone();
                let id = id.clone();
                tokio::spawn(async move {
                    supplier
                        .call("connections/accept", &[("id", &id)])
                        .await
                        .status()
                })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            let status = task.await.unwrap();
            assert!(
                status == StatusCode::OK || status == StatusCode::GONE,
                "round {round}: {status}"
            );
            ok += usize::from(status == StatusCode::OK);
        }
        assert_eq!(ok, 1, "round {round}: exactly one accept wins");
        let connected = seller.overview().await["connected"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(connected, 1, "round {round}: exactly one edge");
        let accepted = seller.overview().await["connected"][0]["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "accepted")
            .count();
        assert_eq!(accepted, 1, "round {round}: one acceptance in the history");
    }
    app.stop().await;
}
