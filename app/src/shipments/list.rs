//! Shipments: the seller's list with Create shipment, or the supplier's Shared with me
//! with its filter (a plain GET form, so it works before the wasm loads).

use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::*;
use crate::auth::Me;
use crate::domain::AccountKind;
use crate::i18n::{use_i18n, Msg};
use crate::live::use_live;
use crate::text::format_time;
use crate::ui::{ErrorAlert, RequireUser};

#[component]
pub fn ShipmentsPage() -> impl IntoView {
    view! { <RequireUser signed_in=move |me: Me| view! { <ShipmentList me/> }/> }
}

#[component]
fn ShipmentList(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let query = use_query_map();
    let filter = move || {
        query.with(|q| {
            (
                q.get("seller").unwrap_or_default(),
                q.get("status").unwrap_or_default(),
                q.get("page").unwrap_or_default(),
            )
        })
    };
    let list = Resource::new(
        move || (filter(), live.any_change()),
        |((seller, status, page), _)| list_shipments(seller, status, page),
    );
    let seller = me.kind == AccountKind::Seller;
    let title = if seller {
        Msg::ShipmentsTitle
    } else {
        Msg::SharedWithMeTitle
    };
    view! {
        <div class="page-head">
            <h1>{i18n.t(title)}</h1>
            {seller.then(|| view! {
                <A href="/shipments/new" attr:class="button primary">{i18n.t(Msg::CreateShipment)}</A>
            })}
        </div>
        <section class="card">
            <Transition fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => view! { <Rows list filter=filter()/> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=Signal::stored(Some(e))/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Rows(list: ShipmentList, filter: (String, String, String)) -> impl IntoView {
    let i18n = use_i18n();
    let supplier = list.side == Side::Supplier;
    let (seller_filter, status_filter, _) = filter;
    let page_link = {
        let (seller, status) = (seller_filter.clone(), status_filter.clone());
        move |page: i64| {
            format!(
                "/shipments?seller={}&status={}&page={page}",
                crate::text::encode_query_value(&seller),
                crate::text::encode_query_value(&status)
            )
        }
    };
    let pager = (list.page > 0 || list.has_more).then(|| {
        let newer = (list.page > 0).then(|| page_link(list.page - 1));
        let older = list.has_more.then(|| page_link(list.page + 1));
        view! {
            <nav class="row-actions" aria-label=i18n.t(Msg::Pages)>
                {newer.map(|href| view! { <A href=href>{i18n.t(Msg::NewerPage)}</A> })}
                {older.map(|href| view! { <A href=href>{i18n.t(Msg::OlderPage)}</A> })}
            </nav>
        }
    });
    let filter_form = supplier.then(|| {
        let sellers = list.sellers.clone();
        view! {
            <Form method="GET" action="/shipments" attr:class="filters">
                <div>
                    <label for="filter-seller">{i18n.t(Msg::FilterSeller)}</label>
                    <select id="filter-seller" name="seller">
                        <option value="">{i18n.t(Msg::FilterAll)}</option>
                        {sellers.into_iter().map(|p| {
                            let selected = p.id == seller_filter;
                            view! { <option value=p.id selected=selected>{p.company}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="filter-status">{i18n.t(Msg::ColumnStatus)}</label>
                    <select id="filter-status" name="status">
                        <option value="">{i18n.t(Msg::FilterAll)}</option>
                        {ShipmentStatus::ALL.into_iter().filter(|s| *s != ShipmentStatus::Draft).map(|s| {
                            let selected = s.code() == status_filter;
                            view! { <option value=s.code() selected=selected>{i18n.t(s.msg())}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">{i18n.t(Msg::FilterApply)}</button>
            </Form>
        }
    });
    if list.rows.is_empty() {
        let empty = if supplier {
            Msg::SharedWithMeEmpty
        } else {
            Msg::ShipmentsEmpty
        };
        return view! { {filter_form} <p class="muted">{i18n.t(empty)}</p> }.into_any();
    }
    view! {
        {filter_form}
        <div class="table-wrap">
            <table class="shipments">
                <thead>
                    <tr>
                        <th scope="col">{i18n.t(Msg::ColumnShipment)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnDestination)}</th>
                        <th scope="col" class="num">{i18n.t(Msg::ColumnUnits)}</th>
                        <th scope="col">{i18n.t(if supplier { Msg::ColumnSeller } else { Msg::ColumnSupplier })}</th>
                        <th scope="col">{i18n.t(Msg::ColumnStatus)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnLastChange)}</th>
                    </tr>
                </thead>
                <tbody>
                    {list.rows.into_iter().map(|r| {
                        let href = format!("/shipments/{}", r.id);
                        let other = if supplier { Some(r.seller_company) } else { r.supplier_company };
                        view! {
                            <tr>
                                <td><A href=href>{r.name}</A><br/><span class="muted mono">{r.id}</span></td>
                                <td>{r.destination}</td>
                                <td class="num">{r.units}</td>
                                <td>{other.unwrap_or_else(|| "—".into())}</td>
                                <td><span class=format!("status status-{}", r.status.code())>{i18n.t(r.status.msg())}</span></td>
                                <td>{format_time(r.updated_at)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {pager}
    }
    .into_any()
}
