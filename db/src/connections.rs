//! Invitations and connections: the seller–supplier graph. Every read and write is
//! scoped by the caller's account, passed in by the app after it checked the session.
//! Each multi-step change is one transaction, so concurrent accepts of one invitation
//! make exactly one edge (the losers conflict, retry, and find it closed).

use surrealdb::types::SurrealValue;

use crate::accounts::{bind_new_account, NewAccount, CREATE_ACCOUNT};
use crate::outbox::{bind_email, bind_emails, outbox_inserts, OutgoingEmail, OUTBOX_INSERT};
use crate::secrets::new_key;
use crate::shipments::unshare_on_removal;
use crate::{bind_actor, check, retry, take_last, Actor, Db, DbError, Timestamp};

#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub from_account: String,
    pub from_kind: String,
    pub to_email: String,
    pub to_company: String,
    pub to_contact: String,
    pub lang: String,
    pub token_hash: String,
    pub expires_at: Timestamp,
}

/// An invitation with what its pages and emails need about the inviter.
#[derive(Debug, Clone, SurrealValue)]
pub struct InvitationRow {
    pub id: String,
    pub from_account: String,
    pub from_company: String,
    pub from_kind: String,
    pub from_name: String,
    pub from_email: String,
    pub from_lang: String,
    pub to_email: String,
    pub to_company: String,
    pub to_contact: String,
    pub lang: String,
    pub status: String,
    pub created_at: i64,
    pub sent_at: i64,
    pub expires_at: i64,
}

const INVITATION_FIELDS: &str = "record::id(id) AS id, record::id(from_account) AS from_account, \
     from_account.company_name AS from_company, from_kind, from_user.name AS from_name, \
     from_user.email AS from_email, from_user.lang AS from_lang, to_email, to_company, to_contact, \
     lang, status, time::unix(created_at) AS created_at, time::unix(sent_at) AS sent_at, \
     time::unix(expires_at) AS expires_at";

#[derive(Debug, Clone, SurrealValue)]
pub struct ConnectionRow {
    /// The other account.
    pub account_id: String,
    pub company_name: String,
    pub kind: String,
    pub since: i64,
}

#[derive(Debug, Clone, SurrealValue)]
pub struct ContactRow {
    pub name: String,
    pub email: String,
    pub lang: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, SurrealValue)]
pub struct EventRow {
    pub action: String,
    pub actor_name: String,
    pub actor_company: String,
    /// Nanoseconds since the Unix epoch: events a moment apart keep their order.
    pub at_nanos: i64,
}

/// The statements that accept invitation `$id` for account `$account` by user `$user`.
/// Shared by "accept" and "create an account and accept".
const ACCEPT: &str = "
    LET $inv = (SELECT * FROM type::record('invitation', $id))[0];
    IF $inv = NONE OR $inv.status != 'pending' OR $inv.expires_at <= $now { THROW 'scc:invitation_invalid' };
    LET $me = type::record('account', $account);
    -- Only a verified address speaks for itself: an account signed up with someone
    -- else's address and never verified must not take the invitation sent to it.
    IF (SELECT VALUE email_verified_at FROM type::record('user', $user))[0] = NONE {
        THROW 'scc:email_not_verified'
    };
    IF $inv.to_email NOTINSIDE (SELECT VALUE email FROM user WHERE account = $me) { THROW 'scc:invitation_invalid' };
    IF $me.kind = $inv.from_kind { THROW 'scc:wrong_account_kind' };
    LET $seller = IF $inv.from_kind = 'seller' { $inv.from_account } ELSE { $me };
    LET $supplier = IF $inv.from_kind = 'seller' { $me } ELSE { $inv.from_account };
    LET $edge = type::record('connected', [record::id($seller), record::id($supplier)]);
    UPDATE $inv.id SET status = 'accepted', closed_at = $now, closed_by = type::record('user', $user),
        accepted_account = $me;
    IF !record::exists($edge) {
        RELATE $seller->connected->$supplier SET id = $edge, since = $now, invitation = $inv.id
    };
    UPDATE connection_event SET seller = $seller, supplier = $supplier WHERE invitation = $inv.id;
    CREATE connection_event SET invitation = $inv.id, seller = $seller, supplier = $supplier,
        action = 'accepted', actor_name = $actor_name, actor_company = $actor_company, at = $now;
";

impl Db {
    /// Runs one invitation transaction on `$id` for account `$account` by `actor`, with
    /// its email when it has one, retrying on conflicts.
    async fn invitation_change(
        &self,
        sql: &str,
        id: &str,
        account_id: &str,
        actor: &Actor,
        email: Option<&OutgoingEmail>,
        now: Timestamp,
    ) -> Result<(), DbError> {
        retry(|| async {
            let query = self
                .conn
                .query(sql)
                .bind(("id", id.to_owned()))
                .bind(("account", account_id.to_owned()))
                .bind(("now", now));
            let query = bind_actor(query, actor);
            match email {
                Some(email) => check(bind_email(query, email).await),
                None => check(query.await),
            }
        })
        .await?;
        Ok(())
    }
}

impl Db {
    /// Records an invitation, its history entry and its email. Refused when this account
    /// has a live pending invitation to the address, or is already connected to the
    /// address's account.
    pub async fn create_invitation(
        &self,
        new: &NewInvitation,
        actor: &Actor,
        email: &OutgoingEmail,
        now: Timestamp,
    ) -> Result<String, DbError> {
        let id = new_key();
        let sql = format!(
            "BEGIN TRANSACTION;
             LET $from = type::record('account', $from_account);
             IF (SELECT VALUE id FROM invitation WHERE from_account = $from AND to_email = $to_email
                 AND status = 'pending' AND expires_at > $now)[0] != NONE {{ THROW 'scc:already_invited' }};
             LET $target = (SELECT VALUE account FROM type::record('user', $to_email))[0];
             IF $target != NONE AND (SELECT VALUE id FROM connected
                 WHERE (in = $from AND out = $target) OR (in = $target AND out = $from))[0] != NONE {{
                 THROW 'scc:already_connected'
             }};
             CREATE type::record('invitation', $id) SET from_account = $from,
                 from_user = type::record('user', $user), from_kind = $from_kind, to_email = $to_email,
                 to_company = $to_company, to_contact = $to_contact, lang = $lang,
                 token_hash = $token_hash, status = 'pending', created_at = $now, sent_at = $now,
                 expires_at = $expires;
             CREATE connection_event SET invitation = type::record('invitation', $id), action = 'invited',
                 actor_name = $actor_name, actor_company = $actor_company, at = $now;
             {OUTBOX_INSERT}
             COMMIT TRANSACTION;"
        );
        retry(|| async {
            let query = self
                .conn
                .query(sql.as_str())
                .bind(("id", id.clone()))
                .bind(("from_account", new.from_account.clone()))
                .bind(("from_kind", new.from_kind.clone()))
                .bind(("to_email", new.to_email.clone()))
                .bind(("to_company", new.to_company.clone()))
                .bind(("to_contact", new.to_contact.clone()))
                .bind(("lang", new.lang.clone()))
                .bind(("token_hash", new.token_hash.clone()))
                .bind(("expires", new.expires_at))
                .bind(("now", now));
            check(bind_email(bind_actor(query, actor), email).await)
        })
        .await?;
        Ok(id)
    }

    /// Invitations this account sent that are still worth showing: pending (live or
    /// expired) and declined, newest first.
    pub async fn invitations_sent(&self, account_id: &str) -> Result<Vec<InvitationRow>, DbError> {
        let mut response = check(
            self.conn
                .query(format!(
                    "SELECT {INVITATION_FIELDS} FROM invitation
                     WHERE from_account = type::record('account', $account) AND status IN ['pending', 'declined']
                     ORDER BY created_at DESC LIMIT 200"
                ))
                .bind(("account", account_id.to_owned()))
                .await,
        )?;
        Ok(response.take(0)?)
    }

    /// Live invitations addressed to any user of this account.
    pub async fn invitations_received(
        &self,
        account_id: &str,
        now: Timestamp,
    ) -> Result<Vec<InvitationRow>, DbError> {
        let response = check(
            self.conn
                .query(format!(
                    "LET $emails = (SELECT VALUE email FROM user WHERE account = type::record('account', $account)
                         AND email_verified_at != NONE);
                     SELECT {INVITATION_FIELDS} FROM invitation
                     WHERE to_email IN $emails AND status = 'pending' AND expires_at > $now
                     ORDER BY created_at DESC LIMIT 200"
                ))
                .bind(("account", account_id.to_owned()))
                .bind(("now", now))
                .await,
        )?;
        take_last(response)
    }

    /// The live invitation behind a link, or `None` (unknown, used, cancelled, expired).
    pub async fn invitation_by_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<InvitationRow>, DbError> {
        let mut response = check(
            self.conn
                .query(format!(
                    "SELECT {INVITATION_FIELDS} FROM invitation
                     WHERE token_hash = $token_hash AND status = 'pending' AND expires_at > $now"
                ))
                .bind(("token_hash", token_hash.to_owned()))
                .bind(("now", now))
                .await,
        )?;
        Ok(response.take::<Vec<InvitationRow>>(0)?.into_iter().next())
    }

    /// One invitation, whatever its state (for the app to check scope and render emails).
    pub async fn invitation(&self, id: &str) -> Result<Option<InvitationRow>, DbError> {
        let mut response = check(
            self.conn
                .query(format!(
                    "SELECT {INVITATION_FIELDS} FROM type::record('invitation', $id)"
                ))
                .bind(("id", id.to_owned()))
                .await,
        )?;
        Ok(response.take::<Vec<InvitationRow>>(0)?.into_iter().next())
    }

    /// Sends a pending invitation again with a new link (the old one dies) and a new
    /// expiry. Only the sending account may; anything else is `NotFound`.
    #[allow(clippy::too_many_arguments)]
    pub async fn resend_invitation(
        &self,
        id: &str,
        account_id: &str,
        token_hash: &str,
        expires_at: Timestamp,
        actor: &Actor,
        email: &OutgoingEmail,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let sql = format!(
            "BEGIN TRANSACTION;
             LET $inv = (SELECT * FROM type::record('invitation', $id))[0];
             IF $inv = NONE OR $inv.from_account != type::record('account', $account) OR $inv.status != 'pending' {{
                 THROW 'scc:not_found'
             }};
             UPDATE $inv.id SET token_hash = $token_hash, sent_at = $now, expires_at = $expires;
             CREATE connection_event SET invitation = $inv.id, action = 'resent',
                 actor_name = $actor_name, actor_company = $actor_company, at = $now;
             {OUTBOX_INSERT}
             COMMIT TRANSACTION;"
        );
        retry(|| async {
            let query = self
                .conn
                .query(sql.as_str())
                .bind(("id", id.to_owned()))
                .bind(("account", account_id.to_owned()))
                .bind(("token_hash", token_hash.to_owned()))
                .bind(("expires", expires_at))
                .bind(("now", now));
            check(bind_email(bind_actor(query, actor), email).await)
        })
        .await?;
        Ok(())
    }

    /// Cancels (by the sender) a pending invitation; its link dies.
    pub async fn cancel_invitation(
        &self,
        id: &str,
        account_id: &str,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let sql = "BEGIN TRANSACTION;
             LET $inv = (SELECT * FROM type::record('invitation', $id))[0];
             IF $inv = NONE OR $inv.from_account != type::record('account', $account) OR $inv.status != 'pending' {
                 THROW 'scc:not_found'
             };
             UPDATE $inv.id SET status = 'cancelled', closed_at = $now, closed_by = type::record('user', $user);
             CREATE connection_event SET invitation = $inv.id, action = 'cancelled',
                 actor_name = $actor_name, actor_company = $actor_company, at = $now;
             COMMIT TRANSACTION;";
        self.invitation_change(sql, id, account_id, actor, None, now)
            .await
    }

    /// Declines (by a recipient's account) a live invitation; its link dies and the
    /// inviter is told by `email`.
    pub async fn decline_invitation(
        &self,
        id: &str,
        account_id: &str,
        actor: &Actor,
        email: &OutgoingEmail,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let sql = format!(
            "BEGIN TRANSACTION;
             LET $inv = (SELECT * FROM type::record('invitation', $id))[0];
             IF $inv = NONE OR $inv.status != 'pending' OR $inv.expires_at <= $now
                 OR $inv.to_email NOTINSIDE (SELECT VALUE email FROM user WHERE account = type::record('account', $account)) {{
                 THROW 'scc:invitation_invalid'
             }};
             IF (SELECT VALUE email_verified_at FROM type::record('user', $user))[0] = NONE {{
                 THROW 'scc:email_not_verified'
             }};
             UPDATE $inv.id SET status = 'declined', closed_at = $now, closed_by = type::record('user', $user);
             CREATE connection_event SET invitation = $inv.id, action = 'declined',
                 actor_name = $actor_name, actor_company = $actor_company, at = $now;
             {OUTBOX_INSERT}
             COMMIT TRANSACTION;"
        );
        self.invitation_change(&sql, id, account_id, actor, Some(email), now)
            .await
    }

    /// Accepts a live invitation addressed to a user of `account_id`: closes it, makes
    /// the edge, records the history and queues the inviter's email, in one transaction.
    pub async fn accept_invitation(
        &self,
        id: &str,
        account_id: &str,
        actor: &Actor,
        email: &OutgoingEmail,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let sql = format!("BEGIN TRANSACTION; {ACCEPT} {OUTBOX_INSERT} COMMIT TRANSACTION;");
        self.invitation_change(&sql, id, account_id, actor, Some(email), now)
            .await
    }

    /// Creates the invitee's account (its administrator's address verified by the link)
    /// and accepts the invitation, in one transaction. Returns the new account's id.
    pub async fn accept_invitation_with_new_account(
        &self,
        id: &str,
        new: &NewAccount,
        email: &OutgoingEmail,
        now: Timestamp,
    ) -> Result<String, DbError> {
        let account = new_key();
        let sql = format!(
            "BEGIN TRANSACTION;
             {CREATE_ACCOUNT}
             {ACCEPT}
             {OUTBOX_INSERT}
             COMMIT TRANSACTION;"
        );
        retry(|| async {
            let query = bind_new_account(self.conn.query(sql.as_str()), &account, new, Some(now))
                .bind(("id", id.to_owned()))
                .bind(("user", new.email.clone()))
                .bind(("actor_name", new.user_name.clone()))
                .bind(("actor_company", new.company_name.clone()))
                .bind(("now", now));
            check(bind_email(query, email).await)
        })
        .await?;
        Ok(account)
    }

    /// The accounts this one is connected to, newest first.
    pub async fn connections(&self, account_id: &str) -> Result<Vec<ConnectionRow>, DbError> {
        /// Both directions of the graph from one account.
        #[derive(SurrealValue)]
        struct Edges {
            outgoing: Vec<ConnectionRow>,
            incoming: Vec<ConnectionRow>,
        }
        let response = check(
            self.conn
                .query(
                    "LET $me = type::record('account', $account);
                     RETURN {
                         outgoing: (SELECT record::id(out) AS account_id, out.company_name AS company_name,
                             out.kind AS kind, time::unix(since) AS since FROM connected WHERE in = $me),
                         incoming: (SELECT record::id(in) AS account_id, in.company_name AS company_name,
                             in.kind AS kind, time::unix(since) AS since FROM connected WHERE out = $me),
                     };",
                )
                .bind(("account", account_id.to_owned()))
                .await,
        )?;
        let Some(Edges {
            mut outgoing,
            incoming,
        }) = take_last::<Option<Edges>>(response)?
        else {
            return Ok(Vec::new());
        };
        outgoing.extend(incoming);
        outgoing.sort_by_key(|c| std::cmp::Reverse(c.since));
        Ok(outgoing)
    }

    /// The administrators of an account: who to write to about it.
    pub async fn account_admins(&self, account_id: &str) -> Result<Vec<ContactRow>, DbError> {
        let mut response = check(
            self.conn
                .query(
                    "SELECT name, email, lang, time::nano(created_at) AS created_at FROM user
                     WHERE account = type::record('account', $account) AND is_admin = true
                     ORDER BY created_at",
                )
                .bind(("account", account_id.to_owned()))
                .await,
        )?;
        Ok(response.take(0)?)
    }

    /// Removes the connection between `account_id` and `other_id`, if there is one
    /// (`NotFound` otherwise), records it and queues `emails`, in one transaction.
    pub async fn remove_connection(
        &self,
        account_id: &str,
        other_id: &str,
        actor: &Actor,
        emails: &[OutgoingEmail],
        now: Timestamp,
    ) -> Result<(), DbError> {
        let sql = format!(
            "BEGIN TRANSACTION;
             LET $me = type::record('account', $account);
             LET $other = type::record('account', $other_id);
             LET $edge = (SELECT * FROM connected WHERE (in = $me AND out = $other) OR (in = $other AND out = $me))[0];
             IF $edge = NONE {{ THROW 'scc:not_found' }};
             DELETE $edge.id;
             CREATE connection_event SET seller = $edge.in, supplier = $edge.out, action = 'removed',
                 actor_name = $actor_name, actor_company = $actor_company, at = $now;
             {}
             {}
             COMMIT TRANSACTION;",
            unshare_on_removal(),
            outbox_inserts(emails.len())
        );
        retry(|| async {
            let query = self
                .conn
                .query(sql.as_str())
                .bind(("account", account_id.to_owned()))
                .bind(("other_id", other_id.to_owned()))
                .bind(("now", now));
            check(bind_emails(bind_actor(query, actor), emails).await)
        })
        .await?;
        Ok(())
    }

    /// Whether the two accounts are connected now.
    pub async fn are_connected(&self, a: &str, b: &str) -> Result<bool, DbError> {
        let response = check(
            self.conn
                .query(
                    "LET $a = type::record('account', $a_id); LET $b = type::record('account', $b_id);
                     RETURN (SELECT VALUE id FROM connected WHERE (in = $a AND out = $b) OR (in = $b AND out = $a))[0] != NONE;",
                )
                .bind(("a_id", a.to_owned()))
                .bind(("b_id", b.to_owned()))
                .await,
        )?;
        Ok(take_last::<Option<bool>>(response)?.unwrap_or(false))
    }

    /// The history of the pair formed by `account_id` and `other_id`, oldest first:
    /// both sides see the same, nobody else anything.
    pub async fn connection_history(
        &self,
        account_id: &str,
        other_id: &str,
    ) -> Result<Vec<EventRow>, DbError> {
        let response = check(
            self.conn
                .query(
                    "LET $me = type::record('account', $account);
                     LET $other = type::record('account', $other_id);
                     SELECT action, actor_name, actor_company, time::nano(at) AS at_nanos FROM connection_event
                     WHERE (seller = $me AND supplier = $other) OR (seller = $other AND supplier = $me)
                     ORDER BY at_nanos ASC;",
                )
                .bind(("account", account_id.to_owned()))
                .bind(("other_id", other_id.to_owned()))
                .await,
        )?;
        take_last(response)
    }
}
