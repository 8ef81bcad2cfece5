//! Email is never lost: with the SMTP server refusing, the message waits in the outbox
//! and is retried; once the server takes mail again it arrives exactly once.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::TestApp;

/// A minimal SMTP server: refuses every session with 421 while `down`, otherwise
/// accepts and records the recipients of each message; while `cut` is above zero, it
/// drops that many connections in the middle of a message's data instead of
/// accepting it (counted in `was_cut`).
struct FakeSmtp {
    port: u16,
    down: Arc<AtomicBool>,
    cut: Arc<AtomicUsize>,
    was_cut: Arc<AtomicUsize>,
    delivered: Arc<Mutex<Vec<String>>>,
    refused: Arc<Mutex<usize>>,
}

impl FakeSmtp {
    async fn start() -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(true));
        let delivered = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(Mutex::new(0));
        let (cut, was_cut) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (d, del, r) = (down.clone(), delivered.clone(), refused.clone());
        let (c, wc) = (cut.clone(), was_cut.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (d, del, r) = (d.clone(), del.clone(), r.clone());
                let (c, wc) = (c.clone(), wc.clone());
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    if d.load(Ordering::SeqCst) {
                        *r.lock().unwrap() += 1;
                        let _ = write.write_all(b"421 test server is down\r\n").await;
                        return;
                    }
                    let _ = write.write_all(b"220 fake ESMTP\r\n").await;
                    let mut lines = BufReader::new(read).lines();
                    let mut recipients = Vec::new();
                    let mut in_data = false;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if in_data {
                            // Half-way through the message: the connection dies.
                            let cutting = c
                                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                                    n.checked_sub(1)
                                })
                                .is_ok();
                            if cutting {
                                wc.fetch_add(1, Ordering::SeqCst);
                                return;
                            }
                            if line == "." {
                                in_data = false;
                                del.lock().unwrap().append(&mut recipients);
                                let _ = write.write_all(b"250 queued\r\n").await;
                            }
                            continue;
                        }
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO")
                        {
                            b"250 fake\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            recipients.push(
                                line[8..]
                                    .trim()
                                    .trim_matches(|c| c == '<' || c == '>')
                                    .to_owned(),
                            );
                            b"250 ok\r\n"
                        } else if upper.starts_with("DATA") {
                            in_data = true;
                            b"354 go ahead\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        FakeSmtp {
            port,
            down,
            cut,
            was_cut,
            delivered,
            refused,
        }
    }

    fn delivered_to(&self, address: &str) -> usize {
        self.delivered
            .lock()
            .unwrap()
            .iter()
            .filter(|a| *a == address)
            .count()
    }
}

async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_email_queued_while_smtp_is_down_arrives_exactly_once_when_it_returns() {
    let smtp = FakeSmtp::start().await;
    let app =
        TestApp::spawn_with(&[("SMTP_URL", &format!("smtp://127.0.0.1:{}", smtp.port))]).await;
    app.browser()
        .sign_up("seller", "Acme", "ann@example.com")
        .await;

    // The first attempt is refused; the message stays queued with a retry time.
    wait_until("the server refused a delivery", || {
        *smtp.refused.lock().unwrap() >= 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let queued = app.last_email_to("ann@example.com").await;
    assert_eq!(queued.status, "queued");
    assert!(
        queued.text_body.contains("/verify-email?token="),
        "a queued message keeps its body for the retries"
    );
    assert_eq!(smtp.delivered_to("ann@example.com"), 0);

    // The server comes back; once the backoff has passed the message goes out.
    smtp.down.store(false, Ordering::SeqCst);
    app.advance_days(1);
    wait_until("the email was delivered", || {
        smtp.delivered_to("ann@example.com") == 1
    })
    .await;
    let mut sent = false;
    for _ in 0..50 {
        if app.last_email_to("ann@example.com").await.status == "sent" {
            sent = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sent, "the outbox marks it sent");
    assert_eq!(
        app.last_email_to("ann@example.com").await.text_body,
        "",
        "once sent, its link (a live token) is not kept at rest"
    );

    // Several more polling rounds: still exactly one copy.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(smtp.delivered_to("ann@example.com"), 1);
    app.stop().await;
}

#[tokio::test]
async fn smtp_stopping_or_cut_off_mid_message_loses_nothing_and_doubles_nothing() {
    let smtp = FakeSmtp::start().await;
    smtp.down.store(false, Ordering::SeqCst);
    // The first two connections die in the middle of a message: neither message was
    // accepted, so each must be sent again, once.
    smtp.cut.store(2, Ordering::SeqCst);
    let app =
        TestApp::spawn_with(&[("SMTP_URL", &format!("smtp://127.0.0.1:{}", smtp.port))]).await;
    let address = |i: usize| format!("user{i}@example.com");
    for i in 0..10 {
        app.browser()
            .sign_up("seller", &format!("Company {i}"), &address(i))
            .await;
    }
    wait_until("two messages were cut off", || {
        smtp.was_cut.load(Ordering::SeqCst) == 2
    })
    .await;
    wait_until("the first emails went out", || {
        smtp.delivered.lock().unwrap().len() >= 3
    })
    .await;

    // The server goes away while more is queued.
    smtp.down.store(true, Ordering::SeqCst);
    for i in 10..20 {
        app.browser()
            .sign_up("seller", &format!("Company {i}"), &address(i))
            .await;
    }
    wait_until("a delivery was refused", || {
        *smtp.refused.lock().unwrap() >= 1
    })
    .await;

    // It comes back; past the backoff, every message goes out.
    smtp.down.store(false, Ordering::SeqCst);
    app.advance_days(1);
    wait_until("all twenty were delivered", || {
        (0..20).all(|i| smtp.delivered_to(&address(i)) >= 1)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    for i in 0..20 {
        assert_eq!(smtp.delivered_to(&address(i)), 1, "{}", address(i));
    }
    app.stop().await;
}
