//! The email worker: claims due messages from the outbox, sends them over SMTP (or,
//! in development, leaves them for `/dev/mailbox`), and marks each sent, or schedules
//! a retry with exponential backoff. Messages are never lost: a crash between claim
//! and mark leaves the lease to expire and the message to be sent again.

use std::sync::Arc;
use std::time::Duration;

use app::server::Clock;
use db::outbox::ClaimedEmail;
use db::Db;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;

/// After this many failed attempts a message is marked failed.
const MAX_ATTEMPTS: i64 = 12;
/// Messages one pass sends at most before looking at the clock again.
const PER_PASS: usize = 20;
/// How often the worker looks for due messages when nobody wakes it.
const IDLE_POLL: Duration = Duration::from_secs(2);

// One per process, moved once into the worker: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Transport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No SMTP server: delivered means "visible in the development mailbox".
    DevMailbox,
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("SMTP_URL is not valid: {0}")]
    SmtpUrl(String),
    #[error("MAIL_FROM is not a valid mailbox: {0}")]
    From(String),
}

impl Transport {
    pub fn from_config(smtp_url: Option<&str>, from: &str) -> Result<Transport, MailerError> {
        let Some(url) = smtp_url else {
            return Ok(Transport::DevMailbox);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailerError::SmtpUrl(e.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailerError::From(e.to_string()))?;
        Ok(Transport::Smtp { transport, from })
    }

    async fn send(&self, mail: &ClaimedEmail) -> Result<(), SendError> {
        match self {
            Transport::DevMailbox => Ok(()),
            Transport::Smtp { transport, from } => {
                let to: Mailbox =
                    mail.to_address
                        .parse()
                        .map_err(|e: lettre::address::AddressError| {
                            SendError::Permanent(e.to_string())
                        })?;
                // The same id on every attempt: a copy sent again after a crash between
                // the server's acceptance and our record of it is recognisably the same
                // message (mail clients and filters drop such duplicates).
                let message = Message::builder()
                    .message_id(Some(format!("<{}@supply-chain-connect>", mail.id)))
                    .from(from.clone())
                    .to(to)
                    .subject(mail.subject.clone())
                    .multipart(MultiPart::alternative_plain_html(
                        mail.text_body.clone(),
                        mail.html_body.clone(),
                    ))
                    .map_err(|e| SendError::Permanent(e.to_string()))?;
                match transport.send(message).await {
                    Ok(_) => Ok(()),
                    Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                    Err(e) => Err(SendError::Transient(e.to_string())),
                }
            }
        }
    }
}

enum SendError {
    /// The server refused the message for good (bad address): retrying cannot help.
    Permanent(String),
    /// The server was unreachable or busy: try again later.
    Transient(String),
}

/// Delay before attempt `attempts + 1`: 5 s, 10 s, 20 s … capped at one hour.
pub fn backoff(attempts: i64) -> Duration {
    let exponent = attempts.clamp(1, 20) as u32 - 1;
    Duration::from_secs(5u64.saturating_mul(2u64.saturating_pow(exponent)).min(3600))
}

pub fn spawn(
    db: Db,
    transport: Transport,
    wakeup: Arc<Notify>,
    clock: Clock,
    lease: Duration,
    mut closing: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    // It ends when `closing` turns true, between two messages: a message is never cut
    // off after the server accepted it and before it is marked sent (it would go out
    // twice).
    tokio::spawn(async move {
        loop {
            if *closing.borrow() {
                return;
            }
            let worked = match run_pass(&db, &transport, &clock, lease, &closing).await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::error!(error = %e, "email worker: reading the outbox failed");
                    false
                }
            };
            if !worked {
                tokio::select! {
                    _ = wakeup.notified() => {}
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = crate::until_closing(&mut closing) => return,
                }
            }
        }
    })
}

/// One pass: claim what is due (each held for `lease`, how long another replica
/// waits before sending it in our place), send each, record the outcome. Returns how
/// many messages were handled.
pub async fn run_once(
    db: &Db,
    transport: &Transport,
    clock: &Clock,
    lease: Duration,
) -> Result<usize, db::DbError> {
    let (_open, never_closing) = tokio::sync::watch::channel(false);
    run_pass(db, transport, clock, lease, &never_closing).await
}

/// [`run_once`], stopping before the next message once `closing` turns true.
async fn run_pass(
    db: &Db,
    transport: &Transport,
    clock: &Clock,
    lease: Duration,
    closing: &tokio::sync::watch::Receiver<bool>,
) -> Result<usize, db::DbError> {
    // One message at a time, each claimed just before it is sent: a claim never sits
    // in a queue of ours while its lease runs out and another replica sends it too.
    let mut handled = 0;
    while handled < PER_PASS && !*closing.borrow() {
        let now = clock.now();
        let until = now + db::chrono::Duration::from_std(lease).unwrap_or_default();
        let Some(mail) = db.claim_due_emails(now, until, 1).await?.into_iter().next() else {
            break;
        };
        handled += 1;
        let span = tracing::info_span!("send_email", id = %mail.id, attempt = mail.attempts);
        let _guard = span.enter();
        match transport.send(&mail).await {
            Ok(()) => {
                let forget_body = matches!(transport, Transport::Smtp { .. });
                db.mark_email_sent(&mail.id, clock.now(), forget_body)
                    .await?;
                tracing::info!("email sent");
            }
            Err(SendError::Permanent(reason)) => {
                tracing::error!(%reason, "email refused for good");
                db.mark_email_attempt_failed(&mail.id, &reason, None)
                    .await?;
            }
            Err(SendError::Transient(reason)) => {
                let retry = (mail.attempts < MAX_ATTEMPTS).then(|| {
                    clock.now()
                        + db::chrono::Duration::from_std(backoff(mail.attempts)).unwrap_or_default()
                });
                tracing::warn!(%reason, retry = retry.is_some(), "email not sent");
                db.mark_email_attempt_failed(&mail.id, &reason, retry)
                    .await?;
            }
        }
    }
    Ok(handled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(3), Duration::from_secs(20));
        assert_eq!(backoff(12), Duration::from_secs(3600));
        assert_eq!(backoff(0), Duration::from_secs(5));
    }
}
