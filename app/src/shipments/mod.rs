//! Shipments: the seller creates one and shares it from its Prepare Shipment page with
//! a connected supplier, who packs it into boxes, prints labels, enters tracking and
//! marks it shipped, while the seller's page follows each step live.
//!
//! Server functions and the types they exchange here; the storage in `db::shipments`;
//! the server side in `ssr/` (reads, seller steps, supplier steps, emails, labels);
//! pages in `list.rs`, `form.rs` and `page.rs`; the
//! labels PDF in `labels.rs`.

// Server functions take one argument per form field (a plain HTML form posts them so),
// and `#[server]` does not carry an `allow` on the function to the browser's client.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
pub mod box_contents;
mod form;
#[cfg(feature = "ssr")]
pub mod labels;
mod list;
#[cfg(feature = "ssr")]
pub mod pack_list;
mod page;
#[cfg(feature = "ssr")]
pub mod ssr;
mod stock;
#[cfg(feature = "ssr")]
pub mod unit_labels;

pub use form::{EditShipmentPage, NewShipmentPage};
pub use list::ShipmentsPage;
pub use page::ShipmentPage;
pub use stock::{units_to_label, LabelStock};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::shipment::{Address, LengthUnit, PrepBy, ShippingMode, WeightUnit};
use crate::error::AppError;
use crate::i18n::Msg;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    Draft,
    Shared,
    Packing,
    Labelled,
    Shipped,
    Cancelled,
}

impl ShipmentStatus {
    pub const ALL: [ShipmentStatus; 6] = [
        ShipmentStatus::Draft,
        ShipmentStatus::Shared,
        ShipmentStatus::Packing,
        ShipmentStatus::Labelled,
        ShipmentStatus::Shipped,
        ShipmentStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ShipmentStatus::Draft => "draft",
            ShipmentStatus::Shared => "shared",
            ShipmentStatus::Packing => "packing",
            ShipmentStatus::Labelled => "labelled",
            ShipmentStatus::Shipped => "shipped",
            ShipmentStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<ShipmentStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn msg(self) -> Msg {
        match self {
            ShipmentStatus::Draft => Msg::StatusDraft,
            ShipmentStatus::Shared => Msg::StatusShared,
            ShipmentStatus::Packing => Msg::StatusPacking,
            ShipmentStatus::Labelled => Msg::StatusLabelled,
            ShipmentStatus::Shipped => Msg::StatusShipped,
            ShipmentStatus::Cancelled => Msg::StatusCancelled,
        }
    }

    /// Before it ships, the seller can still take it back.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ShipmentStatus::Shared | ShipmentStatus::Packing | ShipmentStatus::Labelled
        )
    }
}

/// Which side of the shipment the caller is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Seller,
    Supplier,
}

/// An account on the other side, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub id: String,
    pub company: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentSummary {
    pub id: String,
    pub name: String,
    pub destination: String,
    pub units: i64,
    pub status: ShipmentStatus,
    pub seller_company: String,
    pub supplier_company: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentList {
    pub side: Side,
    pub rows: Vec<ShipmentSummary>,
    /// For the supplier's filter: the sellers it is connected to.
    pub sellers: Vec<Party>,
    /// Which page of 50 this is (0 = the newest), and whether older ones follow.
    pub page: i64,
    pub has_more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub sku: String,
    pub name: String,
    pub quantity: u32,
    pub prep_by: PrepBy,
    /// FNSKU or ASIN, what the fulfillment center scans on a unit.
    pub fnsku: Option<String>,
    /// UPC-A or EAN-13.
    pub upc: Option<String>,
    /// Whether its units carry an expiry date.
    pub expires: bool,
    /// Units not in any box yet.
    pub unboxed: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxView {
    pub id: String,
    /// 1, 2, … in packing order ("box 2 of 5").
    pub number: u32,
    pub contents: Vec<(String, u32)>,
    /// The expiry date (YYYY-MM-DD) of each SKU in the box whose units expire.
    pub expiry_dates: Vec<(String, String)>,
    pub weight_g: u32,
    pub length_mm: u32,
    pub width_mm: u32,
    pub height_mm: u32,
    pub weight_unit: WeightUnit,
    pub length_unit: LengthUnit,
    pub tracking: Option<String>,
}

/// One pallet of an LTL shipment: gross weight and height, pallet included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PalletView {
    pub weight_g: u32,
    pub height_mm: u32,
    pub weight_unit: WeightUnit,
    pub length_unit: LengthUnit,
    /// Whether another pallet may stand on it.
    pub stackable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineAction {
    Created,
    Edited,
    Shared,
    Unshared,
    BoxSaved,
    BoxDeleted,
    ShippingSaved,
    Reopened,
    Shipped,
    Cancelled,
    ConnectionRemoved,
}

impl TimelineAction {
    pub const ALL: [TimelineAction; 11] = [
        TimelineAction::Created,
        TimelineAction::Edited,
        TimelineAction::Shared,
        TimelineAction::Unshared,
        TimelineAction::BoxSaved,
        TimelineAction::BoxDeleted,
        TimelineAction::ShippingSaved,
        TimelineAction::Reopened,
        TimelineAction::Shipped,
        TimelineAction::Cancelled,
        TimelineAction::ConnectionRemoved,
    ];

    /// The code the storage records in the timeline.
    pub fn code(self) -> &'static str {
        match self {
            TimelineAction::Created => "created",
            TimelineAction::Edited => "edited",
            TimelineAction::Shared => "shared",
            TimelineAction::Unshared => "unshared",
            TimelineAction::BoxSaved => "box_saved",
            TimelineAction::BoxDeleted => "box_deleted",
            TimelineAction::ShippingSaved => "shipping_saved",
            TimelineAction::Reopened => "reopened",
            TimelineAction::Shipped => "shipped",
            TimelineAction::Cancelled => "cancelled",
            TimelineAction::ConnectionRemoved => "connection_removed",
        }
    }

    pub fn parse(code: &str) -> Option<TimelineAction> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn msg(self) -> Msg {
        match self {
            TimelineAction::Created => Msg::EventCreated,
            TimelineAction::Edited => Msg::EventEdited,
            TimelineAction::Shared => Msg::EventShared,
            TimelineAction::Unshared => Msg::EventUnshared,
            TimelineAction::BoxSaved => Msg::EventBoxSaved,
            TimelineAction::BoxDeleted => Msg::EventBoxDeleted,
            TimelineAction::ShippingSaved => Msg::EventShippingSaved,
            TimelineAction::Reopened => Msg::EventReopened,
            TimelineAction::Shipped => Msg::EventShipped,
            TimelineAction::Cancelled => Msg::EventCancelled,
            TimelineAction::ConnectionRemoved => Msg::EventConnectionRemoved,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub action: TimelineAction,
    pub actor_name: String,
    pub actor_company: String,
    pub detail: String,
    /// Unix seconds.
    pub at: i64,
}

/// A shipment as one of its two sides sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentView {
    pub id: String,
    pub side: Side,
    pub name: String,
    pub seller_id: String,
    pub seller_company: String,
    pub ship_from: Address,
    pub destination: String,
    pub items: Vec<ItemView>,
    pub status: ShipmentStatus,
    pub supplier: Option<Party>,
    pub share_message: String,
    pub mode: Option<ShippingMode>,
    pub carrier: String,
    pub ship_date: String,
    pub pro_number: String,
    /// The marketplace's id of the shipment (FBA…), once the supplier entered it.
    pub fba_id: Option<String>,
    /// An LTL shipment's pallets, once the supplier entered them.
    pub pallets: Vec<PalletView>,
    /// What a change made from this view is based on; a save on an older version
    /// is refused, so two tabs never overwrite each other.
    pub version: i64,
    pub boxes: Vec<BoxView>,
    /// The box being filled by scanning: units of each SKU, in first-scanned order.
    pub open_box: Vec<(String, u32)>,
    pub timeline: Vec<TimelineEntry>,
    /// For the seller's Share Shipment choice: its connected suppliers.
    pub suppliers: Vec<Party>,
    pub updated_at: i64,
}

impl ShipmentView {
    pub fn units(&self) -> u32 {
        self.items.iter().map(|i| i.quantity).sum()
    }

    pub fn unboxed_units(&self) -> u32 {
        self.items.iter().map(|i| i.unboxed).sum()
    }

    /// The item a scanner (or a person) typed `code` for: its FNSKU or ASIN, its UPC or
    /// EAN (a UPC-A read as 13 digits with a leading 0 too), or its SKU; letters in
    /// any case, spaces and hyphens of a printed code ignored for the barcodes.
    pub fn item_scanned(&self, code: &str) -> Option<&ItemView> {
        let code = code.trim();
        let compact: String = code
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        let same_upc = |upc: &str| {
            upc == compact
                || (compact.len() == 13 && compact.strip_prefix('0') == Some(upc))
                || (upc.len() == 13 && upc.strip_prefix('0') == Some(compact.as_str()))
        };
        let by = |matches: &dyn Fn(&ItemView) -> bool| self.items.iter().find(|i| matches(i));
        (!compact.is_empty()).then_some(())?;
        by(&|i| i.fnsku.as_deref() == Some(compact.as_str()))
            .or_else(|| by(&|i| i.upc.as_deref().is_some_and(same_upc)))
            .or_else(|| by(&|i| i.sku.eq_ignore_ascii_case(code)))
    }

    /// Units of `sku` in the box being filled by scanning.
    pub fn in_open_box(&self, sku: &str) -> u32 {
        self.open_box
            .iter()
            .find(|(s, _)| s == sku)
            .map_or(0, |(_, n)| *n)
    }
}

/// What a scan did: the item it added a unit of, what the open box holds now, and how
/// many units of the item are left to pack after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scanned {
    pub sku: String,
    pub name: String,
    pub open_box: Vec<(String, u32)>,
    pub left: u32,
}

/// One row of the item table as typed in the form; blank rows are skipped. A field
/// the form did not send (an unticked box, an older page) is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemInput {
    pub sku: String,
    pub name: String,
    pub quantity: String,
    pub prep_by: String,
    pub fnsku: String,
    pub upc: String,
    /// `on` when the expiry box is ticked (what a checkbox posts), `yes`/`no` too.
    pub expires: String,
}

/// One SKU's units in a box, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxLineInput {
    pub sku: String,
    pub quantity: String,
    /// The units' expiry date, YYYY-MM-DD (a date input's value), for an item that expires.
    #[serde(default)]
    pub expiry: String,
}

/// One pallet's row of the shipping form, as typed; blank rows are skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PalletInput {
    pub weight: String,
    pub weight_unit: String,
    pub height: String,
    pub length_unit: String,
    /// `on` when the box is ticked (what a checkbox posts).
    pub stackable: String,
}

/// One box's tracking number, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingInput {
    pub box_id: String,
    pub number: String,
}

#[server(endpoint = "shipments/list")]
pub async fn list_shipments(
    #[server(default)] seller: String,
    #[server(default)] status: String,
    #[server(default)] page: String,
) -> Result<ShipmentList, AppError> {
    use crate::server::boundary;
    boundary("shipments.list", |cx| async move {
        ssr::list(&cx, cx.require_user().await?, &seller, &status, &page).await
    })
    .await
}

#[server(endpoint = "shipments/get")]
pub async fn get_shipment(id: String) -> Result<ShipmentView, AppError> {
    use crate::server::boundary;
    boundary("shipments.get", |cx| async move {
        ssr::get(&cx, cx.require_user().await?, &id).await
    })
    .await
}

/// Creates a shipment (`id` empty) or changes a draft, then opens its page.
#[server(endpoint = "shipments/save")]
pub async fn save_shipment(
    #[server(default)] id: String,
    #[server(default)] version: String,
    name: String,
    from_name: String,
    from_line1: String,
    #[server(default)] from_line2: String,
    from_city: String,
    #[server(default)] from_region: String,
    #[server(default)] from_postal_code: String,
    from_country: String,
    #[server(default)] from_phone: String,
    destination: String,
    #[server(default)] items: Vec<ItemInput>,
    #[server(default)] items_csv: String,
    #[server(default)] csv_prep_by: String,
) -> Result<String, AppError> {
    use crate::server::boundary;
    boundary("shipments.save", |cx| async move {
        let me = cx.require_user().await?;
        let address = Address {
            name: from_name,
            line1: from_line1,
            line2: from_line2,
            city: from_city,
            region: from_region,
            postal_code: from_postal_code,
            country: from_country,
            phone: from_phone,
        };
        let form = ssr::ShipmentForm {
            name: &name,
            address: &address,
            destination: &destination,
            items: &items,
            items_csv: &items_csv,
            csv_prep_by: &csv_prep_by,
        };
        let id = ssr::save(&cx, me, &id, &version, &form).await?;
        cx.redirect(&format!("/shipments/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "shipments/share")]
pub async fn share_shipment(
    id: String,
    #[server(default)] version: String,
    #[server(default)] supplier: String,
    #[server(default)] message: String,
) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("shipments.share", |cx| async move {
        ssr::share(
            &cx,
            cx.require_user().await?,
            &id,
            &version,
            &supplier,
            &message,
        )
        .await
    })
    .await
}

#[server(endpoint = "shipments/stop_sharing")]
pub async fn stop_sharing(id: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("shipments.stop_sharing", |cx| async move {
        ssr::stop_sharing(&cx, cx.require_user().await?, &id).await
    })
    .await
}

#[server(endpoint = "shipments/cancel")]
pub async fn cancel_shipment(id: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("shipments.cancel", |cx| async move {
        ssr::cancel(&cx, cx.require_user().await?, &id).await
    })
    .await
}

/// Adds one unit of the item whose FNSKU, UPC or SKU was scanned to the box being
/// filled by scanning. A plain form post (before the wasm loads) comes back to the
/// page with `?scanned=` naming the item.
#[server(endpoint = "shipments/scan")]
pub async fn scan_unit(id: String, code: String) -> Result<Scanned, AppError> {
    use crate::server::boundary;
    boundary("shipments.scan", |cx| async move {
        let me = cx.require_user().await?;
        let scanned = ssr::scan_unit(&cx, me, &id, &code).await?;
        cx.redirect_form_post(&format!(
            "/shipments/{}?scanned={}#scan",
            id.trim(),
            crate::text::encode_query_value(&scanned.sku)
        ));
        Ok(scanned)
    })
    .await
}

/// Adds a box (`box_id` empty) or changes one, based on `version`; answers the
/// shipment's version after it, on which the next box can be saved at once.
/// `from_scan`: the new box is the one filled by scanning (its contents as the page
/// read them; only the expiry dates come from the form).
#[server(endpoint = "shipments/save_box")]
pub async fn save_box(
    id: String,
    version: String,
    #[server(default)] box_id: String,
    #[server(default)] from_scan: String,
    #[server(default)] contents: Vec<BoxLineInput>,
    weight: String,
    weight_unit: String,
    length: String,
    width: String,
    height: String,
    length_unit: String,
) -> Result<i64, AppError> {
    use crate::server::boundary;
    boundary("shipments.save_box", |cx| async move {
        let me = cx.require_user().await?;
        let input = ssr::BoxForm {
            box_id: &box_id,
            from_scan: from_scan == "1",
            contents: &contents,
            weight: &weight,
            weight_unit: &weight_unit,
            sides: [&length, &width, &height],
            length_unit: &length_unit,
        };
        let saved = ssr::save_box(&cx, me, &id, &version, &input).await?;
        // Back to the page without `?box=`: the form adds the next box (or, after
        // closing the scanned box, the next scan).
        if input.from_scan {
            cx.redirect(&format!("/shipments/{}?scan=1#scan", id.trim()));
        } else {
            cx.redirect(&format!("/shipments/{}", id.trim()));
        }
        Ok(saved)
    })
    .await
}

#[server(endpoint = "shipments/delete_box")]
pub async fn delete_box(id: String, box_id: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("shipments.delete_box", |cx| async move {
        ssr::delete_box(&cx, cx.require_user().await?, &id, &box_id).await
    })
    .await
}

#[server(endpoint = "shipments/save_shipping")]
pub async fn save_shipping(
    id: String,
    version: String,
    #[server(default)] mode: String,
    #[server(default)] carrier: String,
    #[server(default)] ship_date: String,
    #[server(default)] fba_id: String,
    #[server(default)] pallets: Vec<PalletInput>,
) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("shipments.save_shipping", |cx| async move {
        ssr::save_shipping(
            &cx,
            cx.require_user().await?,
            &id,
            &version,
            [&mode, &carrier, &ship_date, &fba_id],
            &pallets,
        )
        .await
    })
    .await
}

#[server(endpoint = "shipments/reopen")]
pub async fn reopen_packing(id: String) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("shipments.reopen", |cx| async move {
        ssr::reopen(&cx, cx.require_user().await?, &id).await
    })
    .await
}

#[server(endpoint = "shipments/mark_shipped")]
pub async fn mark_shipped(
    id: String,
    version: String,
    #[server(default)] tracking: Vec<TrackingInput>,
    #[server(default)] pro_number: String,
) -> Result<(), AppError> {
    use crate::server::boundary;
    boundary("shipments.mark_shipped", |cx| async move {
        ssr::mark_shipped(
            &cx,
            cx.require_user().await?,
            &id,
            &version,
            &tracking,
            &pro_number,
        )
        .await
    })
    .await
}
