//! Setting a new password from an emailed link ("Forgot password?"). A reset link is
//! an `email_token` with the purpose `reset_password`: single use, short-lived, and
//! only the newest one a user was sent works.

use crate::accounts::{UserRow, VerificationLink};
use crate::outbox::{bind_email, OutgoingEmail, OUTBOX_INSERT};
use crate::{check, retry, Db, DbError, Refusal, Timestamp};

impl Db {
    /// Replaces the user's unused reset links with a new one and queues its email, in
    /// one transaction: an older link stops working when a newer one is sent.
    pub async fn issue_password_reset(
        &self,
        user_id: &str,
        link: VerificationLink<'_>,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let sql = format!(
            "BEGIN TRANSACTION;
             DELETE email_token WHERE user = type::record('user', $user) AND purpose = 'reset_password';
             CREATE type::record('email_token', $secret_hash) SET user = type::record('user', $user),
                 purpose = 'reset_password', created_at = $now, expires_at = $expires;
             {OUTBOX_INSERT}
             COMMIT TRANSACTION;"
        );
        retry(|| async {
            let query = self
                .conn
                .query(sql.as_str())
                .bind(("user", user_id.to_owned()))
                .bind(("secret_hash", link.token_hash.to_owned()))
                .bind(("expires", link.expires_at))
                .bind(("now", now));
            check(bind_email(query, link.email).await)
        })
        .await?;
        Ok(())
    }

    /// The user a live (unused, unexpired) reset link belongs to, or `LinkInvalid`.
    pub async fn password_reset_user(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<UserRow, DbError> {
        let mut response = check(
            self.conn
                .query(
                    "SELECT VALUE record::id(user) FROM type::record('email_token', $secret_hash)
                     WHERE purpose = 'reset_password' AND used_at = NONE AND expires_at > $now",
                )
                .bind(("secret_hash", token_hash.to_owned()))
                .bind(("now", now))
                .await,
        )?;
        let user_id = response
            .take::<Vec<String>>(0)?
            .into_iter()
            .next()
            .ok_or(DbError::Refused(Refusal::LinkInvalid))?;
        self.user(&user_id)
            .await?
            .ok_or(DbError::Refused(Refusal::LinkInvalid))
    }

    /// Uses a reset link: in one transaction checks it is live, marks it used, stores
    /// the new password hash, counts the address as verified (the link reached it),
    /// ends every session of the user and queues `changed`, the email that tells the
    /// user. Unknown, used, replaced and expired links are all `LinkInvalid`, and
    /// change nothing.
    pub async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        changed: &OutgoingEmail,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let sql = format!(
            "BEGIN TRANSACTION;
             LET $t = (SELECT * FROM type::record('email_token', $secret_hash))[0];
             IF $t = NONE OR $t.purpose != 'reset_password' OR $t.used_at != NONE OR $t.expires_at <= $now {{
                 {link_invalid}
             }};
             UPDATE $t.id SET used_at = $now;
             UPDATE $t.user SET password_hash = $hash;
             UPDATE $t.user SET email_verified_at = $now WHERE email_verified_at = NONE;
             DELETE session WHERE user = $t.user;
             {OUTBOX_INSERT}
             COMMIT TRANSACTION;",
            link_invalid = Refusal::LinkInvalid.throw(),
        );
        let reset = retry(|| async {
            let query = self
                .conn
                .query(sql.as_str())
                .bind(("secret_hash", token_hash.to_owned()))
                .bind(("hash", password_hash.to_owned()))
                .bind(("now", now));
            check(bind_email(query, changed).await)
        })
        .await;
        // The link names the user only inside the transaction.
        self.sessions.forget_all();
        reset?;
        Ok(())
    }
}
