//! The labels PDF of a shipment.

use db::sessions::SessionUser;

use super::*;
use crate::domain::shipment::{Length, Weight};
use crate::shipments::box_contents::{self, ContentLine};
use crate::shipments::labels::{LabelBox, LabelPallet, LabelSheet, Paper};

/// The box labels of a labelled (or shipped) shipment, for either of its sides: a PDF
/// on `paper`, or ZPL for a thermal printer (`zpl`).
pub async fn labels(
    state: &AppState,
    me: &SessionUser,
    id: &str,
    paper: Paper,
    zpl: bool,
) -> Result<Vec<u8>, AppError> {
    let detail = detail_for(state, me, id).await?;
    let view = to_view(state, detail, me).await?;
    if !matches!(
        view.status,
        ShipmentStatus::Labelled | ShipmentStatus::Shipped
    ) {
        return Err(AppError::Refused(Refusal::WrongState));
    }
    let boxes = view
        .boxes
        .iter()
        .map(|b| {
            let item = |sku: &str| view.items.iter().find(|i| i.sku == sku);
            let (mut contents, mut without_code) = (Vec::new(), Vec::new());
            for (sku, quantity) in &b.contents {
                let code = item(sku)
                    .and_then(|i| box_contents::item_code(i.fnsku.as_deref(), i.upc.as_deref()));
                let expiry = b.expiry_dates.iter().find(|(s, _)| s == sku);
                match code {
                    Some(code) => contents.push(ContentLine {
                        sku: sku.clone(),
                        code,
                        quantity: *quantity,
                        expiry: expiry.and_then(|(_, date)| box_contents::yymmdd(date)),
                    }),
                    None => without_code.push(sku.clone()),
                }
            }
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
                contents,
                without_code,
            }
        })
        .collect();
    let sheet = LabelSheet {
        shipment_id: view.id.clone(),
        po: view.fba_id.clone(),
        shipment_name: view.name.clone(),
        seller_company: view.seller_company.clone(),
        ship_from: view.ship_from.lines(),
        destination: view.destination.clone(),
        boxes,
        pallets: view
            .pallets
            .iter()
            .enumerate()
            .map(|(n, p)| {
                let (weight, height) =
                    (Weight::from_grams(p.weight_g), Length::from_mm(p.height_mm));
                LabelPallet {
                    number: n as u32 + 1,
                    weight: format!("{:.2} kg ({:.2} lb)", weight.kg(), weight.lb()),
                    height: format!(
                        "{:.2} cm ({:.1} in)",
                        height.pallet_height_cm(),
                        height.inches()
                    ),
                    stackable: p.stackable,
                }
            })
            .collect(),
        paper,
    };
    tokio::task::spawn_blocking(move || {
        if zpl {
            crate::shipments::labels::labels_zpl(&sheet).into_bytes()
        } else {
            crate::shipments::labels::labels_pdf(&sheet)
        }
    })
    .await
    .map_err(|_| AppError::Internal)
}

/// The id on a box's label and in its barcode: the shipment id, `U`, the box number.
pub fn box_label_id(shipment_id: &str, number: u32) -> String {
    format!("{shipment_id}U{number:03}")
}

/// The pack list CSV of a shipment, for either of its sides, once it has boxes.
pub async fn pack_list(state: &AppState, me: &SessionUser, id: &str) -> Result<Vec<u8>, AppError> {
    let detail = detail_for(state, me, id).await?;
    let view = to_view(state, detail, me).await?;
    if view.boxes.is_empty() {
        return Err(crate::domain::InputError::NoBoxes.into());
    }
    Ok(crate::shipments::pack_list::pack_list_csv(&view).into_bytes())
}

/// The unit labels of a shipment, for either of its sides: one label per unit of each
/// item the supplier preps and labels (of every item when `every_item`; of SKU `sku`
/// only when given) that has an FNSKU or ASIN, on `stock`, as a PDF or (`zpl`, roll
/// stocks only) as ZPL. Made on a blocking thread: a large file never stalls requests.
pub async fn unit_labels(
    state: &AppState,
    me: &SessionUser,
    id: &str,
    stock: crate::shipments::LabelStock,
    every_item: bool,
    sku: Option<&str>,
    zpl: bool,
) -> Result<Vec<u8>, AppError> {
    use crate::domain::InputError;
    use crate::shipments::unit_labels::{unit_labels_pdf, unit_labels_zpl, UnitLabel, MAX_LABELS};
    use crate::shipments::units_to_label;
    let detail = detail_for(state, me, id).await?;
    let view = to_view(state, detail, me).await?;
    let labels: Vec<(UnitLabel, usize)> = units_to_label(&view.items, every_item)
        .filter(|(item, _)| sku.is_none_or(|sku| item.sku == sku))
        .map(|(item, fnsku)| {
            let name = if item.name.is_empty() {
                item.sku.clone()
            } else {
                item.name.clone()
            };
            let label = UnitLabel {
                fnsku: fnsku.to_owned(),
                name,
            };
            (label, item.quantity as usize)
        })
        .collect();
    if labels.is_empty() {
        return Err(InputError::NothingToLabel.into());
    }
    if labels.iter().map(|(_, n)| n).sum::<usize>() > MAX_LABELS {
        return Err(InputError::TooManyLabels.into());
    }
    let title = format!("Unit labels {}", view.id);
    tokio::task::spawn_blocking(move || {
        if zpl {
            unit_labels_zpl(&labels, stock)
                .map(String::into_bytes)
                .ok_or(InputError::ZplNeedsRoll.into())
        } else {
            Ok(unit_labels_pdf(&title, &labels, stock))
        }
    })
    .await
    .map_err(|_| AppError::Internal)?
}
