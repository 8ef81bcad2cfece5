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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Expired,
    Declined,
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
    use crate::server::{boundary, require_user};
    boundary("connections.overview", async move {
        ssr::overview(require_user().await?).await
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
    use crate::server::{boundary, require_user};
    boundary("connections.invite", async move {
        let me = require_user().await?;
        ssr::send_invitation(me, &company_name, &contact_name, &email, &lang).await
    })
    .await
}

#[server(endpoint = "connections/resend")]
pub async fn resend_invitation(id: String) -> Result<(), AppError> {
    use crate::server::{boundary, require_user};
    boundary("connections.resend", async move {
        ssr::resend(require_user().await?, &id).await
    })
    .await
}

#[server(endpoint = "connections/cancel")]
pub async fn cancel_invitation(id: String) -> Result<(), AppError> {
    use crate::server::{boundary, require_user};
    boundary("connections.cancel", async move {
        ssr::cancel(require_user().await?, &id).await
    })
    .await
}

#[server(endpoint = "connections/accept")]
pub async fn accept_invitation(id: String) -> Result<(), AppError> {
    use crate::server::{boundary, require_user};
    boundary("connections.accept", async move {
        ssr::accept(require_user().await?, &id).await
    })
    .await
}

#[server(endpoint = "connections/decline")]
pub async fn decline_invitation(id: String) -> Result<(), AppError> {
    use crate::server::{boundary, require_user};
    boundary("connections.decline", async move {
        ssr::decline(require_user().await?, &id).await
    })
    .await
}

#[server(endpoint = "connections/remove")]
pub async fn remove_connection(account_id: String) -> Result<(), AppError> {
    use crate::server::{boundary, require_user};
    boundary("connections.remove", async move {
        ssr::remove(require_user().await?, &account_id).await
    })
    .await
}

/// What an invitation link shows. Unknown, used, cancelled and expired links all get
/// `InvitationInvalid`; looking never uses the link up.
#[server(endpoint = "invitations/view")]
pub async fn view_invitation(token: String) -> Result<InvitationView, AppError> {
    use crate::server::boundary;
    boundary("invitations.view", async move {
        ssr::view_by_link(&token).await
    })
    .await
}

#[server(endpoint = "invitations/accept")]
pub async fn accept_invitation_link(token: String) -> Result<(), AppError> {
    use crate::server::{boundary, redirect, require_user};
    boundary("invitations.accept", async move {
        ssr::accept_by_link(require_user().await?, &token).await?;
        redirect("/settings/user-permissions");
        Ok(())
    })
    .await
}

#[server(endpoint = "invitations/decline")]
pub async fn decline_invitation_link(token: String) -> Result<(), AppError> {
    use crate::server::{boundary, redirect, require_user};
    boundary("invitations.decline", async move {
        ssr::decline_by_link(require_user().await?, &token).await?;
        redirect("/settings/user-permissions");
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
    use crate::server::{boundary, redirect};
    boundary("invitations.create_account", async move {
        let lang =
            ssr::create_account_by_link(&token, &company_name, &name, &password, &lang).await?;
        redirect("/settings/user-permissions");
        Ok(lang)
    })
    .await
}
