//! Settings › User Permissions: the Supply Chain Connect Permissions section (from the
//! connections feature) and the users of your company.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Me;
use crate::error::AppError;
use crate::i18n::{use_i18n, Msg};
use crate::ui::{ErrorAlert, RequireUser};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountUser {
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    pub verified: bool,
}

/// The users of the caller's own account; nobody else's.
#[server(endpoint = "settings/account_users")]
pub async fn account_users() -> Result<Vec<AccountUser>, AppError> {
    use crate::server::{boundary, internal};

    boundary("settings.account_users", |cx| async move {
        let me = cx.require_user().await?;
        let users = cx
            .state
            .db
            .account_users(&me.account_id)
            .await
            .map_err(internal("listing users failed"))?;
        Ok(users
            .into_iter()
            .map(|u| AccountUser {
                name: u.name,
                email: u.email,
                is_admin: u.is_admin,
                verified: u.verified,
            })
            .collect())
    })
    .await
}

#[component]
pub fn UserPermissionsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{i18n.t(Msg::UserPermissionsTitle)}</h1>
        <RequireUser signed_in=|me: Me| view! {
            <crate::connections::ConnectPermissions me=me.clone()/>
            <AccountUsers me/>
        }/>
    }
}

#[component]
fn AccountUsers(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let users = Resource::new(|| (), |_| account_users());
    view! {
        <section class="card" aria-labelledby="users-heading">
            <h2 id="users-heading">{i18n.tf(Msg::UsersOfCompany, vec![("company", me.company_name.clone())])}</h2>
            <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(users) => view! { <UsersTable users/> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=Signal::stored(Some(e))/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn UsersTable(users: Vec<AccountUser>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t(Msg::ColumnName)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnEmail)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnRole)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnEmailStatus)}</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || users.clone() key=|u| u.email.clone() let:user>
                        <tr>
                            <td>{user.name.clone()}</td>
                            <td>{user.email.clone()}</td>
                            <td>{i18n.t(if user.is_admin { Msg::RoleAdmin } else { Msg::RoleMember })}</td>
                            <td>{i18n.t(if user.verified { Msg::StatusVerified } else { Msg::StatusUnverified })}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}
