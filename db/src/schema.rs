//! The schema is code: one `.surql` file per table under `db/schema/`, applied in
//! order at every start. Each statement is `DEFINE … OVERWRITE`, so applying twice
//! is harmless, and the applied version is recorded in `schema_version:current`.

use crate::{check, Db, DbError};

const FILES: &[(&str, &str)] = &[
    (
        "001_schema_version",
        include_str!("../schema/001_schema_version.surql"),
    ),
    ("002_account", include_str!("../schema/002_account.surql")),
    ("003_user", include_str!("../schema/003_user.surql")),
    ("004_session", include_str!("../schema/004_session.surql")),
    (
        "005_email_token",
        include_str!("../schema/005_email_token.surql"),
    ),
    ("006_outbox", include_str!("../schema/006_outbox.surql")),
    (
        "007_rate_limit",
        include_str!("../schema/007_rate_limit.surql"),
    ),
];

pub const SCHEMA_VERSION: i64 = FILES.len() as i64;

pub(crate) async fn apply(db: &Db) -> Result<(), DbError> {
    for (name, sql) in FILES {
        check(db.conn.query(*sql).await).map_err(|e| {
            tracing::error!(file = name, error = %e, "schema file failed");
            e
        })?;
    }
    check(
        db.conn
            .query("UPSERT schema_version:current SET version = $version, applied_at = time::now()")
            .bind(("version", SCHEMA_VERSION))
            .await,
    )?;
    tracing::info!(version = SCHEMA_VERSION, "schema applied");
    Ok(())
}

impl Db {
    /// The schema version recorded in the database.
    pub async fn schema_version(&self) -> Result<Option<i64>, DbError> {
        let mut response = check(
            self.conn
                .query("SELECT VALUE version FROM schema_version:current")
                .await,
        )?;
        Ok(response.take::<Vec<i64>>(0)?.into_iter().next())
    }
}
