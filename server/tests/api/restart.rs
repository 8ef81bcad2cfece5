//! Data survives a restart: the real server binary on the embedded file engine is
//! killed (SIGKILL, no chance to flush) and started again on the same directory; and a
//! server stopped with SIGTERM closes the database so the next start replays nothing.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::mailbox::MailboxMessage;
use app::shipments::ShipmentView;
use reqwest::StatusCode;

use crate::helpers::{box_form, draft_form, token_in, Browser, PASSWORD};

struct Server {
    child: Child,
    address: String,
}

impl Server {
    async fn start(data_dir: &std::path::Path, port: u16) -> Server {
        Server::start_with(data_dir, port, "warn", Stdio::null()).await
    }

    /// Started with its shutdown steps and the storage engine's log replay in the log,
    /// which goes to `log`.
    async fn start_logged(data_dir: &std::path::Path, port: u16, log: &std::path::Path) -> Server {
        let file = std::fs::File::create(log).expect("log file");
        let filter = "warn,server=info,surrealkv::wal::recovery=info";
        Server::start_with(data_dir, port, filter, file.into()).await
    }

    async fn start_with(data_dir: &std::path::Path, port: u16, filter: &str, log: Stdio) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env(
                "DATABASE_URL",
                format!("surrealkv://{}", data_dir.join("scc").display()),
            )
            .env("SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", filter)
            .env_remove("SMTP_URL")
            .stdout(log)
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

    /// Sends SIGTERM, as a service manager does, and waits for the process to exit.
    async fn terminate(mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(status) = self.child.try_wait().expect("waits") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit after SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// How many write batches the storage engine replayed from its log at start-up, as
/// its own log line says ("WAL recovery complete: N batches across …"); none when it
/// had nothing to replay.
fn replayed_batches(log: &std::path::Path) -> u64 {
    let text = std::fs::read_to_string(log).expect("log");
    text.lines()
        .filter_map(|line| line.split("WAL recovery complete: ").nth(1))
        .map(|rest| {
            let n = rest.split(' ').next().unwrap_or_default();
            n.parse::<u64>().expect("a count of batches")
        })
        .sum()
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
    let browser = Browser::new(&server.address);
    let response = browser
        .sign_up("seller", "Durable Goods", "ann@example.com")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    server.kill();

    let server = Server::start(&dir, port).await;
    let browser = Browser::new(&server.address);
    let response = browser.sign_in("ann@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let me = browser.whoami().await.expect("signed in");
    assert_eq!(me.company_name, "Durable Goods");
    server.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The token of the newest email to `to` in the development mailbox.
async fn mailbox_token(browser: &Browser, to: &str) -> String {
    let mails: Vec<MailboxMessage> = browser.answer("dev/mailbox", &[]).await;
    let mail = mails
        .iter()
        .find(|m| m.to == to)
        .unwrap_or_else(|| panic!("no email to {to}"));
    token_in(&mail.text)
}

/// Signs up an account named after `email` and verifies it through the mailbox's link.
async fn verified(browser: &Browser, kind: &str, email: &str) {
    assert_eq!(
        browser.sign_up(kind, email, email).await.status(),
        StatusCode::OK
    );
    let token = mailbox_token(browser, email).await;
    assert_eq!(browser.verify(&token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn acknowledged_writes_survive_repeated_kills_mid_traffic() {
    let dir = std::env::temp_dir().join(format!("scc-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();

    let mut server = Server::start(&dir, port).await;
    // The same two browsers, cookies and all, across every restart on the same port.
    let (seller, supplier) = (Browser::new(&server.address), Browser::new(&server.address));
    verified(&seller, "seller", "ann@crash.example").await;
    verified(&supplier, "supplier", "wang@crash.example").await;
    supplier
        .invite_and_get_accepted_by(&seller, "ann@crash.example")
        .await;
    let supplier_id = seller.connected_account("wang@crash.example").await;
    let created = seller
        .save_shipment("", "", "Crash test", "A-1,99999")
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let id: String = created.json().await.unwrap();
    assert_eq!(
        seller.share(&id, &supplier_id).await.status(),
        StatusCode::OK
    );

    let mut created: Vec<String> = Vec::new();
    let mut boxes_acked = 0usize;
    for round in 0..3 {
        // Two clients write as fast as they can, with no limit to run into: the
        // seller creates drafts, the supplier saves boxes. Only what got a 200 counts as
        // acknowledged; a call the kill cuts off (`try_call` fails) ends its loop;
        // any other answer (a 5xx above all) fails the test.
        let drafts = {
            let seller = seller.clone();
            tokio::spawn(async move {
                let mut acked = Vec::new();
                loop {
                    let form = draft_form("Draft");
                    match seller.try_call("shipments/save", &form).await {
                        Ok(r) if r.status() == StatusCode::OK => match r.json::<String>().await {
                            Ok(id) => acked.push(id),
                            // The answer was cut off mid-body by the kill.
                            Err(_) => break,
                        },
                        Ok(r) => panic!("round {round}: creating a draft answered {}", r.status()),
                        Err(_) => break,
                    }
                }
                acked
            })
        };
        let boxes = {
            let (supplier, id) = (supplier.clone(), id.clone());
            tokio::spawn(async move {
                let mut acked = 0usize;
                loop {
                    let Ok(seen) = supplier.try_call("shipments/get", &[("id", &id)]).await else {
                        break;
                    };
                    assert_eq!(seen.status(), StatusCode::OK, "round {round}: reading");
                    let Ok(view) = seen.json::<ShipmentView>().await else {
                        break;
                    };
                    let version = view.version.to_string();
                    let form = box_form(&id, &version, "", "A-1", "1", "1");
                    match supplier.try_call("shipments/save_box", &form).await {
                        Ok(r) if r.status() == StatusCode::OK => acked += 1,
                        Ok(r) => panic!("round {round}: saving a box answered {}", r.status()),
                        Err(_) => break,
                    }
                }
                acked
            })
        };
        tokio::time::sleep(Duration::from_millis(1500 + 400 * round as u64)).await;
        server.kill();
        created.extend(drafts.await.unwrap());
        boxes_acked += boxes.await.unwrap();

        // It opens cleanly, and everything acknowledged is there.
        server = Server::start(&dir, port).await;
        let response = seller.call("connections/overview", &[]).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "round {round}: the session survived too"
        );
        for draft in &created {
            assert_eq!(
                seller.status("shipments/get", &[("id", draft)]).await,
                200,
                "round {round}: draft {draft} lost"
            );
        }
        let stored = supplier.shipment(&id).await.boxes.len();
        // At most one box per kill was written without its answer reaching the client.
        assert!(
            stored >= boxes_acked && stored <= boxes_acked + round + 1,
            "round {round}: {boxes_acked} boxes acknowledged, {stored} stored"
        );
    }
    assert!(
        created.len() >= 3 && boxes_acked >= 3,
        "the clients kept writing: {} drafts, {boxes_acked} boxes",
        created.len()
    );
    server.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_server_stopped_with_sigterm_closes_its_database_and_the_next_start_replays_nothing() {
    let dir = std::env::temp_dir().join(format!("scc-sigterm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (port, log) = (free_port(), dir.join("server.log"));

    // Killed: the next start replays the log (what this test can tell apart).
    let server = Server::start(&dir, port).await;
    let response = Browser::new(&server.address)
        .sign_up("seller", "Before The Kill", "ann@example.com")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    server.kill();
    let server = Server::start_logged(&dir, port, &log).await;
    assert!(
        replayed_batches(&log) > 0,
        "a killed server's writes are replayed at start"
    );

    // Stopped with SIGTERM: it exits cleanly, logging each step ...
    let response = Browser::new(&server.address)
        .sign_up("supplier", "Before The Stop", "wang@example.com")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let status = server.terminate().await;
    assert!(status.success(), "exit status {status}");
    let text = std::fs::read_to_string(&log).unwrap();
    for step in ["requests answered", "workers stopped", "database closed"] {
        assert!(
            text.contains(&format!("shutdown: {step}")),
            "no {step:?} in:\n{text}"
        );
    }

    // ... and the next start has nothing to replay, with both accounts there.
    let server = Server::start_logged(&dir, port, &log).await;
    assert_eq!(replayed_batches(&log), 0, "replayed after a clean stop");
    for email in ["ann@example.com", "wang@example.com"] {
        let browser = Browser::new(&server.address);
        let response = browser.sign_in(email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "{email}");
    }
    server.kill();
    let _ = std::fs::remove_dir_all(&dir);
}
