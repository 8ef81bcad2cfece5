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

/// Posts a server function's form and returns the status and JSON body.
async fn call(
    client: &reqwest::Client,
    address: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Result<(StatusCode, serde_json::Value), reqwest::Error> {
    let response = client
        .post(format!("{address}/api/{endpoint}"))
        .form(form)
        .send()
        .await?;
    let status = response.status();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    Ok((status, body))
}

/// The token of the newest email to `to` in the development mailbox.
async fn mailbox_token(client: &reqwest::Client, address: &str, to: &str) -> String {
    let (_, mails) = call(client, address, "dev/mailbox", &[]).await.unwrap();
    let mail = mails
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["to"] == to)
        .unwrap_or_else(|| panic!("no email to {to}"));
    crate::helpers::token_in(mail["text"].as_str().unwrap())
}

async fn verified(client: &reqwest::Client, address: &str, kind: &str, email: &str) {
    let form = [
        ("kind", kind),
        ("company_name", email),
        ("name", "Tester"),
        ("email", email),
        ("password", PASSWORD),
        ("lang", "en"),
    ];
    assert_eq!(
        call(client, address, "auth/sign_up", &form)
            .await
            .unwrap()
            .0,
        StatusCode::OK
    );
    let token = mailbox_token(client, address, email).await;
    let verify = call(client, address, "auth/verify_email", &[("token", &token)]).await;
    assert_eq!(verify.unwrap().0, StatusCode::OK);
}

#[tokio::test]
async fn acknowledged_writes_survive_repeated_kills_mid_traffic() {
    let dir = std::env::temp_dir().join(format!("scc-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let client = || {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    };
    let (seller, supplier) = (client(), client());

    let mut server = Server::start(&dir, port).await;
    let address = server.address.clone();
    verified(&seller, &address, "seller", "ann@crash.example").await;
    verified(&supplier, &address, "supplier", "wang@crash.example").await;
    let invite = [
        ("company_name", "Crash Seller"),
        ("contact_name", "Ann"),
        ("email", "ann@crash.example"),
        ("lang", "en"),
    ];
    call(&supplier, &address, "connections/invite", &invite)
        .await
        .unwrap();
    let (_, overview) = call(&seller, &address, "connections/overview", &[])
        .await
        .unwrap();
    let invitation = overview["received"][0]["id"].as_str().unwrap().to_owned();
    call(
        &seller,
        &address,
        "connections/accept",
        &[("id", &invitation)],
    )
    .await
    .unwrap();
    let (_, overview) = call(&seller, &address, "connections/overview", &[])
        .await
        .unwrap();
    let supplier_id = overview["connected"][0]["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shipment_form = [
        ("name", "Crash test"),
        ("from_name", "Ann"),
        ("from_line1", "1 Main St"),
        ("from_city", "Ontario"),
        ("from_country", "US"),
        ("destination", "ONT8"),
        ("items_csv", "A-1,99999"),
    ];
    let (status, id) = call(&seller, &address, "shipments/save", &shipment_form)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let id = id.as_str().unwrap().to_owned();
    let share = [
        ("id", id.as_str()),
        ("version", "0"),
        ("supplier", supplier_id.as_str()),
    ];
    assert_eq!(
        call(&seller, &address, "shipments/share", &share)
            .await
            .unwrap()
            .0,
        StatusCode::OK
    );

    let mut invited: Vec<String> = Vec::new();
    let mut boxes_acked = 0usize;
    for round in 0..3 {
        // Two clients write as fast as they can: invitations and boxes. Only what got
        // a 200 counts as acknowledged.
        let invitations = {
            let (seller, address) = (seller.clone(), address.clone());
            tokio::spawn(async move {
                let mut acked = Vec::new();
                for i in 0.. {
                    let email = format!("s{round}-{i}@crash.example");
                    let form = [
                        ("company_name", "Supplier"),
                        ("contact_name", "Sam"),
                        ("email", email.as_str()),
                        ("lang", "en"),
                    ];
                    match call(&seller, &address, "connections/invite", &form).await {
                        Ok((StatusCode::OK, _)) => acked.push(email),
                        _ => break,
                    }
                }
                acked
            })
        };
        let boxes = {
            let (supplier, address, id) = (supplier.clone(), address.clone(), id.clone());
            tokio::spawn(async move {
                let mut acked = 0usize;
                loop {
                    let Ok((StatusCode::OK, view)) =
                        call(&supplier, &address, "shipments/get", &[("id", &id)]).await
                    else {
                        break;
                    };
                    let version = view["version"].to_string();
                    let form = [
                        ("id", id.as_str()),
                        ("version", version.as_str()),
                        ("box_id", ""),
                        ("contents[0][sku]", "A-1"),
                        ("contents[0][quantity]", "1"),
                        ("weight", "1"),
                        ("weight_unit", "kg"),
                        ("length", "10"),
                        ("width", "10"),
                        ("height", "10"),
                        ("length_unit", "cm"),
                    ];
                    match call(&supplier, &address, "shipments/save_box", &form).await {
                        Ok((StatusCode::OK, _)) => acked += 1,
                        Ok(_) => continue,
                        Err(_) => break,
                    }
                }
                acked
            })
        };
        tokio::time::sleep(Duration::from_millis(1500 + 400 * round as u64)).await;
        server.kill();
        invited.extend(invitations.await.unwrap());
        boxes_acked += boxes.await.unwrap();

        // It opens cleanly, and everything acknowledged is there.
        server = Server::start(&dir, port).await;
        let (status, overview) = call(&seller, &address, "connections/overview", &[])
            .await
            .unwrap();
        assert_eq!(
            status,
            StatusCode::OK,
            "round {round}: the session survived too"
        );
        let sent: Vec<&str> = overview["sent"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["to_email"].as_str().unwrap())
            .collect();
        for email in &invited {
            assert!(
                sent.contains(&email.as_str()),
                "round {round}: invitation to {email} lost"
            );
        }
        let (_, view) = call(&supplier, &address, "shipments/get", &[("id", &id)])
            .await
            .unwrap();
        let stored = view["boxes"].as_array().unwrap().len();
        // At most one box per kill was written without its answer reaching the client.
        assert!(
            stored >= boxes_acked && stored <= boxes_acked + round + 1,
            "round {round}: {boxes_acked} boxes acknowledged, {stored} stored"
        );
    }
    assert!(
        !invited.is_empty() && boxes_acked > 0,
        "the clients wrote something"
    );
    server.kill();
    let _ = std::fs::remove_dir_all(&dir);
}
