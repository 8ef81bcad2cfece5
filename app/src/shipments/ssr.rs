//! The server side of shipments: parse, check who is calling and what they may do,
//! render emails, and call the storage, which scopes every change by the caller's
//! account and the shipment's state again, inside its transaction.

use db::sessions::SessionUser;
use db::shipments::{
    Address as StoredAddress, BoxItem, BoxTracking, Item, NewBox, NewShipment, Role, ShipmentDetail,
};

use super::labels::{LabelBox, LabelSheet, Paper};
use super::*;
use crate::connections::ssr::actor;
use crate::domain::shipment::{
    check_box_contents, parse_carrier, parse_items_csv, parse_share_message, parse_ship_date,
    parse_tracking, unboxed, FulfillmentCenter, ItemLine, Length, ProductName, Quantity,
    ShipmentName, Sku, Weight, MAX_ITEMS,
};
use crate::domain::InputError;
use crate::i18n::{t, tf, Lang};
use crate::server::emails::{self, ShipmentMail};
use crate::server::{db_error, internal, state, AppState};

/// Shipments per list page.
pub const PAGE_SIZE: i64 = 50;

/// What the shipment form sends, borrowed from the server function's arguments.
pub struct ShipmentForm<'a> {
    pub name: &'a str,
    pub address: &'a Address,
    pub destination: &'a str,
    pub items: &'a [ItemInput],
    pub items_csv: &'a str,
    pub csv_prep_by: &'a str,
}

/// What the box form sends.
pub struct BoxForm<'a> {
    pub box_id: &'a str,
    pub contents: &'a [BoxLineInput],
    pub weight: &'a str,
    pub weight_unit: &'a str,
    pub sides: [&'a str; 3],
    pub length_unit: &'a str,
}

// The address as stored and as the pages show it: the same fields, two crates.
impl From<StoredAddress> for Address {
    fn from(a: StoredAddress) -> Address {
        Address {
            name: a.name,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            region: a.region,
            postal_code: a.postal_code,
            country: a.country,
            phone: a.phone,
        }
    }
}

impl From<Address> for StoredAddress {
    fn from(a: Address) -> StoredAddress {
        StoredAddress {
            name: a.name,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            region: a.region,
            postal_code: a.postal_code,
            country: a.country,
            phone: a.phone,
        }
    }
}

fn status_of(code: &str) -> Result<ShipmentStatus, AppError> {
    ShipmentStatus::parse(code).ok_or_else(|| {
        tracing::error!(status = code, "unknown shipment status in the database");
        AppError::Internal
    })
}

fn version_of(input: &str) -> Result<i64, AppError> {
    // A version the page did not send is a page older than this server: reload.
    input.trim().parse().map_err(|_| AppError::Stale)
}

/// Box ids come from our own pages; anything else cannot name a box.
fn box_key(input: &str) -> Result<&str, AppError> {
    let key = input.trim();
    if !key.is_empty() && key.len() <= 40 && key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(key)
    } else {
        Err(AppError::NotFound)
    }
}

/// The shipment as the caller may see it, or `NotFound`.
async fn detail_for(
    state: &AppState,
    me: &SessionUser,
    id: &str,
) -> Result<ShipmentDetail, AppError> {
    let id = id.trim();
    if id.is_empty() || id.len() > 40 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::NotFound);
    }
    state
        .db
        .shipment_for(id, &me.account_id)
        .await
        .map_err(internal("reading a shipment failed"))?
        .ok_or(AppError::NotFound)
}

/// The shipment, if the caller is the supplier it is shared with.
async fn as_supplier(
    state: &AppState,
    me: &SessionUser,
    id: &str,
) -> Result<ShipmentView, AppError> {
    let detail = detail_for(state, me, id).await?;
    if detail.role != Role::Supplier {
        return Err(AppError::Forbidden);
    }
    to_view(state, detail, me).await
}

/// The shipment, if the caller is its seller.
async fn as_seller(state: &AppState, me: &SessionUser, id: &str) -> Result<ShipmentView, AppError> {
    let detail = detail_for(state, me, id).await?;
    if detail.role != Role::Seller {
        return Err(AppError::Forbidden);
    }
    to_view(state, detail, me).await
}

async fn to_view(
    state: &AppState,
    detail: ShipmentDetail,
    me: &SessionUser,
) -> Result<ShipmentView, AppError> {
    let ShipmentDetail {
        role,
        shipment: s,
        boxes,
        events,
    } = detail;
    let ordered: Vec<(String, u32)> = s
        .items
        .iter()
        .map(|i| (i.sku.clone(), i.quantity as u32))
        .collect();
    let boxed: Vec<(String, u32)> = boxes
        .iter()
        .flat_map(|b| {
            b.contents
                .iter()
                .map(|c| (c.sku.clone(), c.quantity as u32))
        })
        .collect();
    let left = unboxed(&ordered, &boxed);
    let items = s
        .items
        .iter()
        .zip(left)
        .map(|(item, (_, unboxed))| {
            Ok(ItemView {
                sku: item.sku.clone(),
                name: item.name.clone(),
                quantity: item.quantity as u32,
                prep_by: PrepBy::parse(&item.prep_by).map_err(|_| AppError::Internal)?,
                unboxed,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let boxes = boxes
        .into_iter()
        .enumerate()
        .map(|(i, b)| BoxView {
            id: b.id,
            number: i as u32 + 1,
            contents: b
                .contents
                .into_iter()
                .map(|c| (c.sku, c.quantity as u32))
                .collect(),
            weight_g: b.weight_g as u32,
            length_mm: b.length_mm as u32,
            width_mm: b.width_mm as u32,
            height_mm: b.height_mm as u32,
            weight_unit: WeightUnit::parse(&b.weight_unit).unwrap_or(WeightUnit::Kg),
            length_unit: LengthUnit::parse(&b.length_unit).unwrap_or(LengthUnit::Cm),
            tracking: b.tracking,
        })
        .collect();
    let timeline = events
        .into_iter()
        .filter_map(|e| {
            Some(TimelineEntry {
                action: TimelineAction::parse(&e.action)?,
                actor_name: e.actor_name,
                actor_company: e.actor_company,
                detail: e.detail,
                at: e.at_nanos / 1_000_000_000,
            })
        })
        .collect();
    let status = status_of(&s.status)?;
    let side = match role {
        Role::Seller => Side::Seller,
        Role::Supplier => Side::Supplier,
    };
    let suppliers = if side == Side::Seller && status == ShipmentStatus::Draft {
        state
            .db
            .connections(&me.account_id)
            .await
            .map_err(internal("listing connections failed"))?
            .into_iter()
            .filter(|c| c.kind == "supplier")
            .map(|c| Party {
                id: c.account_id,
                company: c.company_name,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ShipmentView {
        id: s.id,
        side,
        name: s.name,
        seller_id: s.seller_id,
        seller_company: s.seller_company,
        ship_from: s.ship_from.into(),
        destination: s.destination,
        items,
        status,
        supplier: match (s.supplier_id, s.supplier_company) {
            (Some(id), Some(company)) => Some(Party { id, company }),
            _ => None,
        },
        share_message: s.share_message.unwrap_or_default(),
        mode: s.mode.as_deref().and_then(|m| ShippingMode::parse(m).ok()),
        carrier: s.carrier.unwrap_or_default(),
        ship_date: s.ship_date.unwrap_or_default(),
        pro_number: s.pro_number.unwrap_or_default(),
        version: s.version,
        boxes,
        timeline,
        suppliers,
        updated_at: s.updated_at,
    })
}

pub async fn list(
    me: SessionUser,
    seller: &str,
    status: &str,
    page: &str,
) -> Result<ShipmentList, AppError> {
    // Page numbers past what anyone has are simply empty; nonsense is page 1.
    let page = page.trim().parse::<i64>().unwrap_or(0).clamp(0, 100_000);
    let start = page * PAGE_SIZE;
    let state = state()?;
    let fail = || internal("listing shipments failed");
    let status = ShipmentStatus::parse(status.trim()).map(ShipmentStatus::code);
    let seller = Some(seller.trim()).filter(|s| !s.is_empty());
    let (side, rows, sellers) = if me.account_kind == "seller" {
        let rows = state
            .db
            .seller_shipments(&me.account_id, status, start, PAGE_SIZE)
            .await
            .map_err(fail())?;
        (Side::Seller, rows, Vec::new())
    } else {
        let rows = state
            .db
            .supplier_shipments(&me.account_id, seller, status, start, PAGE_SIZE)
            .await
            .map_err(fail())?;
        // The filter offers every connected seller, not only those on this page.
        let sellers = state
            .db
            .connections(&me.account_id)
            .await
            .map_err(fail())?
            .into_iter()
            .map(|c| Party {
                id: c.account_id,
                company: c.company_name,
            })
            .collect();
        (Side::Supplier, rows, sellers)
    };
    // The seller's name: the caller's own, or one of the sellers it is connected to
    // (the query keeps only those).
    let seller_name = |id: &str| {
        if side == Side::Seller {
            me.company_name.clone()
        } else {
            sellers
                .iter()
                .find(|p: &&Party| p.id == id)
                .map(|p| p.company.clone())
                .unwrap_or_default()
        }
    };
    let rows = rows
        .into_iter()
        .map(|r| {
            Ok(ShipmentSummary {
                status: status_of(&r.status)?,
                seller_company: seller_name(&r.seller_id),
                id: r.id,
                name: r.name,
                destination: r.destination,
                units: r.units,
                supplier_company: r.supplier_company,
                updated_at: r.updated_at,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ShipmentList {
        side,
        has_more: rows.len() as i64 == PAGE_SIZE,
        page,
        rows,
        sellers,
    })
}

pub async fn get(me: SessionUser, id: &str) -> Result<ShipmentView, AppError> {
    let state = state()?;
    let detail = detail_for(&state, &me, id).await?;
    to_view(&state, detail, &me).await
}

/// The item rows and the pasted list together, each SKU once.
fn parse_items(form: &ShipmentForm<'_>) -> Result<Vec<Item>, AppError> {
    let mut items: Vec<Item> = Vec::new();
    let mut push = |sku: Sku, quantity: Quantity, name: Option<ProductName>, prep_by: PrepBy| {
        if items.iter().any(|i| i.sku == sku.as_str()) {
            return Err(AppError::Input(InputError::SkuListedTwice));
        }
        items.push(Item {
            sku: sku.as_str().to_owned(),
            name: name.map(|n| n.as_str().to_owned()).unwrap_or_default(),
            quantity: i64::from(quantity.get()),
            prep_by: prep_by_code(prep_by).to_owned(),
        });
        Ok(())
    };
    for row in form.items {
        if row.sku.trim().is_empty() && row.quantity.trim().is_empty() && row.name.trim().is_empty()
        {
            continue;
        }
        let name = match row.name.trim() {
            "" => None,
            name => Some(ProductName::parse(name)?),
        };
        let prep_by = PrepBy::parse(if row.prep_by.trim().is_empty() {
            "seller"
        } else {
            &row.prep_by
        })?;
        push(
            Sku::parse(&row.sku)?,
            Quantity::parse(&row.quantity)?,
            name,
            prep_by,
        )?;
    }
    if !form.items_csv.trim().is_empty() {
        let prep_by = PrepBy::parse(if form.csv_prep_by.trim().is_empty() {
            "seller"
        } else {
            form.csv_prep_by
        })?;
        let lines = parse_items_csv(form.items_csv).map_err(AppError::ItemLines)?;
        for ItemLine {
            sku,
            quantity,
            name,
        } in lines
        {
            push(sku, quantity, name, prep_by)?;
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

fn prep_by_code(p: PrepBy) -> &'static str {
    match p {
        PrepBy::Seller => "seller",
        PrepBy::Supplier => "supplier",
    }
}

pub async fn save(
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
    let state = state()?;
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
        let current = as_seller(&state, &me, id).await?;
        let version = version_of(version)?;
        state
            .db
            .update_shipment(&current.id, &me.account_id, &new, version, &actor, now)
            .await
            .map_err(db_error("changing a shipment failed"))?;
        Ok(current.id)
    }
}

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
            emails::shipment_notice(
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
            let prep = t(
                lang,
                match i.prep_by {
                    PrepBy::Seller => Msg::PrepBySeller,
                    PrepBy::Supplier => Msg::PrepBySupplier,
                },
            );
            let name = if i.name.is_empty() {
                String::new()
            } else {
                format!(" ({})", i.name)
            };
            format!("{} × {}{name} — {prep}", i.sku, i.quantity)
        })
        .collect()
}

pub async fn share(
    me: SessionUser,
    id: &str,
    version: &str,
    supplier: &str,
    message: &str,
) -> Result<(), AppError> {
    // Sharing emails another company: as for invitations, a verified address first.
    if !me.verified {
        return Err(AppError::EmailNotVerified);
    }
    let state = state()?;
    let view = as_seller(&state, &me, id).await?;
    let version = version_of(version)?;
    let supplier = supplier.trim();
    if supplier.is_empty() {
        return Err(InputError::SupplierMissing.into());
    }
    let message = parse_share_message(message)?;
    if view.status != ShipmentStatus::Draft {
        return Err(AppError::WrongState);
    }
    let Some(to) = view.suppliers.iter().find(|p| p.id == supplier) else {
        return Err(AppError::NotConnected);
    };
    let link = shipment_link(&state, &view.id);
    let mails = to_admins(&state, &to.id, &link, |lang| {
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
        lines.extend(item_lines(lang, &view));
        if !message.is_empty() {
            lines.push(tf(lang, Msg::EmailSharedMessage, &[("message", &message)]));
        }
        let subject = tf(
            lang,
            Msg::EmailSharedSubject,
            &[("company", &me.company_name), ("shipment", &view.name)],
        );
        (subject, lines)
    })
    .await?;
    state
        .db
        .share_shipment(
            &view.id,
            &me.account_id,
            &to.id,
            &message,
            version,
            &actor(&me),
            &mails,
            state.clock.now(),
        )
        .await
        .map_err(db_error("sharing a shipment failed"))?;
    tracing::info!(shipment = %view.id, supplier = %to.id, "shipment shared");
    state.mail_wakeup.notify_one();
    Ok(())
}

/// The emails telling the supplier a shipment was taken back (`subject`, `body`), if
/// it was shared with one.
async fn taken_back_emails(
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

pub async fn stop_sharing(me: SessionUser, id: &str) -> Result<(), AppError> {
    let state = state()?;
    let view = as_seller(&state, &me, id).await?;
    let mails = taken_back_emails(
        &state,
        &me,
        &view,
        Msg::EmailUnsharedSubject,
        Msg::EmailUnsharedBody,
    )
    .await?;
    state
        .db
        .stop_sharing(
            &view.id,
            &me.account_id,
            &actor(&me),
            &mails,
            state.clock.now(),
        )
        .await
        .map_err(db_error("stopping a share failed"))?;
    state.mail_wakeup.notify_one();
    Ok(())
}

pub async fn cancel(me: SessionUser, id: &str) -> Result<(), AppError> {
    let state = state()?;
    let view = as_seller(&state, &me, id).await?;
    let mails = taken_back_emails(
        &state,
        &me,
        &view,
        Msg::EmailCancelledSubject,
        Msg::EmailCancelledBody,
    )
    .await?;
    state
        .db
        .cancel_shipment(
            &view.id,
            &me.account_id,
            &actor(&me),
            &mails,
            state.clock.now(),
        )
        .await
        .map_err(db_error("cancelling a shipment failed"))?;
    state.mail_wakeup.notify_one();
    Ok(())
}

pub async fn save_box(
    me: SessionUser,
    id: &str,
    version: &str,
    form: &BoxForm<'_>,
) -> Result<(), AppError> {
    let state = state()?;
    let view = as_supplier(&state, &me, id).await?;
    let version = version_of(version)?;
    if !matches!(
        view.status,
        ShipmentStatus::Shared | ShipmentStatus::Packing
    ) {
        return Err(AppError::WrongState);
    }
    if view.version != version {
        return Err(AppError::Stale);
    }
    let editing = match form.box_id.trim() {
        "" => None,
        key => {
            let key = box_key(key)?;
            view.boxes
                .iter()
                .find(|b| b.id == key)
                .ok_or(AppError::NotFound)?;
            Some(key)
        }
    };
    let ordered: Vec<(String, u32)> = view
        .items
        .iter()
        .map(|i| (i.sku.clone(), i.quantity))
        .collect();
    let elsewhere: Vec<(String, u32)> = view
        .boxes
        .iter()
        .filter(|b| Some(b.id.as_str()) != editing)
        .flat_map(|b| b.contents.iter().cloned())
        .collect();
    let lines: Vec<(String, String)> = form
        .contents
        .iter()
        .map(|l| (l.sku.clone(), l.quantity.clone()))
        .collect();
    let contents = check_box_contents(&ordered, &elsewhere, &lines)?;
    let weight_unit = WeightUnit::parse(form.weight_unit)?;
    let length_unit = LengthUnit::parse(form.length_unit)?;
    let weight = Weight::parse(form.weight, weight_unit)?;
    let [length, width, height] = [
        Length::parse(form.sides[0], length_unit)?,
        Length::parse(form.sides[1], length_unit)?,
        Length::parse(form.sides[2], length_unit)?,
    ];
    if view.mode == Some(ShippingMode::SmallParcel) {
        weight.check_small_parcel()?;
        for side in [length, width, height] {
            side.check_small_parcel()?;
        }
    }
    let new = NewBox {
        contents: contents
            .iter()
            .map(|(sku, q)| BoxItem {
                sku: sku.as_str().to_owned(),
                quantity: i64::from(q.get()),
            })
            .collect(),
        weight_g: i64::from(weight.grams()),
        length_mm: i64::from(length.mm()),
        width_mm: i64::from(width.mm()),
        height_mm: i64::from(height.mm()),
        weight_unit: unit_code(weight_unit).to_owned(),
        length_unit: length_unit_code(length_unit).to_owned(),
    };
    state
        .db
        .save_box(
            &view.id,
            &me.account_id,
            editing,
            &new,
            version,
            &actor(&me),
            state.clock.now(),
        )
        .await
        .map_err(db_error("saving a box failed"))?;
    Ok(())
}

fn unit_code(u: WeightUnit) -> &'static str {
    match u {
        WeightUnit::Kg => "kg",
        WeightUnit::Lb => "lb",
    }
}

fn length_unit_code(u: LengthUnit) -> &'static str {
    match u {
        LengthUnit::Cm => "cm",
        LengthUnit::In => "in",
    }
}

pub async fn delete_box(me: SessionUser, id: &str, box_id: &str) -> Result<(), AppError> {
    let key = box_key(box_id)?;
    let state = state()?;
    let view = as_supplier(&state, &me, id).await?;
    state
        .db
        .delete_box(
            &view.id,
            &me.account_id,
            key,
            &actor(&me),
            state.clock.now(),
        )
        .await
        .map_err(db_error("deleting a box failed"))
}

pub async fn save_shipping(
    me: SessionUser,
    id: &str,
    version: &str,
    mode: &str,
    carrier: &str,
    ship_date: &str,
) -> Result<(), AppError> {
    let state = state()?;
    let view = as_supplier(&state, &me, id).await?;
    let version = version_of(version)?;
    let mode = ShippingMode::parse(mode)?;
    let carrier = parse_carrier(carrier)?;
    let ship_date = parse_ship_date(ship_date)?;
    if view.status != ShipmentStatus::Packing {
        return Err(AppError::WrongState);
    }
    if view.version != version {
        return Err(AppError::Stale);
    }
    if view.boxes.is_empty() {
        return Err(InputError::NoBoxes.into());
    }
    if view.unboxed_units() > 0 {
        return Err(InputError::UnitsNotBoxed.into());
    }
    if mode == ShippingMode::SmallParcel {
        for b in &view.boxes {
            Weight::from_grams(b.weight_g).check_small_parcel()?;
            for side in [b.length_mm, b.width_mm, b.height_mm] {
                Length::from_mm(side).check_small_parcel()?;
            }
        }
    }
    state
        .db
        .save_shipping(
            &view.id,
            &me.account_id,
            mode.code(),
            &carrier,
            &ship_date,
            version,
            &actor(&me),
            state.clock.now(),
        )
        .await
        .map_err(db_error("saving shipping details failed"))
}

pub async fn reopen(me: SessionUser, id: &str) -> Result<(), AppError> {
    let state = state()?;
    let view = as_supplier(&state, &me, id).await?;
    state
        .db
        .reopen_packing(&view.id, &me.account_id, &actor(&me), state.clock.now())
        .await
        .map_err(db_error("reopening packing failed"))
}

pub async fn mark_shipped(
    me: SessionUser,
    id: &str,
    version: &str,
    tracking: &[TrackingInput],
    pro_number: &str,
) -> Result<(), AppError> {
    let state = state()?;
    let view = as_supplier(&state, &me, id).await?;
    let version = version_of(version)?;
    if view.status != ShipmentStatus::Labelled {
        return Err(AppError::WrongState);
    }
    if view.version != version {
        return Err(AppError::Stale);
    }
    let (numbers, pro_number) = match view.mode {
        Some(ShippingMode::Ltl) => (Vec::new(), Some(parse_tracking(pro_number)?)),
        _ => {
            let numbers = view
                .boxes
                .iter()
                .map(|b| {
                    let typed = tracking
                        .iter()
                        .find(|t| t.box_id.trim() == b.id)
                        .map(|t| t.number.as_str())
                        .unwrap_or("");
                    Ok(BoxTracking {
                        box_id: b.id.clone(),
                        number: parse_tracking(typed)?,
                    })
                })
                .collect::<Result<Vec<_>, InputError>>()?;
            (numbers, None)
        }
    };
    let link = shipment_link(&state, &view.id);
    let mails = to_admins(&state, &view.seller_id, &link, |lang| {
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
        match &pro_number {
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
    .await?;
    state
        .db
        .mark_shipped(
            &view.id,
            &me.account_id,
            &numbers,
            pro_number.as_deref(),
            version,
            &actor(&me),
            &mails,
            state.clock.now(),
        )
        .await
        .map_err(db_error("marking a shipment shipped failed"))?;
    tracing::info!(shipment = %view.id, "shipment shipped");
    state.mail_wakeup.notify_one();
    Ok(())
}

/// The labels PDF of a labelled (or shipped) shipment, for either of its sides.
pub async fn labels(
    state: &AppState,
    me: &SessionUser,
    id: &str,
    paper: Paper,
) -> Result<Vec<u8>, AppError> {
    let detail = detail_for(state, me, id).await?;
    let view = to_view(state, detail, me).await?;
    if !matches!(
        view.status,
        ShipmentStatus::Labelled | ShipmentStatus::Shipped
    ) {
        return Err(AppError::WrongState);
    }
    let boxes = view
        .boxes
        .iter()
        .map(|b| {
            let weight = Weight::from_grams(b.weight_g);
            let sides = [b.length_mm, b.width_mm, b.height_mm].map(Length::from_mm);
            LabelBox {
                box_id: box_label_id(&view.id, b.number),
                number: b.number,
                weight: format!("{:.2} kg ({:.2} lb)", weight.kg(), weight.lb()),
                dimensions: format!(
                    "{:.1} x {:.1} x {:.1} cm ({:.1} x {:.1} x {:.1} in)",
                    sides[0].cm(),
                    sides[1].cm(),
                    sides[2].cm(),
                    sides[0].inches(),
                    sides[1].inches(),
                    sides[2].inches()
                ),
            }
        })
        .collect();
    Ok(super::labels::labels_pdf(&LabelSheet {
        shipment_id: view.id.clone(),
        shipment_name: view.name.clone(),
        seller_company: view.seller_company.clone(),
        ship_from: view.ship_from.lines(),
        destination: view.destination.clone(),
        boxes,
        paper,
    }))
}

/// The id on a box's label and in its barcode: the shipment id, `U`, the box number.
pub fn box_label_id(shipment_id: &str, number: u32) -> String {
    format!("{shipment_id}U{number:03}")
}
