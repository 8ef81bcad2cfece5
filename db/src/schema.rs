//! The schema is code: one `.surql` file per table under `db/schema/`, applied in
//! order at start when its text changed since it was last applied (its SHA-256 is kept
//! in `schema_file`). Each statement is `DEFINE … OVERWRITE`, so applying twice is
//! harmless, and the number of files is recorded in `schema_version:current`.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use surrealdb::types::SurrealValue;

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
    "015_job_lease",
    "016_item_codes",
    "017_box_expiry",
    "018_open_box",
    "019_fba_shipment_id",
    "020_pallets",
];

pub const SCHEMA_VERSION: i64 = FILES.len() as i64;

/// Applies the first file, then every file whose text is not the one recorded as
/// applied, in order, recording each one's hash after it succeeds. Unchanged files are
/// skipped: re-defining an index rebuilds it, and at a million shipments that is most
/// of a minute of start-up. Two replicas starting at once may both apply a changed
/// file; every statement is `OVERWRITE`, so that is harmless.
pub(crate) async fn apply(db: &Db) -> Result<(), DbError> {
    let mut files = FILES.iter();
    // The first file defines `schema_file` itself, so it runs before that is read.
    if let Some(first) = files.next() {
        apply_file(db, first).await?;
    }
    let applied = applied_hashes(db).await?;
    let mut changed = 1usize;
    for file in files {
        if applied.get(file.0) != Some(&hash_of(file.1)) {
            apply_file(db, file).await?;
            changed += 1;
        }
    }
    check(
        db.conn
            .query("UPSERT schema_version:current SET version = $version, applied_at = time::now()")
            .bind(("version", SCHEMA_VERSION))
            .await,
    )?;
    tracing::info!(
        version = SCHEMA_VERSION,
        files_applied = changed,
        "schema up to date"
    );
    Ok(())
}

fn hash_of(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Runs one file and records the hash of its text.
async fn apply_file(db: &Db, (name, sql): &(&str, &str)) -> Result<(), DbError> {
    check(db.conn.query(*sql).await).map_err(|e| {
        tracing::error!(file = name, error = %e, "schema file failed");
        e
    })?;
    check(
        db.conn
            .query("UPSERT type::record('schema_file', $name) SET hash = $hash, applied_at = time::now()")
            .bind(("name", *name))
            .bind(("hash", hash_of(sql)))
            .await,
    )?;
    Ok(())
}

/// File name → hash of the text last applied.
async fn applied_hashes(db: &Db) -> Result<HashMap<String, String>, DbError> {
    #[derive(SurrealValue)]
    struct Applied {
        name: String,
        hash: String,
    }
    let mut response = check(
        db.conn
            .query("SELECT record::id(id) AS name, hash FROM schema_file")
            .await,
    )?;
    Ok(response
        .take::<Vec<Applied>>(0)?
        .into_iter()
        .map(|a| (a.name, a.hash))
        .collect())
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
    use surrealdb::types::SurrealValue;

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

    /// When each file was last applied, by name.
    async fn applied_at(db: &crate::Db) -> std::collections::HashMap<String, String> {
        #[derive(SurrealValue)]
        struct Row {
            name: String,
            at: String,
        }
        let rows: Vec<Row> = db
            .conn
            .query("SELECT record::id(id) AS name, <string> applied_at AS at FROM schema_file")
            .await
            .expect("query")
            .take(0)
            .expect("rows");
        rows.into_iter().map(|r| (r.name, r.at)).collect()
    }

    #[tokio::test]
    async fn only_files_whose_text_changed_are_applied_again() {
        let db = crate::Db::memory().await.expect("first apply");
        let before = applied_at(&db).await;
        assert_eq!(before.len(), FILES.len(), "every file is recorded");
        // As if 011_shipment.surql had been edited since it was applied.
        db.conn
            .query("UPDATE schema_file:`011_shipment` SET hash = 'an older text'")
            .await
            .expect("update")
            .check()
            .expect("update");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        super::apply(&db).await.expect("second apply");
        let after = applied_at(&db).await;
        assert_ne!(
            after["011_shipment"], before["011_shipment"],
            "the changed file is applied"
        );
        assert_ne!(
            after["001_schema_version"], before["001_schema_version"],
            "the first always is"
        );
        for name in ["002_account", "009_connected", "014_shipment_event"] {
            assert_eq!(after[name], before[name], "{name} is unchanged and skipped");
        }
    }
}
