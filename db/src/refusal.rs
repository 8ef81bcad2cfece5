//! The rules a storage transaction refuses a change by, as one enum: a transaction
//! raises one with `THROW` ([`Refusal::throw`]), the storage decodes the error back
//! into it ([`Refusal::in_message`]), and the app shows its message
//! (`app::i18n::refusals`) with its HTTP status ([`Refusal::status`]).
//!
//! This module is compiled into the browser's wasm too (the app's error type carries
//! it), so it depends on nothing but serde. A new refusal is a variant here, its text
//! in `app/src/i18n/refusals.rs`, and the rule that throws it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Nothing by that id that the caller may see: the same answer as for an id that
    /// does not exist, so ids cannot be probed.
    NotFound,
    /// An emailed link (email verification) that is unknown, used or expired.
    LinkInvalid,
    /// An invitation that is unknown, used, cancelled or expired.
    InvitationInvalid,
    /// A pending invitation to this address exists already.
    AlreadyInvited,
    AlreadyConnected,
    /// The invitation came from an account of the caller's own kind.
    WrongAccountKind,
    /// An account with this email address exists already.
    EmailTaken,
    /// The shipment is not at a step that allows this change.
    WrongState,
    /// The two accounts are not connected.
    NotConnected,
    /// The change was based on a version someone else has changed since.
    Stale,
    /// The caller's own email address is not verified yet: it cannot speak for the
    /// address (accept an invitation sent to it) or write to other companies.
    EmailNotVerified,
    /// A scanned unit beyond what the shipment still has to pack of its SKU.
    NothingLeft,
}

/// What every code thrown by our transactions starts with.
const PREFIX: &str = "scc:";

impl Refusal {
    pub const ALL: [Refusal; 12] = [
        Refusal::NotFound,
        Refusal::LinkInvalid,
        Refusal::InvitationInvalid,
        Refusal::AlreadyInvited,
        Refusal::AlreadyConnected,
        Refusal::WrongAccountKind,
        Refusal::EmailTaken,
        Refusal::WrongState,
        Refusal::NotConnected,
        Refusal::Stale,
        Refusal::EmailNotVerified,
        Refusal::NothingLeft,
    ];

    /// The wire code: in `THROW`, in JSON errors, in `?error=`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotFound => "not_found",
            Refusal::LinkInvalid => "link_invalid",
            Refusal::InvitationInvalid => "invitation_invalid",
            Refusal::AlreadyInvited => "already_invited",
            Refusal::AlreadyConnected => "already_connected",
            Refusal::WrongAccountKind => "wrong_account_kind",
            Refusal::EmailTaken => "email_taken",
            Refusal::WrongState => "wrong_state",
            Refusal::NotConnected => "not_connected",
            Refusal::Stale => "stale",
            Refusal::EmailNotVerified => "email_not_verified",
            Refusal::NothingLeft => "nothing_left",
        }
    }

    /// The HTTP status of a response refused this way.
    pub fn status(self) -> u16 {
        match self {
            Refusal::NotFound => 404,
            Refusal::EmailNotVerified => 403,
            Refusal::LinkInvalid | Refusal::InvitationInvalid => 410,
            Refusal::AlreadyInvited
            | Refusal::AlreadyConnected
            | Refusal::WrongAccountKind
            | Refusal::EmailTaken
            | Refusal::WrongState
            | Refusal::NotConnected
            | Refusal::Stale
            | Refusal::NothingLeft => 409,
        }
    }

    /// The SurrealQL statement that refuses a transaction this way.
    pub fn throw(self) -> String {
        format!("THROW '{PREFIX}{}'", self.code())
    }

    /// The refusal a database error message carries, if it is one of ours.
    pub fn in_message(message: &str) -> Option<Refusal> {
        let (_, after) = message.split_once(PREFIX)?;
        let code: String = after
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        Refusal::ALL.into_iter().find(|r| r.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_thrown_code_is_read_back_as_itself() {
        for r in Refusal::ALL {
            let message = format!("An error occurred: {}", r.throw().replace("THROW ", ""));
            assert_eq!(Refusal::in_message(&message), Some(r), "{message}");
        }
        // A code that is a prefix of another is still told apart.
        assert_eq!(
            Refusal::in_message("'scc:not_found_at_all'"),
            None,
            "an unknown code is not a refusal"
        );
        assert_eq!(Refusal::in_message("conflict, can be retried"), None);
    }

    #[test]
    fn the_wire_code_is_the_serde_name() {
        for r in Refusal::ALL {
            let json = format!("\"{}\"", r.code());
            assert_eq!(serde_json::to_string(&r).expect("serialize"), json);
            assert_eq!(
                serde_json::from_str::<Refusal>(&json).expect("deserialize"),
                r
            );
        }
    }
}
