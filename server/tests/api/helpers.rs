//! `TestApp`: a running server plus one method per thing a user does.

use std::collections::HashMap;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use app::server::{AppState, Clock};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use server::{start, Config, Running};

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    /// Seconds added to the real time: `advance` moves the app's clock forward.
    offset: Arc<AtomicI64>,
    running: Option<Running>,
}

/// One browser: its own cookie jar.
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
        Browser {
            client: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            address: self.address.clone(),
        }
    }

    /// The newest email sent to `to`, from the outbox.
    pub async fn last_email_to(&self, to: &str) -> db::outbox::MailboxEntry {
        self.state
            .db
            .recent_emails(100)
            .await
            .expect("outbox")
            .into_iter()
            .find(|m| m.to_address == to)
            .unwrap_or_else(|| panic!("no email to {to}"))
    }

    pub async fn emails_to(&self, to: &str) -> usize {
        self.state
            .db
            .recent_emails(1000)
            .await
            .expect("outbox")
            .into_iter()
            .filter(|m| m.to_address == to)
            .count()
    }

    /// Moves the app's clock forward.
    pub fn advance_days(&self, days: i64) {
        self.offset.fetch_add(days * 24 * 3600, Ordering::SeqCst);
    }

    /// A new account whose administrator has verified the email address, signed in.
    pub async fn verified_account(&self, kind: &str, company: &str, email: &str) -> Browser {
        let browser = self.browser();
        assert_eq!(
            browser.sign_up(kind, company, email).await.status(),
            StatusCode::OK
        );
        let token = token_in(&self.last_email_to(email).await.text_body);
        assert_eq!(browser.verify(&token).await.status(), StatusCode::OK);
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
            .state
            .db
            .recent_emails(1000)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.to_address == to && m.text_body.contains("/invitations/accept?token="))
            .unwrap_or_else(|| panic!("no invitation to {to}"));
        token_in(&mail.text_body)
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }
}

/// The token of the first `token=` link in an email's text.
pub fn token_in(text: &str) -> String {
    let start = text.find("token=").expect("a link with a token") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

impl Browser {
    /// Calls a server function as the wasm client does: form-encoded POST, JSON back.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}/api/{endpoint}", self.address))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn sign_up(&self, kind: &str, company: &str, email: &str) -> Response {
        self.call(
            "auth/sign_up",
            &[
                ("kind", kind),
                ("company_name", company),
                ("name", "Test Person"),
                ("email", email),
                ("password", PASSWORD),
                ("lang", "en"),
            ],
        )
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

    /// The signed-in user as `whoami` reports it (`Value::Null` when signed out).
    pub async fn whoami(&self) -> Value {
        let response = self.call("auth/whoami", &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    pub async fn invite(&self, company: &str, email: &str) -> Response {
        self.call(
            "connections/invite",
            &[
                ("company_name", company),
                ("contact_name", "Contact Person"),
                ("email", email),
                ("lang", "en"),
            ],
        )
        .await
    }

    /// The Supply Chain Connect section as this browser's account sees it.
    pub async fn overview(&self) -> Value {
        let response = self.call("connections/overview", &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
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

/// The error a server function answered with.
pub async fn error_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}
