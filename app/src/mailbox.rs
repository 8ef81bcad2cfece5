//! The development mailbox: with no SMTP server configured, every email the app
//! would have sent is listed here with its links, so one person can try every flow
//! on one machine. With SMTP configured the page and its server function do not exist
//! (they answer "not found").

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{use_i18n, Msg};
use crate::ui::ErrorAlert;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxMessage {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub status: String,
    pub created_at: i64,
    pub links: Vec<String>,
}

#[server(endpoint = "dev/mailbox_enabled")]
pub async fn mailbox_enabled() -> Result<bool, AppError> {
    use crate::server::boundary;
    boundary("dev.mailbox_enabled", |cx| async move {
        Ok(cx.state.settings.dev_mailbox)
    })
    .await
}

#[server(endpoint = "dev/mailbox")]
pub async fn mailbox() -> Result<Vec<MailboxMessage>, AppError> {
    use crate::server::{boundary, internal};

    boundary("dev.mailbox", |cx| async move {
        let state = &cx.state;
        if !state.settings.dev_mailbox {
            return Err(AppError::Refused(db::Refusal::NotFound));
        }
        let entries = state
            .db
            .recent_emails(200)
            .await
            .map_err(internal("reading the mailbox failed"))?;
        Ok(entries
            .into_iter()
            .map(|e| MailboxMessage {
                links: links_in(&e.text_body),
                id: e.id,
                to: e.to_address,
                subject: e.subject,
                text: e.text_body,
                status: e.status,
                created_at: e.created_at,
            })
            .collect())
    })
    .await
}

/// The http(s) links of a plain-text body, in order.
pub fn links_in(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_owned)
        .collect()
}

#[component]
pub fn MailboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let messages = Resource::new(|| (), |_| mailbox());
    view! {
        <h1>{i18n.t(Msg::MailboxTitle)}</h1>
        <p class="muted">{i18n.t(Msg::MailboxIntro)}</p>
        <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match messages.await {
                    Ok(list) if list.is_empty() => view! { <p>{i18n.t(Msg::MailboxEmpty)}</p> }.into_any(),
                    Ok(list) => list
                        .into_iter()
                        .map(|m| view! { <Message m/> })
                        .collect_view()
                        .into_any(),
                    Err(e) => view! { <ErrorAlert error=Signal::stored(Some(e))/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Message(m: MailboxMessage) -> impl IntoView {
    let i18n = use_i18n();
    let status = match m.status.as_str() {
        "sent" => Msg::MailboxSent,
        "failed" => Msg::MailboxFailed,
        _ => Msg::MailboxQueued,
    };
    let heading_id = format!("mail-{}", m.id);
    let labelled_by = heading_id.clone();
    view! {
        <article class="card mail" aria-labelledby=labelled_by>
            <h2 id=heading_id>{m.subject}</h2>
            <p class="muted">
                {i18n.t(Msg::MailboxTo)} ": " {m.to} " · " {i18n.t(status)} " · "
                {crate::text::format_time(m.created_at)}
            </p>
            <h3>{i18n.t(Msg::MailboxLinks)}</h3>
            <ul>
                {m.links
                    .into_iter()
                    .map(|link| {
                        let href = link.clone();
                        view! { <li><a href=href>{link}</a></li> }
                    })
                    .collect_view()}
            </ul>
            <pre>{m.text}</pre>
        </article>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_links() {
        assert_eq!(
            super::links_in(
                "Open:\nhttp://127.0.0.1:3000/verify-email?token=ab\n\nhttps://x.test/y z"
            ),
            vec![
                "http://127.0.0.1:3000/verify-email?token=ab",
                "https://x.test/y"
            ]
        );
    }
}
