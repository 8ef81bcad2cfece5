//! The supplier's steps: boxes, shipping and labels, tracking and shipped.

use db::sessions::SessionUser;
use db::shipments::{BoxItem, BoxTracking, NewBox, PalletRow, Shipping, Step};

use super::emails;
use super::*;
use crate::connections::ssr::actor;
use crate::domain::shipment::{
    check_box_contents, check_expiry_dates, parse_carrier, parse_fba_id, parse_pallets,
    parse_ship_date, parse_tracking, Length, PalletsRefused, Weight, SMALL_PARCEL_MAX_BOXES,
};
use crate::domain::InputError;
use crate::server::{db_error, Ctx};

/// The checks below read the shipment as it is now; they mean something only for a
/// form based on this version, at a step the shipment can take now. Otherwise the
/// storage would refuse the change whatever the form says, and that is what the
/// user hears (by the storage's own table, [`Step::refusal`]).
fn form_applies(view: &ShipmentView, step: Step, version: i64) -> Result<(), AppError> {
    match step.refusal(view.status.code(), view.version, version) {
        Some(refusal) => Err(refusal.into()),
        None => Ok(()),
    }
}

pub async fn save_box(
    cx: &Ctx,
    me: SessionUser,
    id: &str,
    version: &str,
    form: &BoxForm<'_>,
) -> Result<i64, AppError> {
    let state = &cx.state;
    let view = as_supplier(state, &me, id).await?;
    let version = version_of(version)?;
    form_applies(&view, Step::SaveBox, version)?;
    let editing = match form.box_id.trim() {
        "" => None,
        key => {
            let key = box_key(key)?;
            view.boxes
                .iter()
                .find(|b| b.id == key)
                .ok_or(AppError::Refused(Refusal::NotFound))?;
            Some(key)
        }
    };
    let ordered: Vec<(String, u32)> = view
        .items
        .iter()
        .map(|i| (i.sku.clone(), i.quantity))
        .collect();
    let from_scan = form.from_scan && editing.is_none();
    // Units in the box being filled by scanning are packed already, unless this is it.
    let scanning = if from_scan {
        &[][..]
    } else {
        &view.open_box[..]
    };
    let elsewhere: Vec<(String, u32)> = view
        .boxes
        .iter()
        .filter(|b| Some(b.id.as_str()) != editing)
        .flat_map(|b| b.contents.iter().cloned())
        .chain(scanning.iter().cloned())
        .collect();
    let lines: Vec<(String, String)> = form
        .contents
        .iter()
        .map(|l| (l.sku.clone(), l.quantity.clone()))
        .collect();
    // The box closed is the open box as the packer saw it: a unit scanned since (by
    // another packer, say) makes the form stale rather than go in unseen.
    if from_scan {
        let mut seen: Vec<(String, String)> = lines
            .iter()
            .map(|(sku, n)| (sku.trim().to_owned(), n.trim().to_owned()))
            .filter(|(_, n)| !n.is_empty() && n != "0")
            .collect();
        let mut open: Vec<(String, String)> = view
            .open_box
            .iter()
            .map(|(sku, n)| (sku.clone(), n.to_string()))
            .collect();
        seen.sort();
        open.sort();
        if seen != open {
            return Err(Refusal::Stale.into());
        }
    }
    let contents = check_box_contents(&ordered, &elsewhere, &lines)?;
    let expiring: Vec<&str> = view
        .items
        .iter()
        .filter(|i| i.expires)
        .map(|i| i.sku.as_str())
        .collect();
    let typed: Vec<(String, String)> = form
        .contents
        .iter()
        .map(|l| (l.sku.clone(), l.expiry.clone()))
        .collect();
    let dates = check_expiry_dates(&contents, &expiring, &typed)?;
    let weight_unit = WeightUnit::parse(form.weight_unit)?;
    let length_unit = LengthUnit::parse(form.length_unit)?;
    let weight = Weight::parse(form.weight, weight_unit)?;
    let [length, width, height] = [
        Length::parse(form.sides[0], length_unit)?,
        Length::parse(form.sides[1], length_unit)?,
        Length::parse(form.sides[2], length_unit)?,
    ];
    if view.mode == Some(ShippingMode::SmallParcel) {
        weight.check_small_parcel(weight_unit)?;
        for side in [length, width, height] {
            side.check_small_parcel(length_unit)?;
        }
        if editing.is_none() && view.boxes.len() >= SMALL_PARCEL_MAX_BOXES {
            return Err(InputError::TooManySmallParcelBoxes.into());
        }
    }
    let new = NewBox {
        contents: contents
            .iter()
            .map(|(sku, q)| BoxItem {
                sku: sku.as_str().to_owned(),
                quantity: i64::from(q.get()),
                expiry: dates
                    .iter()
                    .find(|(s, _)| s == sku.as_str())
                    .map(|(_, date)| date.clone()),
            })
            .collect(),
        weight_g: i64::from(weight.grams()),
        length_mm: i64::from(length.mm()),
        width_mm: i64::from(width.mm()),
        height_mm: i64::from(height.mm()),
        weight_unit: weight_unit.code().to_owned(),
        length_unit: length_unit.code().to_owned(),
    };
    state
        .db
        .save_box(
            &view.id,
            &me.account_id,
            editing,
            &new,
            from_scan,
            version,
            &actor(&me),
            cx.now(),
        )
        .await
        .map_err(db_error("saving a box failed"))?;
    // The step's transaction moved the version it checked on by one.
    Ok(version + 1)
}

/// Adds one unit of the item `code` names to the box being filled by scanning.
pub async fn scan_unit(
    cx: &Ctx,
    me: SessionUser,
    id: &str,
    code: &str,
) -> Result<super::Scanned, AppError> {
    let state = &cx.state;
    let view = as_supplier(state, &me, id).await?;
    if !matches!(
        view.status,
        ShipmentStatus::Shared | ShipmentStatus::Packing
    ) {
        return Err(Refusal::WrongState.into());
    }
    let item = view
        .item_scanned(code)
        .ok_or(InputError::ScanNotInShipment)?;
    // Checked here to answer at once; the transaction checks again.
    if item.unboxed <= view.in_open_box(&item.sku) {
        return Err(Refusal::NothingLeft.into());
    }
    let open = state
        .db
        .scan_unit(&view.id, &me.account_id, &item.sku, cx.now())
        .await
        .map_err(db_error("scanning a unit failed"))?;
    let open_box: Vec<(String, u32)> = open
        .into_iter()
        .map(|l| (l.sku, l.quantity as u32))
        .collect();
    let now_in = open_box
        .iter()
        .find(|(s, _)| *s == item.sku)
        .map_or(0, |(_, n)| *n);
    Ok(super::Scanned {
        sku: item.sku.clone(),
        name: item.name.clone(),
        left: item.unboxed.saturating_sub(now_in),
        open_box,
    })
}

pub async fn delete_box(cx: &Ctx, me: SessionUser, id: &str, box_id: &str) -> Result<(), AppError> {
    let key = box_key(box_id)?;
    let state = &cx.state;
    let view = as_supplier(state, &me, id).await?;
    state
        .db
        .delete_box(&view.id, &me.account_id, key, &actor(&me), cx.now())
        .await
        .map_err(db_error("deleting a box failed"))
}

pub async fn save_shipping(
    cx: &Ctx,
    me: SessionUser,
    id: &str,
    version: &str,
    [mode, carrier, ship_date, fba_id]: [&str; 4],
    pallets: &[PalletInput],
) -> Result<(), AppError> {
    let state = &cx.state;
    let view = as_supplier(state, &me, id).await?;
    let version = version_of(version)?;
    form_applies(&view, Step::SaveShipping, version)?;
    let mode = ShippingMode::parse(mode)?;
    let carrier = parse_carrier(carrier)?;
    let ship_date = parse_ship_date(ship_date)?;
    let fba_id = parse_fba_id(fba_id)?;
    // Pallets go with LTL; a small-parcel form's rows (hidden) are ignored.
    let pallets = if mode == ShippingMode::Ltl {
        let rows: Vec<[&str; 5]> = pallets
            .iter()
            .map(|p| {
                [
                    p.weight.as_str(),
                    p.weight_unit.as_str(),
                    p.height.as_str(),
                    p.length_unit.as_str(),
                    p.stackable.as_str(),
                ]
            })
            .collect();
        let pallets = parse_pallets(&rows).map_err(|refused| match refused {
            PalletsRefused::TooMany => AppError::Input(InputError::TooManyPallets),
            PalletsRefused::Rows(rows) => AppError::PalletLines(rows),
        })?;
        if pallets.is_empty() {
            return Err(InputError::NoPallets.into());
        }
        pallets
    } else {
        Vec::new()
    };
    if view.boxes.is_empty() {
        return Err(InputError::NoBoxes.into());
    }
    if view.unboxed_units() > 0 {
        return Err(InputError::UnitsNotBoxed.into());
    }
    if mode == ShippingMode::SmallParcel {
        if view.boxes.len() > SMALL_PARCEL_MAX_BOXES {
            return Err(InputError::TooManySmallParcelBoxes.into());
        }
        for b in &view.boxes {
            Weight::from_grams(b.weight_g).check_small_parcel(b.weight_unit)?;
            for side in [b.length_mm, b.width_mm, b.height_mm] {
                Length::from_mm(side).check_small_parcel(b.length_unit)?;
            }
        }
    }
    state
        .db
        .save_shipping(
            &view.id,
            &me.account_id,
            &Shipping {
                mode: mode.code().to_owned(),
                carrier,
                ship_date,
                fba_id,
                pallets: pallets
                    .iter()
                    .map(|p| PalletRow {
                        weight_g: i64::from(p.weight.grams()),
                        height_mm: i64::from(p.height.mm()),
                        weight_unit: p.weight_unit.code().to_owned(),
                        length_unit: p.length_unit.code().to_owned(),
                        stackable: p.stackable,
                    })
                    .collect(),
            },
            version,
            &actor(&me),
            cx.now(),
        )
        .await
        .map_err(db_error("saving shipping details failed"))
}

pub async fn reopen(cx: &Ctx, me: SessionUser, id: &str) -> Result<(), AppError> {
    let state = &cx.state;
    let view = as_supplier(state, &me, id).await?;
    state
        .db
        .reopen_packing(&view.id, &me.account_id, &actor(&me), cx.now())
        .await
        .map_err(db_error("reopening packing failed"))
}

pub async fn mark_shipped(
    cx: &Ctx,
    me: SessionUser,
    id: &str,
    version: &str,
    tracking: &[TrackingInput],
    pro_number: &str,
) -> Result<(), AppError> {
    let state = &cx.state;
    let view = as_supplier(state, &me, id).await?;
    let version = version_of(version)?;
    form_applies(&view, Step::MarkShipped, version)?;
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
    let mails = emails::shipped(state, &me, &view, &numbers, pro_number.as_deref()).await?;
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
            cx.now(),
        )
        .await
        .map_err(db_error("marking a shipment shipped failed"))?;
    tracing::info!(shipment = %view.id, "shipment shipped");
    state.mail_wakeup.notify_one();
    Ok(())
}
