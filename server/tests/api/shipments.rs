//! Shipments over HTTP: who may do what (the authorization matrix of every shipment
//! function), the order of steps, access ending with the share or the connection,
//! the labels PDF, and the live feed.

use std::time::Duration;

use app::domain::shipment::{CsvLineError, LineProblems};
use app::domain::InputError;
use app::error::AppError;
use app::shipments::{ShipmentStatus, Side, TimelineAction};
use reqwest::StatusCode;

use db::Refusal;

use crate::helpers::{error_of, Browser, TestApp, PALLET};

#[tokio::test]
async fn the_authorization_matrix_of_every_shipment_function() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    let created = c.a.shipment(&id).await;
    assert_eq!(created.status, ShipmentStatus::Draft);
    assert_eq!(created.destination, "PHX7");
    assert_eq!(created.ship_from.country, "CN");
    assert_eq!(created.items.len(), 2);

    // Before sharing, only the seller sees it.
    assert_eq!(
        c.anonymous.status("shipments/get", &[("id", &id)]).await,
        401
    );
    for outsider in [&c.b, &c.s1, &c.s2, &c.s3] {
        assert_eq!(outsider.status("shipments/get", &[("id", &id)]).await, 404);
        assert!(!outsider.shipment_ids(&[]).await.contains(&id));
    }
    assert_eq!(c.anonymous.status("shipments/list", &[]).await, 401);

    // Only the seller shares, and only with a connected supplier: S2 is a real
    // supplier, connected to another seller.
    let not_found = (StatusCode::NOT_FOUND, AppError::Refused(Refusal::NotFound));
    let unauthorized = (StatusCode::UNAUTHORIZED, AppError::Unauthorized);
    for outsider in [&c.b, &c.s1] {
        assert_eq!(
            error_of(outsider.share(&id, &c.s1_account).await).await,
            not_found
        );
    }
    // Sharing emails another company: an unverified address is refused before
    // anything is looked up.
    let unverified = (
        StatusCode::FORBIDDEN,
        AppError::Refused(Refusal::EmailNotVerified),
    );
    assert_eq!(
        error_of(c.unverified.share(&id, &c.s1_account).await).await,
        unverified
    );
    assert_eq!(
        error_of(c.anonymous.share(&id, &c.s1_account).await).await,
        unauthorized
    );
    assert_eq!(
        error_of(c.a.share(&id, &c.s2_account).await).await,
        (
            StatusCode::CONFLICT,
            AppError::Refused(Refusal::NotConnected)
        )
    );
    assert_eq!(c.a.share(&id, &c.s1_account).await.status(), StatusCode::OK);

    // The supplier it is shared with got the email with the shipment's details.
    let mail = app.last_email_to("wang@s1.example").await;
    assert!(mail.subject.contains("Spring restock"), "{}", mail.subject);
    for expected in [
        "MUG-1 × 3",
        "CUP-2 × 2",
        "PHX7",
        "深圳",
        "Fragile <b>glass</b>",
        &id,
    ] {
        assert!(
            mail.text_body.contains(expected),
            "{expected} in {}",
            mail.text_body
        );
    }

    let shared = c.s1.shipment(&id).await;
    assert_eq!(shared.side, Side::Supplier);
    assert_eq!(shared.status, ShipmentStatus::Shared);
    assert!(c.s1.shipment_ids(&[]).await.contains(&id));
    let v = shared.version.to_string();

    // Every function, by everyone who must be refused; nothing changes.
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("shipments/get", vec![("id", &id)]),
        (
            "shipments/share",
            vec![("id", &id), ("version", &v), ("supplier", &c.s1_account)],
        ),
        ("shipments/stop_sharing", vec![("id", &id)]),
        ("shipments/cancel", vec![("id", &id)]),
        ("shipments/delete_box", vec![("id", &id), ("box_id", "abc")]),
        (
            "shipments/save_shipping",
            vec![
                ("id", &id),
                ("version", &v),
                ("mode", "ltl"),
                ("carrier", "X"),
                ("ship_date", "2026-12-01"),
                PALLET[0],
                PALLET[1],
                PALLET[2],
                PALLET[3],
            ],
        ),
        ("shipments/reopen", vec![("id", &id)]),
        (
            "shipments/mark_shipped",
            vec![("id", &id), ("version", &v), ("pro_number", "PRO1")],
        ),
    ];
    // B: another seller; S2: a supplier of B's; S3: connected to A, not shared with;
    // and an account that never verified its address.
    let outsiders = [&c.b, &c.s2, &c.s3, &c.unverified];
    for (endpoint, form) in &calls {
        assert_eq!(
            error_of(c.anonymous.call(endpoint, form).await).await,
            unauthorized,
            "{endpoint} anonymous"
        );
        for outsider in outsiders {
            let expected =
                if *endpoint == "shipments/share" && std::ptr::eq(outsider, &c.unverified) {
                    &unverified
                } else {
                    &not_found
                };
            assert_eq!(
                &error_of(outsider.call(endpoint, form).await).await,
                expected,
                "{endpoint} outsider"
            );
        }
    }
    for outsider in outsiders {
        assert_eq!(
            error_of(outsider.save_box(&id, &v, "", "MUG-1", "3", "5").await).await,
            not_found
        );
    }
    // The seller does not pack, and the supplier does not manage the share.
    let forbidden = (StatusCode::FORBIDDEN, AppError::Forbidden);
    assert_eq!(
        error_of(c.a.save_box(&id, &v, "", "MUG-1", "3", "5").await).await,
        forbidden
    );
    for endpoint in ["shipments/stop_sharing", "shipments/cancel"] {
        assert_eq!(
            error_of(c.s1.call(endpoint, &[("id", &id)]).await).await,
            forbidden,
            "{endpoint}"
        );
    }
    assert_eq!(
        error_of(c.s1.save_shipment(&id, "", "x", "A,1").await).await,
        forbidden
    );
    let after = c.a.shipment(&id).await;
    assert_eq!(after.version, shared.version);
    assert_eq!(after.timeline.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn steps_happen_only_in_order() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    let draft = c.a.version(&id).await;
    // Nothing of the supplier's before it is shared.
    assert_eq!(
        c.s1.save_box(&id, &draft, "", "MUG-1", "3", "5")
            .await
            .status()
            .as_u16(),
        404
    );
    c.a.share(&id, &c.s1_account).await;
    assert_eq!(c.a.share(&id, &c.s1_account).await.status().as_u16(), 409);
    let v = c.s1.version(&id).await;
    // No shipping before packing, no tracking before labels.
    assert_eq!(
        c.s1.save_shipping(&id, &v, "small_parcel")
            .await
            .status()
            .as_u16(),
        409
    );
    let (code, error) = error_of(c.s1.mark_shipped(&id, &v, "PRO1").await).await;
    assert_eq!(
        (code.as_u16(), error),
        (409, AppError::Refused(Refusal::WrongState))
    );

    // Boxes: never more than is left, and never on an old version.
    let (code, error) = error_of(c.s1.save_box(&id, &v, "", "MUG-1", "4", "5").await).await;
    assert_eq!(
        (code.as_u16(), error),
        (422, AppError::Input(InputError::QuantityOverRemaining))
    );
    assert_eq!(
        c.s1.save_box(&id, &v, "", "MUG-1", "3", "5").await.status(),
        StatusCode::OK
    );
    let (code, error) = error_of(c.s1.save_box(&id, &v, "", "CUP-2", "2", "30").await).await;
    assert_eq!(
        (code.as_u16(), error),
        (409, AppError::Refused(Refusal::Stale))
    );
    let v = c.s1.version(&id).await;
    let (code, error) = error_of(c.s1.save_shipping(&id, &v, "ltl").await).await;
    assert_eq!(
        (code.as_u16(), error),
        (422, AppError::Input(InputError::UnitsNotBoxed))
    );
    assert_eq!(
        c.s1.save_box(&id, &v, "", "CUP-2", "2", "30")
            .await
            .status(),
        StatusCode::OK
    );
    let packed = c.a.shipment(&id).await;
    assert_eq!(packed.status, ShipmentStatus::Packing);
    assert_eq!(packed.boxes.len(), 2);
    let v = packed.version.to_string();

    // A 30 kg box is too heavy for small parcel; LTL takes it.
    let (code, error) = error_of(c.s1.save_shipping(&id, &v, "small_parcel").await).await;
    assert_eq!(
        (code.as_u16(), error),
        (422, AppError::Input(InputError::OverSmallParcelWeightKg))
    );
    assert_eq!(
        c.s1.save_shipping(&id, &v, "ltl").await.status(),
        StatusCode::OK
    );
    let labelled = c.a.shipment(&id).await;
    assert_eq!(labelled.status, ShipmentStatus::Labelled);
    let v = labelled.version.to_string();
    // Boxes are fixed once labelled, until packing is reopened.
    assert_eq!(
        c.s1.save_box(&id, &v, "", "MUG-1", "1", "1")
            .await
            .status()
            .as_u16(),
        409
    );
    assert_eq!(
        c.a.status(
            "shipments/share",
            &[("id", &id), ("version", &v), ("supplier", &c.s1_account)]
        )
        .await,
        409
    );

    let (code, error) = error_of(c.s1.mark_shipped(&id, &v, "").await).await;
    assert_eq!(
        (code.as_u16(), error),
        (422, AppError::Input(InputError::TrackingMissing))
    );
    assert_eq!(
        c.s1.mark_shipped(&id, &v, "pro 12345")
            .await
            .status()
            .as_u16(),
        200
    );
    let shipped = c.a.shipment(&id).await;
    assert_eq!(shipped.status, ShipmentStatus::Shipped);
    assert_eq!(shipped.pro_number, "PRO12345");
    let mail = app.last_email_to("ann@a.example").await;
    assert!(mail.subject.starts_with("Shipped"), "{}", mail.subject);
    assert!(mail.text_body.contains("PRO12345"));

    // Nothing moves a shipped shipment.
    for endpoint in ["shipments/stop_sharing", "shipments/cancel"] {
        assert_eq!(
            c.a.status(endpoint, &[("id", &id)]).await,
            409,
            "{endpoint}"
        );
    }
    assert_eq!(c.s1.status("shipments/reopen", &[("id", &id)]).await, 409);
    let v = shipped.version.to_string();
    assert_eq!(
        c.s1.save_shipping(&id, &v, "ltl").await.status().as_u16(),
        409
    );
    let actions: Vec<TimelineAction> = shipped.timeline.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            TimelineAction::Created,
            TimelineAction::Shared,
            TimelineAction::BoxSaved,
            TimelineAction::BoxSaved,
            TimelineAction::ShippingSaved,
            TimelineAction::Shipped
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn access_ends_when_sharing_stops_and_when_the_connection_is_removed() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    c.a.share(&id, &c.s1_account).await;
    assert_eq!(c.s1.status("shipments/get", &[("id", &id)]).await, 200);
    assert_eq!(
        c.a.status("shipments/stop_sharing", &[("id", &id)]).await,
        200
    );
    assert_eq!(c.s1.status("shipments/get", &[("id", &id)]).await, 404);
    assert!(c.s1.shipment_ids(&[]).await.is_empty());
    assert_eq!(c.a.shipment(&id).await.status, ShipmentStatus::Draft);

    // Shared again and half packed, then the supplier removes the connection.
    c.a.share(&id, &c.s1_account).await;
    assert_eq!(
        c.s1.add_box(&id, "MUG-1", "3", "5").await.status(),
        StatusCode::OK
    );
    let seller_account = c.s1.connected_account("Seller A").await;
    assert_eq!(
        c.s1.status("connections/remove", &[("account_id", &seller_account)])
            .await,
        200
    );
    assert_eq!(c.s1.status("shipments/get", &[("id", &id)]).await, 404);
    let v = c.a.version(&id).await;
    assert_eq!(
        c.s1.save_box(&id, &v, "", "CUP-2", "2", "5")
            .await
            .status()
            .as_u16(),
        404
    );
    let back = c.a.shipment(&id).await;
    assert_eq!(back.status, ShipmentStatus::Draft);
    assert!(back.boxes.is_empty(), "{:?}", back.boxes);
    assert_eq!(back.supplier, None);
    assert_eq!(
        back.timeline.last().unwrap().action,
        TimelineAction::ConnectionRemoved
    );
    app.stop().await;
}

#[tokio::test]
async fn the_labels_pdf_has_one_page_per_box_and_the_shipment_id() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    let pdf_url = |paper: &str| format!("{}/shipments/{id}/labels.pdf?paper={paper}", app.address);
    // Not before the labels step.
    let early = c.a.client.get(pdf_url("a4")).send().await.unwrap();
    assert_eq!(early.status().as_u16(), 409);
    c.a.share(&id, &c.s1_account).await;
    c.s1.add_box(&id, "MUG-1", "3", "5").await;
    c.s1.add_box(&id, "CUP-2", "2", "4.5").await;
    let v = c.s1.version(&id).await;
    let shipping = c.s1.save_shipping(&id, &v, "small_parcel").await;
    assert_eq!(shipping.status(), StatusCode::OK);

    for (who, paper, width) in [(&c.s1, "letter", 612.0), (&c.a, "a4", 595.28)] {
        let response = who.client.get(pdf_url(paper)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let bytes = response.bytes().await.unwrap();
        let doc = lopdf::Document::load_mem(&bytes).expect("a valid PDF");
        let pages = doc.get_pages();
        // Each box's label, then its box-content label.
        assert_eq!(pages.len(), 4, "two pages per box");
        for (n, page_id) in pages.values().step_by(2).enumerate() {
            let content = String::from_utf8_lossy(&doc.get_page_content(*page_id)).into_owned();
            assert!(content.contains(&format!("Shipment {id}")), "page {n}");
            assert!(content.contains(&format!("Box {} of 2", n + 1)), "page {n}");
            assert!(
                content.contains(&format!("{id}U00{}", n + 1)),
                "box id on page {n}"
            );
            let page = doc.get_dictionary(*page_id).unwrap();
            let media_box = page.get(b"MediaBox").unwrap().as_array().unwrap();
            let w = media_box[2].as_float().unwrap();
            assert!((w - width).abs() < 0.5, "{paper}: {w}");
        }
    }
    for outsider in [&c.b, &c.s2, &c.s3] {
        let response = outsider.client.get(pdf_url("a4")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404);
    }
    let anonymous = c.anonymous.client.get(pdf_url("a4")).send().await.unwrap();
    assert!(anonymous.status().is_redirection());
    app.stop().await;
}

/// Reads the event stream until a `data:` line with `id` arrives, or `wait` passes.
async fn receives(events: &mut reqwest::Response, id: &str, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    let mut seen = String::new();
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, events.chunk()).await {
        seen.push_str(&String::from_utf8_lossy(&chunk));
        if seen.contains(&format!("data: {id}")) {
            return true;
        }
    }
    false
}

#[tokio::test]
async fn the_live_feed_tells_both_sides_and_nobody_else() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    c.a.share(&id, &c.s1_account).await;
    let open = |b: &Browser| b.client.get(format!("{}/api/events", app.address)).send();
    assert_eq!(open(&c.anonymous).await.unwrap().status().as_u16(), 401);
    let mut seller = open(&c.a).await.unwrap();
    let mut supplier = open(&c.s1).await.unwrap();
    let mut other = open(&c.b).await.unwrap();
    let mut unshared = open(&c.s3).await.unwrap();
    assert_eq!(seller.headers()["content-type"], "text/event-stream");
    assert_eq!(
        c.s1.add_box(&id, "MUG-1", "3", "5").await.status(),
        StatusCode::OK
    );
    assert!(receives(&mut seller, &id, Duration::from_secs(10)).await);
    assert!(receives(&mut supplier, &id, Duration::from_secs(10)).await);
    assert!(!receives(&mut other, &id, Duration::from_millis(500)).await);
    assert!(!receives(&mut unshared, &id, Duration::from_millis(500)).await);
    app.stop().await;
}

#[tokio::test]
async fn a_draft_is_edited_until_it_is_shared_and_bad_lists_say_which_lines() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    let edit = |name: &'static str, csv: &'static str| {
        let (a, id) = (&c.a, &id);
        async move { a.save_shipment(id, &a.version(id).await, name, csv).await }
    };
    let (code, error) = error_of(edit("Renamed", "A-1,2\nB 2,3\nC-3,0\nA-1,1").await).await;
    assert_eq!(code.as_u16(), 422);
    let line = |line, problem| CsvLineError { line, problem };
    assert_eq!(
        error,
        AppError::ItemLines(LineProblems {
            lines: vec![
                line(2, InputError::SkuInvalid),
                line(3, InputError::QuantityInvalid),
                line(4, InputError::SkuListedTwice),
            ],
            more: 0,
        })
    );
    assert_eq!(c.a.shipment(&id).await.name, "Spring restock 春季补货");

    assert_eq!(edit("Renamed", "A-1,2").await.status(), StatusCode::OK);
    let edited = c.a.shipment(&id).await;
    assert_eq!(edited.name, "Renamed");
    assert_eq!(edited.destination, "ONT8");
    assert_eq!(edited.items.len(), 1);
    // Another seller cannot edit it, nor anyone once it is shared.
    let (code, _) = error_of(c.b.save_shipment(&id, "", "Mine", "A-1,1").await).await;
    assert_eq!(code.as_u16(), 404);
    c.a.share(&id, &c.s1_account).await;
    let (code, error) = error_of(edit("Too late", "A-1,2").await).await;
    assert_eq!(
        (code.as_u16(), error),
        (409, AppError::Refused(Refusal::WrongState))
    );
    app.stop().await;
}

/// A draft whose first row is `MUG-01` with `fnsku`, a UPC and an expiry date, and
/// whose pasted list adds `CUP-2` with an ASIN and an EAN, prepped by the supplier.
fn coded_items<'a>(id: &'a str, version: &'a str, fnsku: &'a str) -> [(&'a str, &'a str); 16] {
    [
        ("id", id),
        ("version", version),
        ("name", "Coded"),
        ("from_name", "Ann"),
        ("from_line1", "1 Main St"),
        ("from_city", "Ontario"),
        ("from_country", "US"),
        ("destination", "ONT8"),
        ("items[0][sku]", "MUG-01"),
        ("items[0][quantity]", "12"),
        ("items[0][fnsku]", fnsku),
        ("items[0][upc]", "0 36000 29145 2"),
        ("items[0][expires]", "on"),
        ("items[0][prep_by]", "seller"),
        (
            "items_csv",
            "sku,quantity,asin,upc,expiry\nCUP-2,3,b07xyz1234,4006381333931,no",
        ),
        ("csv_prep_by", "supplier"),
    ]
}

#[tokio::test]
async fn items_carry_what_the_fulfillment_center_scans_and_bad_codes_are_refused() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    let version = c.a.version(&id).await;

    // One character short of an FNSKU: refused, nothing changed.
    let (code, error) = error_of(
        c.a.call("shipments/save", &coded_items(&id, &version, "X001ABCDE"))
            .await,
    )
    .await;
    assert_eq!(
        (code.as_u16(), error),
        (422, AppError::Input(InputError::FnskuInvalid))
    );
    assert_eq!(c.a.shipment(&id).await.name, "Spring restock 春季补货");

    let saved =
        c.a.call("shipments/save", &coded_items(&id, &version, "x001abcdef"))
            .await;
    assert_eq!(saved.status(), StatusCode::OK);
    c.a.share(&id, &c.s1_account).await;
    // The supplier who packs sees each code, as the seller typed it, normalised.
    let seen = c.s1.shipment(&id).await;
    let codes: Vec<_> = seen
        .items
        .iter()
        .map(|i| {
            (
                i.sku.as_str(),
                i.fnsku.as_deref(),
                i.upc.as_deref(),
                i.expires,
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            ("MUG-01", Some("X001ABCDEF"), Some("036000291452"), true),
            ("CUP-2", Some("B07XYZ1234"), Some("4006381333931"), false),
        ]
    );
    let mail = app.last_email_to("wang@s1.example").await;
    assert!(
        mail.text_body
            .contains("MUG-01 × 12, FNSKU X001ABCDEF, has an expiry date"),
        "{}",
        mail.text_body
    );
    app.stop().await;
}

#[tokio::test]
async fn boxes_are_changed_and_removed_only_on_their_own_shipment() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let first = c.a.create_shipment().await;
    let second = c.a.create_shipment().await;
    for id in [&first, &second] {
        c.a.share(id, &c.s1_account).await;
    }
    assert_eq!(
        c.s1.add_box(&first, "MUG-1", "2", "5").await.status(),
        StatusCode::OK
    );
    let view = c.s1.shipment(&first).await;
    let box_id = view.boxes[0].id.clone();

    // A box id from another shipment names nothing here.
    assert_eq!(
        c.s1.add_box(&second, "CUP-2", "1", "1").await.status(),
        StatusCode::OK
    );
    let v2 = c.s1.version(&second).await;
    assert_eq!(
        c.s1.save_box(&second, &v2, &box_id, "MUG-1", "1", "5")
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        c.s1.status(
            "shipments/delete_box",
            &[("id", &second), ("box_id", &box_id)]
        )
        .await,
        404
    );
    let v = view.version.to_string();
    assert_eq!(
        c.s1.save_box(&first, &v, "'; DELETE shipment_box; --", "MUG-1", "1", "5")
            .await
            .status()
            .as_u16(),
        404
    );

    // Changing the box: the units it held count as free again for it.
    assert_eq!(
        c.s1.save_box(&first, &v, &box_id, "MUG-1", "3", "6.5")
            .await
            .status(),
        StatusCode::OK
    );
    let changed = c.a.shipment(&first).await;
    assert_eq!(changed.boxes.len(), 1);
    assert_eq!(changed.boxes[0].contents, [("MUG-1".to_owned(), 3)]);
    assert_eq!(changed.boxes[0].weight_g, 6500);
    assert_eq!(
        c.s1.status(
            "shipments/delete_box",
            &[("id", &first), ("box_id", &box_id)]
        )
        .await,
        200
    );
    let emptied = c.a.shipment(&first).await;
    assert!(emptied.boxes.is_empty(), "{:?}", emptied.boxes);
    assert_eq!(emptied.items[0].unboxed, 3);
    app.stop().await;
}

#[tokio::test]
async fn the_next_supplier_does_not_see_who_had_the_shipment_before() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    c.a.share(&id, &c.s1_account).await;
    c.s1.add_box(&id, "MUG-1", "3", "5").await;
    assert_eq!(
        c.a.status("shipments/stop_sharing", &[("id", &id)]).await,
        200
    );
    // The supplier it was taken from is told.
    let mail = app.last_email_to("wang@s1.example").await;
    assert!(mail.subject.contains("stopped sharing"), "{}", mail.subject);

    assert_eq!(c.a.share(&id, &c.s3_account).await.status(), StatusCode::OK);
    let seen = c.s3.shipment(&id).await;
    // All of the timeline as it went over the wire, every field of every entry.
    let text = serde_json::to_string(&seen.timeline).unwrap();
    assert!(!text.contains("Supplier One"), "{text}");
    assert_eq!(seen.timeline.len(), 1, "{text}");
    // The seller sees the whole history.
    let history = serde_json::to_string(&c.a.shipment(&id).await.timeline).unwrap();
    assert!(history.contains("Supplier One"));
    app.stop().await;
}

// Several worker threads, so the requests really run at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn races_leave_one_share_and_no_lost_box() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    for round in 0..3 {
        // Two tabs share the same draft with two suppliers at once: one wins.
        let id = c.a.create_shipment().await;
        let (x, y) = tokio::join!(c.a.share(&id, &c.s1_account), c.a.share(&id, &c.s3_account));
        let codes = [x.status().as_u16(), y.status().as_u16()];
        assert_eq!(
            codes.iter().filter(|c| **c == 200).count(),
            1,
            "round {round}: {codes:?}"
        );
        assert!(codes.contains(&409), "round {round}: {codes:?}");
        let view = c.a.shipment(&id).await;
        let winner = view.supplier.expect("shared").company;
        let s1_sees = c.s1.status("shipments/get", &[("id", &id)]).await;
        let s3_sees = c.s3.status("shipments/get", &[("id", &id)]).await;
        assert_eq!(
            (s1_sees == 200, s3_sees == 200),
            (winner == "Supplier One", winner == "Supplier Three")
        );

        // Two tabs of the winner save a box on the same version at once: one box, one
        // clear conflict.
        let packer = if winner == "Supplier One" {
            &c.s1
        } else {
            &c.s3
        };
        let v = packer.version(&id).await;
        let (x, y) = tokio::join!(
            packer.save_box(&id, &v, "", "MUG-1", "3", "5"),
            packer.save_box(&id, &v, "", "MUG-1", "3", "5"),
        );
        let mut codes = [x.status().as_u16(), y.status().as_u16()];
        codes.sort();
        assert_eq!(codes, [200, 409], "round {round}");
        let boxes = c.a.shipment(&id).await.boxes.len();
        assert_eq!(boxes, 1, "round {round}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_suppliers_list_is_newest_first_and_filters_by_seller_and_status() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    c.s1.invite_and_get_accepted_by(&c.b, "bea@b.example").await;
    let s1_for_b = c.b.connected_account("Supplier One").await;
    let seller_a = c.s1.connected_account("Seller A").await;

    let mut shared = Vec::new();
    for (seller, supplier) in [
        (&c.a, &c.s1_account),
        (&c.a, &c.s1_account),
        (&c.b, &s1_for_b),
    ] {
        let id = seller.create_shipment().await;
        assert_eq!(seller.share(&id, supplier).await.status(), StatusCode::OK);
        shared.push(id);
    }
    // A draft nobody shared, and one shared with another supplier: never on S1's list.
    c.a.create_shipment().await;
    let elsewhere = c.a.create_shipment().await;
    assert_eq!(
        c.a.share(&elsewhere, &c.s3_account).await.status(),
        StatusCode::OK
    );

    let newest_first: Vec<String> = shared.iter().rev().cloned().collect();
    assert_eq!(c.s1.shipment_ids(&[]).await, newest_first);

    assert_eq!(
        c.s1.shipment_ids(&[("seller", &seller_a)]).await,
        vec![shared[1].clone(), shared[0].clone()]
    );
    assert_eq!(
        c.s1.shipment_ids(&[("status", "shared")]).await,
        newest_first
    );
    assert!(c.s1.shipment_ids(&[("status", "packing")]).await.is_empty());

    // Cancelled by its seller: off the supplier's list at once.
    assert_eq!(
        c.a.status("shipments/cancel", &[("id", &shared[0])]).await,
        200
    );
    assert_eq!(
        c.s1.shipment_ids(&[("seller", &seller_a)]).await,
        vec![shared[1].clone()]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_small_parcel_shipment_takes_at_most_200_boxes() {
    let app = TestApp::spawn().await;
    let seller = app
        .verified_account("seller", "Bulk Seller", "ann@bulk.example")
        .await;
    let supplier = app
        .verified_account("supplier", "Bulk Packer", "wang@packer.example")
        .await;
    supplier
        .invite_and_get_accepted_by(&seller, "ann@bulk.example")
        .await;
    let packer = seller.connected_account("Bulk Packer").await;
    let response = seller
        .save_shipment("", "", "Two hundred and one mugs", "BULK-1,201")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let id: String = response.json().await.expect("the new id");
    assert_eq!(seller.share(&id, &packer).await.status(), StatusCode::OK);

    // 201 boxes of one mug each: one too many for small parcel, fine for LTL.
    for _ in 0..201 {
        assert_eq!(
            supplier.add_box(&id, "BULK-1", "1", "1").await.status(),
            StatusCode::OK
        );
    }
    let v = supplier.version(&id).await;
    let (code, error) = error_of(supplier.save_shipping(&id, &v, "small_parcel").await).await;
    assert_eq!(
        (code.as_u16(), error),
        (422, AppError::Input(InputError::TooManySmallParcelBoxes))
    );

    // Two mugs in one box: 200 boxes, and small parcel takes them.
    let view = supplier.shipment(&id).await;
    let (last, merged) = (&view.boxes[200].id, &view.boxes[199].id);
    assert_eq!(
        supplier
            .status("shipments/delete_box", &[("id", &id), ("box_id", last)])
            .await,
        200
    );
    let v = supplier.version(&id).await;
    assert_eq!(
        supplier
            .save_box(&id, &v, merged, "BULK-1", "2", "1")
            .await
            .status(),
        StatusCode::OK
    );
    let v = supplier.version(&id).await;
    assert_eq!(
        supplier
            .save_shipping(&id, &v, "small_parcel")
            .await
            .status(),
        StatusCode::OK
    );
    app.stop().await;
}
