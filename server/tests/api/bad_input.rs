//! Bad input at every server function that takes input: over-long, empty and
//! whitespace-only strings, control characters, script tags and SurrealQL fragments,
//! negative and huge numbers, malformed encodings and missing fields. Every one gets a
//! 4xx (never a 5xx), and nothing is stored unless the value is acceptable text for a
//! free-text field, where it is stored as written and shown as text.
//!
//! Each function is first called with valid input in a state where it succeeds (the
//! right status, the right version, a real shipment shared with the caller), and every
//! bad value is then sent in such a state, so a refusal is caused by the bad field and
//! nothing else. After a call that succeeds, the state is made again.

use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp, PASSWORD};

use std::sync::atomic::{AtomicUsize, Ordering};

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
    /// A new password: any text of 8 to 128 characters a keyboard can type.
    NewPassword,
    /// A code (SKU, fulfillment center, tracking number): letters, digits and a few
    /// marks, so "-1" or "1e309" may well be one.
    Code,
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
        Field::Code => {
            let v = value.trim();
            !v.is_empty()
                && v.chars().count() <= 40
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        }
        Field::NewPassword => {
            !CONTROL.contains(&value) && (8..=128).contains(&value.chars().count())
        }
    }
}

/// What must not change when a call is refused: emails queued, invitations, and the
/// shipments both sides see.
async fn fingerprint(app: &TestApp, seller: &Browser, supplier: &Browser) -> String {
    let outbox = app.state.db.outbox_len().await.unwrap();
    let sent = seller.overview().await.sent;
    let lists = futures::future::join_all([seller, supplier].map(|b| b.shipments(&[]))).await;
    format!("{outbox} {sent:?} {lists:?}")
}

/// The people every state is made for.
struct World {
    app: TestApp,
    seller: Browser,
    supplier: Browser,
    supplier_id: String,
    /// For unique names and addresses.
    counter: AtomicUsize,
}

type Form = Vec<(&'static str, String, Field)>;

fn f(name: &'static str, value: &str, kind: Field) -> (&'static str, String, Field) {
    (name, value.to_owned(), kind)
}

/// Every server function that takes input, by the state it needs.
#[derive(Clone, Copy, Debug)]
enum Case {
    SignUp,
    SignIn,
    VerifyEmail,
    ForgotPassword,
    ResetLink,
    ResetPassword,
    SaveProfile,
    ChangePassword,
    SignOutSession,
    SetLanguage,
    Invite,
    Resend,
    CancelInvitation,
    Accept,
    Decline,
    AcceptByLink,
    DeclineByLink,
    Remove,
    ViewInvitation,
    CreateAccountByLink,
    List,
    Get,
    Edit,
    Share,
    StopSharing,
    Cancel,
    SaveBox,
    Scan,
    DeleteBox,
    SaveShipping,
    Reopen,
    MarkShipped,
}

impl Case {
    const ALL: [Case; 32] = [
        Case::SignUp,
        Case::SignIn,
        Case::VerifyEmail,
        Case::ForgotPassword,
        Case::ResetLink,
        Case::ResetPassword,
        Case::SaveProfile,
        Case::ChangePassword,
        Case::SignOutSession,
        Case::SetLanguage,
        Case::Invite,
        Case::Resend,
        Case::CancelInvitation,
        Case::Accept,
        Case::Decline,
        Case::AcceptByLink,
        Case::DeclineByLink,
        Case::Remove,
        Case::ViewInvitation,
        Case::CreateAccountByLink,
        Case::List,
        Case::Get,
        Case::Edit,
        Case::Share,
        Case::StopSharing,
        Case::Cancel,
        Case::SaveBox,
        Case::Scan,
        Case::DeleteBox,
        Case::SaveShipping,
        Case::Reopen,
        Case::MarkShipped,
    ];

    fn endpoint(self) -> &'static str {
        match self {
            Case::SignUp => "auth/sign_up",
            Case::SignIn => "auth/sign_in",
            Case::VerifyEmail => "auth/verify_email",
            Case::ForgotPassword => "auth/forgot_password",
            Case::ResetLink => "auth/reset_link",
            Case::ResetPassword => "auth/reset_password",
            Case::SaveProfile => "account/save_profile",
            Case::ChangePassword => "account/change_password",
            Case::SignOutSession => "account/sign_out_session",
            Case::SetLanguage => "auth/set_language",
            Case::Invite => "connections/invite",
            Case::Resend => "connections/resend",
            Case::CancelInvitation => "connections/cancel",
            Case::Accept => "connections/accept",
            Case::Decline => "connections/decline",
            Case::AcceptByLink => "invitations/accept",
            Case::DeclineByLink => "invitations/decline",
            Case::Remove => "connections/remove",
            Case::ViewInvitation => "invitations/view",
            Case::CreateAccountByLink => "invitations/create_account",
            Case::List => "shipments/list",
            Case::Get => "shipments/get",
            Case::Edit => "shipments/save",
            Case::Share => "shipments/share",
            Case::StopSharing => "shipments/stop_sharing",
            Case::Cancel => "shipments/cancel",
            Case::SaveBox => "shipments/save_box",
            Case::Scan => "shipments/scan",
            Case::DeleteBox => "shipments/delete_box",
            Case::SaveShipping => "shipments/save_shipping",
            Case::Reopen => "shipments/reopen",
            Case::MarkShipped => "shipments/mark_shipped",
        }
    }

    /// Calls that only read may answer 2xx to anything, as long as nothing changes.
    fn read_only(self) -> bool {
        matches!(
            self,
            Case::ViewInvitation | Case::ResetLink | Case::List | Case::Get
        )
    }
}

impl World {
    fn next(&self) -> usize {
        self.counter.fetch_add(1, Ordering::SeqCst)
    }

    /// A new verified supplier that invited the seller; its company name.
    async fn supplier_inviting_the_seller(&self) -> String {
        let n = self.next();
        let company = format!("Inviter {n}");
        let inviter = self
            .app
            .verified_account("supplier", &company, &format!("inviter{n}@s.example"))
            .await;
        let invited = inviter.invite("Seller A", "ann@a.example").await;
        assert_eq!(invited.status(), StatusCode::OK);
        company
    }

    /// The seller's invitation received from `company`.
    async fn received_from(&self, company: &str) -> String {
        self.seller
            .overview()
            .await
            .received
            .into_iter()
            .find(|i| i.from_company == company)
            .expect("the invitation")
            .id
    }

    /// A new draft of the seller's (A-1 × 2).
    async fn draft(&self) -> String {
        let created = self.seller.save_shipment("", "", "Base", "A-1,2").await;
        assert_eq!(created.status(), StatusCode::OK);
        created.json().await.expect("the id")
    }

    /// A new draft shared with the supplier.
    async fn shared(&self) -> String {
        let id = self.draft().await;
        assert_eq!(
            self.seller.share(&id, &self.supplier_id).await.status(),
            StatusCode::OK
        );
        id
    }

    /// A new shipment the supplier has packed in one box; the box's id.
    async fn packed(&self) -> (String, String) {
        let id = self.shared().await;
        assert_eq!(
            self.supplier.add_box(&id, "A-1", "2", "5").await.status(),
            StatusCode::OK
        );
        let box_id = self.supplier.shipment(&id).await.boxes[0].id.clone();
        (id, box_id)
    }

    /// A new shipment with its shipping saved (LTL).
    async fn labelled(&self) -> String {
        let (id, _) = self.packed().await;
        let version = self.supplier.version(&id).await;
        assert_eq!(
            self.supplier
                .save_shipping(&id, &version, "ltl")
                .await
                .status(),
            StatusCode::OK
        );
        id
    }

    /// Makes a state in which `case` succeeds with the fields returned, by the browser
    /// returned.
    async fn state_for(&self, case: Case) -> (Browser, Form) {
        use Field::*;
        let n = self.next();
        match case {
            Case::SignUp => (
                self.app.browser(),
                vec![
                    f("kind", "seller", Strict),
                    f("company_name", "New Co", Free),
                    f("name", "Nia", Free),
                    f("email", &format!("nia{n}@new.example"), Strict),
                    f("password", PASSWORD, NewPassword),
                    f("lang", "en", Strict),
                ],
            ),
            Case::SignIn => (
                self.app.browser(),
                vec![
                    f("email", "ann@a.example", Strict),
                    f("password", PASSWORD, Strict),
                ],
            ),
            Case::VerifyEmail => {
                let browser = self.app.browser();
                let email = format!("v{n}@new.example");
                assert_eq!(
                    browser.sign_up("seller", "V Co", &email).await.status(),
                    StatusCode::OK
                );
                let token =
                    crate::helpers::token_in(&self.app.last_email_to(&email).await.text_body);
                (browser, vec![f("token", &token, Strict)])
            }
            Case::ForgotPassword => (
                self.app.browser(),
                vec![f("email", &format!("f{n}@new.example"), Strict)],
            ),
            Case::ResetLink | Case::ResetPassword => {
                let browser = self.app.browser();
                let email = format!("p{n}@new.example");
                assert_eq!(
                    browser.sign_up("seller", "P Co", &email).await.status(),
                    StatusCode::OK
                );
                assert_eq!(
                    browser
                        .call("auth/forgot_password", &[("email", &email)])
                        .await
                        .status(),
                    StatusCode::OK
                );
                let token =
                    crate::helpers::token_in(&self.app.last_email_to(&email).await.text_body);
                let mut form = vec![f("token", &token, Strict)];
                if matches!(case, Case::ResetPassword) {
                    form.push(f("password", "a new long passphrase", NewPassword));
                }
                (browser, form)
            }
            Case::SaveProfile => (
                self.seller.clone(),
                vec![f("name", "Ann Lee", Free), f("lang", "en", Strict)],
            ),
            Case::ChangePassword | Case::SignOutSession => {
                // A user of its own: a change of password or of sessions here must not
                // reach the seller the other cases act as.
                let email = format!("c{n}@new.example");
                let browser = self.app.browser();
                assert_eq!(
                    browser.sign_up("seller", "C Co", &email).await.status(),
                    StatusCode::OK
                );
                if matches!(case, Case::ChangePassword) {
                    return (
                        browser,
                        vec![
                            f("current_password", PASSWORD, Strict),
                            f("password", "a new long passphrase", NewPassword),
                        ],
                    );
                }
                let other = self.app.browser();
                assert_eq!(
                    other.sign_in(&email, PASSWORD).await.status(),
                    StatusCode::OK
                );
                let sessions: Vec<app::account::SessionView> =
                    browser.answer("account/sessions", &[]).await;
                let id = sessions
                    .into_iter()
                    .find(|s| !s.current)
                    .expect("the other browser's session")
                    .id;
                (browser, vec![f("id", &id, Strict)])
            }
            Case::SetLanguage => (self.seller.clone(), vec![f("lang", "zh", Strict)]),
            Case::Invite => (
                self.seller.clone(),
                vec![
                    f("company_name", "Another Supplier", Free),
                    f("contact_name", "Sam", Free),
                    f("email", &format!("sam{n}@other.example"), Strict),
                    f("lang", "en", Strict),
                ],
            ),
            Case::Resend | Case::CancelInvitation => {
                let email = format!("r{n}@other.example");
                assert_eq!(
                    self.seller.invite("R", &email).await.status(),
                    StatusCode::OK
                );
                let id = self
                    .seller
                    .overview()
                    .await
                    .sent
                    .into_iter()
                    .find(|i| i.to_email == email)
                    .expect("sent")
                    .id;
                (self.seller.clone(), vec![f("id", &id, Strict)])
            }
            Case::Accept | Case::Decline => {
                let company = self.supplier_inviting_the_seller().await;
                let id = self.received_from(&company).await;
                (self.seller.clone(), vec![f("id", &id, Strict)])
            }
            Case::AcceptByLink | Case::DeclineByLink => {
                self.supplier_inviting_the_seller().await;
                let token = self.app.invitation_token("ann@a.example").await;
                (self.seller.clone(), vec![f("token", &token, Strict)])
            }
            Case::Remove => {
                let company = self.supplier_inviting_the_seller().await;
                let id = self.received_from(&company).await;
                assert_eq!(self.seller.accept(&id).await.status(), StatusCode::OK);
                let account = self.seller.connected_account(&company).await;
                (self.seller.clone(), vec![f("account_id", &account, Strict)])
            }
            Case::ViewInvitation | Case::CreateAccountByLink => {
                let email = format!("link{n}@new.example");
                assert_eq!(
                    self.seller.invite("Linked", &email).await.status(),
                    StatusCode::OK
                );
                let token = self.app.invitation_token(&email).await;
                if matches!(case, Case::ViewInvitation) {
                    (self.app.browser(), vec![f("token", &token, Strict)])
                } else {
                    (
                        self.app.browser(),
                        vec![
                            f("token", &token, Strict),
                            f("company_name", "Linked Co", Free),
                            f("name", "Lin", Free),
                            f("password", PASSWORD, NewPassword),
                            f("lang", "en", Strict),
                        ],
                    )
                }
            }
            Case::List => (
                self.supplier.clone(),
                vec![
                    f("seller", "", StrictOptional),
                    f("status", "", StrictOptional),
                ],
            ),
            Case::Get => {
                let id = self.shared().await;
                (self.supplier.clone(), vec![f("id", &id, Strict)])
            }
            Case::Edit => {
                let id = self.draft().await;
                (
                    self.seller.clone(),
                    vec![
                        // Empty: a new draft.
                        f("id", &id, StrictOptional),
                        f("version", "0", Strict),
                        f("name", "Renamed", Free),
                        f("from_name", "Ann", Free),
                        f("from_line1", "1 Main St", Free),
                        f("from_line2", "", FreeOptional),
                        f("from_city", "Ontario", Free),
                        f("from_region", "", FreeOptional),
                        f("from_postal_code", "", FreeOptional),
                        f("from_country", "US", Strict),
                        // Digits, spaces, +, - and parentheses: "-1" is one.
                        f("from_phone", "", FreeOptional),
                        f("destination", "ONT8", Code),
                        f("items[0][sku]", "B-2", Code),
                        f("items[0][name]", "", FreeOptional),
                        f("items[0][quantity]", "3", Strict),
                        f("items[0][prep_by]", "seller", StrictOptional),
                        f("items[0][fnsku]", "X001ABCDEF", StrictOptional),
                        f("items[0][upc]", "036000291452", StrictOptional),
                        f("items[0][expires]", "on", StrictOptional),
                    ],
                )
            }
            Case::Share => {
                let id = self.draft().await;
                (
                    self.seller.clone(),
                    vec![
                        f("id", &id, Strict),
                        f("version", "0", Strict),
                        f("supplier", &self.supplier_id, Strict),
                        f("message", "", FreeOptional),
                    ],
                )
            }
            Case::StopSharing | Case::Cancel => {
                let id = self.shared().await;
                (self.seller.clone(), vec![f("id", &id, Strict)])
            }
            Case::SaveBox => {
                let id = self.shared().await;
                let version = self.supplier.version(&id).await;
                (
                    self.supplier.clone(),
                    vec![
                        f("id", &id, Strict),
                        f("version", &version, Strict),
                        f("box_id", "", StrictOptional),
                        f("contents[0][sku]", "A-1", Code),
                        f("contents[0][quantity]", "2", Strict),
                        f("weight", "5", Strict),
                        f("weight_unit", "kg", Strict),
                        f("length", "40", Strict),
                        f("width", "30", Strict),
                        f("height", "20", Strict),
                        f("length_unit", "cm", Strict),
                    ],
                )
            }
            Case::Scan => {
                let id = self.shared().await;
                (
                    self.supplier.clone(),
                    vec![f("id", &id, Strict), f("code", "A-1", Code)],
                )
            }
            Case::DeleteBox => {
                let (id, box_id) = self.packed().await;
                (
                    self.supplier.clone(),
                    vec![f("id", &id, Strict), f("box_id", &box_id, Strict)],
                )
            }
            Case::SaveShipping => {
                let (id, _) = self.packed().await;
                let version = self.supplier.version(&id).await;
                (
                    self.supplier.clone(),
                    vec![
                        f("id", &id, Strict),
                        f("version", &version, Strict),
                        f("mode", "ltl", Strict),
                        f("carrier", "UPS", Free),
                        f("ship_date", "2026-12-01", Strict),
                        f("pallets[0][weight]", "300", Strict),
                        f("pallets[0][weight_unit]", "kg", Strict),
                        f("pallets[0][height]", "150", Strict),
                        f("pallets[0][length_unit]", "cm", Strict),
                        f("pallets[0][stackable]", "on", StrictOptional),
                    ],
                )
            }
            Case::Reopen => {
                let id = self.labelled().await;
                (self.supplier.clone(), vec![f("id", &id, Strict)])
            }
            Case::MarkShipped => {
                let id = self.labelled().await;
                let version = self.supplier.version(&id).await;
                (
                    self.supplier.clone(),
                    vec![
                        f("id", &id, Strict),
                        f("version", &version, Strict),
                        f("pro_number", "PRO1", Code),
                    ],
                )
            }
        }
    }
}

fn as_pairs(form: &Form) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v, _)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn every_server_function_refuses_bad_input_and_stores_nothing() {
    // Generous limits: here a refusal must come from the bad field, not from a limit.
    let app = TestApp::spawn_with(&[
        ("SIGN_UP_LIMIT_PER_CLIENT", "100000"),
        ("SIGN_IN_LIMIT_PER_CLIENT", "100000"),
        ("SIGN_IN_LIMIT_PER_ACCOUNT", "100000"),
    ])
    .await;
    let seller = app
        .verified_account("seller", "Seller A", "ann@a.example")
        .await;
    let supplier = app
        .verified_account("supplier", "Supplier One", "wang@s1.example")
        .await;
    supplier
        .invite_and_get_accepted_by(&seller, "ann@a.example")
        .await;
    let supplier_id = seller.connected_account("Supplier One").await;
    let world = World {
        app,
        seller,
        supplier,
        supplier_id,
        counter: AtomicUsize::new(0),
    };
    let app = &world.app;
    let (seller, supplier) = (&world.seller, &world.supplier);

    let mut checked = 0;
    for (day, case) in Case::ALL.into_iter().enumerate() {
        let endpoint = case.endpoint();
        let started = std::time::Instant::now();
        // A new day for every function: the daily invitation limit is not in play.
        app.advance_days(1);
        // Sessions end after 30 days: the two sign in again now and then, as people do.
        if day % 25 == 24 {
            for (browser, email) in [(seller, "ann@a.example"), (supplier, "wang@s1.example")] {
                let signed_in = browser.sign_in(email, PASSWORD).await;
                assert_eq!(signed_in.status(), StatusCode::OK);
            }
        }
        // With valid input, in its state, the call succeeds.
        let (browser, form) = world.state_for(case).await;
        let baseline = browser.call(endpoint, &as_pairs(&form)).await.status();
        assert!(
            baseline.is_success(),
            "{case:?}: {baseline} with valid input"
        );

        let (mut browser, mut form) = world.state_for(case).await;
        for i in 0..form.len() {
            let (field, kind) = (form[i].0, form[i].2);
            let mut values: Vec<String> = [EMPTYISH, CONTROL, NUMBERS, TRICKY]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .collect();
            values.extend(long_values());
            for value in values {
                let mut pairs = as_pairs(&form);
                pairs[i].1 = &value;
                let before = fingerprint(app, seller, supplier).await;
                let response = browser.call(endpoint, &pairs).await;
                let status = response.status();
                let after = fingerprint(app, seller, supplier).await;
                let changed = after != before;
                let shown = value.chars().take(30).collect::<String>();
                assert!(
                    !status.is_server_error(),
                    "{endpoint} {field}={shown:?}: {status}"
                );
                if status.is_success() {
                    assert!(
                        case.read_only() || may_accept(kind, &value) || !changed,
                        "{endpoint} {field}={shown:?} was accepted and stored"
                    );
                    if case.read_only() {
                        assert!(!changed, "{endpoint} changed something");
                    } else {
                        // The state was used up: make it again for the next value.
                        (browser, form) = world.state_for(case).await;
                    }
                } else {
                    assert!(status.is_client_error(), "{endpoint} {field}: {status}");
                    assert!(
                        !changed,
                        "{endpoint} {field}={shown:?}: refused, but something changed"
                    );
                }
                checked += 1;
            }
        }
        // Every field missing at once, and a body that is not even form encoding.
        let empty = browser.call(endpoint, &[]).await.status();
        assert!(
            empty.is_client_error() || (case.read_only() && empty.is_success()),
            "{endpoint} with no fields: {empty}"
        );
        let garbled = browser
            .client
            .post(format!("{}/api/{endpoint}", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=%ZZ%FF%FE&&=&items[0][sku]=%E4%B8")
            .send()
            .await
            .unwrap()
            .status();
        assert!(
            garbled.is_client_error() || (case.read_only() && garbled.is_success()),
            "{endpoint} garbled: {garbled}"
        );
        eprintln!("{endpoint}: {:.1} s", started.elapsed().as_secs_f64());
    }
    assert!(checked > 900, "only {checked} calls");

    // Odd text is stored as written and shown as text, never as markup.
    let invited = world
        .seller
        .invite("<script>alert(1)</script>", "eve@script.example")
        .await;
    assert_eq!(invited.status(), StatusCode::OK);
    let page = world
        .seller
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
    world.app.stop().await;
}
