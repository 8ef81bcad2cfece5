//! Create shipment, and edit a draft: name, ship-from address, destination, and the
//! items, typed row by row or pasted as CSV. One form, posted whole, so it works
//! before the wasm loads; with the wasm, "Add a row" adds rows in place.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::*;
use crate::auth::Me;
use crate::domain::AccountKind;
use crate::i18n::{use_i18n, Msg};
use crate::ui::{form_error, ErrorAlert, RequireUser, SubmitButton};

/// Blank rows a new shipment starts with.
const NEW_ROWS: usize = 5;

#[component]
pub fn NewShipmentPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{i18n.t(Msg::CreateShipment)}</h1>
        <RequireUser signed_in=move |me: Me| {
            if me.kind == AccountKind::Seller {
                view! { <ShipmentForm initial=None/> }.into_any()
            } else {
                view! { <p class="alert alert-warn">{i18n.t(Msg::SellersOnly)}</p> }.into_any()
            }
        }/>
    }
}

#[component]
pub fn EditShipmentPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let shipment = Resource::new(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        get_shipment,
    );
    view! {
        <h1>{i18n.t(Msg::EditShipment)}</h1>
        <RequireUser signed_in=move |_me: Me| view! {
            <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match shipment.await {
                        Ok(s) if s.side == Side::Seller && s.status == ShipmentStatus::Draft => {
                            view! { <ShipmentForm initial=Some(s)/> }.into_any()
                        }
                        Ok(_) => view! { <p class="alert alert-warn">{i18n.t(Msg::Refused(db::Refusal::WrongState))}</p> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=Signal::stored(Some(e))/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn ShipmentForm(initial: Option<ShipmentView>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveShipment>::new();
    let error = form_error(move || save.value().get());
    let id = initial.as_ref().map(|s| s.id.clone()).unwrap_or_default();
    let version = initial
        .as_ref()
        .map(|s| s.version.to_string())
        .unwrap_or_default();
    let name = initial.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let destination = initial
        .as_ref()
        .map(|s| s.destination.clone())
        .unwrap_or_default();
    let from = initial
        .as_ref()
        .map(|s| s.ship_from.clone())
        .unwrap_or_default();
    let items: Vec<ItemInput> = initial
        .as_ref()
        .map(|s| {
            s.items
                .iter()
                .map(|i| ItemInput {
                    sku: i.sku.clone(),
                    name: i.name.clone(),
                    quantity: i.quantity.to_string(),
                    prep_by: i.prep_by.code().into(),
                    fnsku: i.fnsku.clone().unwrap_or_default(),
                    upc: i.upc.clone().unwrap_or_default(),
                    expires: if i.expires { "on" } else { "" }.into(),
                })
                .collect()
        })
        .unwrap_or_default();
    let blank = NEW_ROWS.saturating_sub(items.len()).max(2);
    let extra = RwSignal::new(0usize);
    let prefilled = items.len();
    let cancel_href = if id.is_empty() {
        "/shipments".to_owned()
    } else {
        format!("/shipments/{id}")
    };
    let text = move |id: &'static str,
                     field: &'static str,
                     label: Msg,
                     value: String,
                     required: bool,
                     max: &'static str| {
        view! {
            <div>
                <label for=id>{i18n.t(label)}</label>
                <input id=id name=field value=value required=required maxlength=max autocomplete="off"/>
            </div>
        }
    };
    view! {
        <ActionForm action=save attr:class="card shipment-form">
            <ErrorAlert error/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="version" value=version/>
            <div class="grid">
                {text("shipment-name", "name", Msg::FieldShipmentName, name, true, "120")}
                <div>
                    <label for="destination">{i18n.t(Msg::FieldDestination)}</label>
                    <input id="destination" name="destination" value=destination required maxlength="8"
                        autocomplete="off" aria-describedby="destination-help" class="mono"/>
                    <p id="destination-help" class="help">{i18n.t(Msg::DestinationHelp)}</p>
                </div>
            </div>
            <fieldset>
                <legend>{i18n.t(Msg::ShipFromTitle)}</legend>
                <div class="grid">
                    {text("from-name", "from_name", Msg::FieldFromName, from.name, true, "100")}
                    {text("from-phone", "from_phone", Msg::FieldPhone, from.phone, false, "40")}
                    {text("from-line1", "from_line1", Msg::FieldAddressLine1, from.line1, true, "200")}
                    {text("from-line2", "from_line2", Msg::FieldAddressLine2, from.line2, false, "200")}
                    {text("from-city", "from_city", Msg::FieldCity, from.city, true, "100")}
                    {text("from-region", "from_region", Msg::FieldRegion, from.region, false, "100")}
                    {text("from-postal", "from_postal_code", Msg::FieldPostalCode, from.postal_code, false, "20")}
                    <div>
                        <label for="from-country">{i18n.t(Msg::FieldCountry)}</label>
                        <input id="from-country" name="from_country" value=from.country required minlength="2"
                            maxlength="2" autocomplete="off" aria-describedby="country-help" class="mono"/>
                        <p id="country-help" class="help">{i18n.t(Msg::CountryHelp)}</p>
                    </div>
                </div>
            </fieldset>
            <fieldset>
                <legend>{i18n.t(Msg::ItemsTitle)}</legend>
                <div class="table-wrap">
                    <table class="item-rows">
                        <thead>
                            <tr>
                                <th scope="col">"SKU"</th>
                                <th scope="col">{i18n.t(Msg::ColumnProduct)}</th>
                                <th scope="col">{i18n.t(Msg::ColumnQuantity)}</th>
                                <th scope="col">{i18n.t(Msg::ColumnFnsku)}</th>
                                <th scope="col">{i18n.t(Msg::ColumnUpc)}</th>
                                <th scope="col">{i18n.t(Msg::ColumnExpiry)}</th>
                                <th scope="col">{i18n.t(Msg::ColumnPrepBy)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {items.into_iter().enumerate().map(|(n, item)| view! { <ItemRow n item/> }).collect_view()}
                            {(prefilled..prefilled + blank).map(|n| view! { <ItemRow n item=ItemInput::default()/> }).collect_view()}
                            // Keyed, so adding a row keeps what the added rows hold.
                            <For each=move || 0..extra.get() key=|k| *k let:k>
                                <ItemRow n=prefilled + blank + k item=ItemInput::default()/>
                            </For>
                        </tbody>
                    </table>
                </div>
                <button type="button" class="button small" on:click=move |_| extra.update(|n| *n += 1)>
                    {i18n.t(Msg::AddRow)}
                </button>
                <details class="csv" open=false>
                    <summary>{i18n.t(Msg::PasteCsvTitle)}</summary>
                    <p class="help" id="csv-help">{i18n.t(Msg::PasteCsvHelp)}</p>
                    <label for="items-csv">{i18n.t(Msg::FieldItemsCsv)}</label>
                    <textarea id="items-csv" name="items_csv" rows="6" class="mono" aria-describedby="csv-help"
                        placeholder="sku,quantity,name,fnsku,upc,expiry"></textarea>
                    <label for="csv-prep-by">{i18n.t(Msg::FieldCsvPrepBy)}</label>
                    <PrepBySelect id="csv-prep-by".into() name="csv_prep_by".into() value="seller".into() row=0/>
                </details>
            </fieldset>
            <div class="form-actions">
                <SubmitButton label=Msg::SaveShipment pending=save.pending()/>
                <a class="button" href=cancel_href>{i18n.t(Msg::ActionCancelEdit)}</a>
            </div>
        </ActionForm>
    }
}

#[component]
fn ItemRow(n: usize, item: ItemInput) -> impl IntoView {
    let i18n = use_i18n();
    let field = move |f: &str| format!("items[{n}][{f}]");
    let label = move |msg: Msg| format!("{} {}", i18n.t(msg)(), n + 1);
    view! {
        <tr>
            <td><input name=field("sku") value=item.sku maxlength="40" class="mono" autocomplete="off"
                aria-label=move || format!("SKU {}", n + 1)/></td>
            <td><input name=field("name") value=item.name maxlength="200" autocomplete="off"
                aria-label=move || label(Msg::ColumnProduct)/></td>
            <td><input name=field("quantity") value=item.quantity inputmode="numeric" size="6" autocomplete="off"
                aria-label=move || label(Msg::ColumnQuantity)/></td>
            <td><input name=field("fnsku") value=item.fnsku maxlength="12" size="11" class="mono" autocomplete="off"
                aria-label=move || label(Msg::ColumnFnsku)/></td>
            <td><input name=field("upc") value=item.upc maxlength="17" size="13" inputmode="numeric" class="mono"
                autocomplete="off" aria-label=move || label(Msg::ColumnUpc)/></td>
            <td class="center"><input type="checkbox" name=field("expires") checked={item.expires == "on"}
                aria-label=move || label(Msg::ColumnExpiry)/></td>
            <td><PrepBySelect id=format!("prep-{n}") name=field("prep_by") value=item.prep_by row=n + 1/></td>
        </tr>
    }
}

/// Who preps and labels; `row` 0 is the pasted list's select, which has a label.
#[component]
fn PrepBySelect(id: String, name: String, value: String, row: usize) -> impl IntoView {
    let i18n = use_i18n();
    let supplier = value == "supplier";
    let label = move || (row > 0).then(|| format!("{} {row}", i18n.t(Msg::ColumnPrepBy)()));
    view! {
        <select id=id name=name aria-label=label>
            <option value="seller" selected=!supplier>{i18n.t(Msg::PrepBySeller)}</option>
            <option value="supplier" selected=supplier>{i18n.t(Msg::PrepBySupplier)}</option>
        </select>
    }
}
