//! Shipments over HTTP: who may do what (the authorization matrix of every shipment
//! function), the order of steps, access ending with the share or the connection,
//! the labels PDF, and the live feed.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{error_of, Browser, TestApp};

/// Seller A, seller B, supplier S1 (connected to A, the shipment shared with it),
/// supplier S3 (connected to A, nothing shared), supplier S2 (not connected).
struct Cast {
    anonymous: Browser,
    a: Browser,
    b: Browser,
    s1: Browser,
    s2: Browser,
    s3: Browser,
    s1_account: String,
}

/// `supplier` invites the seller at `seller_email`, who accepts.
async fn connect(seller: &Browser, supplier: &Browser, seller_email: &str) {
    assert_eq!(
        supplier.invite("Seller", seller_email).await.status(),
        StatusCode::OK
    );
    let id = seller.overview().await["received"][0]["id"]
        .as_str()
        .expect("invitation received")
        .to_owned();
    assert_eq!(
        seller
            .call("connections/accept", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
}

async fn cast(app: &TestApp) -> Cast {
    let a = app
        .verified_account("seller", "Seller A", "ann@a.example")
        .await;
    let b = app
        .verified_account("seller", "Seller B", "bea@b.example")
        .await;
    let s1 = app
        .verified_account("supplier", "Supplier One", "wang@s1.example")
        .await;
    let s2 = app
        .verified_account("supplier", "Supplier Two", "li@s2.example")
        .await;
    let s3 = app
        .verified_account("supplier", "Supplier Three", "zhao@s3.example")
        .await;
    connect(&a, &s1, "ann@a.example").await;
    connect(&a, &s3, "ann@a.example").await;
    let s1_account = a.overview().await["connected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["company"] == "Supplier One")
        .expect("connected to S1")["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    Cast {
        anonymous: app.browser(),
        a,
        b,
        s1,
        s2,
        s3,
        s1_account,
    }
}

/// Creates a draft: MUG-1 × 3 typed in a row, CUP-2 × 2 pasted as CSV.
async fn create_shipment(seller: &Browser) -> String {
    let response = seller
        .call(
            "shipments/save",
            &[
                ("id", ""),
                ("name", "Spring restock 春季补货"),
                ("from_name", "王芳"),
                ("from_line1", "南山区科技园 1 号"),
                ("from_city", "深圳"),
                ("from_region", "广东"),
                ("from_postal_code", "518000"),
                ("from_country", "cn"),
                ("destination", "phx7"),
                ("items[0][sku]", "MUG-1"),
                ("items[0][name]", "Mug 马克杯"),
                ("items[0][quantity]", "3"),
                ("items[0][prep_by]", "supplier"),
                ("items[1][sku]", ""),
                ("items[1][name]", ""),
                ("items[1][quantity]", ""),
                ("items[1][prep_by]", "seller"),
                ("items_csv", "sku,quantity,name\nCUP-2,2,Cup"),
                ("csv_prep_by", "seller"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<String>().await.expect("the new id")
}

async fn get(browser: &Browser, id: &str) -> Value {
    let response = browser.call("shipments/get", &[("id", id)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

async fn status(browser: &Browser, endpoint: &str, form: &[(&str, &str)]) -> u16 {
    browser.call(endpoint, form).await.status().as_u16()
}

fn version(view: &Value) -> String {
    view["version"].as_i64().expect("version").to_string()
}

/// A box with `quantity` units of `sku`, `kg` heavy, 40 × 30 × 20 cm.
async fn save_box(
    browser: &Browser,
    id: &str,
    version: &str,
    box_id: &str,
    sku: &str,
    quantity: &str,
    kg: &str,
) -> reqwest::Response {
    browser
        .call(
            "shipments/save_box",
            &[
                ("id", id),
                ("version", version),
                ("box_id", box_id),
                ("contents[0][sku]", sku),
                ("contents[0][quantity]", quantity),
                ("weight", kg),
                ("weight_unit", "kg"),
                ("length", "40"),
                ("width", "30"),
                ("height", "20"),
                ("length_unit", "cm"),
            ],
        )
        .await
}

/// Shares on the version the caller sees (any version, for a caller who sees nothing).
async fn share(seller: &Browser, id: &str, supplier: &str) -> reqwest::Response {
    let seen = seller.call("shipments/get", &[("id", id)]).await;
    let version = match seen.json::<Value>().await {
        Ok(view) if view["version"].is_i64() => version(&view),
        _ => "0".to_owned(),
    };
    seller
        .call(
            "shipments/share",
            &[
                ("id", id),
                ("version", &version),
                ("supplier", supplier),
                ("message", "Fragile <b>glass</b>"),
            ],
        )
        .await
}

fn list_ids(list: &Value) -> Vec<String> {
    list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn list(browser: &Browser) -> Value {
    let response = browser.call("shipments/list", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

#[tokio::test]
async fn the_authorization_matrix_of_every_shipment_function() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = create_shipment(&c.a).await;
    let created = get(&c.a, &id).await;
    assert_eq!(created["status"], "draft");
    assert_eq!(created["destination"], "PHX7");
    assert_eq!(created["ship_from"]["country"], "CN");
    assert_eq!(created["items"].as_array().unwrap().len(), 2);

    // Before sharing, only the seller sees it.
    assert_eq!(
        status(&c.anonymous, "shipments/get", &[("id", &id)]).await,
        401
    );
    for outsider in [&c.b, &c.s1, &c.s2, &c.s3] {
        assert_eq!(status(outsider, "shipments/get", &[("id", &id)]).await, 404);
        assert!(!list_ids(&list(outsider).await).contains(&id));
    }
    assert_eq!(status(&c.anonymous, "shipments/list", &[]).await, 401);

    // Only the seller shares, and only with a connected supplier.
    let s2_account = "doesnotmatter";
    assert_eq!(share(&c.b, &id, &c.s1_account).await.status().as_u16(), 404);
    assert_eq!(
        share(&c.s1, &id, &c.s1_account).await.status().as_u16(),
        404
    );
    assert_eq!(
        share(&c.anonymous, &id, &c.s1_account)
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(share(&c.a, &id, s2_account).await.status().as_u16(), 409);
    assert_eq!(
        share(&c.a, &id, &c.s1_account).await.status(),
        StatusCode::OK
    );

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

    let shared = get(&c.s1, &id).await;
    assert_eq!(shared["side"], "supplier");
    assert_eq!(shared["status"], "shared");
    assert!(list_ids(&list(&c.s1).await).contains(&id));
    let v = version(&shared);

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
            ],
        ),
        ("shipments/reopen", vec![("id", &id)]),
        (
            "shipments/mark_shipped",
            vec![("id", &id), ("version", &v), ("pro_number", "PRO1")],
        ),
    ];
    for (endpoint, form) in &calls {
        assert_eq!(
            status(&c.anonymous, endpoint, form).await,
            401,
            "{endpoint} anonymous"
        );
        for outsider in [&c.b, &c.s2, &c.s3] {
            assert_eq!(
                status(outsider, endpoint, form).await,
                404,
                "{endpoint} outsider"
            );
        }
    }
    for outsider in [&c.b, &c.s2, &c.s3] {
        assert_eq!(
            save_box(outsider, &id, &v, "", "MUG-1", "3", "5")
                .await
                .status()
                .as_u16(),
            404
        );
    }
    // The seller does not pack, and the supplier does not manage the share.
    assert_eq!(
        save_box(&c.a, &id, &v, "", "MUG-1", "3", "5")
            .await
            .status()
            .as_u16(),
        403
    );
    for endpoint in ["shipments/stop_sharing", "shipments/cancel"] {
        assert_eq!(
            status(&c.s1, endpoint, &[("id", &id)]).await,
            403,
            "{endpoint}"
        );
    }
    assert_eq!(
        status(
            &c.s1,
            "shipments/save",
            &[
                ("id", &id),
                ("name", "x"),
                ("from_name", "x"),
                ("from_line1", "x"),
                ("from_city", "x"),
                ("from_country", "CN"),
                ("destination", "PHX7"),
                ("items_csv", "A,1")
            ]
        )
        .await,
        403
    );
    let after = get(&c.a, &id).await;
    assert_eq!(after["version"], shared["version"]);
    assert_eq!(after["timeline"].as_array().unwrap().len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn steps_happen_only_in_order() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = create_shipment(&c.a).await;
    let draft = version(&get(&c.a, &id).await);
    // Nothing of the supplier's before it is shared.
    assert_eq!(
        save_box(&c.s1, &id, &draft, "", "MUG-1", "3", "5")
            .await
            .status()
            .as_u16(),
        404
    );
    share(&c.a, &id, &c.s1_account).await;
    assert_eq!(share(&c.a, &id, &c.s1_account).await.status().as_u16(), 409);
    let v = version(&get(&c.s1, &id).await);
    let shipping = |v: String, mode: &'static str| {
        let id = id.clone();
        let s1 = &c.s1;
        async move {
            s1.call(
                "shipments/save_shipping",
                &[
                    ("id", &id),
                    ("version", &v),
                    ("mode", mode),
                    ("carrier", "UPS"),
                    ("ship_date", "2026-12-01"),
                ],
            )
            .await
        }
    };
    // No shipping before packing, no tracking before labels.
    assert_eq!(
        shipping(v.clone(), "small_parcel").await.status().as_u16(),
        409
    );
    let (code, error) = error_of(
        c.s1.call(
            "shipments/mark_shipped",
            &[("id", &id), ("version", &v), ("pro_number", "PRO1")],
        )
        .await,
    )
    .await;
    assert_eq!((code.as_u16(), error), (409, Value::from("wrong_state")));

    // Boxes: never more than is left, and never on an old version.
    let (code, error) = error_of(save_box(&c.s1, &id, &v, "", "MUG-1", "4", "5").await).await;
    assert_eq!(
        (code.as_u16(), &error),
        (
            422,
            &serde_json::json!({"input": "quantity_over_remaining"})
        )
    );
    assert_eq!(
        save_box(&c.s1, &id, &v, "", "MUG-1", "3", "5")
            .await
            .status(),
        StatusCode::OK
    );
    let (code, error) = error_of(save_box(&c.s1, &id, &v, "", "CUP-2", "2", "30").await).await;
    assert_eq!((code.as_u16(), error), (409, Value::from("stale")));
    let v = version(&get(&c.s1, &id).await);
    let (code, error) = error_of(shipping(v.clone(), "ltl").await).await;
    assert_eq!(
        (code.as_u16(), &error),
        (422, &serde_json::json!({"input": "units_not_boxed"}))
    );
    assert_eq!(
        save_box(&c.s1, &id, &v, "", "CUP-2", "2", "30")
            .await
            .status(),
        StatusCode::OK
    );
    let packed = get(&c.a, &id).await;
    assert_eq!(packed["status"], "packing");
    assert_eq!(packed["boxes"].as_array().unwrap().len(), 2);
    let v = version(&packed);

    // A 30 kg box is too heavy for small parcel; LTL takes it.
    let (code, error) = error_of(shipping(v.clone(), "small_parcel").await).await;
    assert_eq!(
        (code.as_u16(), &error),
        (
            422,
            &serde_json::json!({"input": "over_small_parcel_weight"})
        )
    );
    assert_eq!(shipping(v.clone(), "ltl").await.status(), StatusCode::OK);
    let labelled = get(&c.a, &id).await;
    assert_eq!(labelled["status"], "labelled");
    let v = version(&labelled);
    // Boxes are fixed once labelled, until packing is reopened.
    assert_eq!(
        save_box(&c.s1, &id, &v, "", "MUG-1", "1", "1")
            .await
            .status()
            .as_u16(),
        409
    );
    assert_eq!(
        status(
            &c.a,
            "shipments/share",
            &[("id", &id), ("version", &v), ("supplier", &c.s1_account)]
        )
        .await,
        409
    );

    let (code, error) = error_of(
        c.s1.call(
            "shipments/mark_shipped",
            &[("id", &id), ("version", &v), ("pro_number", "")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (code.as_u16(), &error),
        (422, &serde_json::json!({"input": "tracking_missing"}))
    );
    assert_eq!(
        status(
            &c.s1,
            "shipments/mark_shipped",
            &[("id", &id), ("version", &v), ("pro_number", "pro 12345")]
        )
        .await,
        200
    );
    let shipped = get(&c.a, &id).await;
    assert_eq!(shipped["status"], "shipped");
    assert_eq!(shipped["pro_number"], "PRO12345");
    let mail = app.last_email_to("ann@a.example").await;
    assert!(mail.subject.starts_with("Shipped"), "{}", mail.subject);
    assert!(mail.text_body.contains("PRO12345"));

    // Nothing moves a shipped shipment.
    for endpoint in ["shipments/stop_sharing", "shipments/cancel"] {
        assert_eq!(
            status(&c.a, endpoint, &[("id", &id)]).await,
            409,
            "{endpoint}"
        );
    }
    assert_eq!(status(&c.s1, "shipments/reopen", &[("id", &id)]).await, 409);
    let v = version(&shipped);
    assert_eq!(shipping(v, "ltl").await.status().as_u16(), 409);
    let actions: Vec<&str> = shipped["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "created",
            "shared",
            "box_saved",
            "box_saved",
            "shipping_saved",
            "shipped"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn access_ends_when_sharing_stops_and_when_the_connection_is_removed() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = create_shipment(&c.a).await;
    share(&c.a, &id, &c.s1_account).await;
    assert_eq!(status(&c.s1, "shipments/get", &[("id", &id)]).await, 200);
    assert_eq!(
        status(&c.a, "shipments/stop_sharing", &[("id", &id)]).await,
        200
    );
    assert_eq!(status(&c.s1, "shipments/get", &[("id", &id)]).await, 404);
    assert!(list_ids(&list(&c.s1).await).is_empty());
    assert_eq!(get(&c.a, &id).await["status"], "draft");

    // Shared again and half packed, then the supplier removes the connection.
    share(&c.a, &id, &c.s1_account).await;
    let v = version(&get(&c.s1, &id).await);
    assert_eq!(
        save_box(&c.s1, &id, &v, "", "MUG-1", "3", "5")
            .await
            .status(),
        StatusCode::OK
    );
    let seller_account = c.s1.overview().await["connected"][0]["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        status(
            &c.s1,
            "connections/remove",
            &[("account_id", &seller_account)]
        )
        .await,
        200
    );
    assert_eq!(status(&c.s1, "shipments/get", &[("id", &id)]).await, 404);
    let v = version(&get(&c.a, &id).await);
    assert_eq!(
        save_box(&c.s1, &id, &v, "", "CUP-2", "2", "5")
            .await
            .status()
            .as_u16(),
        404
    );
    let back = get(&c.a, &id).await;
    assert_eq!(back["status"], "draft");
    assert_eq!(back["boxes"], serde_json::json!([]));
    assert_eq!(back["supplier"], Value::Null);
    assert_eq!(
        back["timeline"].as_array().unwrap().last().unwrap()["action"],
        "connection_removed"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_labels_pdf_has_one_page_per_box_and_the_shipment_id() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = create_shipment(&c.a).await;
    let pdf_url = |paper: &str| format!("{}/shipments/{id}/labels.pdf?paper={paper}", app.address);
    // Not before the labels step.
    let early = c.a.client.get(pdf_url("a4")).send().await.unwrap();
    assert_eq!(early.status().as_u16(), 409);
    share(&c.a, &id, &c.s1_account).await;
    let v = version(&get(&c.s1, &id).await);
    save_box(&c.s1, &id, &v, "", "MUG-1", "3", "5").await;
    let v = version(&get(&c.s1, &id).await);
    save_box(&c.s1, &id, &v, "", "CUP-2", "2", "4.5").await;
    let v = version(&get(&c.s1, &id).await);
    assert_eq!(
        status(
            &c.s1,
            "shipments/save_shipping",
            &[
                ("id", &id),
                ("version", &v),
                ("mode", "small_parcel"),
                ("carrier", "UPS"),
                ("ship_date", "2026-12-01")
            ]
        )
        .await,
        200
    );

    for (who, paper, width) in [(&c.s1, "letter", 612.0), (&c.a, "a4", 595.28)] {
        let response = who.client.get(pdf_url(paper)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let bytes = response.bytes().await.unwrap();
        let doc = lopdf::Document::load_mem(&bytes).expect("a valid PDF");
        let pages = doc.get_pages();
        assert_eq!(pages.len(), 2, "one page per box");
        for (n, page_id) in pages.values().enumerate() {
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
    let c = cast(&app).await;
    let id = create_shipment(&c.a).await;
    share(&c.a, &id, &c.s1_account).await;
    let open = |b: &Browser| b.client.get(format!("{}/api/events", app.address)).send();
    assert_eq!(open(&c.anonymous).await.unwrap().status().as_u16(), 401);
    let mut seller = open(&c.a).await.unwrap();
    let mut supplier = open(&c.s1).await.unwrap();
    let mut other = open(&c.b).await.unwrap();
    let mut unshared = open(&c.s3).await.unwrap();
    assert_eq!(seller.headers()["content-type"], "text/event-stream");
    let v = version(&get(&c.s1, &id).await);
    assert_eq!(
        save_box(&c.s1, &id, &v, "", "MUG-1", "3", "5")
            .await
            .status(),
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
    let c = cast(&app).await;
    let id = create_shipment(&c.a).await;
    let edit = |name: &'static str, csv: &'static str| {
        let id = id.clone();
        let a = &c.a;
        async move {
            let v = version(&get(a, &id).await);
            a.call(
                "shipments/save",
                &[
                    ("id", id.as_str()),
                    ("version", v.as_str()),
                    ("name", name),
                    ("from_name", "Ann"),
                    ("from_line1", "1 Main St"),
                    ("from_city", "Ontario"),
                    ("from_country", "US"),
                    ("destination", "ONT8"),
                    ("items_csv", csv),
                ],
            )
            .await
        }
    };
    let (code, error) = error_of(edit("Renamed", "A-1,2\nB 2,3\nC-3,0\nA-1,1").await).await;
    assert_eq!(code.as_u16(), 422);
    assert_eq!(
        error,
        serde_json::json!({"item_lines": [
            {"line": 2, "problem": "sku_invalid"},
            {"line": 3, "problem": "quantity_invalid"},
            {"line": 4, "problem": "sku_listed_twice"},
        ]})
    );
    assert_eq!(get(&c.a, &id).await["name"], "Spring restock 春季补货");

    assert_eq!(edit("Renamed", "A-1,2").await.status(), StatusCode::OK);
    let edited = get(&c.a, &id).await;
    assert_eq!(edited["name"], "Renamed");
    assert_eq!(edited["destination"], "ONT8");
    assert_eq!(edited["items"].as_array().unwrap().len(), 1);
    // Another seller cannot edit it, nor anyone once it is shared.
    let (code, _) = error_of(
        c.b.call(
            "shipments/save",
            &[
                ("id", id.as_str()),
                ("name", "Mine"),
                ("from_name", "B"),
                ("from_line1", "x"),
                ("from_city", "x"),
                ("from_country", "US"),
                ("destination", "ONT8"),
                ("items_csv", "A-1,1"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(code.as_u16(), 404);
    share(&c.a, &id, &c.s1_account).await;
    let (code, error) = error_of(edit("Too late", "A-1,2").await).await;
    assert_eq!((code.as_u16(), error), (409, Value::from("wrong_state")));
    app.stop().await;
}

#[tokio::test]
async fn boxes_are_changed_and_removed_only_on_their_own_shipment() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let first = create_shipment(&c.a).await;
    let second = create_shipment(&c.a).await;
    for id in [&first, &second] {
        share(&c.a, id, &c.s1_account).await;
    }
    let v = version(&get(&c.s1, &first).await);
    assert_eq!(
        save_box(&c.s1, &first, &v, "", "MUG-1", "2", "5")
            .await
            .status(),
        StatusCode::OK
    );
    let view = get(&c.s1, &first).await;
    let box_id = view["boxes"][0]["id"].as_str().unwrap().to_owned();

    // A box id from another shipment names nothing here.
    let v2 = version(&get(&c.s1, &second).await);
    assert_eq!(
        save_box(&c.s1, &second, &v2, "", "CUP-2", "1", "1")
            .await
            .status(),
        StatusCode::OK
    );
    let v2 = version(&get(&c.s1, &second).await);
    assert_eq!(
        save_box(&c.s1, &second, &v2, &box_id, "MUG-1", "1", "5")
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        status(
            &c.s1,
            "shipments/delete_box",
            &[("id", &second), ("box_id", &box_id)]
        )
        .await,
        404
    );
    assert_eq!(
        save_box(
            &c.s1,
            &first,
            &version(&view),
            "'; DELETE shipment_box; --",
            "MUG-1",
            "1",
            "5"
        )
        .await
        .status()
        .as_u16(),
        404
    );

    // Changing the box: the units it held count as free again for it.
    let v = version(&view);
    assert_eq!(
        save_box(&c.s1, &first, &v, &box_id, "MUG-1", "3", "6.5")
            .await
            .status(),
        StatusCode::OK
    );
    let changed = get(&c.a, &first).await;
    assert_eq!(changed["boxes"].as_array().unwrap().len(), 1);
    assert_eq!(
        changed["boxes"][0]["contents"],
        serde_json::json!([["MUG-1", 3]])
    );
    assert_eq!(changed["boxes"][0]["weight_g"], 6500);
    assert_eq!(
        status(
            &c.s1,
            "shipments/delete_box",
            &[("id", &first), ("box_id", &box_id)]
        )
        .await,
        200
    );
    let emptied = get(&c.a, &first).await;
    assert_eq!(emptied["boxes"], serde_json::json!([]));
    assert_eq!(emptied["items"][0]["unboxed"], 3);
    app.stop().await;
}

#[tokio::test]
async fn the_next_supplier_does_not_see_who_had_the_shipment_before() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = create_shipment(&c.a).await;
    share(&c.a, &id, &c.s1_account).await;
    let v = version(&get(&c.s1, &id).await);
    save_box(&c.s1, &id, &v, "", "MUG-1", "3", "5").await;
    assert_eq!(
        status(&c.a, "shipments/stop_sharing", &[("id", &id)]).await,
        200
    );
    // The supplier it was taken from is told.
    let mail = app.last_email_to("wang@s1.example").await;
    assert!(mail.subject.contains("stopped sharing"), "{}", mail.subject);

    let s3_account = c.a.overview().await["connected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["company"] == "Supplier Three")
        .unwrap()["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(share(&c.a, &id, &s3_account).await.status(), StatusCode::OK);
    let seen = get(&c.s3, &id).await;
    let text = seen["timeline"].to_string();
    assert!(!text.contains("Supplier One"), "{text}");
    assert_eq!(seen["timeline"].as_array().unwrap().len(), 1, "{text}");
    // The seller sees the whole history.
    assert!(get(&c.a, &id).await["timeline"]
        .to_string()
        .contains("Supplier One"));
    app.stop().await;
}

#[tokio::test]
async fn races_leave_one_share_and_no_lost_box() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let s3_account = c.a.overview().await["connected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["company"] == "Supplier Three")
        .unwrap()["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for round in 0..3 {
        // Two tabs share the same draft with two suppliers at once: one wins.
        let id = create_shipment(&c.a).await;
        let (x, y) = tokio::join!(
            share(&c.a, &id, &c.s1_account),
            share(&c.a, &id, &s3_account)
        );
        let codes = [x.status().as_u16(), y.status().as_u16()];
        assert_eq!(
            codes.iter().filter(|c| **c == 200).count(),
            1,
            "round {round}: {codes:?}"
        );
        assert!(codes.contains(&409), "round {round}: {codes:?}");
        let view = get(&c.a, &id).await;
        let winner = view["supplier"]["company"].as_str().unwrap().to_owned();
        let s1_sees =
            c.s1.call("shipments/get", &[("id", &id)])
                .await
                .status()
                .as_u16();
        let s3_sees =
            c.s3.call("shipments/get", &[("id", &id)])
                .await
                .status()
                .as_u16();
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
        let v = version(&get(packer, &id).await);
        let (x, y) = tokio::join!(
            save_box(packer, &id, &v, "", "MUG-1", "3", "5"),
            save_box(packer, &id, &v, "", "MUG-1", "3", "5"),
        );
        let mut codes = [x.status().as_u16(), y.status().as_u16()];
        codes.sort();
        assert_eq!(codes, [200, 409], "round {round}");
        let boxes = get(&c.a, &id).await["boxes"].as_array().unwrap().len();
        assert_eq!(boxes, 1, "round {round}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_suppliers_list_is_newest_first_and_filters_by_seller_and_status() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    connect(&c.b, &c.s1, "bea@b.example").await;
    let account_of = |overview: Value, company: &str| {
        overview["connected"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["company"] == company)
            .expect("connected")["account_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let s1_for_b = account_of(c.b.overview().await, "Supplier One");
    let seller_a = account_of(c.s1.overview().await, "Seller A");

    let mut shared = Vec::new();
    for (seller, supplier) in [
        (&c.a, &c.s1_account),
        (&c.a, &c.s1_account),
        (&c.b, &s1_for_b),
    ] {
        let id = create_shipment(seller).await;
        assert_eq!(share(seller, &id, supplier).await.status(), StatusCode::OK);
        shared.push(id);
    }
    // A draft nobody shared, and one shared with another supplier: never on S1's list.
    create_shipment(&c.a).await;
    let elsewhere = create_shipment(&c.a).await;
    let s3_account = account_of(c.a.overview().await, "Supplier Three");
    assert_eq!(
        share(&c.a, &elsewhere, &s3_account).await.status(),
        StatusCode::OK
    );

    let newest_first: Vec<String> = shared.iter().rev().cloned().collect();
    assert_eq!(list_ids(&list(&c.s1).await), newest_first);

    let by = |form: Vec<(&'static str, String)>| {
        let s1 = &c.s1;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = s1.call("shipments/list", &form).await;
            assert_eq!(response.status(), StatusCode::OK);
            list_ids(&response.json().await.expect("json"))
        }
    };
    assert_eq!(
        by(vec![("seller", seller_a.clone())]).await,
        vec![shared[1].clone(), shared[0].clone()]
    );
    assert_eq!(by(vec![("status", "shared".into())]).await, newest_first);
    assert!(by(vec![("status", "packing".into())]).await.is_empty());

    // Cancelled by its seller: off the supplier's list at once.
    assert_eq!(
        status(&c.a, "shipments/cancel", &[("id", &shared[0])]).await,
        200
    );
    assert_eq!(
        by(vec![("seller", seller_a)]).await,
        vec![shared[1].clone()]
    );
    app.stop().await;
}
