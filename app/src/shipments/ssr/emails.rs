//! The emails shipment steps send, each recipient in their own language.

use db::sessions::SessionUser;

use super::*;
use crate::i18n::{t, tf, Lang};
use crate::server::emails::{self as mail, ShipmentMail};
use crate::server::{internal, AppState};

/// One email per administrator of `account`, each in their own language: `write`
/// gives the subject and the lines for a language; the button opens `link`.
async fn to_admins(
    state: &AppState,
    account: &str,
    link: &str,
    write: impl Fn(Lang) -> (String, Vec<String>),
) -> Result<Vec<db::outbox::OutgoingEmail>, AppError> {
    let admins = state
        .db
        .account_admins(account)
        .await
        .map_err(internal("reading an account's administrators failed"))?;
    Ok(admins
        .iter()
        .map(|admin| {
            let lang = Lang::parse(&admin.lang).unwrap_or_default();
            let (subject, lines) = write(lang);
            mail::shipment_notice(
                lang,
                &ShipmentMail {
                    to: &admin.email,
                    subject,
                    lines,
                    link,
                },
            )
        })
        .collect())
}

fn shipment_link(state: &AppState, id: &str) -> String {
    format!("{}/shipments/{id}", state.settings.public_url)
}

/// The item lines of an email, in its language.
fn item_lines(lang: Lang, view: &ShipmentView) -> Vec<String> {
    view.items
        .iter()
        .map(|i| {
            let prep = t(lang, i.prep_by.msg());
            let name = if i.name.is_empty() {
                String::new()
            } else {
                format!(" ({})", i.name)
            };
            let fnsku = i
                .fnsku
                .as_deref()
                .map(|f| format!(", FNSKU {f}"))
                .unwrap_or_default();
            let expires = if i.expires {
                format!(", {}", t(lang, crate::i18n::Msg::ExpiresYes))
            } else {
                String::new()
            };
            format!("{} × {}{name}{fnsku}{expires} — {prep}", i.sku, i.quantity)
        })
        .collect()
}

/// The emails telling the supplier a shipment was taken back (`subject`, `body`), if
/// it was shared with one.
pub(super) async fn taken_back(
    state: &AppState,
    me: &SessionUser,
    view: &ShipmentView,
    subject: Msg,
    body: Msg,
) -> Result<Vec<db::outbox::OutgoingEmail>, AppError> {
    let Some(supplier) = &view.supplier else {
        return Ok(Vec::new());
    };
    let link = format!("{}/shipments", state.settings.public_url);
    to_admins(state, &supplier.id, &link, |lang| {
        let args = [
            ("name", me.name.as_str()),
            ("company", me.company_name.as_str()),
            ("shipment", view.name.as_str()),
            ("id", view.id.as_str()),
        ];
        (tf(lang, subject, &args), vec![tf(lang, body, &args)])
    })
    .await
}

/// The emails telling the supplier `to` that the seller `me` shared `view` with it.
pub(super) async fn shared(
    state: &AppState,
    me: &SessionUser,
    view: &ShipmentView,
    to: &str,
    message: &str,
) -> Result<Vec<db::outbox::OutgoingEmail>, AppError> {
    let link = shipment_link(state, &view.id);
    to_admins(state, to, &link, |lang| {
        let mut lines = vec![
            tf(
                lang,
                Msg::EmailSharedBody,
                &[
                    ("name", &me.name),
                    ("company", &me.company_name),
                    ("shipment", &view.name),
                    ("id", &view.id),
                ],
            ),
            tf(
                lang,
                Msg::EmailShipFromTo,
                &[
                    ("from", &view.ship_from.lines().join(", ")),
                    ("destination", &view.destination),
                ],
            ),
        ];
        lines.extend(item_lines(lang, view));
        if !message.is_empty() {
            lines.push(tf(lang, Msg::EmailSharedMessage, &[("message", message)]));
        }
        let subject = tf(
            lang,
            Msg::EmailSharedSubject,
            &[("company", &me.company_name), ("shipment", &view.name)],
        );
        (subject, lines)
    })
    .await
}

/// The emails telling the seller that the supplier `me` shipped `view`, with its
/// tracking: one number per box, or the LTL PRO number.
pub(super) async fn shipped(
    state: &AppState,
    me: &SessionUser,
    view: &ShipmentView,
    numbers: &[db::shipments::BoxTracking],
    pro_number: Option<&str>,
) -> Result<Vec<db::outbox::OutgoingEmail>, AppError> {
    let link = shipment_link(state, &view.id);
    to_admins(state, &view.seller_id, &link, |lang| {
        let mut lines = vec![tf(
            lang,
            Msg::EmailShippedBody,
            &[
                ("company", &me.company_name),
                ("shipment", &view.name),
                ("id", &view.id),
                ("carrier", &view.carrier),
                ("destination", &view.destination),
            ],
        )];
        match pro_number {
            Some(pro) => lines.push(tf(lang, Msg::EmailProNumber, &[("number", pro)])),
            None => lines.extend(numbers.iter().zip(&view.boxes).map(|(n, b)| {
                tf(
                    lang,
                    Msg::EmailBoxTracking,
                    &[("n", &b.number.to_string()), ("number", &n.number)],
                )
            })),
        }
        let subject = tf(
            lang,
            Msg::EmailShippedSubject,
            &[("company", &me.company_name), ("shipment", &view.name)],
        );
        (subject, lines)
    })
    .await
}
