//! Accounts (companies) and their users: sign-up, credentials, email verification.

use surrealdb::types::SurrealValue;

use crate::outbox::{bind_email, OutgoingEmail, OUTBOX_INSERT};
use crate::secrets::new_key;
use crate::{check, retry, Db, DbError, Refusal, Timestamp};

/// A company and its first user, the administrator. Values are already parsed by the
/// caller's domain types; the schema's ASSERTs are the last line of defence.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub kind: String,
    pub company_name: String,
    pub user_name: String,
    pub email: String,
    pub password_hash: String,
    pub lang: String,
}

/// What sign-in needs. Not `Debug`: it carries the password hash.
#[derive(SurrealValue)]
pub struct Credentials {
    pub user_id: String,
    pub password_hash: String,
}

#[derive(Debug, Clone, SurrealValue)]
pub struct UserRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    pub verified: bool,
    pub lang: String,
    pub created_at: i64,
}

/// A pending email-verification link to record with its email.
pub struct VerificationLink<'a> {
    pub token_hash: &'a str,
    pub expires_at: Timestamp,
    pub email: &'a OutgoingEmail,
}

/// Creates account `$account` and its administrator `$email`, refusing a taken address.
/// Variables are bound by [`bind_new_account`].
pub(crate) const CREATE_ACCOUNT: &str = "
    IF record::exists(type::record('user', $email)) { THROW 'scc:email_taken' };
    CREATE type::record('account', $account) SET kind = $kind, company_name = $company, created_at = $now;
    CREATE type::record('user', $email) SET account = type::record('account', $account),
        name = $name, email = $email, password_hash = $hash, is_admin = true, lang = $lang,
        email_verified_at = $verified_at, created_at = $now;
";

/// Binds what [`CREATE_ACCOUNT`] needs; `verified_at` is set when the address is
/// already proven (an invitation link reached it).
pub(crate) fn bind_new_account<'a, C: surrealdb::Connection>(
    query: surrealdb::method::Query<'a, C>,
    account_key: &str,
    new: &NewAccount,
    verified_at: Option<Timestamp>,
) -> surrealdb::method::Query<'a, C> {
    query
        .bind(("account", account_key.to_owned()))
        .bind(("kind", new.kind.clone()))
        .bind(("company", new.company_name.clone()))
        .bind(("email", new.email.clone()))
        .bind(("name", new.user_name.clone()))
        .bind(("hash", new.password_hash.clone()))
        .bind(("lang", new.lang.clone()))
        .bind(("verified_at", verified_at))
}

const USER_FIELDS: &str = "record::id(id) AS user_id, name, email, is_admin, \
     email_verified_at != NONE AS verified, lang, time::unix(created_at) AS created_at";

impl Db {
    /// Creates the account, its administrator, the verification link and its email in
    /// one transaction: either all exist afterwards or none does. Returns the account id.
    pub async fn create_account(
        &self,
        new: &NewAccount,
        link: VerificationLink<'_>,
        now: Timestamp,
    ) -> Result<String, DbError> {
        let account_key = new_key();
        let sql = format!(
            "BEGIN TRANSACTION;
             {CREATE_ACCOUNT}
             CREATE type::record('email_token', $secret_hash) SET user = type::record('user', $email),
                 purpose = 'verify_email', created_at = $now, expires_at = $expires;
             {OUTBOX_INSERT}
             COMMIT TRANSACTION;"
        );
        // A conflicting concurrent sign-up makes the commit fail; trying again then
        // meets the other's user record and reports the email as taken.
        let result = retry(|| async {
            let query = bind_new_account(self.conn.query(sql.as_str()), &account_key, new, None)
                .bind(("secret_hash", link.token_hash.to_owned()))
                .bind(("expires", link.expires_at))
                .bind(("now", now));
            check(bind_email(query, link.email).await)
        })
        .await;
        match result {
            Ok(_) => Ok(account_key),
            Err(DbError::Database(e))
                if e.message().contains("already exists")
                    || e.message().contains("already contains") =>
            {
                Err(DbError::Refused(Refusal::EmailTaken))
            }
            Err(e) => Err(e),
        }
    }

    /// Adds a user to the account of `colleague_id`, not an administrator, with a
    /// verified address (the administrator vouches for it).
    pub async fn add_member(
        &self,
        colleague_id: &str,
        name: &str,
        email: &str,
        password_hash: &str,
        lang: &str,
    ) -> Result<(), DbError> {
        let result = check(
            self.conn
                .query(
                    "BEGIN TRANSACTION;
                     LET $colleague = type::record('user', $colleague_id);
                     IF !record::exists($colleague) { THROW 'scc:not_found' };
                     CREATE type::record('user', $email) SET account = $colleague.account, name = $name,
                         email = $email, password_hash = $hash, is_admin = false, lang = $lang,
                         email_verified_at = time::now(), created_at = time::now();
                     COMMIT TRANSACTION;",
                )
                .bind(("colleague_id", colleague_id.to_owned()))
                .bind(("name", name.to_owned()))
                .bind(("email", email.to_owned()))
                .bind(("hash", password_hash.to_owned()))
                .bind(("lang", lang.to_owned()))
                .await,
        );
        match result {
            Err(DbError::Database(e)) if e.message().contains("already exists") => {
                Err(DbError::Refused(Refusal::EmailTaken))
            }
            other => other.map(|_| ()),
        }
    }

    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>, DbError> {
        // An empty key names no record (and SurrealDB refuses to build one).
        if email.is_empty() {
            return Ok(None);
        }
        let mut response = check(
            self.conn
                .query(
                    "SELECT record::id(id) AS user_id, password_hash \
                     FROM type::record('user', $email)",
                )
                .bind(("email", email.to_owned()))
                .await,
        )?;
        Ok(response.take::<Vec<Credentials>>(0)?.into_iter().next())
    }

    pub async fn user(&self, user_id: &str) -> Result<Option<UserRow>, DbError> {
        let mut response = check(
            self.conn
                .query(format!(
                    "SELECT {USER_FIELDS} FROM type::record('user', $id)"
                ))
                .bind(("id", user_id.to_owned()))
                .await,
        )?;
        Ok(response.take::<Vec<UserRow>>(0)?.into_iter().next())
    }

    /// The users of one account, administrators first.
    pub async fn account_users(&self, account_id: &str) -> Result<Vec<UserRow>, DbError> {
        let mut response = check(
            self.conn
                .query(format!(
                    "SELECT {USER_FIELDS} FROM user WHERE account = type::record('account', $account) \
                     ORDER BY is_admin DESC, created_at ASC"
                ))
                .bind(("account", account_id.to_owned()))
                .await,
        )?;
        Ok(response.take(0)?)
    }

    /// Uses a verification link: marks it used and the user's address verified, in one
    /// transaction. Unknown, used and expired links are all `TokenInvalid`.
    pub async fn verify_email(&self, token_hash: &str, now: Timestamp) -> Result<UserRow, DbError> {
        let verified = check(
            self.conn
                .query(
                    "BEGIN TRANSACTION;
                     LET $t = (SELECT * FROM type::record('email_token', $secret_hash))[0];
                     IF $t = NONE OR $t.purpose != 'verify_email' OR $t.used_at != NONE OR $t.expires_at <= $now {
                         THROW 'scc:link_invalid'
                     };
                     UPDATE $t.id SET used_at = $now;
                     UPDATE $t.user SET email_verified_at = $now WHERE email_verified_at = NONE;
                     COMMIT TRANSACTION;",
                )
                .bind(("secret_hash", token_hash.to_owned()))
                .bind(("now", now))
                .await,
        );
        // Whose link it was is read below; a verified address is rare enough to
        // forget every session's user for. A link refused changed nothing (anyone may
        // try one, and should not empty the cache by it).
        if !matches!(verified, Err(DbError::Refused(_))) {
            self.sessions.forget_all();
        }
        verified?;
        let mut response = check(
            self.conn
                .query(
                    "SELECT VALUE record::id(user) FROM type::record('email_token', $secret_hash)",
                )
                .bind(("secret_hash", token_hash.to_owned()))
                .await,
        )?;
        let user_id = response
            .take::<Vec<String>>(0)?
            .into_iter()
            .next()
            .ok_or(DbError::Refused(Refusal::NotFound))?;
        self.user(&user_id)
            .await?
            .ok_or(DbError::Refused(Refusal::NotFound))
    }

    /// Replaces the user's unused verification links with a new one and queues its email.
    pub async fn reissue_verification(
        &self,
        user_id: &str,
        link: VerificationLink<'_>,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let sql = format!(
            "BEGIN TRANSACTION;
             DELETE email_token WHERE user = type::record('user', $user) AND purpose = 'verify_email' AND used_at = NONE;
             CREATE type::record('email_token', $secret_hash) SET user = type::record('user', $user),
                 purpose = 'verify_email', created_at = $now, expires_at = $expires;
             {OUTBOX_INSERT}
             COMMIT TRANSACTION;"
        );
        let query = self
            .conn
            .query(sql)
            .bind(("user", user_id.to_owned()))
            .bind(("secret_hash", link.token_hash.to_owned()))
            .bind(("expires", link.expires_at))
            .bind(("now", now));
        check(bind_email(query, link.email).await)?;
        Ok(())
    }

    pub async fn set_user_lang(&self, user_id: &str, lang: &str) -> Result<(), DbError> {
        let updated = check(
            self.conn
                .query("UPDATE type::record('user', $id) SET lang = $lang")
                .bind(("id", user_id.to_owned()))
                .bind(("lang", lang.to_owned()))
                .await,
        );
        self.sessions.forget_user(user_id);
        updated?;
        Ok(())
    }
}
