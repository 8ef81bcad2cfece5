//! The connection to SurrealDB, the storage's error type, and what every feature's
//! transactions share: the retry on conflicts, the decoding of a failed statement, the
//! actor of a change.

use std::time::Duration;

use surrealdb::engine::any::Any;
use surrealdb::opt::auth::Root;
use surrealdb::Surreal;

use crate::schema;
use crate::Refusal;

/// Every time the database sees comes from the caller, so tests can move the clock.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// The storage's one error type: a rule refused the change ([`Refusal`], which the
/// caller shows to the user), or something unexpected (logged by the caller, shown as
/// a generic failure).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("refused: {}", .0.code())]
    Refused(Refusal),
    #[error("database configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] surrealdb::Error),
}

impl DbError {
    /// Maps an error raised inside a SurrealQL transaction by [`Refusal::throw`] to
    /// that refusal.
    fn classify(err: surrealdb::Error) -> DbError {
        let message = err.message();
        if let Some(refusal) = Refusal::in_message(message) {
            DbError::Refused(refusal)
        } else if message.contains("this is not a valid id") {
            // A record key built from an empty string names nothing.
            DbError::Refused(Refusal::NotFound)
        } else {
            DbError::Database(err)
        }
    }

    /// Transaction conflicts under concurrent writes: the caller may simply try again.
    pub(crate) fn is_retryable(&self) -> bool {
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

impl DbConfig {
    /// The directory of the embedded database (`surrealkv://<dir>`), if it is one.
    pub fn embedded_dir(&self) -> Option<std::path::PathBuf> {
        let path = self.url.strip_prefix("surrealkv://")?;
        Some(path.split('?').next().unwrap_or(path).into())
    }
}

/// Waits until the embedded database in `dir` is closed: SurrealKV holds an exclusive
/// lock on `<dir>/LOCK` from open until the very end of its close, after it has
/// flushed its memtable (so the next start has no log to replay). SurrealDB closes it
/// in the background once the last [`Db`] handle is dropped. False if it was still
/// open after `timeout`.
pub async fn wait_until_closed(dir: &std::path::Path, timeout: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let free = match std::fs::File::open(dir.join("LOCK")) {
            Ok(file) => file.try_lock().is_ok(),
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        };
        if free {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[derive(Clone)]
pub struct Db {
    pub(crate) conn: Surreal<Any>,
    pub(crate) sessions: std::sync::Arc<crate::session_cache::SessionCache>,
}

impl Db {
    /// Connects, selects the namespace and database, and applies the schema.
    pub async fn connect(config: &DbConfig) -> Result<Db, DbError> {
        if let Some(dir) = config.embedded_dir() {
            if let Some(parent) = dir.parent() {
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
        let db = Db {
            conn,
            sessions: Default::default(),
        };
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

/// The result of a query's last statement: a read that needs several results returns
/// them as one `RETURN { … }` object after the `LET`s that prepare it, decoded into one
/// struct, never picked out by position.
pub(crate) fn take_last<R>(mut response: surrealdb::IndexedResults) -> Result<R, DbError>
where
    R: surrealdb::types::SurrealValue,
    usize: surrealdb::opt::QueryResult<R>,
{
    let last = response.num_statements().saturating_sub(1);
    Ok(response.take(last)?)
}

/// Who did something, as the history and the timeline show it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub name: String,
    pub company: String,
}

/// Binds `$user`, `$actor_name` and `$actor_company` to `actor`.
pub(crate) fn bind_actor<'a, C: surrealdb::Connection>(
    query: surrealdb::method::Query<'a, C>,
    actor: &Actor,
) -> surrealdb::method::Query<'a, C> {
    query
        .bind(("user", actor.user_id.clone()))
        .bind(("actor_name", actor.name.clone()))
        .bind(("actor_company", actor.company.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code our transactions throw is a [`Refusal`]: a misspelt one would reach
    /// users as an internal error instead of its message.
    #[test]
    fn every_thrown_code_in_the_storage_is_a_refusal() {
        let sources = [
            include_str!("accounts.rs"),
            include_str!("connections.rs"),
            include_str!("shipments.rs"),
            include_str!("outbox.rs"),
            include_str!("sessions.rs"),
        ];
        let mut seen = 0;
        for source in sources {
            for (at, _) in source.match_indices("THROW 'scc:") {
                let statement = &source[at..];
                assert!(
                    Refusal::in_message(statement).is_some(),
                    "unknown code in {}",
                    &statement[..statement.len().min(60)]
                );
                seen += 1;
            }
        }
        assert!(seen >= 10, "found only {seen} THROWs");
    }
}
