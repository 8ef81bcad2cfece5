//! Fixed-window counters in the database, so every replica sees the same count.

use surrealdb::types::SurrealValue;

use crate::{check, retry, Db, DbError, Timestamp};

/// The start (Unix seconds) of the fixed window of `window_secs` that `now` falls in.
fn window_start(now: Timestamp, window_secs: i64) -> i64 {
    now.timestamp().div_euclid(window_secs) * window_secs
}

#[derive(Debug, SurrealValue)]
struct Count {
    count: i64,
}

impl Db {
    /// Counts one more event in `bucket`'s current window of `window_secs` and returns
    /// the count so far in this window, this event included.
    pub async fn rate_limit_hit(
        &self,
        bucket: &str,
        window_secs: i64,
        now: Timestamp,
    ) -> Result<i64, DbError> {
        let window = window_start(now, window_secs);
        let expires = now + chrono::Duration::seconds(window_secs * 2);
        retry(|| async {
            let mut response = check(
                self.conn
                    .query(
                        "UPSERT type::record('rate_limit', [$bucket, $window]) \
                         SET count += 1, expires_at = $expires RETURN count",
                    )
                    .bind(("bucket", bucket.to_owned()))
                    .bind(("window", window))
                    .bind(("expires", expires))
                    .await,
            )?;
            let counts: Vec<Count> = response.take(0)?;
            Ok(counts.first().map(|c| c.count).unwrap_or(1))
        })
        .await
    }

    /// The count so far in `bucket`'s current window of `window_secs`, without
    /// counting anything.
    pub async fn rate_limit_count(
        &self,
        bucket: &str,
        window_secs: i64,
        now: Timestamp,
    ) -> Result<i64, DbError> {
        let window = window_start(now, window_secs);
        let mut response = check(
            self.conn
                .query("SELECT count FROM type::record('rate_limit', [$bucket, $window])")
                .bind(("bucket", bucket.to_owned()))
                .bind(("window", window))
                .await,
        )?;
        let counts: Vec<Count> = response.take(0)?;
        Ok(counts.first().map(|c| c.count).unwrap_or(0))
    }

    /// Takes one event back out of `bucket`'s current window (an attempt counted before
    /// it was known to be a good one). The clean-up deletes counters past their window.
    pub async fn rate_limit_forgive(
        &self,
        bucket: &str,
        window_secs: i64,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let window = window_start(now, window_secs);
        retry(|| async {
            check(
                self.conn
                    .query(
                        "UPDATE type::record('rate_limit', [$bucket, $window]) \
                         SET count = math::max([count - 1, 0])",
                    )
                    .bind(("bucket", bucket.to_owned()))
                    .bind(("window", window))
                    .await,
            )
            .map(|_| ())
        })
        .await
    }
}
