//! Reads: the list pages of both sides and one shipment's page.

use db::sessions::SessionUser;

use super::*;
use crate::server::{internal, Ctx};

pub async fn list(
    cx: &Ctx,
    me: SessionUser,
    seller: &str,
    status: &str,
    page: &str,
) -> Result<ShipmentList, AppError> {
    // Page numbers past what anyone has are simply empty; nonsense is page 1.
    let page = page.trim().parse::<i64>().unwrap_or(0).clamp(0, 100_000);
    let start = page * PAGE_SIZE;
    let state = &cx.state;
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

pub async fn get(cx: &Ctx, me: SessionUser, id: &str) -> Result<ShipmentView, AppError> {
    let state = &cx.state;
    let detail = detail_for(state, &me, id).await?;
    to_view(state, detail, &me).await
}
