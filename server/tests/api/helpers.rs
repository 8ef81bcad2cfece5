//! `TestApp`: a running server plus one method per thing a user does.

use std::collections::HashMap;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use app::auth::Me;
use app::connections::Overview;
use app::error::AppError;
use app::server::{AppState, Clock};
use app::shipments::{ShipmentList, ShipmentView};
use reqwest::{Client, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use server::{start, Config, Running};

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    /// Seconds added to the real time: `advance` moves the app's clock forward.
    offset: Arc<AtomicI64>,
    running: Option<Running>,
}

/// One browser: its own cookie jar. Clones share the jar, as two tabs do.
#[derive(Clone)]
pub struct Browser {
    pub client: Client,
    address: String,
}

pub const PASSWORD: &str = "correct horse battery staple";

/// Logs go to the test output when `TEST_LOG` is set (e.g. `TEST_LOG=debug`).
fn init_tracing() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
    });
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    /// Spawns with extra settings, as environment variables would give them.
    pub async fn spawn_with(settings: &[(&str, &str)]) -> TestApp {
        init_tracing();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let mut env: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".to_string(), "mem://".to_string()),
            ("SITE_ADDR".to_string(), addr.to_string()),
        ]);
        for (k, v) in settings {
            env.insert(k.to_string(), v.to_string());
        }
        let config = Config::from_lookup(|k| env.get(k).cloned()).expect("config");
        let offset = Arc::new(AtomicI64::new(0));
        let clock = {
            let offset = offset.clone();
            Clock::new(move || {
                db::chrono::Utc::now()
                    + db::chrono::Duration::seconds(offset.load(Ordering::SeqCst))
            })
        };
        let running = start(config, clock, listener).await.expect("app starts");
        TestApp {
            address: format!("http://{addr}"),
            state: running.state.clone(),
            offset,
            running: Some(running),
        }
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// The last thousand emails, newest first.
    async fn outbox(&self) -> Vec<db::outbox::MailboxEntry> {
        self.state.db.recent_emails(1000).await.expect("outbox")
    }

    /// The newest email sent to `to`, from the outbox.
    pub async fn last_email_to(&self, to: &str) -> db::outbox::MailboxEntry {
        self.outbox()
            .await
            .into_iter()
            .find(|m| m.to_address == to)
            .unwrap_or_else(|| panic!("no email to {to}"))
    }

    pub async fn emails_to(&self, to: &str) -> usize {
        self.outbox()
            .await
            .into_iter()
            .filter(|m| m.to_address == to)
            .count()
    }

    /// Moves the app's clock forward.
    pub fn advance_days(&self, days: i64) {
        self.advance_secs(days * 24 * 3600);
    }

    pub fn advance_secs(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::SeqCst);
    }

    /// Moves the app's clock to one o'clock (UTC) of a later day, so that what a test
    /// does in the next hours falls in one day's window of the daily limits.
    pub fn advance_to_one_am(&self) {
        let secs_of_day =
            (chrono_now_secs() + self.offset.load(Ordering::SeqCst)).rem_euclid(86_400);
        self.advance_secs(86_400 - secs_of_day + 3600);
    }

    /// A new account whose administrator has verified the email address, signed in.
    pub async fn verified_account(&self, kind: &str, company: &str, email: &str) -> Browser {
        let browser = self.unverified_account(kind, company, email).await;
        let token = token_in(&self.last_email_to(email).await.text_body);
        assert_eq!(browser.verify(&token).await.status(), StatusCode::OK);
        browser
    }

    /// A new account that signed up with `email` and never verified it, signed in.
    pub async fn unverified_account(&self, kind: &str, company: &str, email: &str) -> Browser {
        let browser = self.browser();
        assert_eq!(
            browser.sign_up(kind, company, email).await.status(),
            StatusCode::OK
        );
        browser
    }

    /// A non-administrator in the account of `colleague`, signed in.
    pub async fn member_of(&self, colleague: &str, email: &str) -> Browser {
        let hash = app::server::passwords::hash(app::domain::Password::parse(PASSWORD).unwrap())
            .await
            .unwrap();
        self.state
            .db
            .add_member(colleague, "Member", email, &hash, "en")
            .await
            .unwrap();
        let browser = self.browser();
        assert_eq!(
            browser.sign_in(email, PASSWORD).await.status(),
            StatusCode::OK
        );
        browser
    }

    /// The token of the newest invitation emailed to `to`.
    pub async fn invitation_token(&self, to: &str) -> String {
        let mail = self
            .outbox()
            .await
            .into_iter()
            .find(|m| m.to_address == to && m.text_body.contains("/invitations/accept?token="))
            .unwrap_or_else(|| panic!("no invitation to {to}"));
        token_in(&mail.text_body)
    }

    /// Seller A (admin and member), seller B, supplier S1 connected to A, supplier S2 not
    /// connected but holding A's pending invitation.
    pub async fn connections_cast(&self) -> ConnectionsCast {
        let a_admin = self
            .verified_account("seller", "Seller A", "admin@a.example")
            .await;
        let a_member = self.member_of("admin@a.example", "member@a.example").await;
        let b_seller = self
            .verified_account("seller", "Seller B", "admin@b.example")
            .await;
        let s1_connected = self
            .verified_account("supplier", "Supplier One", "admin@s1.example")
            .await;
        let s2_unconnected = self
            .verified_account("supplier", "Supplier Two", "admin@s2.example")
            .await;
        s1_connected
            .invite_and_get_accepted_by(&a_admin, "admin@a.example")
            .await;
        assert_eq!(
            a_admin
                .invite("Supplier Two", "admin@s2.example")
                .await
                .status(),
            StatusCode::OK
        );
        let unverified = self
            .unverified_account("supplier", "Unverified Supplier", "nobody@s4.example")
            .await;
        ConnectionsCast {
            unverified,
            anonymous: self.browser(),
            invitation_id: a_admin.overview().await.sent[0].id.clone(),
            invitation_token: self.invitation_token("admin@s2.example").await,
            s1_account: a_admin.connected_account("Supplier One").await,
            a_account: s1_connected.connected_account("Seller A").await,
            a_admin,
            a_member,
            b_seller,
            s1_connected,
            s2_unconnected,
        }
    }

    /// Seller A, seller B, supplier S1 (connected to A, the shipment shared with it),
    /// supplier S3 (connected to A, nothing shared), supplier S2 (not connected).
    pub async fn shipments_cast(&self) -> ShipmentsCast {
        let a = self
            .verified_account("seller", "Seller A", "ann@a.example")
            .await;
        let b = self
            .verified_account("seller", "Seller B", "bea@b.example")
            .await;
        let s1 = self
            .verified_account("supplier", "Supplier One", "wang@s1.example")
            .await;
        let s2 = self
            .verified_account("supplier", "Supplier Two", "li@s2.example")
            .await;
        let s3 = self
            .verified_account("supplier", "Supplier Three", "zhao@s3.example")
            .await;
        s1.invite_and_get_accepted_by(&a, "ann@a.example").await;
        s3.invite_and_get_accepted_by(&a, "ann@a.example").await;
        s2.invite_and_get_accepted_by(&b, "bea@b.example").await;
        let unverified = self
            .unverified_account("supplier", "Unverified Supplier", "nobody@s4.example")
            .await;
        ShipmentsCast {
            anonymous: self.browser(),
            s1_account: a.connected_account("Supplier One").await,
            s3_account: a.connected_account("Supplier Three").await,
            s2_account: b.connected_account("Supplier Two").await,
            unverified,
            a,
            b,
            s1,
            s2,
            s3,
        }
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }
}

/// Who is who in the connection tests: see [`TestApp::connections_cast`].
pub struct ConnectionsCast {
    pub anonymous: Browser,
    pub a_admin: Browser,
    pub a_member: Browser,
    pub b_seller: Browser,
    pub s1_connected: Browser,
    pub s2_unconnected: Browser,
    /// A supplier that signed up and never verified its address.
    pub unverified: Browser,
    /// A's pending invitation to S2.
    pub invitation_id: String,
    pub invitation_token: String,
    /// S1's account as A sees it, and A's as S1 sees it.
    pub s1_account: String,
    pub a_account: String,
}

/// Who is who in the shipment tests: see [`TestApp::shipments_cast`].
pub struct ShipmentsCast {
    pub anonymous: Browser,
    pub a: Browser,
    pub b: Browser,
    pub s1: Browser,
    pub s2: Browser,
    pub s3: Browser,
    /// S1's and S3's accounts as A sees them: whom A shares with.
    pub s1_account: String,
    pub s3_account: String,
    /// S2's account: a real supplier, connected to B and not to A.
    pub s2_account: String,
    /// A supplier that signed up and never verified its address.
    pub unverified: Browser,
}

/// The token of the first `token=` link in an email's text.
pub fn token_in(text: &str) -> String {
    let start = text.find("token=").expect("a link with a token") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

/// The sign-up form of a new account's administrator.
pub fn sign_up_form<'a>(
    kind: &'a str,
    company: &'a str,
    email: &'a str,
) -> [(&'a str, &'a str); 6] {
    [
        ("kind", kind),
        ("company_name", company),
        ("name", "Test Person"),
        ("email", email),
        ("password", PASSWORD),
        ("lang", "en"),
    ]
}

/// A new draft named `name`: one item, A-1 × 2.
pub fn draft_form(name: &str) -> [(&str, &str); 10] {
    [
        ("id", ""),
        ("version", ""),
        ("name", name),
        ("from_name", "Ann"),
        ("from_line1", "1 Main St"),
        ("from_city", "Ontario"),
        ("from_country", "US"),
        ("destination", "ONT8"),
        ("items_csv", "A-1,2"),
        ("csv_prep_by", "seller"),
    ]
}

/// An invitation to the company `company` at `email`.
pub fn invite_form<'a>(company: &'a str, email: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("company_name", company),
        ("contact_name", "Contact Person"),
        ("email", email),
        ("lang", "en"),
    ]
}

/// A box with `quantity` units of `sku`, `kg` heavy, 40 × 30 × 20 cm; a new one when
/// `box_id` is empty.
pub fn box_form<'a>(
    id: &'a str,
    version: &'a str,
    box_id: &'a str,
    sku: &'a str,
    quantity: &'a str,
    kg: &'a str,
) -> [(&'a str, &'a str); 11] {
    [
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
    ]
}

impl Browser {
    /// A browser for the server at `address` (`http://host:port`). Redirects are not
    /// followed: tests look at them.
    pub fn new(address: &str) -> Browser {
        Browser {
            client: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            address: address.to_owned(),
        }
    }

    /// A new browser (its own cookie jar) that says it is `user_agent`.
    pub fn with_user_agent(&self, user_agent: &str) -> Browser {
        Browser {
            client: Client::builder()
                .cookie_store(true)
                .user_agent(user_agent.to_owned())
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            address: self.address.clone(),
        }
    }

    /// Calls a server function as the wasm client does: form-encoded POST, JSON back.
    /// An error only when no answer came (the server is down).
    pub async fn try_call(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Result<Response> {
        self.client
            .post(format!("{}/api/{endpoint}", self.address))
            .form(form)
            .send()
            .await
    }

    /// Calls a server function as the wasm client does: form-encoded POST, JSON back.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.try_call(endpoint, form).await.expect("request")
    }

    /// The HTTP status a server function answers with.
    pub async fn status(&self, endpoint: &str, form: &[(&str, &str)]) -> u16 {
        self.call(endpoint, form).await.status().as_u16()
    }

    /// Calls a server function that must succeed, and reads its answer as the app's own
    /// type.
    pub async fn answer<T: DeserializeOwned>(&self, endpoint: &str, form: &[(&str, &str)]) -> T {
        let response = self.call(endpoint, form).await;
        assert_eq!(response.status(), StatusCode::OK, "{endpoint}");
        response.json().await.expect("the answer's type")
    }

    pub async fn sign_up(&self, kind: &str, company: &str, email: &str) -> Response {
        self.call("auth/sign_up", &sign_up_form(kind, company, email))
            .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.call("auth/sign_in", &[("email", email), ("password", password)])
            .await
    }

    /// Signs in through a proxy that reports the client as `forwarded_for`.
    pub async fn sign_in_forwarded(
        &self,
        forwarded_for: &str,
        email: &str,
        password: &str,
    ) -> Response {
        self.client
            .post(format!("{}/api/auth/sign_in", self.address))
            .header("X-Forwarded-For", forwarded_for)
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("request")
    }

    pub async fn sign_out(&self) -> Response {
        self.call("auth/sign_out", &[]).await
    }

    pub async fn verify(&self, token: &str) -> Response {
        self.call("auth/verify_email", &[("token", token)]).await
    }

    /// The signed-in user as `whoami` reports it (`None` when signed out).
    pub async fn whoami(&self) -> Option<Me> {
        self.answer("auth/whoami", &[]).await
    }

    pub async fn invite(&self, company: &str, email: &str) -> Response {
        self.call("connections/invite", &invite_form(company, email))
            .await
    }

    /// Accepts the invitation `id`, received by this browser's account.
    pub async fn accept(&self, id: &str) -> Response {
        self.call("connections/accept", &[("id", id)]).await
    }

    /// This browser's account invites the account at `email`, whose administrator
    /// (`invitee`) accepts: the two are connected. Returns the invitation's id.
    pub async fn invite_and_get_accepted_by(&self, invitee: &Browser, email: &str) -> String {
        assert_eq!(
            self.invite("Invited Company", email).await.status(),
            StatusCode::OK
        );
        let id = invitee
            .overview()
            .await
            .received
            .first()
            .expect("invitation received")
            .id
            .clone();
        assert_eq!(invitee.accept(&id).await.status(), StatusCode::OK);
        id
    }

    /// The Supply Chain Connect section as this browser's account sees it.
    pub async fn overview(&self) -> Overview {
        self.answer("connections/overview", &[]).await
    }

    /// The id of the account named `company` that this browser's account is connected to.
    pub async fn connected_account(&self, company: &str) -> String {
        self.overview()
            .await
            .connected
            .into_iter()
            .find(|c| c.company == company)
            .unwrap_or_else(|| panic!("connected to {company}"))
            .account_id
    }

    /// Creates a draft: MUG-1 × 3 typed in a row, CUP-2 × 2 pasted as CSV.
    pub async fn create_shipment(&self) -> String {
        let response = self
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

    /// Creates a shipment (`id` empty) or changes the draft `id` on `version`: named
    /// `name`, from Ann in Ontario, US, to ONT8, the items as CSV lines.
    pub async fn save_shipment(
        &self,
        id: &str,
        version: &str,
        name: &str,
        items_csv: &str,
    ) -> Response {
        self.call(
            "shipments/save",
            &[
                ("id", id),
                ("version", version),
                ("name", name),
                ("from_name", "Ann"),
                ("from_line1", "1 Main St"),
                ("from_city", "Ontario"),
                ("from_country", "US"),
                ("destination", "ONT8"),
                ("items_csv", items_csv),
            ],
        )
        .await
    }

    /// The shipment `id` as this browser's side sees it.
    pub async fn shipment(&self, id: &str) -> ShipmentView {
        self.answer("shipments/get", &[("id", id)]).await
    }

    /// The version of the shipment `id` this browser sees: what its next change is based on.
    pub async fn version(&self, id: &str) -> String {
        self.shipment(id).await.version.to_string()
    }

    /// This browser's shipments list, filtered by `filter` (`seller`, `status`).
    pub async fn shipments(&self, filter: &[(&str, &str)]) -> ShipmentList {
        self.answer("shipments/list", filter).await
    }

    /// The ids on this browser's shipments list, in its order.
    pub async fn shipment_ids(&self, filter: &[(&str, &str)]) -> Vec<String> {
        self.shipments(filter)
            .await
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    /// Shares on the version the caller sees (any version, for a caller who sees nothing).
    pub async fn share(&self, id: &str, supplier: &str) -> Response {
        let seen = self.call("shipments/get", &[("id", id)]).await;
        let version = match seen.json::<ShipmentView>().await {
            Ok(view) => view.version.to_string(),
            Err(_) => "0".to_owned(),
        };
        self.call(
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

    /// Saves a box: see [`box_form`].
    pub async fn save_box(
        &self,
        id: &str,
        version: &str,
        box_id: &str,
        sku: &str,
        quantity: &str,
        kg: &str,
    ) -> Response {
        self.call(
            "shipments/save_box",
            &box_form(id, version, box_id, sku, quantity, kg),
        )
        .await
    }

    /// Packs a new box on the version this browser sees: see [`box_form`].
    pub async fn add_box(&self, id: &str, sku: &str, quantity: &str, kg: &str) -> Response {
        let version = self.version(id).await;
        self.save_box(id, &version, "", sku, quantity, kg).await
    }

    /// Chooses how the boxes travel: `mode` with UPS, shipping on 2026-12-01; for LTL
    /// on one pallet of 300 kg, 150 cm high.
    pub async fn save_shipping(&self, id: &str, version: &str, mode: &str) -> Response {
        let pallet: &[(&str, &str)] = if mode == "ltl" { &PALLET } else { &[] };
        self.save_shipping_with(id, version, mode, pallet).await
    }

    /// Chooses how the boxes travel, with `pallets` (`pallets[n][…]` fields).
    pub async fn save_shipping_with(
        &self,
        id: &str,
        version: &str,
        mode: &str,
        pallets: &[(&str, &str)],
    ) -> Response {
        let mut form = vec![
            ("id", id),
            ("version", version),
            ("mode", mode),
            ("carrier", "UPS"),
            ("ship_date", "2026-12-01"),
        ];
        form.extend_from_slice(pallets);
        self.call("shipments/save_shipping", &form).await
    }

    pub async fn mark_shipped(&self, id: &str, version: &str, pro_number: &str) -> Response {
        self.call(
            "shipments/mark_shipped",
            &[("id", id), ("version", version), ("pro_number", pro_number)],
        )
        .await
    }

    pub fn session_cookie(&self, response: &Response) -> Option<String> {
        response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("scc_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
    }
}

/// The error a server function answered with, as the app's own type. The body must be
/// exactly that error's JSON: nothing more, nothing that only looks like it.
pub async fn error_of(response: Response) -> (StatusCode, AppError) {
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON body");
    let error: AppError = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("{status}: {body} is not an AppError: {e}"));
    assert_eq!(
        serde_json::to_value(&error).expect("json"),
        body,
        "the body is exactly the error"
    );
    (status, error)
}

fn chrono_now_secs() -> i64 {
    db::chrono::Utc::now().timestamp()
}

/// One pallet of 300 kg, 150 cm high, not stackable, as the shipping form posts it.
pub const PALLET: [(&str, &str); 4] = [
    ("pallets[0][weight]", "300"),
    ("pallets[0][weight_unit]", "kg"),
    ("pallets[0][height]", "150"),
    ("pallets[0][length_unit]", "cm"),
];
