//! The Supply Chain Connect Permissions section of Settings › User Permissions: the
//! invite form, invitations received and sent, and connected companies with their
//! history. Every button is a form, so the section works before the wasm loads.

use leptos::prelude::*;

use super::*;
use crate::auth::Me;
use crate::domain::AccountKind;
use crate::i18n::{use_i18n, I18n, Msg};
use crate::text::format_time;
use crate::ui::{form_error, ErrorAlert, LanguageSelect, SubmitButton};

#[component]
pub fn ConnectPermissions(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let invite = ServerAction::<SendInvitation>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let cancel = ServerAction::<CancelInvitation>::new();
    let accept = ServerAction::<AcceptInvitation>::new();
    let decline = ServerAction::<DeclineInvitation>::new();
    let remove = ServerAction::<RemoveConnection>::new();
    let overview = Resource::new(
        move || {
            (
                invite.version().get(),
                resend.version().get(),
                cancel.version().get(),
                accept.version().get(),
                decline.version().get(),
                remove.version().get(),
            )
        },
        |_| connections_overview(),
    );
    // One alert for the buttons in the lists: the outcome of the latest one pressed.
    let list_error = RwSignal::new(None::<AppError>);
    let outcomes: [crate::ui::Outcome; 5] = [
        Box::new(move || resend.value().get()),
        Box::new(move || cancel.value().get()),
        Box::new(move || accept.value().get()),
        Box::new(move || decline.value().get()),
        Box::new(move || remove.value().get()),
    ];
    for outcome in outcomes {
        Effect::new(move |_| {
            if let Some(result) = outcome() {
                list_error.set(result.err());
            }
        });
    }
    let query_error = form_error(|| None::<Result<(), AppError>>);
    let alert = Signal::derive(move || list_error.get().or_else(|| query_error.get()));
    let actions = RowActions {
        resend,
        cancel,
        accept,
        decline,
        remove,
    };

    // Coming back to the tab shows what changed meanwhile (an invitation accepted on
    // the other side, say). The invite form lives outside the lists, so a refresh
    // never wipes what is being typed into it.
    #[cfg(feature = "hydrate")]
    {
        use leptos::leptos_dom::helpers::window_event_listener_untyped;
        let listener = window_event_listener_untyped("visibilitychange", move |_| {
            if !document().hidden() {
                overview.refetch();
            }
        });
        on_cleanup(move || listener.remove());
    }

    let intro = match me.kind {
        AccountKind::Seller => Msg::SccIntroSeller,
        AccountKind::Supplier => Msg::SccIntroSupplier,
    };
    let manage = me.is_admin;
    let form = if !me.is_admin {
        view! { <p class="alert alert-warn">{i18n.t(Msg::InviteAdminsOnly)}</p> }.into_any()
    } else if !me.verified {
        view! { <p class="alert alert-warn">{i18n.t(Msg::InviteNeedsVerifiedEmail)}</p> }.into_any()
    } else {
        view! { <InviteForm kind=me.kind invite/> }.into_any()
    };
    view! {
        <section class="card" aria-labelledby="scc-heading">
            <h2 id="scc-heading">{i18n.t(Msg::SccTitle)}</h2>
            <p class="muted">{i18n.t(intro)}</p>
            {form}
            <ErrorAlert error=alert/>
            <Transition fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! { <Lists o manage actions/> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=Signal::stored(Some(e))/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[derive(Clone, Copy)]
struct RowActions {
    resend: ServerAction<ResendInvitation>,
    cancel: ServerAction<CancelInvitation>,
    accept: ServerAction<AcceptInvitation>,
    decline: ServerAction<DeclineInvitation>,
    remove: ServerAction<RemoveConnection>,
}

#[component]
fn Lists(o: Overview, manage: bool, actions: RowActions) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h3>{i18n.t(Msg::InvitationsReceived)}</h3>
        <Received list=o.received manage actions/>
        <h3>{i18n.t(Msg::InvitationsSent)}</h3>
        <Sent list=o.sent manage actions/>
        <h3>{i18n.t(Msg::ConnectedTitle)}</h3>
        <Connected list=o.connected manage actions/>
    }
}

#[component]
fn InviteForm(kind: AccountKind, invite: ServerAction<SendInvitation>) -> impl IntoView {
    let i18n = use_i18n();
    let error = form_error(move || invite.value().get());
    let sent = move || matches!(invite.value().get(), Some(Ok(())));
    let title = match kind {
        AccountKind::Seller => Msg::InviteSupplierTitle,
        AccountKind::Supplier => Msg::InviteSellerTitle,
    };
    view! {
        <div class="subcard">
            <h3 id="invite-heading">{i18n.t(title)}</h3>
            <ErrorAlert error/>
            <Show when=sent>
                <p class="alert alert-ok" role="status">{i18n.t(Msg::InvitationSentNote)}</p>
            </Show>
            <ActionForm action=invite>
                <div class="grid">
                    <div>
                        <label for="invite-company">{i18n.t(Msg::FieldCompanyName)}</label>
                        <input id="invite-company" name="company_name" required maxlength="120" autocomplete="off"/>
                    </div>
                    <div>
                        <label for="invite-contact">{i18n.t(Msg::FieldContactName)}</label>
                        <input id="invite-contact" name="contact_name" required maxlength="100" autocomplete="off"/>
                    </div>
                    <div>
                        <label for="invite-email">{i18n.t(Msg::FieldEmail)}</label>
                        <input id="invite-email" name="email" type="email" required maxlength="254" autocomplete="off"/>
                    </div>
                    <div>
                        <LanguageSelect id="invite-lang" label=Msg::FieldInvitationLanguage/>
                    </div>
                </div>
                <SubmitButton label=Msg::SendInvitation pending=invite.pending()/>
            </ActionForm>
        </div>
    }
}

/// A one-button form that posts `id` to `action`.
macro_rules! row_button {
    ($action:expr, $field:literal, $value:expr, $label:expr, $i18n:expr, $class:literal) => {
        view! {
            <ActionForm action=$action>
                <input type="hidden" name=$field value=$value/>
                <button type="submit" class=$class>{$i18n.t($label)}</button>
            </ActionForm>
        }
    };
}

#[component]
fn Received(list: Vec<ReceivedInvitation>, manage: bool, actions: RowActions) -> impl IntoView {
    let i18n = use_i18n();
    if list.is_empty() {
        return view! { <p class="muted">{i18n.t(Msg::NoInvitationsReceived)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t(Msg::ColumnFrom)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnKind)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnSent)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnExpires)}</th>
                        {manage.then(|| view! { <th scope="col">{i18n.t(Msg::ColumnActions)}</th> })}
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|inv| {
                            let (accept_id, decline_id) = (inv.id.clone(), inv.id.clone());
                            view! {
                                <tr>
                                    <td>{inv.from_company}<br/><span class="muted">{inv.from_name}</span></td>
                                    <td>{i18n.t(inv.from_kind.msg())}</td>
                                    <td>{format_time(inv.sent_at)}</td>
                                    <td>{format_time(inv.expires_at)}</td>
                                    {manage.then(|| view! {
                                        <td class="row-actions">
                                            {row_button!(actions.accept, "id", accept_id, Msg::ActionAccept, i18n, "button primary small")}
                                            {row_button!(actions.decline, "id", decline_id, Msg::ActionDecline, i18n, "button small")}
                                        </td>
                                    })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Sent(list: Vec<SentInvitation>, manage: bool, actions: RowActions) -> impl IntoView {
    let i18n = use_i18n();
    if list.is_empty() {
        return view! { <p class="muted">{i18n.t(Msg::NoInvitationsSent)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t(Msg::ColumnCompany)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnContact)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnSent)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnExpires)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnStatus)}</th>
                        {manage.then(|| view! { <th scope="col">{i18n.t(Msg::ColumnActions)}</th> })}
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|inv| {
                            let (resend_id, cancel_id) = (inv.id.clone(), inv.id.clone());
                            let open = inv.status != InvitationStatus::Declined;
                            let status = inv.status.msg();
                            view! {
                                <tr>
                                    <td>{inv.to_company}</td>
                                    <td>{inv.to_contact}<br/><span class="muted">{inv.to_email}</span></td>
                                    <td>{format_time(inv.sent_at)}</td>
                                    <td>{format_time(inv.expires_at)}</td>
                                    <td>{i18n.t(status)}</td>
                                    {manage.then(|| view! {
                                        <td class="row-actions">
                                            {open.then(|| row_button!(actions.resend, "id", resend_id, Msg::ActionResend, i18n, "button small"))}
                                            {open.then(|| row_button!(actions.cancel, "id", cancel_id, Msg::ActionCancel, i18n, "button small"))}
                                        </td>
                                    })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Connected(list: Vec<Connection>, manage: bool, actions: RowActions) -> impl IntoView {
    let i18n = use_i18n();
    if list.is_empty() {
        return view! { <p class="muted">{i18n.t(Msg::NoConnections)}</p> }.into_any();
    }
    view! {
        <ul class="connections">
            {list
                .into_iter()
                .map(|c| view! { <ConnectionItem c manage actions/> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn ConnectionItem(c: Connection, manage: bool, actions: RowActions) -> impl IntoView {
    let i18n = use_i18n();
    let id = c.account_id.clone();
    let (company, contact_name, contact_email) = (
        c.company.clone(),
        c.contact_name.clone(),
        c.contact_email.clone(),
    );
    let history = c.history.clone();
    view! {
        <li class="connection">
            <div class="connection-head">
                <div>
                    <strong>{company}</strong>
                    " "
                    <span class="badge">{i18n.t(c.kind.msg())}</span>
                    <br/>
                    <span class="muted">{contact_name} " · " {contact_email}</span>
                    <br/>
                    <span class="muted">{i18n.t(Msg::ColumnSince)} ": " {format_time(c.since)}</span>
                </div>
                {manage.then(|| view! {
                    <details class="confirm">
                        <summary class="button small">{i18n.t(Msg::ActionRemove)}</summary>
                        <p>{i18n.t(Msg::RemoveConfirmText)}</p>
                        {row_button!(actions.remove, "account_id", id, Msg::RemoveConfirmButton, i18n, "button danger small")}
                    </details>
                })}
            </div>
            <details class="history">
                <summary>{i18n.t(Msg::HistoryTitle)}</summary>
                <ol>
                    {history.into_iter().map(|e| view! { <li>{history_line(i18n, e)}</li> }).collect_view()}
                </ol>
            </details>
        </li>
    }
}

fn history_line(i18n: I18n, e: HistoryEvent) -> impl IntoView {
    let msg = e.action.msg();
    let when = format_time(e.at);
    let text = i18n.tf(
        msg,
        vec![("name", e.actor_name), ("company", e.actor_company)],
    );
    view! { <time>{when}</time> " " {text} }
}
