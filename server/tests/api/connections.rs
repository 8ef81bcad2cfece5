//! Invitations both ways, the link's rules, the authorization matrix, removal with
//! history, and concurrent accepts.

use app::connections::{Connection, HistoryAction, InvitationStatus, InvitationView, Viewer};
use app::domain::{AccountKind, InputError};
use app::error::AppError;
use reqwest::StatusCode;

use db::Refusal;

use crate::helpers::{error_of, Browser, TestApp, PASSWORD};

/// What happened to a connection, oldest first.
fn actions(connection: &Connection) -> Vec<HistoryAction> {
    connection.history.iter().map(|e| e.action).collect()
}

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
    assert_eq!(overview.sent[0].to_email, "li@goods.example");
    assert_eq!(overview.sent[0].status, InvitationStatus::Pending);

    let mail = app.last_email_to("li@goods.example").await;
    assert!(mail.subject.contains("Acme Trading"));
    assert!(mail.text_body.contains("supplier"));
    let token = app.invitation_token("li@goods.example").await;

    let supplier = app.browser();
    let view: InvitationView = supplier
        .answer("invitations/view", &[("token", &token)])
        .await;
    assert_eq!(view.from_company, "Acme Trading");
    assert_eq!(view.from_kind, AccountKind::Seller);
    assert_eq!(view.viewer, Viewer::SignedOut);

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
    let me = supplier.whoami().await.expect("signed in");
    assert_eq!(me.kind, AccountKind::Supplier);
    assert!(me.verified, "the link proved the address");
    assert_eq!(me.email, "li@goods.example");

    let seller_view = seller.overview().await;
    assert!(seller_view.sent.is_empty(), "{:?}", seller_view.sent);
    assert_eq!(seller_view.connected[0].company, "Shenzhen Goods Co.");
    assert_eq!(seller_view.connected[0].contact_email, "li@goods.example");
    let supplier_view = supplier.overview().await;
    assert_eq!(supplier_view.connected[0].company, "Acme Trading");
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
        (
            StatusCode::GONE,
            AppError::Refused(Refusal::InvitationInvalid)
        )
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

    let received = &seller.overview().await.received[0];
    assert_eq!(received.from_company, "Bob Freight");
    assert_eq!(received.from_kind, AccountKind::Supplier);
    assert_eq!(seller.accept(&received.id).await.status(), StatusCode::OK);

    assert_eq!(seller.overview().await.connected[0].company, "Bob Freight");
    assert_eq!(
        actions(&supplier.overview().await.connected[0]),
        [HistoryAction::Invited, HistoryAction::Accepted]
    );
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
    seller
        .invite_and_get_accepted_by(&supplier, "bob@freight.example")
        .await;
    let supplier_id = seller.connected_account("Bob Freight").await;

    let response = seller
        .call("connections/remove", &[("account_id", &supplier_id)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    for side in [&seller, &supplier] {
        let connected = side.overview().await.connected;
        assert!(connected.is_empty(), "{connected:?}");
    }
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
    supplier
        .invite_and_get_accepted_by(&seller, "ann@acme.example")
        .await;
    assert_eq!(
        actions(&seller.overview().await.connected[0]),
        [
            HistoryAction::Invited,
            HistoryAction::Accepted,
            HistoryAction::Removed,
            HistoryAction::Invited,
            HistoryAction::Accepted
        ]
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
        (
            StatusCode::CONFLICT,
            AppError::Refused(Refusal::AlreadyInvited)
        )
    );

    // An unverified administrator cannot invite yet.
    let fresh = app.browser();
    fresh.sign_up("seller", "Fresh", "fresh@acme.example").await;
    let (status, error) = error_of(fresh.invite("X", "x@example.com").await).await;
    assert_eq!(
        (status, error),
        (
            StatusCode::FORBIDDEN,
            AppError::Refused(Refusal::EmailNotVerified)
        )
    );

    // Bad input names its field.
    let (status, error) = error_of(seller.invite("X", "not-an-email").await).await;
    assert_eq!(
        (status, error),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Input(InputError::EmailInvalid)
        )
    );

    // Already connected companies are refused.
    let supplier = app
        .verified_account("supplier", "Bob", "bob@freight.example")
        .await;
    supplier
        .invite_and_get_accepted_by(&seller, "ann@acme.example")
        .await;
    let (status, error) = error_of(seller.invite("Bob", "bob@freight.example").await).await;
    assert_eq!(
        (status, error),
        (
            StatusCode::CONFLICT,
            AppError::Refused(Refusal::AlreadyConnected)
        )
    );

    // A seller cannot connect with a seller: the invitation bites at acceptance.
    let other_seller = app
        .verified_account("seller", "Other Seller", "os@other.example")
        .await;
    seller.invite("Other", "os@other.example").await;
    let id = other_seller.overview().await.received[0].id.clone();
    let (status, error) = error_of(other_seller.accept(&id).await).await;
    assert_eq!(
        (status, error),
        (
            StatusCode::CONFLICT,
            AppError::Refused(Refusal::WrongAccountKind)
        )
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
        (StatusCode::TOO_MANY_REQUESTS, AppError::InvitationLimit)
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
    // The seller works on: a session unused for 7 days would end.
    seller.overview().await;
    app.advance_days(2);
    assert_eq!(view_status(&app, &token).await, StatusCode::GONE);
    let listed = seller.overview().await;
    assert_eq!(listed.sent[0].status, InvitationStatus::Expired);

    // Resent: the old link dies, the new one works.
    let id = listed.sent[0].id.as_str();
    assert_eq!(
        seller.status("connections/resend", &[("id", id)]).await,
        200
    );
    let new_token = app.invitation_token("a@example.com").await;
    assert_ne!(token, new_token);
    assert_eq!(view_status(&app, &token).await, StatusCode::GONE);
    assert_eq!(view_status(&app, &new_token).await, StatusCode::OK);

    // Cancelled.
    assert_eq!(
        seller.status("connections/cancel", &[("id", id)]).await,
        200
    );
    assert_eq!(view_status(&app, &new_token).await, StatusCode::GONE);

    // Declined through the link by the invited address.
    seller.invite("B", "b@example.com").await;
    let token = app.invitation_token("b@example.com").await;
    let b = app
        .verified_account("supplier", "B Co", "b@example.com")
        .await;
    assert_eq!(
        b.status("invitations/decline", &[("token", &token)]).await,
        200
    );
    assert_eq!(view_status(&app, &token).await, StatusCode::GONE);
    assert_eq!(
        seller.overview().await.sent[0].status,
        InvitationStatus::Declined
    );
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
        c.status("invitations/accept", &[("token", &token)]).await,
        200
    );
    let (status, error) = error_of(c.call("invitations/accept", &[("token", &token)]).await).await;
    assert_eq!(
        (status, error),
        (
            StatusCode::GONE,
            AppError::Refused(Refusal::InvitationInvalid)
        )
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

    let view: InvitationView = intruder
        .answer("invitations/view", &[("token", &token)])
        .await;
    assert_eq!(
        view.viewer,
        Viewer::OtherEmail {
            signed_in_as: "eve@evil.example".to_owned()
        }
    );
    let (status, error) = error_of(
        intruder
            .call("invitations/accept", &[("token", &token)])
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (StatusCode::FORBIDDEN, AppError::InvitationForOtherEmail)
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
    let connected = intruder.overview().await.connected;
    assert!(connected.is_empty(), "{connected:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_authorization_matrix_of_every_connection_function() {
    let app = TestApp::spawn().await;
    let c = app.connections_cast().await;
    let id = c.invitation_id.as_str();
    let token = c.invitation_token.as_str();
    let everyone_but_a_admin: [(&str, &Browser); 6] = [
        ("anonymous", &c.anonymous),
        ("A member", &c.a_member),
        ("B", &c.b_seller),
        ("S1", &c.s1_connected),
        ("S2", &c.s2_unconnected),
        ("unverified", &c.unverified),
    ];

    // Resend and cancel: only the sending account's administrator.
    for endpoint in ["connections/resend", "connections/cancel"] {
        for (who, browser) in everyone_but_a_admin {
            let got = browser.status(endpoint, &[("id", id)]).await;
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
    let not_recipients: [(&str, &Browser, u16); 6] = [
        ("anonymous", &c.anonymous, 401),
        ("A admin", &c.a_admin, 410),
        ("A member", &c.a_member, 403),
        ("B", &c.b_seller, 410),
        ("S1", &c.s1_connected, 410),
        // Not verified: refused before the invitation is even looked at.
        ("unverified", &c.unverified, 403),
    ];
    for endpoint in ["connections/accept", "connections/decline"] {
        for (who, browser, expected) in not_recipients {
            assert_eq!(
                browser.status(endpoint, &[("id", id)]).await,
                expected,
                "{endpoint} by {who}"
            );
        }
    }
    // By link: the token alone is not enough, the invited address must be signed in.
    for endpoint in ["invitations/accept", "invitations/decline"] {
        for (who, browser, _) in not_recipients {
            let expected = if who == "anonymous" { 401 } else { 403 };
            assert_eq!(
                browser.status(endpoint, &[("token", token)]).await,
                expected,
                "{endpoint} by {who}"
            );
        }
    }
    // Creating an account from the link takes the invited address, which exists: refused.
    let got = c
        .anonymous
        .status(
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
    assert_eq!(c.anonymous.status("connections/overview", &[]).await, 401);
    let b = c.b_seller.overview().await;
    assert!(
        b.sent.is_empty() && b.received.is_empty() && b.connected.is_empty(),
        "{b:?}"
    );
    let s2 = c.s2_unconnected.overview().await;
    assert_eq!(s2.received[0].from_company, "Seller A");
    assert!(s2.connected.is_empty(), "{:?}", s2.connected);
    let member = c.a_member.overview().await;
    assert!(!member.is_admin);
    assert_eq!(
        member.connected[0].company, "Supplier One",
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
            browser
                .status("connections/remove", &[("account_id", s1)])
                .await,
            expected,
            "remove by {who}"
        );
    }
    assert_eq!(
        c.a_admin.overview().await.connected[0].company,
        "Supplier One"
    );
    // S1 removes from its side.
    assert_eq!(
        c.s1_connected
            .status("connections/remove", &[("account_id", &c.a_account)])
            .await,
        200
    );
    let connected = c.a_admin.overview().await.connected;
    assert!(connected.is_empty(), "{connected:?}");

    // The recipient's administrator is the one who may accept.
    assert_eq!(
        c.s2_unconnected
            .status("connections/accept", &[("id", id)])
            .await,
        200
    );
    assert_eq!(
        c.a_admin.overview().await.connected[0].company,
        "Supplier Two"
    );
    app.stop().await;
}

// Several worker threads, so the requests really run at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
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
        let id = supplier.overview().await.received[0].id.clone();

        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (supplier, id) = (supplier.clone(), id.clone());
                tokio::spawn(async move { supplier.accept(&id).await.status() })
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
        let connected = seller.overview().await.connected;
        assert_eq!(connected.len(), 1, "round {round}: exactly one edge");
        let accepted = actions(&connected[0])
            .into_iter()
            .filter(|a| *a == HistoryAction::Accepted)
            .count();
        assert_eq!(accepted, 1, "round {round}: one acceptance in the history");
    }
    app.stop().await;
}
