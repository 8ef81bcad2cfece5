//! Scan to pack: each scan of an item's FNSKU, UPC or SKU adds one unit to the box
//! being filled, kept on the server (a reload keeps it); a code not in the shipment or
//! a unit too many adds nothing; closing the box saves what was scanned.

use reqwest::StatusCode;

use crate::helpers::{error_of, Browser, TestApp};
use app::domain::InputError;
use app::error::AppError;
use app::shipments::Scanned;
use db::Refusal;

/// A shipment of Seller A's shared with Supplier One: MUG-1 × 3 (FNSKU X001ABCDEF,
/// UPC 036000291452, expires), CUP-2 × 2 (no codes).
async fn shared(c: &crate::helpers::ShipmentsCast) -> String {
    let created =
        c.a.call(
            "shipments/save",
            &[
                ("id", ""),
                ("name", "Scanned"),
                ("from_name", "Ann"),
                ("from_line1", "1 Main St"),
                ("from_city", "Ontario"),
                ("from_country", "US"),
                ("destination", "ONT8"),
                (
                    "items_csv",
                    "sku,quantity,name,fnsku,upc,expiry\n\
                     MUG-1,3,Mug,X001ABCDEF,036000291452,yes\n\
                     CUP-2,2,Cup,,,no",
                ),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let id: String = created.json().await.unwrap();
    c.a.share(&id, &c.s1_account).await;
    id
}

async fn scan(who: &Browser, id: &str, code: &str) -> reqwest::Response {
    who.call("shipments/scan", &[("id", id), ("code", code)])
        .await
}

#[tokio::test]
async fn scans_fill_the_open_box_and_closing_it_saves_what_was_scanned() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = shared(&c).await;

    // The FNSKU (as a label prints it), the UPC as a scanner may read it (13 digits),
    // and the SKU typed by hand in lower case: three mugs and a cup.
    for (code, sku, in_box, left) in [
        ("X001-ABCDEF", "MUG-1", 1, 2),
        ("0036000291452", "MUG-1", 2, 1),
        ("cup-2", "CUP-2", 1, 1),
        ("036000291452", "MUG-1", 3, 0),
    ] {
        let response = scan(&c.s1, &id, code).await;
        assert_eq!(response.status(), StatusCode::OK, "{code}");
        let scanned: Scanned = response.json().await.unwrap();
        assert_eq!(scanned.sku, sku, "{code}");
        assert_eq!(scanned.left, left, "{code}");
        let n = scanned.open_box.iter().find(|(s, _)| s == sku).unwrap().1;
        assert_eq!(n, in_box, "{code}");
    }
    // A fourth mug (there are three) and a code of nothing in the shipment: refused,
    // nothing added.
    assert_eq!(
        error_of(scan(&c.s1, &id, "X001ABCDEF").await).await,
        (
            StatusCode::CONFLICT,
            AppError::Refused(Refusal::NothingLeft)
        )
    );
    assert_eq!(
        error_of(scan(&c.s1, &id, "X009ZZZZZZ").await).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Input(InputError::ScanNotInShipment)
        )
    );
    // What a reload shows: the open box as scanned, nothing boxed yet.
    let page = c.s1.shipment(&id).await;
    assert_eq!(
        page.open_box,
        [("MUG-1".to_owned(), 3), ("CUP-2".to_owned(), 1)]
    );
    assert!(page.boxes.is_empty());

    // Closing the box as the page shows it: the mugs expire, so their date is asked
    // for; a box that is not the open box as it is now (a unit scanned since) is stale.
    let version = page.version.to_string();
    let close = |cups: &'static str, expiry: &'static str| {
        let (id, version) = (id.clone(), version.clone());
        let s1 = c.s1.clone();
        async move {
            s1.call(
                "shipments/save_box",
                &[
                    ("id", &id),
                    ("version", &version),
                    ("from_scan", "1"),
                    ("contents[0][sku]", "MUG-1"),
                    ("contents[0][quantity]", "3"),
                    ("contents[0][expiry]", expiry),
                    ("contents[1][sku]", "CUP-2"),
                    ("contents[1][quantity]", cups),
                    ("weight", "4"),
                    ("weight_unit", "kg"),
                    ("length", "40"),
                    ("width", "30"),
                    ("height", "20"),
                    ("length_unit", "cm"),
                ],
            )
            .await
        }
    };
    assert_eq!(
        error_of(close("1", "").await).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Input(InputError::ExpiryDateMissing)
        )
    );
    assert_eq!(
        error_of(close("2", "2027-01-31").await).await,
        (StatusCode::CONFLICT, AppError::Refused(Refusal::Stale))
    );
    assert_eq!(close("1", "2027-01-31").await.status(), StatusCode::OK);
    let page = c.s1.shipment(&id).await;
    assert!(page.open_box.is_empty());
    assert_eq!(page.boxes.len(), 1);
    assert_eq!(
        page.boxes[0].contents,
        [("MUG-1".to_owned(), 3), ("CUP-2".to_owned(), 1)]
    );
    assert_eq!(
        page.boxes[0].expiry_dates,
        [("MUG-1".to_owned(), "2027-01-31".to_owned())]
    );
    // The next box starts empty, and takes only what is left: one cup.
    assert_eq!(scan(&c.s1, &id, "CUP-2").await.status(), StatusCode::OK);
    assert_eq!(
        error_of(scan(&c.s1, &id, "CUP-2").await).await,
        (
            StatusCode::CONFLICT,
            AppError::Refused(Refusal::NothingLeft)
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn only_the_supplier_it_is_shared_with_scans_and_a_plain_form_post_comes_back_to_the_page() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = shared(&c).await;
    // The supplier's scan goes through...
    assert_eq!(scan(&c.s1, &id, "MUG-1").await.status(), StatusCode::OK);
    // ...the same scan by anyone else does not, and adds nothing: the seller does
    // not pack, and to others the shipment does not exist.
    assert_eq!(
        error_of(scan(&c.a, &id, "MUG-1").await).await,
        (StatusCode::FORBIDDEN, AppError::Forbidden)
    );
    for outsider in [&c.b, &c.s2, &c.s3] {
        assert_eq!(
            error_of(scan(outsider, &id, "MUG-1").await).await,
            (StatusCode::NOT_FOUND, AppError::Refused(Refusal::NotFound))
        );
    }
    assert_eq!(
        scan(&c.anonymous, &id, "MUG-1").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(c.s1.shipment(&id).await.open_box, [("MUG-1".to_owned(), 1)]);

    // Before the wasm loads, a scan is a plain form post: back to the page, which
    // names the item added.
    let response =
        c.s1.client
            .post(format!("{}/api/shipments/scan", app.address))
            .header("Accept", "text/html")
            .header("Referer", format!("{}/shipments/{id}", app.address))
            .form(&[("id", id.as_str()), ("code", "X001ABCDEF")])
            .send()
            .await
            .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("/shipments/{id}?scanned=MUG-1#scan")
    );
    let page =
        c.s1.client
            .get(format!("{}/shipments/{id}?scanned=MUG-1", app.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    assert!(
        page.contains("Added 1 × MUG-1 (Mug). In this box: 2. Left to pack: 1."),
        "{page}"
    );
    app.stop().await;
}
