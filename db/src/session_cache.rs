//! The signed-in user behind each session, kept in memory so that most requests do not
//! read the database to learn who is calling.
//!
//! An entry is never trusted beyond what the database said:
//! - each hit is checked against the session's end (its expiry, and the idle limit);
//! - a change on this replica (sign-out, password, profile, verification, clean-up)
//!   forgets the entries it touches before its call returns;
//! - a change on another replica reaches this one through a LIVE SELECT on sessions,
//!   users and accounts ([`Db::follow_session_changes`]), which forgets everything;
//! - while that feed is not subscribed (starting, or after the connection dropped)
//!   the cache answers nothing, and it is emptied when the feed comes back;
//! - an entry is at most [`TIME_TO_LIVE`] old, the last bound should all else fail.
//!
//! A read that was under way while something was forgotten is not kept (a generation
//! counter), so a sign-out cannot be undone by a slow read that started before it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::sessions::SessionUser;
use crate::{Db, Timestamp};

/// How long an entry may answer before the database is asked again.
pub const TIME_TO_LIVE: Duration = Duration::from_secs(10);

/// More live sessions than this in one replica's memory: start again from empty
/// rather than grow without bound.
const MAX_ENTRIES: usize = 100_000;

/// One session as the database last described it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub user: SessionUser,
    /// Nanoseconds since the epoch.
    pub expires_at: i64,
    pub last_seen_at: i64,
    stored: Instant,
}

impl Entry {
    pub fn new(user: SessionUser, expires_at: i64, last_seen_at: i64) -> Entry {
        Entry {
            user,
            expires_at,
            last_seen_at,
            stored: Instant::now(),
        }
    }

    /// Whether the session is still live at `now`, with `idle_since` the earliest last
    /// use a live session may have.
    pub fn live(&self, now: Timestamp, idle_since: Timestamp) -> bool {
        self.expires_at > nanos(now) && self.last_seen_at > nanos(idle_since)
    }
}

pub(crate) fn nanos(t: Timestamp) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(i64::MAX)
}

/// Taken before a database read; the read's answer is kept only if nothing was
/// forgotten since.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket(u64);

#[derive(Default)]
pub(crate) struct SessionCache {
    /// Set while the feed of other replicas' changes is subscribed.
    following: AtomicBool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    entries: HashMap<String, Entry>,
}

impl SessionCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves nothing half-written worth refusing.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The entry for `key`, if the cache may answer and it is young enough.
    pub fn get(&self, key: &str) -> Option<Entry> {
        if !self.following.load(Ordering::Acquire) {
            return None;
        }
        let mut inner = self.lock();
        match inner.entries.get(key) {
            Some(entry) if entry.stored.elapsed() < TIME_TO_LIVE => Some(entry.clone()),
            Some(_) => {
                inner.entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.lock().generation)
    }

    /// Keeps what a read found, unless something was forgotten while it ran.
    pub fn put(&self, ticket: Ticket, key: &str, entry: Entry) {
        if !self.following.load(Ordering::Acquire) {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != ticket.0 {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
        }
        inner.entries.insert(key.to_owned(), entry);
    }

    /// Records that the session's last use was written again.
    pub fn seen(&self, key: &str, last_seen_at: i64) {
        if let Some(entry) = self.lock().entries.get_mut(key) {
            entry.last_seen_at = last_seen_at;
        }
    }

    pub fn forget(&self, key: &str) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.remove(key);
    }

    pub fn forget_user(&self, user_id: &str) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.retain(|_, e| e.user.user_id != user_id);
    }

    pub fn forget_all(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
    }

    fn follow(&self, on: bool) {
        // Emptied on both edges: what was kept before the feed went down may have
        // changed unseen, and nothing kept while it was down is trusted.
        self.forget_all();
        self.following.store(on, Ordering::Release);
        self.forget_all();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

/// While it lives, the cache may answer.
struct Following<'a>(&'a SessionCache);

impl<'a> Following<'a> {
    fn start(cache: &'a SessionCache) -> Following<'a> {
        cache.follow(true);
        Following(cache)
    }
}

impl Drop for Following<'_> {
    fn drop(&mut self) {
        self.0.follow(false);
    }
}

impl Db {
    /// Follows the changes of every replica to sessions, users and accounts for as
    /// long as it is polled, subscribing again when the connection drops; the session
    /// cache answers only while subscribed. The server runs it beside the live feed.
    pub async fn follow_session_changes(&self) {
        use futures::StreamExt;
        use surrealdb::types::{Action, Value};
        use surrealdb::Notification;
        loop {
            let subscribed = async {
                let mut response = self
                    .conn
                    .query(
                        "LIVE SELECT id FROM session; LIVE SELECT id FROM user; \
                         LIVE SELECT id FROM account;",
                    )
                    .await?;
                let mut feeds = Vec::new();
                for (index, table) in ["session", "user", "account"].into_iter().enumerate() {
                    // Each table's stream ends with a `None`, so that one of the three
                    // ending (its live query killed) counts as the feed going down.
                    let feed = response.stream::<Notification<Value>>(index)?;
                    let ended = futures::stream::once(async move { (table, None) });
                    feeds.push(feed.map(move |n| (table, Some(n))).chain(ended).boxed());
                }
                Ok::<_, crate::DbError>(futures::stream::select_all(feeds))
            }
            .await;
            match subscribed {
                Ok(mut changes) => {
                    // Stops the cache answering however this loop ends, including by
                    // the task being aborted or panicking.
                    let _following = Following::start(&self.sessions);
                    while let Some((table, change)) = changes.next().await {
                        match change {
                            None => break,
                            // A new session or user is in no cache yet. A session's only
                            // update is its last use, written every few minutes (nothing
                            // else in a session is ever changed: a change of its user or
                            // expiry would have to forget it here too).
                            Some(Ok(n)) if n.action == Action::Create => {}
                            Some(Ok(n)) if table == "session" && n.action == Action::Update => {}
                            Some(Ok(_)) => self.sessions.forget_all(),
                            Some(Err(e)) => {
                                tracing::warn!(error = %e, "session change unreadable");
                                self.sessions.forget_all();
                            }
                        }
                    }
                    tracing::warn!("session changes feed ended; subscribing again");
                }
                Err(e) => tracing::warn!(error = %e, "session changes feed unavailable; retrying"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> SessionUser {
        SessionUser {
            user_id: id.into(),
            name: "Ann".into(),
            email: id.into(),
            is_admin: true,
            verified: true,
            lang: "en".into(),
            account_id: "acme".into(),
            account_kind: "seller".into(),
            company_name: "Acme".into(),
        }
    }

    fn entry(id: &str) -> Entry {
        Entry::new(user(id), i64::MAX, i64::MAX)
    }

    #[test]
    fn it_answers_only_while_following_and_what_was_kept_before() {
        let cache = SessionCache::default();
        cache.put(cache.ticket(), "k", entry("ann"));
        assert!(cache.get("k").is_none(), "not following: nothing kept");
        cache.follow(true);
        cache.put(cache.ticket(), "k", entry("ann"));
        assert_eq!(cache.get("k").expect("kept").user.user_id, "ann");
        cache.follow(false);
        assert!(cache.get("k").is_none());
        cache.follow(true);
        assert!(cache.get("k").is_none(), "emptied when the feed came back");
    }

    #[test]
    fn a_read_that_overlapped_a_forget_is_not_kept() {
        let cache = SessionCache::default();
        cache.follow(true);
        let before = cache.ticket();
        cache.forget("other");
        cache.put(before, "k", entry("ann"));
        assert!(cache.get("k").is_none());
        cache.put(cache.ticket(), "k", entry("ann"));
        assert!(cache.get("k").is_some());
    }

    #[test]
    fn forgetting_a_user_keeps_the_others() {
        let cache = SessionCache::default();
        cache.follow(true);
        cache.put(cache.ticket(), "a1", entry("ann"));
        cache.put(cache.ticket(), "a2", entry("ann"));
        cache.put(cache.ticket(), "b", entry("bob"));
        cache.forget_user("ann");
        assert!(cache.get("a1").is_none() && cache.get("a2").is_none());
        assert!(cache.get("b").is_some());
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn an_entry_is_checked_against_the_sessions_end() {
        let now = chrono::Utc::now();
        let idle_since = now - chrono::Duration::days(7);
        let e = |expires: Timestamp, seen: Timestamp| {
            Entry::new(user("ann"), nanos(expires), nanos(seen))
        };
        let minute = chrono::Duration::minutes(1);
        assert!(e(now + minute, now).live(now, idle_since));
        assert!(!e(now, now).live(now, idle_since), "expired at now");
        assert!(
            !e(now + minute, idle_since).live(now, idle_since),
            "unused for 7 days"
        );
    }
}

#[cfg(test)]
mod db_tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use crate::sessions::SessionClient;
    use crate::{check, Db, Timestamp};

    fn now() -> Timestamp {
        chrono::Utc::now()
    }

    /// A database with one user, `ann@example.com` (see [`with_ann`]), and the session
    /// cache following its changes, as the server runs it.
    async fn following() -> Db {
        let db = Db::memory().await.expect("db");
        with_ann(&db).await;
        tokio::spawn({
            let db = db.clone();
            async move { db.follow_session_changes().await }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while !db.sessions.following.load(Ordering::Acquire) {
            assert!(Instant::now() < deadline, "the feed did not subscribe");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        db
    }

    async fn with_ann(db: &Db) {
        check(
            db.conn
                .query(
                    "CREATE account:acme SET kind = 'seller', company_name = 'Acme';
                     CREATE user:`ann@example.com` SET account = account:acme, name = 'Ann',
                         email = 'ann@example.com', lang = 'en', is_admin = true,
                         password_hash = '$argon2id$x', email_verified_at = time::now();",
                )
                .await,
        )
        .expect("a user");
    }

    async fn session(db: &Db, key: &str) {
        let now = now();
        db.create_session(
            key,
            "ann@example.com",
            &SessionClient::default(),
            now,
            now + chrono::Duration::days(30),
        )
        .await
        .expect("session");
    }

    async fn name(db: &Db, key: &str) -> Option<String> {
        db.session_user(key, now())
            .await
            .expect("lookup")
            .map(|u| u.name)
    }

    /// Polls until `check` holds, for at most a second: the time another replica's
    /// change may take to reach this one.
    async fn within_a_second(what: &str, mut check: impl AsyncFnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(1);
        while !check().await {
            assert!(Instant::now() < deadline, "{what}: not within 1 s");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn a_session_is_answered_from_memory_until_this_replica_ends_it() {
        // No feed: only this replica's own forgetting can make these pass.
        let db = Db::memory().await.expect("db");
        with_ann(&db).await;
        db.sessions.follow(true);
        session(&db, "s1").await;
        session(&db, "s2").await;
        assert_eq!(name(&db, "s1").await.as_deref(), Some("Ann"));
        assert_eq!(db.sessions.len(), 1, "kept");
        assert_eq!(name(&db, "s1").await.as_deref(), Some("Ann"));

        db.delete_session("s1").await.expect("sign out");
        assert_eq!(
            name(&db, "s1").await,
            None,
            "refused on the very next request"
        );
        assert_eq!(name(&db, "s2").await.as_deref(), Some("Ann"));
        db.update_profile("ann@example.com", "Ann Lee", "zh")
            .await
            .expect("profile");
        assert_eq!(name(&db, "s2").await.as_deref(), Some("Ann Lee"));
        db.delete_other_sessions("ann@example.com", "elsewhere")
            .await
            .expect("others");
        assert_eq!(name(&db, "s2").await, None);
    }

    #[tokio::test]
    async fn another_replicas_change_arrives_through_the_feed() {
        let db = following().await;
        session(&db, "s1").await;
        session(&db, "s2").await;
        assert_eq!(name(&db, "s1").await.as_deref(), Some("Ann"));
        assert_eq!(name(&db, "s2").await.as_deref(), Some("Ann"));
        // Written straight to the database, past this replica's methods, as another
        // replica's would be.
        check(
            db.conn
                .query("UPDATE user:`ann@example.com` SET name = 'Ann Lee'")
                .await,
        )
        .expect("rename");
        within_a_second("a rename", async || {
            name(&db, "s2").await.as_deref() == Some("Ann Lee")
        })
        .await;
        check(db.conn.query("DELETE session:s1").await).expect("sign out elsewhere");
        within_a_second("a sign-out", async || name(&db, "s1").await.is_none()).await;
        assert_eq!(name(&db, "s2").await.as_deref(), Some("Ann Lee"));
    }

    /// Sign-out while other requests of the same session are being answered: once it
    /// has returned, no request is answered as signed in, however the reads that were
    /// under way finish.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn nothing_read_before_a_sign_out_answers_after_it() {
        for round in 0..10 {
            let db = following().await;
            let key = format!("race{round}");
            session(&db, &key).await;
            let signed_out = Arc::new(AtomicBool::new(false));
            let readers: Vec<_> = (0..4)
                .map(|_| {
                    let (db, key, signed_out) = (db.clone(), key.clone(), signed_out.clone());
                    tokio::spawn(async move {
                        let mut after = 0;
                        while after < 20 {
                            let was_out = signed_out.load(Ordering::Acquire);
                            let user = db.session_user(&key, now()).await.expect("lookup");
                            if was_out {
                                assert!(user.is_none(), "answered as signed in after the sign-out");
                                after += 1;
                            }
                            // An answer from memory does not wait for anything.
                            tokio::task::yield_now().await;
                        }
                    })
                })
                .collect();
            tokio::time::sleep(Duration::from_millis(5)).await;
            db.delete_session(&key).await.expect("sign out");
            signed_out.store(true, Ordering::Release);
            for reader in readers {
                reader.await.expect("reader");
            }
        }
    }
}
