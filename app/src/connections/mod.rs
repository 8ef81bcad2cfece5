//! Connections: invitations both ways (send, resend, cancel, accept, decline), the
//! invitation link, the graph of connected accounts, removal and history. Server
//! functions here; the User Permissions section in `page.rs`, the link's page in
//! `link.rs`.

mod link;
mod page;

pub use link::InvitationPage;
pub use page::ConnectPermissions;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::AccountKind;
use crate::error::AppError;
use crate::i18n::Msg;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Expired,
    Declined,
}

impl InvitationStatus {
    pub fn msg(self) -> Msg {
        match self {
            InvitationStatus::Pending => Msg::StatusPending,
            InvitationStatus::Expired => Msg::StatusExpired,
            InvitationStatus::Declined => Msg::StatusDeclined,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentInvitation {
    pub id: String,
    pub to_company: String,
    pub to_contact: String,
    pub to_email: String,
    pub sent_at: i64,
    pub expires_at: i64,
    pub status: InvitationStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedInvitation {
    pub id: String,
    pub from_company: String,
    pub from_name: String,
    pub from_kind: AccountKind,
    pub to_email: String,
    pub sent_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    Invited,
    Resent,
    Cancelled,
    Declined,
    Accepted,
    Removed,
}

impl HistoryAction {
    pub const ALL: [HistoryAction; 6] = [
        HistoryAction::Invited,
        HistoryAction::Resent,
        HistoryAction::Cancelled,
        HistoryAction::Declined,
        HistoryAction::Accepted,
        HistoryAction::Removed,
    ];

    /// The code the storage records in a connection's history.
    pub fn code(self) -> &'static str {
        match self {
            HistoryAction::Invited => "invited",
            HistoryAction::Resent => "resent",
            HistoryAction::Cancelled => "cancelled",
            HistoryAction::Declined => "declined",
            HistoryAction::Accepted => "accepted",
            HistoryAction::Removed => "removed",
        }
    }

    pub fn parse(code: &str) -> Option<HistoryAction> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The history line, with `{name}` and `{company}` of who did it.
    pub fn msg(self) -> Msg {
        match self {
            HistoryAction::Invited => Msg::HistoryInvited,
            HistoryAction::Resent => Msg::HistoryResent,
            HistoryAction::Cancelled => Msg::HistoryCancelled,
            HistoryAction::Declined => Msg::HistoryDeclined,
            HistoryAction::Accepted => Msg::HistoryAccepted,
            HistoryAction::Removed => Msg::HistoryRemoved,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub action: HistoryAction,
    pub actor_name: String,
    pub actor_company: String,
    /// Unix seconds.
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub account_id: String,
    pub company: String,
    pub kind: AccountKind,
    pub contact_name: String,
    pub contact_email: String,
    pub since: i64,
    pub history: Vec<HistoryEvent>,
}

/// Everything the Supply Chain Connect Permissions section shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub kind: AccountKind,
    pub company: String,
    pub is_admin: bool,
    pub verified: bool,
    pub sent: Vec<SentInvitation>,
    pub received: Vec<ReceivedInvitation>,
    pub connected: Vec<Connection>,
}

/// Who is looking at an invitation link, and what they may do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    SignedOut,
    /// Signed in as the invited address.
    Recipient {
        company: String,
        is_admin: bool,
        same_kind: bool,
    },
    /// Signed in as someone else: the link is left untouched.
    OtherEmail {
        signed_in_as: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub from_company: String,
    pub from_name: String,
    pub from_kind: AccountKind,
    pub to_email: String,
    pub to_company: String,
    pub to_contact: String,
    pub lang: crate::i18n::Lang,
    pub expires_at: i64,
    pub viewer: Viewer,
}

impl InvitationView {
    /// The kind of account the invitee has or creates.
    pub fn invitee_kind(&self) -> AccountKind {
        match self.from_kind {
            AccountKind::Seller => AccountKind::Supplier,
            AccountKind::Supplier => AccountKind::Seller,
        }
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr;

#[server(endpoint = "connections/overview")]
pub async fn connections_overview() -> Result<Overview, AppError> {
    use crate::server::boundary;
    boundary("connections.overview", |cx| async move {
        ssr::overview(&cx, cx.require_user().await?).await
    })
    .await
}

#[server(endpoint = "connections/invite")]
pub async fn send_invitation(
    company_name: String,
    contact_name: String,
    email: String,
    lang: String,
) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("connections.invite", |cx| async move {
        let me = cx.require_user().await?;
        ssr::send_invitation(&cx, me, &company_name, &contact_name, &email, &lang).await
    })
    .await
}

#[server(endpoint = "connections/resend")]
pub async fn resend_invitation(id: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("connections.resend", |cx| async move {
        ssr::resend(&cx, cx.require_user().await?, &id).await
    })
    .await
}

#[server(endpoint = "connections/cancel")]
pub async fn cancel_invitation(id: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("connections.cancel", |cx| async move {
        ssr::cancel(&cx, cx.require_user().await?, &id).await
    })
    .await
}

#[server(endpoint = "connections/accept")]
pub async fn accept_invitation(id: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("connections.accept", |cx| async move {
        ssr::accept(&cx, cx.require_user().await?, &id).await
    })
    .await
}

#[server(endpoint = "connections/decline")]
pub async fn decline_invitation(id: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("connections.decline", |cx| async move {
        ssr::decline(&cx, cx.require_user().await?, &id).await
    })
    .await
}

#[server(endpoint = "connections/remove")]
pub async fn remove_connection(account_id: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("connections.remove", |cx| async move {
        ssr::remove(&cx, cx.require_user().await?, &account_id).await
    })
    .await
}

/// What an invitation link shows. Unknown, used, cancelled and expired links all get
/// `InvitationInvalid`; looking never uses the link up.
#[server(endpoint = "invitations/view")]
pub async fn view_invitation(token: String) -> Result<InvitationView, AppError> {
    use crate::server::boundary;
    boundary("invitations.view", |cx| async move {
        ssr::view_by_link(&cx, &token).await
    })
    .await
}

#[server(endpoint = "invitations/accept")]
pub async fn accept_invitation_link(token: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("invitations.accept", |cx| async move {
        ssr::accept_by_link(&cx, cx.require_user().await?, &token).await?;
        cx.redirect("/settings/user-permissions");
        Ok(())
    })
    .await
}

#[server(endpoint = "invitations/decline")]
pub async fn decline_invitation_link(token: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("invitations.decline", |cx| async move {
        ssr::decline_by_link(&cx, cx.require_user().await?, &token).await?;
        cx.redirect("/settings/user-permissions");
        Ok(())
    })
    .await
}

/// Creates the invitee's account from the link (the address counts as verified, since
/// the link reached it) and connects it, then signs in.
#[server(endpoint = "invitations/create_account")]
pub async fn accept_with_new_account(
    token: String,
    company_name: String,
    name: String,
    password: String,
    lang: String,
) -> Result<crate::i18n::Lang, AppError> {
    use crate::server::boundary;
    boundary("invitations.create_account", |cx| async move {
        let lang = ssr::create_account_by_link(&cx, &token, &company_name, &name, &password, &lang)
            .await?;
        cx.redirect("/settings/user-permissions");
        Ok(lang)
    })
    .await
}
