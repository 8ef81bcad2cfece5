//! Sessions live in the database (keyed by the hash of the cookie's secret), so any
//! replica can serve any request and signing out ends the session everywhere. A
//! session ends at `expires_at` or after [`IDLE_DAYS`] unused.

use surrealdb::types::SurrealValue;

use crate::outbox::{bind_email, OutgoingEmail, OUTBOX_INSERT};
use crate::session_cache::{nanos, Entry};
use crate::{check, retry, Db, DbError, Refusal, Timestamp};

/// A session unused this long is over.
pub const IDLE_DAYS: i64 = 7;

/// How stale `last_seen_at` may get before a request writes it again: one write per
/// session every few minutes, not one per request.
const SEEN_PRECISION_MINUTES: i64 = 5;

/// The signed-in user and their account, as every server function needs them.
#[derive(Debug, Clone, SurrealValue)]
pub struct SessionUser {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    pub verified: bool,
    pub lang: String,
    pub account_id: String,
    pub account_kind: String,
    pub company_name: String,
}

/// Where a session was started from, as its user will see it in their list.
#[derive(Debug, Clone, Default)]
pub struct SessionClient {
    pub user_agent: Option<String>,
    pub address: Option<String>,
}

/// One of a user's sessions. `id` is the hash of the cookie's secret: it names the
/// session to its own user and grants nothing (the cookie holds the secret).
#[derive(Debug, Clone, SurrealValue)]
pub struct SessionRow {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: Option<String>,
    pub address: Option<String>,
}

/// `$now` and the earliest last use a live session may have.
fn idle_since(now: Timestamp) -> Timestamp {
    now - chrono::Duration::days(IDLE_DAYS)
}

/// A last use older than this at `now` is written again.
fn seen_stale(now: Timestamp) -> Timestamp {
    now - chrono::Duration::minutes(SEEN_PRECISION_MINUTES)
}

/// A session as read from the database: its user, and when it ends.
#[derive(Debug, SurrealValue)]
struct SessionRecord {
    user_id: String,
    name: String,
    email: String,
    is_admin: bool,
    verified: bool,
    lang: String,
    account_id: String,
    account_kind: String,
    company_name: String,
    /// Nanoseconds since the epoch, as the cache compares them.
    expires_at: i64,
    last_seen_at: i64,
}

impl Db {
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        client: &SessionClient,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), DbError> {
        check(
            self.conn
                .query(
                    "CREATE type::record('session', $secret_hash) SET user = type::record('user', $user), \
                     created_at = $now, last_seen_at = $now, expires_at = $expires, \
                     user_agent = $user_agent, address = $address",
                )
                .bind(("secret_hash", token_hash.to_owned()))
                .bind(("user", user_id.to_owned()))
                .bind(("user_agent", client.user_agent.clone()))
                .bind(("address", client.address.clone()))
                .bind(("now", now))
                .bind(("expires", expires_at))
                .await,
        )?;
        Ok(())
    }

    /// The user behind a live session, or `None` for an unknown, expired or idle one:
    /// from the session cache when it may answer (see [`crate::session_cache`]),
    /// otherwise from the database. A live session's last use is written again when it
    /// is minutes old.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionUser>, DbError> {
        let idle_since = idle_since(now);
        if let Some(hit) = self.sessions.get(token_hash) {
            // An entry that says the session is over is checked with the database.
            if hit.live(now, idle_since) {
                if hit.last_seen_at < nanos(seen_stale(now)) {
                    self.touch_session(token_hash, now).await;
                }
                return Ok(Some(hit.user));
            }
        }
        let ticket = self.sessions.ticket();
        let mut response = check(
            self.conn
                .query(
                    "SELECT record::id(user) AS user_id, user.name AS name, user.email AS email, \
                     user.is_admin AS is_admin, user.email_verified_at != NONE AS verified, \
                     user.lang AS lang, record::id(user.account) AS account_id, \
                     user.account.kind AS account_kind, user.account.company_name AS company_name, \
                     time::nano(expires_at) AS expires_at, \
                     time::nano(last_seen_at ?? created_at) AS last_seen_at \
                     FROM type::record('session', $secret_hash) \
                     WHERE expires_at > $now AND (last_seen_at ?? created_at) > $idle_since",
                )
                .bind(("secret_hash", token_hash.to_owned()))
                .bind(("now", now))
                .bind(("idle_since", idle_since))
                .await,
        )?;
        let Some(found) = response.take::<Vec<SessionRecord>>(0)?.into_iter().next() else {
            return Ok(None);
        };
        let user = SessionUser {
            user_id: found.user_id,
            name: found.name,
            email: found.email,
            is_admin: found.is_admin,
            verified: found.verified,
            lang: found.lang,
            account_id: found.account_id,
            account_kind: found.account_kind,
            company_name: found.company_name,
        };
        let entry = Entry::new(user.clone(), found.expires_at, found.last_seen_at);
        self.sessions.put(ticket, token_hash, entry);
        if found.last_seen_at < nanos(seen_stale(now)) {
            self.touch_session(token_hash, now).await;
        }
        Ok(Some(user))
    }

    /// Writes the session's last use (`now`), unless another request just did.
    async fn touch_session(&self, token_hash: &str, now: Timestamp) {
        // Best effort: two requests of one browser may race to write it, and a lost
        // write only makes the session look a few minutes older.
        let touched = check(
            self.conn
                .query(
                    "UPDATE type::record('session', $secret_hash) SET last_seen_at = $now \
                     WHERE (last_seen_at ?? created_at) < $stale",
                )
                .bind(("secret_hash", token_hash.to_owned()))
                .bind(("now", now))
                .bind(("stale", seen_stale(now)))
                .await,
        );
        match touched {
            Ok(_) => self.sessions.seen(token_hash, nanos(now)),
            Err(e) => tracing::debug!(error = %e, "recording a session's last use failed"),
        }
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), DbError> {
        let deleted = check(
            self.conn
                .query("DELETE type::record('session', $secret_hash)")
                .bind(("secret_hash", token_hash.to_owned()))
                .await,
        );
        self.sessions.forget(token_hash);
        deleted?;
        Ok(())
    }

    /// The live sessions of one user, the most recently used first.
    pub async fn user_sessions(
        &self,
        user_id: &str,
        now: Timestamp,
    ) -> Result<Vec<SessionRow>, DbError> {
        let mut response = check(
            self.conn
                .query(
                    "SELECT record::id(id) AS id, time::unix(created_at) AS created_at, \
                     time::unix(last_seen_at ?? created_at) AS last_seen_at, user_agent, address \
                     FROM session WHERE user = type::record('user', $user) AND expires_at > $now \
                     AND (last_seen_at ?? created_at) > $idle_since \
                     ORDER BY last_seen_at DESC",
                )
                .bind(("user", user_id.to_owned()))
                .bind(("now", now))
                .bind(("idle_since", idle_since(now)))
                .await,
        )?;
        Ok(response.take(0)?)
    }

    /// Ends one session of `user_id`: `NotFound` for a session that is not theirs.
    /// One transaction: outside one, a statement after a `THROW` still runs (the
    /// session of another user would be ended while the caller is told "not found").
    pub async fn delete_user_session(&self, user_id: &str, session: &str) -> Result<(), DbError> {
        let deleted = check(
            self.conn
                .query(format!(
                    "BEGIN TRANSACTION;
                     LET $s = type::record('session', $session_key);
                     IF $s.user != type::record('user', $user) {{ {} }};
                     DELETE $s;
                     COMMIT TRANSACTION;",
                    Refusal::NotFound.throw()
                ))
                .bind(("session_key", session.to_owned()))
                .bind(("user", user_id.to_owned()))
                .await,
        );
        self.sessions.forget(session);
        deleted?;
        Ok(())
    }

    /// Ends every session of `user_id` but `keep`.
    pub async fn delete_other_sessions(&self, user_id: &str, keep: &str) -> Result<(), DbError> {
        let deleted = check(
            self.conn
                .query(
                    "DELETE session WHERE user = type::record('user', $user) \
                     AND id != type::record('session', $keep)",
                )
                .bind(("user", user_id.to_owned()))
                .bind(("keep", keep.to_owned()))
                .await,
        );
        self.sessions.forget_user(user_id);
        deleted?;
        Ok(())
    }

    /// Stores a new password hash for `user_id`, ends every session of the user but
    /// `keep`, and queues `changed` (the email that tells the user), in one
    /// transaction.
    pub async fn change_password(
        &self,
        user_id: &str,
        keep: &str,
        password_hash: &str,
        changed: &OutgoingEmail,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let sql = format!(
            "BEGIN TRANSACTION;
             LET $u = type::record('user', $user);
             IF !record::exists($u) {{ {not_found} }};
             UPDATE $u SET password_hash = $hash;
             DELETE session WHERE user = $u AND id != type::record('session', $keep);
             {OUTBOX_INSERT}
             COMMIT TRANSACTION;",
            not_found = Refusal::NotFound.throw(),
        );
        let stored = retry(|| async {
            let query = self
                .conn
                .query(sql.as_str())
                .bind(("user", user_id.to_owned()))
                .bind(("keep", keep.to_owned()))
                .bind(("hash", password_hash.to_owned()))
                .bind(("now", now));
            check(bind_email(query, changed).await)
        })
        .await;
        self.sessions.forget_user(user_id);
        stored?;
        Ok(())
    }

    /// Changes a user's own name and language.
    pub async fn update_profile(
        &self,
        user_id: &str,
        name: &str,
        lang: &str,
    ) -> Result<(), DbError> {
        let updated = check(
            self.conn
                .query(format!(
                    "BEGIN TRANSACTION;
                     LET $u = type::record('user', $user);
                     IF !record::exists($u) {{ {} }};
                     UPDATE $u SET name = $name, lang = $lang;
                     COMMIT TRANSACTION;",
                    Refusal::NotFound.throw()
                ))
                .bind(("user", user_id.to_owned()))
                .bind(("name", name.to_owned()))
                .bind(("lang", lang.to_owned()))
                .await,
        );
        self.sessions.forget_user(user_id);
        updated?;
        Ok(())
    }
}
