//! The email outbox. Features write a message in the same transaction as the change
//! that causes it (`OUTBOX_INSERT` with `bind_email`); the server's worker claims due
//! messages with a lease, sends them and marks them sent, or schedules a retry.

use surrealdb::types::SurrealValue;

use crate::{check, Db, DbError, Timestamp};

/// A rendered email, ready to be queued.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The statement a feature's transaction includes to queue one email; its variables
/// are bound by [`bind_email`].
pub(crate) const OUTBOX_INSERT: &str = "CREATE outbox SET to_address = $mail_to, \
     subject = $mail_subject, text_body = $mail_text, html_body = $mail_html, \
     created_at = $now, status = 'queued', attempts = 0, next_attempt_at = $now;";

pub(crate) fn bind_email<'a, C: surrealdb::Connection>(
    query: surrealdb::method::Query<'a, C>,
    email: &OutgoingEmail,
) -> surrealdb::method::Query<'a, C> {
    query
        .bind(("mail_to", email.to.clone()))
        .bind(("mail_subject", email.subject.clone()))
        .bind(("mail_text", email.text.clone()))
        .bind(("mail_html", email.html.clone()))
}

/// The statements queueing `n` emails in one transaction, bound by [`bind_emails`]
/// (one message per recipient, each in their own language).
pub(crate) fn outbox_inserts(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "CREATE outbox SET to_address = $mail_to_{i}, subject = $mail_subject_{i}, \
                 text_body = $mail_text_{i}, html_body = $mail_html_{i}, created_at = $now, \
                 status = 'queued', attempts = 0, next_attempt_at = $now;"
            )
        })
        .collect()
}

pub(crate) fn bind_emails<'a, C: surrealdb::Connection>(
    mut query: surrealdb::method::Query<'a, C>,
    emails: &[OutgoingEmail],
) -> surrealdb::method::Query<'a, C> {
    for (i, email) in emails.iter().enumerate() {
        query = query
            .bind((format!("mail_to_{i}"), email.to.clone()))
            .bind((format!("mail_subject_{i}"), email.subject.clone()))
            .bind((format!("mail_text_{i}"), email.text.clone()))
            .bind((format!("mail_html_{i}"), email.html.clone()));
    }
    query
}

/// A message the worker has claimed and must now send.
#[derive(Debug, Clone, SurrealValue)]
pub struct ClaimedEmail {
    pub id: String,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attempts: i64,
}

/// One row of the development mailbox.
#[derive(Debug, Clone, SurrealValue)]
pub struct MailboxEntry {
    pub id: String,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub status: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, SurrealValue)]
struct Key {
    id: String,
}

impl Db {
    /// Queues one email on its own (no other change goes with it).
    pub async fn enqueue_email(
        &self,
        email: &OutgoingEmail,
        now: Timestamp,
    ) -> Result<(), DbError> {
        check(
            bind_email(self.conn.query(OUTBOX_INSERT), email)
                .bind(("now", now))
                .await,
        )?;
        Ok(())
    }

    /// Claims up to `limit` due messages for `lease`. A claim is a conditional update
    /// of one record, so two workers never both claim a message; a worker that dies
    /// leaves its lease to expire, and the message is claimed again.
    pub async fn claim_due_emails(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> Result<Vec<ClaimedEmail>, DbError> {
        let mut response = check(
            self.conn
                .query(
                    "SELECT record::id(id) AS id FROM outbox \
                     WHERE status = 'queued' AND next_attempt_at <= $now \
                     AND (lease_until = NONE OR lease_until < $now) \
                     ORDER BY next_attempt_at LIMIT $limit",
                )
                .bind(("now", now))
                .bind(("limit", limit))
                .await,
        )?;
        let due: Vec<Key> = response.take(0)?;
        let mut claimed = Vec::with_capacity(due.len());
        for key in due {
            let result = check(
                self.conn
                    .query(
                        "UPDATE type::record('outbox', $id) SET lease_until = $lease, attempts += 1 \
                         WHERE status = 'queued' AND (lease_until = NONE OR lease_until < $now) \
                         RETURN record::id(id) AS id, to_address, subject, text_body, html_body, attempts",
                    )
                    .bind(("id", key.id))
                    .bind(("now", now))
                    .bind(("lease", lease_until))
                    .await,
            );
            match result {
                Ok(mut response) => claimed.extend(response.take::<Vec<ClaimedEmail>>(0)?),
                // Another worker won the race for this message.
                Err(e) if e.is_retryable() => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(claimed)
    }

    /// Records a message as sent. With `forget_body` its bodies are blanked: once
    /// delivered, the links in them (live tokens) need not be kept at rest. The
    /// development mailbox keeps them, since showing them is its job.
    pub async fn mark_email_sent(
        &self,
        id: &str,
        now: Timestamp,
        forget_body: bool,
    ) -> Result<(), DbError> {
        let forget = if forget_body {
            ", text_body = '', html_body = ''"
        } else {
            ""
        };
        check(
            self.conn
                .query(format!(
                    "UPDATE type::record('outbox', $id) SET status = 'sent', sent_at = $now, \
                     lease_until = NONE, last_error = NONE{forget}"
                ))
                .bind(("id", id.to_owned()))
                .bind(("now", now))
                .await,
        )?;
        Ok(())
    }

    /// Records a failed attempt: the message is tried again at `retry_at`, or given up
    /// (`failed`) when `retry_at` is `None`.
    pub async fn mark_email_attempt_failed(
        &self,
        id: &str,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<(), DbError> {
        // A message given up is never sent: its links need not be kept either.
        let sql = if retry_at.is_some() {
            "UPDATE type::record('outbox', $id) SET next_attempt_at = $retry, lease_until = NONE, last_error = $error"
        } else {
            "UPDATE type::record('outbox', $id) SET status = 'failed', lease_until = NONE, last_error = $error, \
             text_body = '', html_body = ''"
        };
        let mut query = self
            .conn
            .query(sql)
            .bind(("id", id.to_owned()))
            .bind(("error", error.chars().take(500).collect::<String>()));
        if let Some(retry) = retry_at {
            query = query.bind(("retry", retry));
        }
        check(query.await)?;
        Ok(())
    }

    /// How many messages the outbox holds, in any state.
    pub async fn outbox_len(&self) -> Result<i64, DbError> {
        let response = check(
            self.conn
                .query("RETURN count((SELECT VALUE id FROM outbox))")
                .await,
        )?;
        Ok(crate::take_last::<Option<i64>>(response)?.unwrap_or(0))
    }

    /// The newest messages first, for the development mailbox.
    pub async fn recent_emails(&self, limit: i64) -> Result<Vec<MailboxEntry>, DbError> {
        let mut response = check(
            self.conn
                .query(
                    "SELECT record::id(id) AS id, to_address, subject, text_body, status, \
                     time::unix(created_at) AS created_at FROM outbox \
                     ORDER BY created_at DESC LIMIT $limit",
                )
                .bind(("limit", limit))
                .await,
        )?;
        Ok(response.take(0)?)
    }
}
