//! The schema is code: one `.surql` file per table under `db/schema/`, applied in
//! order at every start. Each statement is `DEFINE … OVERWRITE`, so applying twice
//! is harmless, and the applied version is recorded in `schema_version:current`.

use crate::{check, Db, DbError};

/// Includes `db/schema/NAME.surql` for each name, in order.
macro_rules! schema_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../schema/", $name, ".surql")))),*]
    };
}

const FILES: &[(&str, &str)] = schema_files![
    "001_schema_version",
    "002_account",
    "003_user",
    "004_session",
    "005_email_token",
    "006_outbox",
    "007_rate_limit",
    "008_invitation",
    "009_connected",
    "010_connection_event",
    "011_shipment",
    "012_shared_with",
    "013_shipment_box",
    "014_shipment_event",
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

#[cfg(test)]
mod tests {
    use super::FILES;

    #[test]
    fn every_schema_file_is_applied_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schema");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("schema dir")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".surql").map(str::to_owned))
            .collect();
        on_disk.sort();
        let listed: Vec<&str> = FILES.iter().map(|(name, _)| *name).collect();
        assert_eq!(on_disk, listed);
    }

    #[tokio::test]
    async fn applying_twice_is_harmless_and_records_the_version() {
        let db = crate::Db::memory().await.expect("first apply");
        super::apply(&db).await.expect("second apply");
        assert_eq!(db.schema_version().await.unwrap(), Some(FILES.len() as i64));
    }
}
