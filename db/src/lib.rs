//! Storage for Supply Chain Connect: the SurrealDB connection, the schema, and one
//! module per feature. Server-only: nothing here is compiled into the wasm bundle.
//!
//! Error policy: outcomes a caller must handle (an email already taken, a link no
//! longer valid) are `DbError` variants of their own; everything else is
//! `DbError::Database` with SurrealDB's message, logged by the caller and shown to
//! users as a generic failure.

pub mod accounts;
pub mod connections;
pub mod outbox;
pub mod rate_limit;
mod schema;
pub mod secrets;
#[cfg(feature = "seed")]
pub mod seed;
pub mod sessions;
pub mod shipments;

use std::time::Duration;

use surrealdb::engine::any::Any;
use surrealdb::opt::auth::Root;
use surrealdb::Surreal;

pub use chrono;
pub use schema::SCHEMA_VERSION;

/// Every time the database sees comes from the caller, so tests can move the clock.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("an account with this email address already exists")]
    EmailTaken,
    #[error("the link is unknown, used or expired")]
    TokenInvalid,
    #[error("not found")]
    NotFound,
    #[error("the invitation is unknown, used, cancelled or expired")]
    InvitationInvalid,
    #[error("a pending invitation to this address exists already")]
    AlreadyInvited,
    #[error("already connected")]
    AlreadyConnected,
    #[error("the account is of the wrong kind for this invitation")]
    WrongAccountKind,
    #[error("the shipment is not in a state that allows this step")]
    WrongState,
    #[error("the accounts are not connected")]
    NotConnected,
    #[error("changed meanwhile by someone else")]
    Stale,
    #[error("database configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] surrealdb::Error),
}

impl DbError {
    /// Maps an error raised inside a SurrealQL transaction by `THROW 'scc:…'` or by a
    /// unique key to the variant it stands for.
    fn classify(err: surrealdb::Error) -> DbError {
        let message = err.message();
        if message.contains("scc:token_invalid") {
            DbError::TokenInvalid
        } else if message.contains("scc:not_found") || message.contains("this is not a valid id") {
            // The second: a record key built from an empty string names nothing.
            DbError::NotFound
        } else if message.contains("scc:invitation_invalid") {
            DbError::InvitationInvalid
        } else if message.contains("scc:already_invited") {
            DbError::AlreadyInvited
        } else if message.contains("scc:already_connected") {
            DbError::AlreadyConnected
        } else if message.contains("scc:wrong_kind") {
            DbError::WrongAccountKind
        } else if message.contains("scc:wrong_state") {
            DbError::WrongState
        } else if message.contains("scc:not_connected") {
            DbError::NotConnected
        } else if message.contains("scc:stale") {
            DbError::Stale
        } else if message.contains("scc:email_taken") {
            DbError::EmailTaken
        } else {
            DbError::Database(err)
        }
    }

    /// Transaction conflicts under concurrent writes: the caller may simply try again.
    fn is_retryable(&self) -> bool {
        match self {
            DbError::Database(e) => {
                let m = e.message().to_ascii_lowercase();
                m.contains("conflict") || m.contains("can be retried")
            }
            _ => false,
        }
    }
}

/// Where the data lives: `surrealkv://data/scc` (embedded, the default), `mem://`
/// (tests) or `ws://host:port` (a SurrealDB server, with credentials).
#[derive(Clone)]
pub struct DbConfig {
    pub url: String,
    pub namespace: String,
    pub database: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for DbConfig {
    // The password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbConfig")
            .field("url", &self.url)
            .field("namespace", &self.namespace)
            .field("database", &self.database)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[derive(Clone)]
pub struct Db {
    pub(crate) conn: Surreal<Any>,
}

impl Db {
    /// Connects, selects the namespace and database, and applies the schema.
    pub async fn connect(config: &DbConfig) -> Result<Db, DbError> {
        if let Some(path) = config.url.strip_prefix("surrealkv://") {
            let dir = path.split('?').next().unwrap_or(path);
            if let Some(parent) = std::path::Path::new(dir).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        DbError::Config(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
            }
        }
        let conn = surrealdb::engine::any::connect(config.url.as_str()).await?;
        match (&config.username, &config.password) {
            (Some(username), Some(password)) => {
                conn.signin(Root {
                    username: username.clone(),
                    password: password.clone(),
                })
                .await?;
            }
            (None, None) => {}
            _ => {
                return Err(DbError::Config(
                    "set both the database user and its password, or neither".into(),
                ))
            }
        }
        conn.use_ns(config.namespace.as_str())
            .use_db(config.database.as_str())
            .await?;
        let db = Db { conn };
        schema::apply(&db).await?;
        Ok(db)
    }

    /// A fresh in-memory database with the schema applied, for tests.
    pub async fn memory() -> Result<Db, DbError> {
        Db::connect(&DbConfig {
            url: "mem://".into(),
            namespace: "scc".into(),
            database: "test".into(),
            username: None,
            password: None,
        })
        .await
    }

    /// Cheap liveness probe for `/healthz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.conn.query("RETURN 1").await?.check()?;
        Ok(())
    }
}

/// Runs `op` again when SurrealDB reports a transaction conflict, a few times with a
/// short pause: concurrent writers to one record are expected, not exceptional.
pub(crate) async fn retry<T, F, Fut>(mut op: F) -> Result<T, DbError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DbError>>,
{
    let mut attempt = 0u32;
    loop {
        match op().await {
            Err(e) if e.is_retryable() && attempt < 8 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt))).await;
            }
            other => return other,
        }
    }
}

/// Turns the failing statement of a (multi-statement) response into a `DbError`.
/// In a failed transaction every other statement reports "not executed due to a
/// failed transaction"; the statement that really failed carries the reason.
pub(crate) fn check(
    response: Result<surrealdb::IndexedResults, surrealdb::Error>,
) -> Result<surrealdb::IndexedResults, DbError> {
    let mut response = response?;
    let mut errors: Vec<(usize, surrealdb::Error)> = response.take_errors().into_iter().collect();
    errors.sort_by_key(|(index, _)| *index);
    let cause = errors
        .iter()
        .position(|(_, e)| !e.message().contains("failed transaction"))
        .unwrap_or(0);
    if !errors.is_empty() {
        let (_, error) = errors.swap_remove(cause);
        return Err(DbError::classify(error));
    }
    Ok(response)
}
