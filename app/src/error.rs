//! The one error type that crosses the wire, and the one place where each error
//! gets its HTTP status and the message a user reads.
//!
//! Expected outcomes (a taken email, a wrong password, too many attempts) are variants
//! of their own. Unexpected failures become `Internal`: the details are logged on the
//! server with the request's span and never sent to the browser.

use serde::{Deserialize, Serialize};
use server_fn_error::{FromServerFnError, JsonEncoding, ServerFnErrorErr};

use db::Refusal;

use crate::domain::shipment::LineProblems;
use crate::domain::InputError;
use crate::i18n::Msg;

mod server_fn_error {
    pub use leptos::server_fn::codec::JsonEncoding;
    pub use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AppError {
    #[error("invalid input: {0:?}")]
    Input(InputError),
    #[error("sign in first")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    #[error("wrong email or password")]
    BadCredentials,
    #[error("too many attempts")]
    TooManyAttempts,
    #[error("only administrators may do that")]
    AdminOnly,
    #[error("invitation sent to another address")]
    InvitationForOtherEmail,
    #[error("daily invitation limit reached")]
    InvitationLimit,
    #[error("bad lines in the item list")]
    ItemLines(LineProblems),
    /// Pallets of a shipping form that could not be used, by pallet number.
    #[error("bad pallets")]
    PalletLines(LineProblems),
    /// The request's arguments could not be read (missing, malformed, not UTF-8).
    #[error("bad request")]
    BadRequest,
    /// The request's body is over the server's limit.
    #[error("request too large")]
    TooLarge,
    /// The server is saturated (its password hashing queue is full): try again in a
    /// few seconds (`Retry-After`).
    #[error("busy")]
    Busy,
    #[error("internal error")]
    Internal,
    /// The request never got an answer from our code (network down, bad response).
    #[error("transport: {0}")]
    Transport(String),
    /// A rule of the storage refused the change. On the wire it is the refusal's own
    /// code (`"stale"`), like the variants above.
    #[error("refused: {}", .0.code())]
    #[serde(untagged)]
    Refused(Refusal),
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Refused(r)
    }
}

impl From<InputError> for AppError {
    fn from(e: InputError) -> Self {
        AppError::Input(e)
    }
}

impl AppError {
    /// What the user reads.
    pub fn message(&self) -> Msg {
        match self {
            AppError::Input(e) => e.message(),
            AppError::Unauthorized => Msg::ErrUnauthorized,
            AppError::Forbidden => Msg::ErrForbidden,
            AppError::BadCredentials => Msg::ErrBadCredentials,
            AppError::TooManyAttempts => Msg::ErrTooManyAttempts,
            AppError::AdminOnly => Msg::ErrAdminOnly,
            AppError::InvitationForOtherEmail => Msg::ErrInvitationForOtherEmail,
            AppError::InvitationLimit => Msg::ErrInvitationLimit,
            AppError::ItemLines(_) => Msg::ErrItemLines,
            AppError::PalletLines(_) => Msg::ErrPalletLines,
            AppError::BadRequest => Msg::ErrBadRequest,
            AppError::Busy => Msg::ErrBusy,
            AppError::TooLarge => Msg::ErrTooLarge,
            AppError::Internal => Msg::ErrInternal,
            AppError::Transport(_) => Msg::ErrTransport,
            AppError::Refused(r) => Msg::Refused(*r),
        }
    }

    /// Each refused line of a pasted item list (pallet of a shipping form), with its
    /// line (pallet) number, in `lang`.
    pub fn details(&self, lang: crate::i18n::Lang) -> Vec<String> {
        match self {
            AppError::ItemLines(problems) => line_details(problems, Msg::ErrLine, lang),
            AppError::PalletLines(problems) => line_details(problems, Msg::ErrPalletLine, lang),
            _ => Vec::new(),
        }
    }

    /// The HTTP status of a server function's response carrying this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Input(_) | AppError::ItemLines(_) | AppError::PalletLines(_) => 422,
            AppError::BadRequest => 400,
            AppError::Unauthorized | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::AdminOnly | AppError::InvitationForOtherEmail => 403,
            AppError::TooManyAttempts | AppError::InvitationLimit => 429,
            AppError::Busy => 503,
            AppError::TooLarge => 413,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Refused(r) => r.status(),
        }
    }

    /// A compact form for the `?error=` of a page a plain (no-wasm) form post is sent
    /// back to; [`AppError::from_query`] reads it back.
    pub fn to_query(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "\"internal\"".into())
    }

    pub fn from_query(value: &str) -> Option<AppError> {
        serde_json::from_str(value).ok()
    }
}

/// Each line of `problems` as `line` words it, then how many more there are.
fn line_details(problems: &LineProblems, line: Msg, lang: crate::i18n::Lang) -> Vec<String> {
    use crate::i18n::{t, tf};
    let mut details: Vec<String> = problems
        .lines
        .iter()
        .map(|l| {
            let number = l.line.to_string();
            tf(
                lang,
                line,
                &[("line", &number), ("problem", t(lang, l.problem.message()))],
            )
        })
        .collect();
    if problems.more > 0 {
        let count = crate::text::thousands(problems.more);
        details.push(tf(lang, Msg::ErrMoreLines, &[("count", &count)]));
    }
    details
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server: the arguments did not parse. Our code never ran.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::BadRequest,
            // On the server, a body that could not be read as the function's arguments
            // (not UTF-8, cut off at the size limit): the request's fault, not ours.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => AppError::BadRequest,
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_survive_the_query_string_round_trip() {
        for e in [
            AppError::BadCredentials,
            AppError::Input(InputError::PasswordTooShort),
            AppError::TooManyAttempts,
            AppError::Refused(Refusal::Stale),
            AppError::Refused(Refusal::NotFound),
        ] {
            assert_eq!(AppError::from_query(&e.to_query()), Some(e));
        }
        assert_eq!(AppError::from_query("<script>"), None);
        // A refusal travels as its bare code, as the other variants do.
        assert_eq!(AppError::Refused(Refusal::Stale).to_query(), "\"stale\"");
    }

    #[test]
    fn statuses_match_meaning() {
        assert_eq!(AppError::TooManyAttempts.status(), 429);
        assert_eq!(AppError::Unauthorized.status(), 401);
        assert_eq!(AppError::Input(InputError::EmailInvalid).status(), 422);
    }
}
