//! Sessions live in the database (keyed by the hash of the cookie's secret), so any
//! replica can serve any request and signing out ends the session everywhere.

use surrealdb::types::SurrealValue;

use crate::{check, Db, DbError, Timestamp};

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

impl Db {
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), DbError> {
        check(
            self.conn
                .query(
                    "CREATE type::record('session', $secret_hash) SET user = type::record('user', $user), \
                     created_at = $now, expires_at = $expires",
                )
                .bind(("secret_hash", token_hash.to_owned()))
                .bind(("user", user_id.to_owned()))
                .bind(("now", now))
                .bind(("expires", expires_at))
                .await,
        )?;
        Ok(())
    }

    /// The user behind a live session, or `None` for an unknown or expired one.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionUser>, DbError> {
        let mut response = check(
            self.conn
                .query(
                    "SELECT record::id(user) AS user_id, user.name AS name, user.email AS email, \
                     user.is_admin AS is_admin, user.email_verified_at != NONE AS verified, \
                     user.lang AS lang, record::id(user.account) AS account_id, \
                     user.account.kind AS account_kind, user.account.company_name AS company_name \
                     FROM type::record('session', $secret_hash) WHERE expires_at > $now",
                )
                .bind(("secret_hash", token_hash.to_owned()))
                .bind(("now", now))
                .await,
        )?;
        Ok(response.take::<Vec<SessionUser>>(0)?.into_iter().next())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), DbError> {
        check(
            self.conn
                .query("DELETE type::record('session', $secret_hash)")
                .bind(("secret_hash", token_hash.to_owned()))
                .await,
        )?;
        Ok(())
    }
}
