//! The seller's steps: create and edit a draft, share it, take it back, cancel it.

use db::sessions::SessionUser;
use db::shipments::{Item, NewShipment};

use super::emails;
use super::*;
use crate::connections::ssr::actor;
use crate::domain::shipment::{
    parse_expiry_flag, parse_items_csv, parse_share_message, Fnsku, FulfillmentCenter, ItemLine,
    ProductCode, ProductName, Quantity, ShipmentName, Sku, MAX_ITEMS,
};
use crate::domain::InputError;
use crate::server::{db_error, Ctx};

/// A form field that may be left empty: None when it was.
fn optional(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// The item rows and the pasted list together, each SKU once.
fn parse_items(form: &ShipmentForm<'_>) -> Result<Vec<Item>, AppError> {
    // More rows than a shipment may have items is refused before any is read.
    if form.items.len() > MAX_ITEMS {
        return Err(InputError::TooManyItems.into());
    }
    let mut items: Vec<Item> = Vec::new();
    let mut skus = std::collections::HashSet::new();
    let mut push = |line: ItemLine, prep_by: PrepBy| {
        if !skus.insert(line.sku.as_str().to_owned()) {
            return Err(AppError::Input(InputError::SkuListedTwice));
        }
        items.push(Item {
            sku: line.sku.as_str().to_owned(),
            name: line.name.map(|n| n.as_str().to_owned()).unwrap_or_default(),
            quantity: i64::from(line.quantity.get()),
            prep_by: prep_by.code().to_owned(),
            fnsku: line.fnsku.map(|f| f.as_str().to_owned()),
            upc: line.upc.map(|u| u.as_str().to_owned()),
            expires: line.expires,
        });
        Ok(())
    };
    for row in form.items {
        // A row with nothing typed is skipped (an expiry box ticked on it alone too).
        if [&row.sku, &row.quantity, &row.name, &row.fnsku, &row.upc]
            .iter()
            .all(|f| f.trim().is_empty())
        {
            continue;
        }
        let prep_by = PrepBy::parse(optional(&row.prep_by).unwrap_or("seller"))?;
        let expires = match row.expires.trim() {
            "on" => true,
            flag => parse_expiry_flag(flag)?,
        };
        let line = ItemLine {
            sku: Sku::parse(&row.sku)?,
            quantity: Quantity::parse(&row.quantity)?,
            name: optional(&row.name).map(ProductName::parse).transpose()?,
            fnsku: optional(&row.fnsku).map(Fnsku::parse).transpose()?,
            upc: optional(&row.upc).map(ProductCode::parse).transpose()?,
            expires,
        };
        push(line, prep_by)?;
    }
    if !form.items_csv.trim().is_empty() {
        let prep_by = PrepBy::parse(if form.csv_prep_by.trim().is_empty() {
            "seller"
        } else {
            form.csv_prep_by
        })?;
        for line in parse_items_csv(form.items_csv).map_err(AppError::ItemLines)? {
            push(line, prep_by)?;
        }
    }
    if items.is_empty() {
        return Err(InputError::NoItems.into());
    }
    if items.len() > MAX_ITEMS {
        return Err(InputError::TooManyItems.into());
    }
    Ok(items)
}

pub async fn save(
    cx: &Ctx,
    me: SessionUser,
    id: &str,
    version: &str,
    form: &ShipmentForm<'_>,
) -> Result<String, AppError> {
    if me.account_kind != "seller" {
        return Err(AppError::Forbidden);
    }
    let name = ShipmentName::parse(form.name)?;
    let address = crate::domain::shipment::Address::parse(form.address)?;
    let destination = FulfillmentCenter::parse(form.destination)?;
    let items = parse_items(form)?;
    let new = NewShipment {
        name: name.as_str().to_owned(),
        ship_from: address.into(),
        destination: destination.as_str().to_owned(),
        items,
    };
    let state = &cx.state;
    let now = state.clock.now();
    let actor = actor(&me);
    if id.trim().is_empty() {
        let id = state
            .db
            .create_shipment(&me.account_id, &new, &actor, now)
            .await
            .map_err(db_error("creating a shipment failed"))?;
        tracing::info!(shipment = %id, "shipment created");
        Ok(id)
    } else {
        let current = as_seller(state, &me, id).await?;
        let version = version_of(version)?;
        state
            .db
            .update_shipment(&current.id, &me.account_id, &new, version, &actor, now)
            .await
            .map_err(db_error("changing a shipment failed"))?;
        Ok(current.id)
    }
}

pub async fn share(
    cx: &Ctx,
    me: SessionUser,
    id: &str,
    version: &str,
    supplier: &str,
    message: &str,
) -> Result<(), AppError> {
    // Sharing emails another company: as for invitations, a verified address first.
    if !me.verified {
        return Err(AppError::Refused(Refusal::EmailNotVerified));
    }
    let state = &cx.state;
    let view = as_seller(state, &me, id).await?;
    let version = version_of(version)?;
    let supplier = supplier.trim();
    if supplier.is_empty() {
        return Err(InputError::SupplierMissing.into());
    }
    let message = parse_share_message(message)?;
    // Whether the shipment is a draft and the supplier connected is the storage's to
    // say, in the transaction; the emails are queued only if it commits.
    let mails = emails::shared(state, &me, &view, supplier, &message).await?;
    state
        .db
        .share_shipment(
            &view.id,
            &me.account_id,
            supplier,
            &message,
            version,
            &actor(&me),
            &mails,
            cx.now(),
        )
        .await
        .map_err(db_error("sharing a shipment failed"))?;
    tracing::info!(shipment = %view.id, supplier, "shipment shared");
    state.mail_wakeup.notify_one();
    Ok(())
}

pub async fn stop_sharing(cx: &Ctx, me: SessionUser, id: &str) -> Result<(), AppError> {
    let state = &cx.state;
    let view = as_seller(state, &me, id).await?;
    let (subject, body) = (Msg::EmailUnsharedSubject, Msg::EmailUnsharedBody);
    let mails = emails::taken_back(state, &me, &view, subject, body).await?;
    state
        .db
        .stop_sharing(&view.id, &me.account_id, &actor(&me), &mails, cx.now())
        .await
        .map_err(db_error("stopping a share failed"))?;
    state.mail_wakeup.notify_one();
    Ok(())
}

pub async fn cancel(cx: &Ctx, me: SessionUser, id: &str) -> Result<(), AppError> {
    let state = &cx.state;
    let view = as_seller(state, &me, id).await?;
    let (subject, body) = (Msg::EmailCancelledSubject, Msg::EmailCancelledBody);
    let mails = emails::taken_back(state, &me, &view, subject, body).await?;
    state
        .db
        .cancel_shipment(&view.id, &me.account_id, &actor(&me), &mails, cx.now())
        .await
        .map_err(db_error("cancelling a shipment failed"))?;
    state.mail_wakeup.notify_one();
    Ok(())
}
