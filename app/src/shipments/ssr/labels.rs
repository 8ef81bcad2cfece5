//! The labels PDF of a shipment.

use db::sessions::SessionUser;

use super::*;
use crate::domain::shipment::{Length, Weight};
use crate::shipments::labels::{LabelBox, LabelSheet, Paper};

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
        return Err(AppError::Refused(Refusal::WrongState));
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
    Ok(crate::shipments::labels::labels_pdf(&LabelSheet {
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
