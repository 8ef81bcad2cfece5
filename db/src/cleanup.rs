//! The periodic clean-up: what has served its purpose is deleted, so nothing grows
//! without bound and no live secret lingers. One replica at a time runs it, under a
//! lease (`job_lease:cleanup`) claimed with a conditional update, as the email worker
//! claims a message.
//!
//! Deleted: expired sessions, expired email links, rate-limit counters whose window is
//! over, sent or failed emails older than [`KEEP_SENT_EMAILS`], and accounts whose
//! address nobody verified within [`UNVERIFIED_ACCOUNT_LIFE`] (with their sessions,
//! links and drafts), which frees the address for its real owner.

use surrealdb::types::SurrealValue;

use crate::{check, Db, DbError, Timestamp};

/// How long a sent (or given up) email is kept, for the development mailbox and for
/// looking into a delivery.
pub const KEEP_SENT_EMAILS: chrono::Duration = chrono::Duration::days(30);
/// How long an account may stay with no verified address.
pub const UNVERIFIED_ACCOUNT_LIFE: chrono::Duration = chrono::Duration::days(7);

const JOB: &str = "cleanup";

/// What one run deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, SurrealValue)]
pub struct CleanupReport {
    pub sessions: i64,
    pub email_tokens: i64,
    pub rate_limits: i64,
    pub emails: i64,
    pub accounts: i64,
}

/// The deletions, in one transaction; each count is taken before its deletion.
const CLEANUP: &str = "
    BEGIN TRANSACTION;
    LET $sessions = (SELECT VALUE id FROM session WHERE expires_at < $now);
    DELETE $sessions;
    LET $tokens = (SELECT VALUE id FROM email_token WHERE expires_at < $now);
    DELETE $tokens;
    LET $limits = (SELECT VALUE id FROM rate_limit WHERE expires_at < $now);
    DELETE $limits;
    LET $emails = (SELECT VALUE id FROM outbox
        WHERE created_at < $emails_before AND status IN ['sent', 'failed']);
    DELETE $emails;
    -- Accounts nobody verified in time (no link sent in the last 7 days either), and
    -- that nothing else refers to: no verified user, no connection, no invitation
    -- sent, no shipment past a draft (drafts are theirs alone and go with them).
    LET $candidates = array::distinct((SELECT VALUE account FROM user
        WHERE email_verified_at = NONE AND created_at < $unverified_before));
    LET $kept = array::union(
        (SELECT VALUE account FROM user WHERE account IN $candidates AND email_verified_at != NONE),
        array::union(
            (SELECT VALUE user.account FROM email_token WHERE created_at >= $unverified_before),
            array::union(
                array::union(
                    (SELECT VALUE in FROM connected WHERE in IN $candidates),
                    (SELECT VALUE out FROM connected WHERE out IN $candidates)
                ),
                array::union(
                    (SELECT VALUE from_account FROM invitation WHERE from_account IN $candidates),
                    (SELECT VALUE seller FROM shipment WHERE seller IN $candidates AND status != 'draft')
                )
            )
        )
    );
    LET $accounts = array::complement($candidates, $kept);
    FOR $account IN $accounts {
        FOR $user IN (SELECT VALUE id FROM user WHERE account = $account) {
            DELETE session WHERE user = $user;
            DELETE email_token WHERE user = $user;
            DELETE $user;
        };
        FOR $shipment IN (SELECT VALUE id FROM shipment WHERE seller = $account) {
            DELETE shipment_event WHERE shipment = $shipment;
            DELETE shipment_box WHERE shipment = $shipment;
            DELETE $shipment;
        };
        DELETE $account;
    };
    COMMIT TRANSACTION;
    RETURN {
        sessions: array::len($sessions),
        email_tokens: array::len($tokens),
        rate_limits: array::len($limits),
        emails: array::len($emails),
        accounts: array::len($accounts),
    };
";

impl Db {
    /// Runs the clean-up if `holder` gets the lease (nobody else holds one that runs
    /// past `now`); the lease then lasts until `lease_until`. `None`: another replica
    /// holds it.
    pub async fn run_cleanup(
        &self,
        holder: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<CleanupReport>, DbError> {
        if !self.claim_lease(JOB, holder, now, lease_until).await? {
            return Ok(None);
        }
        let response = check(
            self.conn
                .query(CLEANUP)
                .bind(("now", now))
                .bind(("emails_before", now - KEEP_SENT_EMAILS))
                .bind(("unverified_before", now - UNVERIFIED_ACCOUNT_LIFE))
                .await,
        );
        // It ends sessions and removes users and accounts.
        self.sessions.forget_all();
        let response = response?;
        Ok(Some(
            crate::take_last::<Option<CleanupReport>>(response)?.unwrap_or_default(),
        ))
    }

    /// Claims the lease of `job` for `holder` until `until`, if it is free at `now`.
    async fn claim_lease(
        &self,
        job: &str,
        holder: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool, DbError> {
        // The lease record exists from the first claim on; creating it again is a
        // harmless failure.
        let _ = check(
            self.conn
                .query(
                    "CREATE type::record('job_lease', $job) SET holder = '', \
                     until = d'1970-01-01T00:00:00Z'",
                )
                .bind(("job", job.to_owned()))
                .await,
        );
        let claimed = check(
            self.conn
                .query(
                    "UPDATE type::record('job_lease', $job) SET holder = $holder, until = $until \
                     WHERE until < $now RETURN VALUE holder",
                )
                .bind(("job", job.to_owned()))
                .bind(("holder", holder.to_owned()))
                .bind(("until", until))
                .bind(("now", now))
                .await,
        );
        match claimed {
            Ok(mut response) => Ok(!response.take::<Vec<String>>(0)?.is_empty()),
            // Another replica's claim of the same record won.
            Err(e) if e.is_retryable() => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days_ago: i64) -> Timestamp {
        chrono::Utc::now() - chrono::Duration::days(days_ago)
    }

    /// One of each kind of row, `stale` or not.
    async fn seed(db: &Db, tag: &str, stale: bool) {
        // Stale rows were made 40 days ago and expired 39 days ago; fresh ones were
        // made yesterday and expire in 29 days.
        let days = if stale { 40 } else { 1 };
        check(
            db.conn
                .query(
                    "CREATE type::record('account', $tag) SET kind = 'seller', company_name = $tag,
                         created_at = $created;
                     CREATE type::record('user', $email) SET account = type::record('account', $tag),
                         name = $tag, email = $email, is_admin = true, lang = 'en',
                         password_hash = '$argon2id$v=19$m=19456,t=2,p=1$x$y', created_at = $created;
                     CREATE session SET user = type::record('user', $email), created_at = $created,
                         expires_at = $expires;
                     CREATE email_token SET user = type::record('user', $email), purpose = 'verify_email',
                         created_at = $created, expires_at = $expires;
                     CREATE type::record('rate_limit', [$tag, 0]) SET count = 1, expires_at = $expires;
                     CREATE outbox SET to_address = $email, subject = 's', text_body = 't',
                         html_body = 'h', created_at = $created, status = 'sent', attempts = 1,
                         next_attempt_at = $created;
                     CREATE type::record('shipment', $tag) SET seller = type::record('account', $tag),
                         name = 'n', ship_from = { name: 'a', line1: 'b', line2: '', city: 'c',
                         region: '', postal_code: '', country: 'CN', phone: '' }, destination = 'PHX7',
                         items = [{ sku: 'A', name: '', quantity: 1, prep_by: 'seller' }], units = 1,
                         status = 'draft', version = 0, created_at = $created, updated_at = $created;",
                )
                .bind(("tag", tag.to_owned()))
                .bind(("email", format!("{tag}@example.com")))
                .bind(("created", at(days)))
                .bind(("expires", if stale { at(39) } else { at(-29) }))
                .await,
        )
        .expect("seed");
    }

    async fn count(db: &Db, table: &str) -> i64 {
        let response = check(
            db.conn
                .query(format!("RETURN count((SELECT VALUE id FROM {table}))"))
                .await,
        )
        .expect("count");
        crate::take_last::<Option<i64>>(response)
            .expect("a number")
            .unwrap_or(0)
    }

    #[tokio::test]
    async fn stale_rows_go_and_fresh_ones_stay() {
        let db = Db::memory().await.expect("db");
        seed(&db, "old", true).await;
        seed(&db, "new", false).await;
        // A verified account of the same age stays: only its expired rows go.
        seed(&db, "kept", true).await;
        check(
            db.conn
                .query("UPDATE user:`kept@example.com` SET email_verified_at = time::now()")
                .await,
        )
        .expect("verify");
        // Old and unverified, but each with something that keeps it: a verified
        // colleague; a connection; a new verification link asked for this week.
        for (tag, keeper) in [
            (
                "colleague",
                "CREATE user:`mate@example.com` SET account = account:colleague, name = 'Mate',
                     email = 'mate@example.com', is_admin = false, lang = 'en',
                     password_hash = '$argon2id$v=19$m=19456,t=2,p=1$x$y',
                     email_verified_at = time::now(), created_at = time::now()",
            ),
            (
                "linked",
                "CREATE account:partner SET kind = 'supplier', company_name = 'P';
                 RELATE account:linked->connected->account:partner
                     SET id = connected:['linked', 'partner'], since = time::now()",
            ),
            (
                "relinked",
                "CREATE email_token SET user = user:`relinked@example.com`,
                     purpose = 'verify_email', created_at = time::now(),
                     expires_at = time::now() + 7d",
            ),
        ] {
            seed(&db, tag, true).await;
            check(db.conn.query(keeper).await).expect(tag);
        }
        // An old email still waiting to go out stays.
        check(
            db.conn
                .query(
                    "CREATE outbox SET to_address = 'q@example.com', subject = 's',
                         text_body = 't', html_body = 'h', created_at = $old, status = 'queued',
                         attempts = 3, next_attempt_at = $old",
                )
                .bind(("old", at(40)))
                .await,
        )
        .expect("a queued email");
        let now = chrono::Utc::now();
        let report = db
            .run_cleanup("a", now, now + chrono::Duration::minutes(50))
            .await
            .expect("cleanup")
            .expect("the lease was free");
        assert_eq!(
            report,
            CleanupReport {
                sessions: 5,
                email_tokens: 5,
                rate_limits: 5,
                emails: 5,
                accounts: 1,
            }
        );
        // Gone: "old" alone. Kept: new, kept, colleague, linked, relinked, partner.
        assert_eq!(count(&db, "account").await, 6);
        assert_eq!(count(&db, "user").await, 6);
        assert_eq!(
            count(&db, "shipment").await,
            5,
            "the old draft went with its account"
        );
        assert_eq!(count(&db, "session").await, 1, "the fresh session remains");
        assert_eq!(
            count(&db, "email_token").await,
            2,
            "the fresh and the new link"
        );
        assert_eq!(
            count(&db, "outbox").await,
            2,
            "the fresh one and the queued one"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_replica_at_a_time_runs_it() {
        let db = Db::memory().await.expect("db");
        let now = chrono::Utc::now();
        let until = now + chrono::Duration::minutes(50);
        let runs = futures::future::join_all((0..4).map(|i| {
            let db = db.clone();
            tokio::spawn(async move { db.run_cleanup(&format!("r{i}"), now, until).await })
        }))
        .await;
        let ran = runs
            .into_iter()
            .map(|r| r.expect("task").expect("cleanup"))
            .filter(Option::is_some)
            .count();
        assert_eq!(ran, 1, "exactly one of four simultaneous replicas ran it");
        // Within the lease nobody runs it again; after it, someone does.
        let later = now + chrono::Duration::minutes(10);
        assert_eq!(
            db.run_cleanup("r9", later, later).await.expect("cleanup"),
            None
        );
        let after = now + chrono::Duration::minutes(51);
        assert!(db
            .run_cleanup("r9", after, after + chrono::Duration::minutes(50))
            .await
            .expect("cleanup")
            .is_some());
    }
}
