//! The server side of shipments: parse, check who is calling and what they may do,
//! render emails, and call the storage, which scopes every change by the caller's
//! account and checks the step against the shipment's state machine
//! (`db::shipments::Step`), inside its transaction. Before it, a form is checked
//! against the shipment as read only where the same table says the step may be taken
//! on that version (`Step::refusal`); reading labels needs them printed.
//!
//! `reads` (the list and a shipment's page), `seller` (create, edit, share, take back,
//! cancel), `supplier` (boxes, shipping, tracking), `emails`, `labels`.

mod emails;
mod labels;
mod reads;
mod seller;
mod supplier;

pub use labels::{box_label_id, labels, pack_list, unit_labels};
pub use reads::{get, list};
pub use seller::{cancel, save, share, stop_sharing};
pub use supplier::{delete_box, mark_shipped, reopen, save_box, save_shipping, scan_unit};

use db::sessions::SessionUser;
use db::shipments::{Address as StoredAddress, Role, ShipmentDetail};
use db::Refusal;

use super::*;
use crate::domain::shipment::unboxed;
use crate::server::{internal, AppState};

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
    /// The new box is the open box filled by scanning.
    pub from_scan: bool,
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

pub(super) fn status_of(code: &str) -> Result<ShipmentStatus, AppError> {
    ShipmentStatus::parse(code).ok_or_else(|| {
        tracing::error!(status = code, "unknown shipment status in the database");
        AppError::Internal
    })
}

pub(super) fn version_of(input: &str) -> Result<i64, AppError> {
    // A version the page did not send is a page older than this server: reload.
    input
        .trim()
        .parse()
        .map_err(|_| AppError::Refused(Refusal::Stale))
}

/// Box ids come from our own pages; anything else cannot name a box.
pub(super) fn box_key(input: &str) -> Result<&str, AppError> {
    let key = input.trim();
    if !key.is_empty() && key.len() <= 40 && key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(key)
    } else {
        Err(AppError::Refused(Refusal::NotFound))
    }
}

/// The shipment as the caller may see it, or `NotFound`.
pub(super) async fn detail_for(
    state: &AppState,
    me: &SessionUser,
    id: &str,
) -> Result<ShipmentDetail, AppError> {
    let id = id.trim();
    if id.is_empty() || id.len() > 40 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::Refused(Refusal::NotFound));
    }
    state
        .db
        .shipment_for(id, &me.account_id)
        .await
        .map_err(internal("reading a shipment failed"))?
        .ok_or(AppError::Refused(Refusal::NotFound))
}

/// The shipment, if the caller is the supplier it is shared with.
pub(super) async fn as_supplier(
    state: &AppState,
    me: &SessionUser,
    id: &str,
) -> Result<ShipmentView, AppError> {
    as_side(state, me, id, Role::Supplier).await
}

/// The shipment, if the caller is its seller.
pub(super) async fn as_seller(
    state: &AppState,
    me: &SessionUser,
    id: &str,
) -> Result<ShipmentView, AppError> {
    as_side(state, me, id, Role::Seller).await
}

/// The shipment, if the caller is on `side` of it: on the other side, `Forbidden`.
async fn as_side(
    state: &AppState,
    me: &SessionUser,
    id: &str,
    side: Role,
) -> Result<ShipmentView, AppError> {
    let detail = detail_for(state, me, id).await?;
    if detail.role != side {
        return Err(AppError::Forbidden);
    }
    to_view(state, detail, me).await
}

pub(super) async fn to_view(
    state: &AppState,
    detail: ShipmentDetail,
    me: &SessionUser,
) -> Result<ShipmentView, AppError> {
    let ShipmentDetail {
        role,
        shipment: s,
        boxes,
        open_box,
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
                fnsku: item.fnsku.clone(),
                upc: item.upc.clone(),
                expires: item.expires,
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
            expiry_dates: b
                .contents
                .iter()
                .filter_map(|c| Some((c.sku.clone(), c.expiry.clone()?)))
                .collect(),
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
        fba_id: s.fba_id,
        pallets: s
            .pallets
            .unwrap_or_default()
            .into_iter()
            .map(|p| PalletView {
                weight_g: p.weight_g as u32,
                height_mm: p.height_mm as u32,
                weight_unit: WeightUnit::parse(&p.weight_unit).unwrap_or(WeightUnit::Kg),
                length_unit: LengthUnit::parse(&p.length_unit).unwrap_or(LengthUnit::Cm),
                stackable: p.stackable,
            })
            .collect(),
        version: s.version,
        boxes,
        open_box: open_box
            .into_iter()
            .map(|l| (l.sku, l.quantity as u32))
            .collect(),
        timeline,
        suppliers,
        updated_at: s.updated_at,
    })
}
