//! Bad input at every server function: over-long, empty and whitespace-only strings,
//! control characters, script tags and SurrealQL fragments, negative and huge numbers,
//! malformed encodings and missing fields. Every one gets a 4xx (never a 5xx), and
//! nothing is stored unless the value is acceptable text for a free-text field, where
//! it is stored as written and shown as text.

use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp, PASSWORD};

/// How a field takes values it was not meant for.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    /// Any text a person may write (names, messages): odd text is stored as text.
    Free,
    /// Free text that may also be left empty.
    FreeOptional,
    /// An identifier, code, number or address: anything odd is refused.
    Strict,
    /// May be left empty (meaning "none"), otherwise strict.
    StrictOptional,
}

const EMPTYISH: &[&str] = &["", "   \t "];
const CONTROL: &[&str] = &["a\u{0}b", "red\u{1b}[31m"];
const NUMBERS: &[&str] = &["-1", "99999999999999999999999", "1e309"];
const TRICKY: &[&str] = &[
    "<script>alert(1)</script>",
    "'; DELETE user; --",
    "$token",
    "type::thing('user', 'ann@a.example')",
    "../../etc/passwd",
];

fn long_values() -> Vec<String> {
    vec!["x".repeat(10_000), "中".repeat(5_000)]
}

/// Whether `value` may be accepted in a field of this kind.
fn may_accept(kind: Field, value: &str) -> bool {
    let emptyish = value.trim().is_empty();
    match kind {
        Field::Free => !emptyish && !CONTROL.contains(&value) && value.chars().count() <= 200,
        Field::FreeOptional => !CONTROL.contains(&value) && value.chars().count() <= 1000,
        Field::Strict => false,
        Field::StrictOptional => emptyish,
    }
}

/// What must not change when a call is refused: emails queued, invitations, and the
/// shipments both sides see.
async fn fingerprint(app: &TestApp, seller: &Browser, supplier: &Browser) -> String {
    let outbox = app.state.db.recent_emails(100_000).await.unwrap().len();
    let sent = seller.overview().await.sent;
    let lists = futures::future::join_all([seller, supplier].map(|b| b.shipments(&[]))).await;
    format!("{outbox} {sent:?} {lists:?}")
}

struct Case {
    endpoint: &'static str,
    who: Who,
    form: Vec<(&'static str, String, Field)>,
    /// Calls that only read may answer 2xx to anything, as long as nothing changes.
    read_only: bool,
}

#[derive(Clone, Copy)]
enum Who {
    Anonymous,
    Seller,
    Supplier,
}

fn f(name: &'static str, value: &str, kind: Field) -> (&'static str, String, Field) {
    (name, value.to_owned(), kind)
}

#[tokio::test]
async fn every_server_function_refuses_bad_input_and_stores_nothing() {
    use Field::*;
    let app = TestApp::spawn().await;
    let seller = app
        .verified_account("seller", "Seller A", "ann@a.example")
        .await;
    let supplier = app
        .verified_account("supplier", "Supplier One", "wang@s1.example")
        .await;
    let invitation = supplier
        .invite_and_get_accepted_by(&seller, "ann@a.example")
        .await;
    let supplier_id = seller.connected_account("Supplier One").await;
    let created = seller.save_shipment("", "", "Base", "A-1,2").await;
    let shipment: String = created.json().await.unwrap();

    let cases = vec![
        Case {
            endpoint: "auth/sign_up",
            who: Who::Anonymous,
            read_only: false,
            form: vec![
                f("kind", "seller", Strict),
                f("company_name", "New Co", Free),
                f("name", "Nia", Free),
                f("email", "nia@new.example", Strict),
                f("password", PASSWORD, Strict),
                f("lang", "en", Strict),
            ],
        },
        Case {
            endpoint: "auth/sign_in",
            who: Who::Anonymous,
            read_only: false,
            form: vec![
                f("email", "ann@a.example", Strict),
                f("password", "wrong password", Strict),
            ],
        },
        Case {
            endpoint: "auth/verify_email",
            who: Who::Seller,
            read_only: false,
            form: vec![f("token", &"ab".repeat(32), Strict)],
        },
        Case {
            endpoint: "auth/set_language",
            who: Who::Seller,
            read_only: false,
            form: vec![f("lang", "zh", Strict)],
        },
        Case {
            endpoint: "connections/invite",
            who: Who::Seller,
            read_only: false,
            form: vec![
                f("company_name", "Another Supplier", Free),
                f("contact_name", "Sam", Free),
                f("email", "sam@other.example", Strict),
                f("lang", "en", Strict),
            ],
        },
        Case {
            endpoint: "connections/accept",
            who: Who::Seller,
            read_only: false,
            form: vec![f("id", &invitation, Strict)],
        },
        Case {
            endpoint: "connections/remove",
            who: Who::Seller,
            read_only: false,
            form: vec![f("account_id", "nobody", Strict)],
        },
        Case {
            endpoint: "invitations/view",
            who: Who::Anonymous,
            read_only: true,
            form: vec![f("token", &"cd".repeat(32), Strict)],
        },
        Case {
            endpoint: "invitations/create_account",
            who: Who::Anonymous,
            read_only: false,
            form: vec![
                f("token", &"cd".repeat(32), Strict),
                f("company_name", "Linked Co", Free),
                f("name", "Lin", Free),
                f("password", PASSWORD, Strict),
                f("lang", "en", Strict),
            ],
        },
        Case {
            endpoint: "shipments/list",
            who: Who::Supplier,
            read_only: true,
            form: vec![
                f("seller", "", StrictOptional),
                f("status", "", StrictOptional),
            ],
        },
        Case {
            endpoint: "shipments/get",
            who: Who::Seller,
            read_only: true,
            form: vec![f("id", &shipment, Strict)],
        },
        Case {
            endpoint: "shipments/save",
            who: Who::Seller,
            read_only: false,
            form: vec![
                f("id", &shipment, StrictOptional),
                f("version", "999", Strict),
                f("name", "Renamed", Free),
                f("from_name", "Ann", Free),
                f("from_line1", "1 Main St", Free),
                f("from_line2", "", FreeOptional),
                f("from_city", "Ontario", Free),
                f("from_region", "", FreeOptional),
                f("from_postal_code", "", FreeOptional),
                f("from_country", "US", Strict),
                f("from_phone", "", StrictOptional),
                f("destination", "ONT8", Strict),
                f("items[0][sku]", "B-2", Strict),
                f("items[0][name]", "", FreeOptional),
                f("items[0][quantity]", "3", Strict),
                f("items[0][prep_by]", "seller", StrictOptional),
            ],
        },
        Case {
            endpoint: "shipments/share",
            who: Who::Seller,
            read_only: false,
            form: vec![
                f("id", &shipment, Strict),
                f("version", "999", Strict),
                f("supplier", &supplier_id, Strict),
                f("message", "", FreeOptional),
            ],
        },
        Case {
            endpoint: "shipments/save_box",
            who: Who::Supplier,
            read_only: false,
            form: vec![
                f("id", &shipment, Strict),
                f("version", "0", Strict),
                f("box_id", "", StrictOptional),
                f("contents[0][sku]", "A-1", Strict),
                f("contents[0][quantity]", "2", Strict),
                f("weight", "5", Strict),
                f("weight_unit", "kg", Strict),
                f("length", "40", Strict),
                f("width", "30", Strict),
                f("height", "20", Strict),
                f("length_unit", "cm", Strict),
            ],
        },
        Case {
            endpoint: "shipments/save_shipping",
            who: Who::Supplier,
            read_only: false,
            form: vec![
                f("id", &shipment, Strict),
                f("version", "0", Strict),
                f("mode", "ltl", Strict),
                f("carrier", "UPS", Free),
                f("ship_date", "2026-12-01", Strict),
            ],
        },
        Case {
            endpoint: "shipments/mark_shipped",
            who: Who::Supplier,
            read_only: false,
            form: vec![
                f("id", &shipment, Strict),
                f("version", "0", Strict),
                f("pro_number", "PRO1", Strict),
            ],
        },
        Case {
            endpoint: "shipments/delete_box",
            who: Who::Supplier,
            read_only: false,
            form: vec![f("id", &shipment, Strict), f("box_id", "abc", Strict)],
        },
    ];

    let anonymous = app.browser();
    let mut checked = 0;
    let mut current = fingerprint(&app, &seller, &supplier).await;
    for case in &cases {
        let browser = match case.who {
            Who::Anonymous => &anonymous,
            Who::Seller => &seller,
            Who::Supplier => &supplier,
        };
        for (i, (field, _, kind)) in case.form.iter().enumerate() {
            let mut values: Vec<String> = [EMPTYISH, CONTROL, NUMBERS, TRICKY]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .collect();
            values.extend(long_values());
            for value in values {
                let mut form: Vec<(&str, &str)> =
                    case.form.iter().map(|(k, v, _)| (*k, v.as_str())).collect();
                form[i].1 = &value;
                let response = browser.call(case.endpoint, &form).await;
                let status = response.status();
                let shown = value.chars().take(30).collect::<String>();
                assert!(
                    !status.is_server_error(),
                    "{} {field}={shown:?}: {status}",
                    case.endpoint
                );
                let after = fingerprint(&app, &seller, &supplier).await;
                let changed = after != current;
                current = after;
                if status.is_success() {
                    assert!(
                        case.read_only || may_accept(*kind, &value) || !changed,
                        "{} {field}={shown:?} was accepted and stored",
                        case.endpoint
                    );
                } else {
                    assert!(
                        status.is_client_error(),
                        "{} {field}: {status}",
                        case.endpoint
                    );
                    assert!(
                        !changed,
                        "{} {field}={shown:?}: refused, but something changed",
                        case.endpoint
                    );
                }
                if case.read_only {
                    assert!(!changed, "{} changed something", case.endpoint);
                }
                checked += 1;
            }
        }
        // Every field missing at once, and a body that is not even form encoding.
        let empty = browser.call(case.endpoint, &[]).await.status();
        assert!(
            empty.is_client_error() || (case.read_only && empty.is_success()),
            "{} with no fields: {empty}",
            case.endpoint
        );
        let garbled = browser
            .client
            .post(format!("{}/api/{}", app.address, case.endpoint))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=%ZZ%FF%FE&&=&items[0][sku]=%E4%B8")
            .send()
            .await
            .unwrap()
            .status();
        assert!(
            garbled.is_client_error() || (case.read_only && garbled.is_success()),
            "{} garbled: {garbled}",
            case.endpoint
        );
    }
    assert!(checked > 600, "only {checked} calls");

    // Odd text is stored as written and shown as text, never as markup.
    let invited = seller
        .invite("<script>alert(1)</script>", "eve@script.example")
        .await;
    assert_eq!(invited.status(), StatusCode::OK);
    let page = seller
        .client
        .get(format!("{}/settings/user-permissions", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the invited company, escaped"
    );
    assert!(!html.contains("<script>alert(1)</script>"));
    app.stop().await;
}
