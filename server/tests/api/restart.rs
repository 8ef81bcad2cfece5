//! Data survives a restart: the real server binary on the embedded file engine is
//! killed (SIGKILL, no chance to flush) and started again on the same directory.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::PASSWORD;

struct Server {
    child: Child,
    address: String,
}

impl Server {
    async fn start(data_dir: &std::path::Path, port: u16) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env(
                "DATABASE_URL",
                format!("surrealkv://{}", data_dir.join("scc").display()),
            )
            .env("SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .env_remove("SMTP_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server binary starts");
        let address = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = reqwest::Client::new();
        loop {
            if let Ok(r) = client.get(format!("{address}/healthz")).send().await {
                if r.status() == StatusCode::OK {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "server did not become healthy");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Server { child, address }
    }

    fn kill(self) {
        drop(self);
    }
}

impl Drop for Server {
    // Also on a failed assertion: an orphaned server would hold the test's output open.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn an_account_survives_a_killed_server() {
    let dir = std::env::temp_dir().join(format!("scc-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();

    let server = Server::start(&dir, port).await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let response = client
        .post(format!("{}/api/auth/sign_up", server.address))
        .form(&[
            ("kind", "seller"),
            ("company_name", "Durable Goods"),
            ("name", "Ann"),
            ("email", "ann@example.com"),
            ("password", PASSWORD),
            ("lang", "en"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.kill();

    let server = Server::start(&dir, port).await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let response = client
        .post(format!("{}/api/auth/sign_in", server.address))
        .form(&[("email", "ann@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let me: serde_json::Value = client
        .post(format!("{}/api/auth/whoami", server.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["company_name"], "Durable Goods");
    server.kill();
    let _ = std::fs::remove_dir_all(&dir);
}
