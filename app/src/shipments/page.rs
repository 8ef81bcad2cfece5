//! A shipment's page. For the seller it is Prepare Shipment: the summary, Share
//! Shipment (or who it is shared with, and Stop sharing), then the supplier's progress.
//! For the supplier it walks through completing it: boxes, shipping, labels,
//! tracking. Both see the timeline, and the page follows changes live.
//!
//! Every button is a form, so the page works before the wasm loads; with it, the
//! page updates in place.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::*;
use crate::auth::Me;
use crate::domain::shipment::{Length, Weight};
use crate::i18n::{use_i18n, I18n, Msg};
use crate::live::use_live;
use crate::text::format_time;
use crate::ui::{form_error, ErrorAlert, RequireUser, SubmitButton};

/// Every action this page can take; the page's data is fetched again after each one
/// that succeeded (a refused one leaves the page, and what was typed, as it was).
#[derive(Clone, Copy)]
struct Actions {
    succeeded: RwSignal<u32>,
    share: ServerAction<ShareShipment>,
    stop: ServerAction<StopSharing>,
    cancel: ServerAction<CancelShipment>,
    save_box: ServerAction<SaveBox>,
    delete_box: ServerAction<DeleteBox>,
    shipping: ServerAction<SaveShipping>,
    reopen: ServerAction<ReopenPacking>,
    shipped: ServerAction<MarkShipped>,
    /// Scans change only the open box, which the scan panel shows from each answer:
    /// the page is not fetched again (and its inputs not rebuilt) between scans.
    scan: ServerAction<ScanUnit>,
    /// Closing the scanned box: a box save of its own, whose errors show beside it.
    close_box: ServerAction<SaveBox>,
    /// Whether Scan to pack is open; kept here so refreshing the page keeps it.
    scanning: RwSignal<bool>,
    /// What was typed into the new-box form, by field name, and the field being typed
    /// in: a refresh of the page (the previous box saved, a live change) rebuilds the
    /// form with them, so a fast packer loses nothing.
    draft: RwSignal<Vec<(String, String)>>,
    draft_focus: RwSignal<Option<String>>,
}

impl Actions {
    fn new() -> Actions {
        Actions {
            succeeded: RwSignal::new(0),
            share: ServerAction::new(),
            stop: ServerAction::new(),
            cancel: ServerAction::new(),
            save_box: ServerAction::new(),
            delete_box: ServerAction::new(),
            shipping: ServerAction::new(),
            reopen: ServerAction::new(),
            shipped: ServerAction::new(),
            scan: ServerAction::new(),
            close_box: ServerAction::new(),
            scanning: RwSignal::new(false),
            draft: RwSignal::new(Vec::new()),
            draft_focus: RwSignal::new(None),
        }
    }

    /// The version a box form saves on: the page's, or the one the box saved last left
    /// (newer until the page has refreshed), so the next box is never refused as stale.
    fn box_version(self, page: i64) -> impl Fn() -> String + Send + Sync + 'static {
        move || {
            let saved = |action: ServerAction<SaveBox>| match action.value().get() {
                Some(Ok(version)) => version,
                _ => page,
            };
            saved(self.save_box)
                .max(saved(self.close_box))
                .max(page)
                .to_string()
        }
    }

    /// Counts successes, and puts the outcome of whichever action ran last in the
    /// page's alert (the box form shows its own errors beside it).
    fn track_outcomes(self, alert: RwSignal<Option<AppError>>) {
        let outcomes: [(bool, crate::ui::Outcome); 9] = [
            (true, Box::new(move || self.share.value().get())),
            (true, Box::new(move || self.stop.value().get())),
            (true, Box::new(move || self.cancel.value().get())),
            (
                false,
                Box::new(move || self.save_box.value().get().map(|r| r.map(|_| ()))),
            ),
            (
                false,
                Box::new(move || self.close_box.value().get().map(|r| r.map(|_| ()))),
            ),
            (true, Box::new(move || self.delete_box.value().get())),
            (true, Box::new(move || self.shipping.value().get())),
            (true, Box::new(move || self.reopen.value().get())),
            (true, Box::new(move || self.shipped.value().get())),
        ];
        // Once the open box is closed, the last scan's answer is done with.
        Effect::new(move |_| {
            if let Some(Ok(_)) = self.close_box.value().get() {
                self.scan.value().set(None);
            }
        });
        for (to_alert, outcome) in outcomes {
            Effect::new(move |_| match outcome() {
                Some(Ok(())) => {
                    alert.set(None);
                    self.succeeded.update(|n| *n += 1);
                }
                Some(Err(e)) if to_alert => alert.set(Some(e)),
                _ => {}
            });
        }
    }
}

#[component]
pub fn ShipmentPage() -> impl IntoView {
    view! { <RequireUser signed_in=move |_me: Me| view! { <ShipmentLoader/> }/> }
}

#[component]
fn ShipmentLoader() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let actions = Actions::new();
    let changed = live.changes_to(id);
    let shipment = Resource::new(
        move || (id(), changed.get(), actions.succeeded.get()),
        |(id, _, _)| get_shipment(id),
    );
    let action_error = RwSignal::new(None::<AppError>);
    actions.track_outcomes(action_error);
    let query_error = form_error(|| None::<Result<(), AppError>>);
    let alert = Signal::derive(move || action_error.get().or_else(|| query_error.get()));
    let not_found = NotFoundStatus::capture();
    view! {
        <ErrorAlert error=alert/>
        <Transition fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
            {move || {
                let not_found = not_found.clone();
                Suspend::new(async move {
                match shipment.await {
                    Ok(s) => view! { <Shipment s actions/> }.into_any(),
                    Err(AppError::Refused(db::Refusal::NotFound)) => {
                        not_found.set();
                        view! {
                        <section class="card">
                            <p class="alert alert-warn">{i18n.t(Msg::ShipmentNotAvailable)}</p>
                            <p><a href="/shipments">{i18n.t(Msg::NavShipments)}</a></p>
                        </section>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorAlert error=Signal::stored(Some(e))/> }.into_any(),
                }
            })}}
        </Transition>
    }
}

/// A server-rendered page whose subject turns out not to exist (or not to be the
/// caller's) answers 404, the same for both. The response is captured where the
/// component starts, since it is set after an await.
#[derive(Clone)]
struct NotFoundStatus {
    #[cfg(feature = "ssr")]
    response: Option<leptos_axum::ResponseOptions>,
}

impl NotFoundStatus {
    fn capture() -> NotFoundStatus {
        NotFoundStatus {
            #[cfg(feature = "ssr")]
            response: use_context::<leptos_axum::ResponseOptions>(),
        }
    }

    fn set(&self) {
        #[cfg(feature = "ssr")]
        if let Some(response) = &self.response {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
}

#[component]
fn Shipment(s: ShipmentView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let seller = s.side == Side::Seller;
    let title = if seller && s.status == ShipmentStatus::Draft {
        i18n.tf(Msg::PrepareShipmentTitle, vec![("name", s.name.clone())])
    } else {
        let name = s.name.clone();
        i18n.tf(Msg::ShipmentTitle, vec![("name", name)])
    };
    let status = s.status;
    let steps = if seller {
        view! { <SellerPanel s=s.clone() actions/> }.into_any()
    } else {
        view! { <SupplierPanel s=s.clone() actions/> }.into_any()
    };
    let timeline = s.timeline.clone();
    view! {
        <div class="page-head">
            <h1>{title}</h1>
            <span class=format!("status status-{}", status.code()) data-testid="status">
                {i18n.t(status.msg())}
            </span>
        </div>
        <Summary s=s.clone()/>
        {(status != ShipmentStatus::Cancelled).then(|| view! { <UnitLabelsCard s=s.clone()/> })}
        {steps}
        <section class="card" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">{i18n.t(Msg::TimelineTitle)}</h2>
            <ol class="timeline" data-testid="timeline">
                {timeline.into_iter().map(|e| view! { <li>{timeline_line(i18n, e)}</li> }).collect_view()}
            </ol>
        </section>
    }
}

fn timeline_line(i18n: I18n, e: TimelineEntry) -> impl IntoView {
    let when = format_time(e.at);
    let text = i18n.tf(
        e.action.msg(),
        vec![
            ("name", e.actor_name),
            ("company", e.actor_company),
            ("detail", e.detail),
        ],
    );
    view! { <time>{when}</time> " " {text} }
}

#[component]
fn Summary(s: ShipmentView) -> impl IntoView {
    let i18n = use_i18n();
    let show_unboxed = s.status != ShipmentStatus::Draft;
    let units = s.units();
    view! {
        <section class="card" aria-labelledby="summary-heading">
            <h2 id="summary-heading">{i18n.t(Msg::SummaryTitle)}</h2>
            <dl class="facts">
                <div><dt>{i18n.t(Msg::ColumnShipmentId)}</dt><dd class="mono" data-testid="shipment-id">{s.id.clone()}</dd></div>
                <div><dt>{i18n.t(Msg::ColumnSeller)}</dt><dd>{s.seller_company.clone()}</dd></div>
                <div><dt>{i18n.t(Msg::FieldDestination)}</dt><dd class="mono">{s.destination.clone()}</dd></div>
                <div><dt>{i18n.t(Msg::ColumnUnits)}</dt><dd>{units}</dd></div>
                <div>
                    <dt>{i18n.t(Msg::ShipFromTitle)}</dt>
                    <dd>{s.ship_from.lines().into_iter().map(|l| view! { {l}<br/> }).collect_view()}</dd>
                </div>
                {s.supplier.clone().map(|p| view! {
                    <div><dt>{i18n.t(Msg::ColumnSupplier)}</dt><dd data-testid="supplier">{p.company}</dd></div>
                })}
            </dl>
            {(!s.share_message.is_empty()).then(|| view! {
                <blockquote class="message">{s.share_message.clone()}</blockquote>
            })}
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"SKU"</th>
                            <th scope="col">{i18n.t(Msg::ColumnProduct)}</th>
                            <th scope="col" class="num">{i18n.t(Msg::ColumnQuantity)}</th>
                            <th scope="col">{i18n.t(Msg::ColumnFnsku)}</th>
                            <th scope="col">{i18n.t(Msg::ColumnUpc)}</th>
                            <th scope="col">{i18n.t(Msg::ColumnPrepBy)}</th>
                            {show_unboxed.then(|| view! { <th scope="col" class="num">{i18n.t(Msg::ColumnUnboxed)}</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {s.items.into_iter().map(|item| view! {
                            <tr>
                                <td class="mono">{item.sku}</td>
                                <td>
                                    {item.name}
                                    {item.expires.then(|| view! { " " <span class="badge">{i18n.t(Msg::ExpiresYes)}</span> })}
                                </td>
                                <td class="num">{item.quantity}</td>
                                <td class="mono">{item.fnsku.unwrap_or_default()}</td>
                                <td class="mono">{item.upc.unwrap_or_default()}</td>
                                <td>{i18n.t(item.prep_by.msg())}</td>
                                {show_unboxed.then(|| view! { <td class="num">{item.unboxed}</td> })}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// A one-button form posting the shipment id (and maybe more hidden fields).
macro_rules! id_button {
    ($action:expr, $id:expr, $label:expr, $i18n:expr, $class:literal) => {{
        let id: String = $id;
        view! {
            <ActionForm action=$action>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class=$class>{$i18n.t($label)}</button>
            </ActionForm>
        }
    }};
}

#[component]
fn SellerPanel(s: ShipmentView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let id = s.id.clone();
    let panel = match s.status {
        ShipmentStatus::Draft => view! {
            <section class="card" aria-labelledby="share-heading">
                <h2 id="share-heading">{i18n.t(Msg::ShareShipment)}</h2>
                <ShareForm s=s.clone() share=actions.share/>
                <div class="row-actions">
                    <a class="button" href=format!("/shipments/{id}/edit")>{i18n.t(Msg::EditShipment)}</a>
                    <details class="confirm">
                        <summary class="button">{i18n.t(Msg::CancelShipment)}</summary>
                        <p>{i18n.t(Msg::CancelShipmentConfirm)}</p>
                        {id_button!(actions.cancel, id.clone(), Msg::CancelShipment, i18n, "button danger small")}
                    </details>
                </div>
            </section>
        }
        .into_any(),
        status if status.is_open() => {
            let company = s.supplier.clone().map(|p| p.company).unwrap_or_default();
            view! {
                <section class="card" aria-labelledby="share-heading">
                    <h2 id="share-heading">{i18n.t(Msg::SharedTitle)}</h2>
                    <p>{i18n.tf(Msg::SharedWithText, vec![("company", company)])}</p>
                    <div class="row-actions">
                        <details class="confirm">
                            <summary class="button">{i18n.t(Msg::StopSharing)}</summary>
                            <p>{i18n.t(Msg::StopSharingConfirm)}</p>
                            {id_button!(actions.stop, id.clone(), Msg::StopSharing, i18n, "button danger small")}
                        </details>
                        <details class="confirm">
                            <summary class="button">{i18n.t(Msg::CancelShipment)}</summary>
                            <p>{i18n.t(Msg::CancelShipmentConfirm)}</p>
                            {id_button!(actions.cancel, id.clone(), Msg::CancelShipment, i18n, "button danger small")}
                        </details>
                    </div>
                </section>
            }
            .into_any()
        }
        _ => ().into_any(),
    };
    let progress = (s.status != ShipmentStatus::Draft).then(|| view! { <Progress s=s.clone()/> });
    view! { {panel} {progress} }
}

#[component]
fn ShareForm(s: ShipmentView, share: ServerAction<ShareShipment>) -> impl IntoView {
    let i18n = use_i18n();
    if s.suppliers.is_empty() {
        return view! {
            <p class="alert alert-warn">
                {i18n.t(Msg::NoSuppliersYet)} " "
                <a href="/settings/user-permissions">{i18n.t(Msg::NavSettings)} " › " {i18n.t(Msg::NavUserPermissions)}</a>
            </p>
        }
        .into_any();
    }
    let only = s.suppliers.len() == 1;
    view! {
        <p class="muted">{i18n.t(Msg::ShareIntro)}</p>
        <details class="share" open=only>
            <summary class="button primary">{i18n.t(Msg::ShareShipment)}</summary>
            <ActionForm action=share>
                <input type="hidden" name="id" value=s.id.clone()/>
                <input type="hidden" name="version" value=s.version.to_string()/>
                <fieldset>
                    <legend>{i18n.t(Msg::ChooseSupplier)}</legend>
                    {s.suppliers.into_iter().enumerate().map(|(n, p)| {
                        let (label_for, input_id) = (format!("supplier-{n}"), format!("supplier-{n}"));
                        view! {
                            <label class="choice" for=label_for>
                                <input type="radio" id=input_id name="supplier" value=p.id required checked=only/>
                                " " {p.company}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <label for="share-message">{i18n.t(Msg::FieldShareMessage)}</label>
                <textarea id="share-message" name="message" rows="3" maxlength="1000"></textarea>
                <SubmitButton label=Msg::ShareShipment pending=share.pending()/>
            </ActionForm>
        </details>
    }
    .into_any()
}

fn weight_text(grams: u32, unit: WeightUnit) -> String {
    format!("{} {}", weight_number(grams, unit), unit.code())
}

/// A stored weight in the unit it was entered in, as a form shows it.
fn weight_number(grams: u32, unit: WeightUnit) -> String {
    let w = Weight::from_grams(grams);
    match unit {
        WeightUnit::Kg => trim_number(w.kg()),
        WeightUnit::Lb => trim_number(w.lb()),
    }
}

/// A stored pallet height in the unit it was entered in, as a form shows it, so that
/// it is read back as it was typed: inches to one decimal and centimetres capped at
/// the limit, as whole millimetres keep them (72 in and 182.88 cm are kept as 1,829 mm).
fn pallet_height_number(mm: u32, unit: LengthUnit) -> String {
    let l = Length::from_mm(mm);
    match unit {
        LengthUnit::Cm => trim_number(l.pallet_height_cm()),
        LengthUnit::In => trim_number((l.inches() * 10.0).round() / 10.0),
    }
}

fn sides_text(b: &BoxView) -> String {
    let sides = [b.length_mm, b.width_mm, b.height_mm].map(Length::from_mm);
    let (values, unit): (Vec<f64>, &str) = match b.length_unit {
        LengthUnit::Cm => (sides.iter().map(|l| l.cm()).collect(), "cm"),
        LengthUnit::In => (sides.iter().map(|l| l.inches()).collect(), "in"),
    };
    let values: Vec<String> = values.into_iter().map(trim_number).collect();
    format!("{} {unit}", values.join(" × "))
}

/// A measure with at most two decimals and no trailing zeros: 12.5, 40, 0.25.
fn trim_number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The supplier's work as the seller (and the supplier, once done) sees it.
#[component]
fn Progress(s: ShipmentView) -> impl IntoView {
    let i18n = use_i18n();
    let labels = matches!(s.status, ShipmentStatus::Labelled | ShipmentStatus::Shipped);
    view! {
        <section class="card" aria-labelledby="progress-heading">
            <h2 id="progress-heading">{i18n.t(Msg::ProgressTitle)}</h2>
            <p data-testid="boxed">{i18n.tf(Msg::BoxedCount, vec![
                ("boxes", s.boxes.len().to_string()),
                ("unboxed", s.unboxed_units().to_string()),
            ])}</p>
            <BoxTable s=s.clone() editable=None/>
            {(s.mode.is_some()).then(|| view! {
                <dl class="facts">
                    <div><dt>{i18n.t(Msg::FieldShippingMode)}</dt><dd>{i18n.t(s.mode.unwrap_or(ShippingMode::SmallParcel).msg())}</dd></div>
                    <div><dt>{i18n.t(Msg::FieldCarrier)}</dt><dd data-testid="carrier">{s.carrier.clone()}</dd></div>
                    <div><dt>{i18n.t(Msg::FieldShipDate)}</dt><dd>{s.ship_date.clone()}</dd></div>
                    {s.fba_id.clone().map(|fba| view! {
                        <div><dt>{i18n.t(Msg::FieldFbaId)}</dt><dd class="mono" data-testid="fba-id">{fba}</dd></div>
                    })}
                    {(!s.pro_number.is_empty()).then(|| view! {
                        <div><dt>{i18n.t(Msg::FieldProNumber)}</dt><dd class="mono">{s.pro_number.clone()}</dd></div>
                    })}
                    {(!s.pallets.is_empty()).then(|| view! {
                        <div><dt>{i18n.t(Msg::SummaryPallets)}</dt><dd><ul class="plain" data-testid="pallets">
                            {s.pallets.iter().enumerate().map(|(n, p)| {
                                let stack = if p.stackable { Msg::PalletStackable } else { Msg::PalletNotStackable };
                                view! { <li>{i18n.tf(Msg::PalletSummary, vec![
                                    ("n", (n + 1).to_string()),
                                    ("weight", weight_text(p.weight_g, p.weight_unit)),
                                    ("height", format!("{} {}", pallet_height_number(p.height_mm, p.length_unit), p.length_unit.code())),
                                    ("stack", i18n.t(stack)().to_string()),
                                ])}</li> }
                            }).collect_view()}
                        </ul></dd></div>
                    })}
                </dl>
            })}
            {labels.then(|| view! { <LabelLinks id=s.id.clone()/> })}
        </section>
    }
}

/// What the unit labels will hold (labels per SKU, and the SKUs that cannot have
/// any yet), and a plain GET form that downloads them on the chosen stock.
#[component]
fn UnitLabelsCard(s: ShipmentView) -> impl IntoView {
    let i18n = use_i18n();
    let counts: Vec<_> = units_to_label(&s.items, false)
        .map(|(item, fnsku)| {
            i18n.tf(
                Msg::UnitLabelsCount,
                vec![
                    ("sku", item.sku.clone()),
                    ("n", item.quantity.to_string()),
                    ("fnsku", fnsku.to_owned()),
                ],
            )
        })
        .collect();
    let skus: Vec<String> = units_to_label(&s.items, true)
        .map(|(item, _)| item.sku.clone())
        .collect();
    let missing: Vec<_> = s
        .items
        .iter()
        .filter(|i| i.fnsku.is_none())
        .map(|i| i18n.tf(Msg::UnitLabelsMissing, vec![("sku", i.sku.clone())]))
        .collect();
    view! {
        <section class="card" aria-labelledby="unit-labels-heading">
            <h2 id="unit-labels-heading">{i18n.t(Msg::UnitLabelsTitle)}</h2>
            <p class="muted">{i18n.t(Msg::UnitLabelsIntro)}</p>
            <ul data-testid="unit-label-counts">
                {counts.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
            </ul>
            {(!missing.is_empty()).then(|| view! {
                <ul class="alert alert-warn">
                    {missing.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                </ul>
            })}
            <form method="get" action=format!("/shipments/{}/unit-labels.pdf", s.id) class="inline-form">
                <label for="label-stock">{i18n.t(Msg::FieldLabelStock)}</label>
                <select id="label-stock" name="stock">
                    {LabelStock::ALL.into_iter().map(|stock| view! {
                        <option value=stock.code()>{i18n.t(stock.msg())}</option>
                    }).collect_view()}
                </select>
                <label for="label-sku">{i18n.t(Msg::FieldLabelSku)}</label>
                <select id="label-sku" name="sku">
                    <option value="">{i18n.t(Msg::AllSkus)}</option>
                    {skus.into_iter().map(|sku| view! { <option value=sku.clone()>{sku.clone()}</option> }).collect_view()}
                </select>
                <label class="choice">
                    <input type="checkbox" name="all" value="1"/>
                    " " {i18n.t(Msg::UnitLabelsEveryItem)}
                </label>
                <button type="submit" class="button">{i18n.t(Msg::DownloadUnitLabels)}</button>
                <button type="submit" class="button" formaction=format!("/shipments/{}/unit-labels.zpl", s.id)>
                    {i18n.t(Msg::DownloadUnitLabelsZpl)}
                </button>
            </form>
        </section>
    }
}

#[component]
fn LabelLinks(id: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="row-actions">
            <a class="button" href=format!("/shipments/{id}/labels.pdf?paper=a4") download=format!("labels-{id}-a4.pdf")>
                {i18n.t(Msg::DownloadLabelsA4)}
            </a>
            <a class="button" href=format!("/shipments/{id}/labels.pdf?paper=letter") download=format!("labels-{id}-letter.pdf")>
                {i18n.t(Msg::DownloadLabelsLetter)}
            </a>
            <a class="button" href=format!("/shipments/{id}/labels.pdf?paper=thermal") download=format!("labels-{id}-4x6.pdf")>
                {i18n.t(Msg::DownloadLabelsThermal)}
            </a>
            <a class="button" href=format!("/shipments/{id}/labels.zpl") download=format!("labels-{id}.zpl")>
                {i18n.t(Msg::DownloadLabelsZpl)}
            </a>
        </p>
    }
}

#[component]
fn BoxTable(s: ShipmentView, editable: Option<Actions>) -> impl IntoView {
    let i18n = use_i18n();
    if s.boxes.is_empty() {
        return view! { <p class="muted">{i18n.t(Msg::NoBoxesYet)}</p> }.into_any();
    }
    let total = s.boxes.len();
    let id = s.id.clone();
    view! {
        <div class="table-wrap">
            <table class="boxes" data-testid="boxes">
                <thead>
                    <tr>
                        <th scope="col">{i18n.t(Msg::ColumnBox)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnContents)}</th>
                        <th scope="col">{i18n.t(Msg::FieldWeight)}</th>
                        <th scope="col">{i18n.t(Msg::ColumnDimensions)}</th>
                        <th scope="col">{i18n.t(Msg::FieldTracking)}</th>
                        {editable.is_some().then(|| view! { <th scope="col">{i18n.t(Msg::ColumnActions)}</th> })}
                    </tr>
                </thead>
                <tbody>
                    {s.boxes.clone().into_iter().map(|b| {
                        let contents: Vec<String> = b.contents.iter().map(|(sku, n)| {
                            match b.expiry_dates.iter().find(|(s, _)| s == sku) {
                                Some((_, date)) => format!("{sku} × {n} (EXP {date})"),
                                None => format!("{sku} × {n}"),
                            }
                        }).collect();
                        let (box_id, edit_href) = (b.id.clone(), format!("/shipments/{id}?box={}", b.id));
                        let id = id.clone();
                        let n = b.number.to_string();
                        let (edit_label, delete_label) = (
                            i18n.tf(Msg::EditBoxN, vec![("n", n.clone())]),
                            i18n.tf(Msg::DeleteBoxN, vec![("n", n)]),
                        );
                        view! {
                            <tr>
                                <td>{i18n.tf(Msg::BoxNofM, vec![("n", b.number.to_string()), ("m", total.to_string())])}</td>
                                <td class="mono">{contents.join(", ")}</td>
                                <td>{weight_text(b.weight_g, b.weight_unit)}</td>
                                <td>{sides_text(&b)}</td>
                                <td class="mono">{b.tracking.clone().unwrap_or_default()}</td>
                                {editable.map(|actions| view! {
                                    <td class="row-actions">
                                        <a class="button small" href=edit_href aria-label=edit_label>{i18n.t(Msg::ActionEdit)}</a>
                                        <ActionForm action=actions.delete_box>
                                            <input type="hidden" name="id" value=id/>
                                            <input type="hidden" name="box_id" value=box_id/>
                                            <button type="submit" class="button small" aria-label=delete_label>{i18n.t(Msg::ActionDelete)}</button>
                                        </ActionForm>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p>
            <a class="button small" href=format!("/shipments/{id}/pack-list.csv") download=format!("pack-list-{id}.csv")>
                {i18n.t(Msg::DownloadPackList)}
            </a>
        </p>
    }
    .into_any()
}

#[component]
fn SupplierPanel(s: ShipmentView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let status = s.status;
    let packing = matches!(status, ShipmentStatus::Shared | ShipmentStatus::Packing);
    match status {
        _ if packing => {
            // `?box=` picks the box to change; following an Edit link changes it in place.
            let form = {
                let s = s.clone();
                move || {
                    let editing = query
                        .with(|q| q.get("box"))
                        .and_then(|b| s.boxes.iter().find(|x| x.id == b).cloned());
                    view! { <BoxForm s=s.clone() editing actions/> }
                }
            };
            let all_boxed = !s.boxes.is_empty() && s.unboxed_units() == 0;
            view! {
                <section class="card" aria-labelledby="boxes-heading">
                    <h2 id="boxes-heading">{i18n.t(Msg::StepBoxes)}</h2>
                    <p class="muted">{i18n.t(Msg::BoxesIntro)}</p>
                    <p data-testid="boxed">{i18n.tf(Msg::BoxedCount, vec![
                        ("boxes", s.boxes.len().to_string()),
                        ("unboxed", s.unboxed_units().to_string()),
                    ])}</p>
                    <ScanToPack s=s.clone() actions/>
                    <BoxTable s=s.clone() editable=Some(actions)/>
                    {form}
                </section>
                <section class="card" aria-labelledby="shipping-heading">
                    <h2 id="shipping-heading">{i18n.t(Msg::StepShipping)}</h2>
                    {if all_boxed {
                        view! { <ShippingForm s=s.clone() save=actions.shipping/> }.into_any()
                    } else {
                        view! { <p class="muted">{i18n.t(Msg::BoxEveryUnitFirst)}</p> }.into_any()
                    }}
                </section>
            }
            .into_any()
        }
        ShipmentStatus::Labelled => view! {
            <Progress s=s.clone()/>
            <section class="card" aria-labelledby="tracking-heading">
                <h2 id="tracking-heading">{i18n.t(Msg::StepTracking)}</h2>
                <TrackingForm s=s.clone() shipped=actions.shipped/>
                <details class="confirm">
                    <summary class="button">{i18n.t(Msg::ReopenPacking)}</summary>
                    <p>{i18n.t(Msg::ReopenPackingText)}</p>
                    {id_button!(actions.reopen, s.id.clone(), Msg::ReopenPacking, i18n, "button small")}
                </details>
            </section>
        }
        .into_any(),
        _ => view! { <Progress s=s.clone()/> }.into_any(),
    }
}

/// One SKU's row in the box form.
struct BoxRow {
    sku: String,
    name: String,
    unboxed: u32,
    /// Units of it in the box being changed.
    mine: Option<u32>,
    /// For an item that expires, the date of its units in this box (empty for a new box).
    expiry: Option<String>,
}

#[component]
fn BoxForm(s: ShipmentView, editing: Option<BoxView>, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let save = actions.save_box;
    let new_box = editing.is_none();
    // Once a new box is saved its form empties at once, so the next box is typed into
    // a clean form even before the page has refreshed (and what is typed is kept).
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |seen: Option<usize>| {
        let now = save.version().get();
        if new_box && seen.is_some_and(|seen| seen != now) {
            if let (Some(Ok(_)), Some(form)) = (save.value().get_untracked(), form.get_untracked())
            {
                form.reset();
                // What was typed since the save was sent is the next box's.
                #[cfg(feature = "hydrate")]
                restore_drafts(&form, &actions.draft.get_untracked(), None);
            }
        }
        now
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let heading = match &editing {
        Some(b) => i18n.tf(Msg::EditBoxTitle, vec![("n", b.number.to_string())]),
        None => i18n.tf(Msg::AddBoxTitle, vec![]),
    };
    let in_box = |sku: &str| {
        editing
            .as_ref()
            .and_then(|b| b.contents.iter().find(|(s, _)| s == sku).map(|(_, n)| *n))
    };
    let date_in_box = |sku: &str| {
        editing.as_ref().and_then(|b| {
            b.expiry_dates
                .iter()
                .find(|(s, _)| s == sku)
                .map(|(_, d)| d.clone())
        })
    };
    let rows: Vec<BoxRow> = s
        .items
        .iter()
        .map(|i| BoxRow {
            sku: i.sku.clone(),
            name: i.name.clone(),
            // Units in the box being scanned are packed already.
            unboxed: i.unboxed.saturating_sub(s.in_open_box(&i.sku)),
            mine: in_box(&i.sku),
            expiry: i.expires.then(|| date_in_box(&i.sku).unwrap_or_default()),
        })
        .filter(|r| r.unboxed > 0 || r.mine.is_some())
        .collect();
    let any_expiry = rows.iter().any(|r| r.expiry.is_some());
    fn value(b: &Option<BoxView>, f: impl Fn(&BoxView) -> String) -> String {
        b.as_ref().map(f).unwrap_or_default()
    }
    let weight = value(&editing, |b| match b.weight_unit {
        WeightUnit::Kg => trim_number(Weight::from_grams(b.weight_g).kg()),
        WeightUnit::Lb => trim_number(Weight::from_grams(b.weight_g).lb()),
    });
    let side = |mm: fn(&BoxView) -> u32| {
        value(&editing, move |b| match b.length_unit {
            LengthUnit::Cm => trim_number(Length::from_mm(mm(b)).cm()),
            LengthUnit::In => trim_number(Length::from_mm(mm(b)).inches()),
        })
    };
    let (length, width, height) = (
        side(|b| b.length_mm),
        side(|b| b.width_mm),
        side(|b| b.height_mm),
    );
    let lb = editing
        .as_ref()
        .is_some_and(|b| b.weight_unit == WeightUnit::Lb);
    let inches = editing
        .as_ref()
        .is_some_and(|b| b.length_unit == LengthUnit::In);
    let box_id = editing.as_ref().map(|b| b.id.clone()).unwrap_or_default();
    if rows.is_empty() && editing.is_none() {
        return view! { <p class="alert alert-ok">{i18n.t(Msg::AllUnitsBoxed)}</p> }.into_any();
    }
    view! {
        <div class="subcard">
            <h3>{heading}</h3>
            <ErrorAlert error/>
            <Drafted actions keep=new_box clears="box:">
            <ActionForm action=save node_ref=form>
                <input type="hidden" name="id" value=s.id.clone()/>
                <input type="hidden" name="version" value=actions.box_version(s.version)/>
                <input type="hidden" name="box_id" value=box_id/>
                <table class="box-contents">
                    <thead>
                        <tr>
                            <th scope="col">"SKU"</th>
                            <th scope="col" class="num">{i18n.t(Msg::ColumnUnboxed)}</th>
                            <th scope="col">{i18n.t(Msg::ColumnInThisBox)}</th>
                            {any_expiry.then(|| view! { <th scope="col">{i18n.t(Msg::ColumnExpiryDate)}</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().enumerate().map(|(n, row)| {
                            let input_id = format!("box-qty-{n}");
                            let BoxRow { sku, name, unboxed, mine, expiry } = row;
                            let sku_key = sku.clone();
                            let label = if name.is_empty() { sku.clone() } else { format!("{sku} ({name})") };
                            let date_label = i18n.tf(Msg::ExpiryDateOf, vec![("sku", sku.clone())]);
                            view! {
                                <tr>
                                    <td><label for=input_id.clone() class="mono">{label}</label>
                                        <input type="hidden" name=format!("contents[{n}][sku]") value=sku/></td>
                                    <td class="num">{unboxed}</td>
                                    <td><input id=input_id name=format!("contents[{n}][quantity]") inputmode="numeric"
                                        size="6" autocomplete="off" value=mine.map(|m| m.to_string()).unwrap_or_default()
                                        data-draft=format!("box:qty:{sku_key}")/></td>
                                    {any_expiry.then(|| view! {
                                        <td>{expiry.map(|date| view! {
                                            <input type="date" name=format!("contents[{n}][expiry]") value=date
                                                aria-label=date_label data-draft=format!("box:exp:{sku_key}")/>
                                        })}</td>
                                    })}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <Measures prefix="box" weight sides=[length, width, height] lb inches/>
                <SubmitButton label=Msg::SaveBox pending=save.pending()/>
            </ActionForm>
            </Drafted>
        </div>
    }
    .into_any()
}

/// A box's weight and sides with their units, and the limits they must keep; `prefix`
/// keeps the ids of two such forms on one page apart.
#[component]
fn Measures(
    prefix: &'static str,
    weight: String,
    sides: [String; 3],
    lb: bool,
    inches: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let [length, width, height] = sides;
    let (weight_id, sides_id) = (format!("{prefix}-weight"), format!("{prefix}-sides-label"));
    view! {
        <div class="grid measures">
            <div>
                <label for=weight_id.clone()>{i18n.t(Msg::FieldWeight)}</label>
                <span class="with-unit">
                    <input id=weight_id name="weight" inputmode="decimal" required size="7" value=weight autocomplete="off"
                        data-draft=format!("{prefix}:weight")/>
                    <select name="weight_unit" aria-label=i18n.t(Msg::FieldWeightUnit) data-draft=format!("{prefix}:weight_unit")>
                        <option value="kg" selected=!lb>"kg"</option>
                        <option value="lb" selected=lb>"lb"</option>
                    </select>
                </span>
            </div>
            <div>
                <span class="label" id=sides_id.clone()>{i18n.t(Msg::FieldSides)}</span>
                <span class="with-unit" role="group" aria-labelledby=sides_id>
                    <input name="length" inputmode="decimal" required size="5" value=length aria-label=i18n.t(Msg::FieldLength) autocomplete="off"
                        data-draft=format!("{prefix}:length")/>
                    " × "
                    <input name="width" inputmode="decimal" required size="5" value=width aria-label=i18n.t(Msg::FieldWidth) autocomplete="off"
                        data-draft=format!("{prefix}:width")/>
                    " × "
                    <input name="height" inputmode="decimal" required size="5" value=height aria-label=i18n.t(Msg::FieldHeight) autocomplete="off"
                        data-draft=format!("{prefix}:height")/>
                    <select name="length_unit" aria-label=i18n.t(Msg::FieldLengthUnit) data-draft=format!("{prefix}:length_unit")>
                        <option value="cm" selected=!inches>"cm"</option>
                        <option value="in" selected=inches>"in"</option>
                    </select>
                </span>
            </div>
        </div>
        <p class="help">{i18n.t(Msg::BoxLimitsHelp)}</p>
    }
}

#[component]
fn ShippingForm(s: ShipmentView, save: ServerAction<SaveShipping>) -> impl IntoView {
    let i18n = use_i18n();
    // Before the wasm, "Show the rows" sends this form back to the page as a GET: what
    // was typed comes back in the query and fills the form again.
    let query = use_query_map();
    let typed = move |key: &str| query.with_untracked(|q| q.get(key));
    // LTL was chosen, or is being entered: pallets saved (packing reopened since, which
    // forgets the mode), or asked for by "Show the rows".
    let ltl = match typed("mode").as_deref() {
        Some(mode) => mode == ShippingMode::Ltl.code(),
        None => s.mode == Some(ShippingMode::Ltl) || !s.pallets.is_empty(),
    };
    let carrier = typed("carrier").unwrap_or_else(|| s.carrier.clone());
    let ship_date = typed("ship_date").unwrap_or_else(|| s.ship_date.clone());
    let fba_id = typed("fba_id").unwrap_or_else(|| s.fba_id.clone().unwrap_or_default());
    view! {
        <ActionForm action=save>
            // Enter in a field saves: the form's first submit button is the one Enter
            // presses, and "Show the rows" further down must not be it.
            <button type="submit" class="default-submit" tabindex="-1" aria-hidden="true"></button>
            <input type="hidden" name="id" value=s.id.clone()/>
            <input type="hidden" name="version" value=s.version.to_string()/>
            <fieldset>
                <legend>{i18n.t(Msg::FieldShippingMode)}</legend>
                <label class="choice" for="mode-sp">
                    <input type="radio" id="mode-sp" name="mode" value="small_parcel" checked=!ltl/>
                    " " {i18n.t(Msg::ModeSmallParcel)}
                </label>
                <label class="choice" for="mode-ltl">
                    <input type="radio" id="mode-ltl" name="mode" value="ltl" checked=ltl/>
                    " " {i18n.t(Msg::ModeLtl)}
                </label>
            </fieldset>
            <div class="grid">
                <div>
                    <label for="carrier">{i18n.t(Msg::FieldCarrier)}</label>
                    <input id="carrier" name="carrier" required maxlength="100" value=carrier autocomplete="off"/>
                </div>
                <div>
                    <label for="ship-date">{i18n.t(Msg::FieldShipDate)}</label>
                    <input id="ship-date" name="ship_date" type="date" required value=ship_date/>
                </div>
                <div>
                    <label for="fba-id">{i18n.t(Msg::FieldFbaId)}</label>
                    <input id="fba-id" name="fba_id" maxlength="20" class="mono" autocomplete="off"
                        aria-describedby="fba-id-help" value=fba_id/>
                    <p class="help" id="fba-id-help">{i18n.t(Msg::FbaIdHelp)}</p>
                </div>
            </div>
            <PalletRows s=s.clone()/>
            <SubmitButton label=Msg::SaveShippingAndLabels pending=save.pending()/>
        </ActionForm>
    }
}

/// The pallets of an LTL shipment in the shipping form: a row for each of the "Number
/// of pallets" (the pallets saved, else one). With the wasm the rows follow the number
/// as it is typed, and a row hidden by a smaller number keeps what it holds (but is not
/// sent). Before the wasm, "Show the rows" sends the form back to the page as a GET,
/// which comes back with that many rows and what was typed. Shown only while LTL is
/// chosen (by CSS, so before the wasm too); the server ignores them for small parcel.
#[component]
fn PalletRows(s: ShipmentView) -> impl IntoView {
    use crate::domain::shipment::MAX_PALLETS;
    let i18n = use_i18n();
    let query = use_query_map();
    let typed = move |key: String| query.with_untracked(|q| q.get(&key));
    // New rows take the units the boxes were measured in.
    let (lb, inches) = s.boxes.first().map_or((false, false), |b| {
        (
            b.weight_unit == WeightUnit::Lb,
            b.length_unit == LengthUnit::In,
        )
    });
    let initial = typed("pallet_count".into())
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(s.pallets.len())
        .clamp(1, MAX_PALLETS);
    // Rows shown, and rows made (hidden ones keep what was typed in them).
    let count = RwSignal::new(initial);
    let made =
        Memo::new(move |before: Option<&usize>| count.get().max(before.copied().unwrap_or(0)));
    let saved = StoredValue::new(s.pallets.clone());
    let row = move |n: usize| {
        // What the row holds: as typed (sent back by "Show the rows"), else as saved.
        let field = move |f: &str| format!("pallets[{n}][{f}]");
        let p = saved.with_value(|saved| saved.get(n).cloned());
        let weight = typed(field("weight")).unwrap_or_else(|| {
            p.as_ref()
                .map(|p| weight_number(p.weight_g, p.weight_unit))
                .unwrap_or_default()
        });
        let height = typed(field("height")).unwrap_or_else(|| {
            p.as_ref()
                .map(|p| pallet_height_number(p.height_mm, p.length_unit))
                .unwrap_or_default()
        });
        let lb = typed(field("weight_unit")).map_or_else(
            || p.as_ref().map_or(lb, |p| p.weight_unit == WeightUnit::Lb),
            |u| u == "lb",
        );
        let inches = typed(field("length_unit")).map_or_else(
            || {
                p.as_ref()
                    .map_or(inches, |p| p.length_unit == LengthUnit::In)
            },
            |u| u == "in",
        );
        let stackable = if typed(field("weight")).is_some() {
            typed(field("stackable")).is_some()
        } else {
            p.as_ref().is_some_and(|p| p.stackable)
        };
        let label = move |msg: Msg| {
            i18n.tf(
                Msg::PalletField,
                vec![
                    ("field", i18n.t(msg)().to_owned()),
                    ("n", (n + 1).to_string()),
                ],
            )
        };
        let off = move || n >= count.get();
        view! {
            <tr hidden=off>
                <th scope="row" class="num">{n + 1}</th>
                <td><span class="with-unit">
                    <input name=field("weight") inputmode="decimal" size="7" value=weight autocomplete="off"
                        aria-label=label(Msg::ColumnPalletWeight) disabled=off/>
                    <select name=field("weight_unit") aria-label=label(Msg::FieldWeightUnit) disabled=off>
                        <option value="kg" selected=!lb>"kg"</option>
                        <option value="lb" selected=lb>"lb"</option>
                    </select>
                </span></td>
                <td><span class="with-unit">
                    <input name=field("height") inputmode="decimal" size="6" value=height autocomplete="off"
                        aria-label=label(Msg::ColumnPalletHeight) disabled=off/>
                    <select name=field("length_unit") aria-label=label(Msg::FieldLengthUnit) disabled=off>
                        <option value="cm" selected=!inches>"cm"</option>
                        <option value="in" selected=inches>"in"</option>
                    </select>
                </span></td>
                <td class="center"><input type="checkbox" name=field("stackable") checked=stackable
                    aria-label=label(Msg::ColumnStackable) disabled=off/></td>
            </tr>
        }
    };
    let on_count = move |ev: leptos::ev::Event| {
        if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() {
            count.set(n.clamp(1, MAX_PALLETS));
        }
    };
    // Enter in the number would save the shipping details: the rows follow it already.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
        }
    };
    view! {
        <fieldset class="pallets" data-testid="pallet-rows">
            <legend>{i18n.t(Msg::PalletsTitle)}</legend>
            <p class="help" id="pallets-help">{i18n.t(Msg::PalletsHelp)}</p>
            <div class="inline-form">
                <label for="pallet-count">{i18n.t(Msg::FieldPalletCount)}</label>
                <input id="pallet-count" type="number" name="pallet_count" min="1" max=MAX_PALLETS.to_string()
                    value=initial.to_string() on:input=on_count on:keydown=on_key/>
                <button type="submit" class="button small before-wasm" formmethod="get"
                    formaction="#shipping-heading" formnovalidate>
                    {i18n.t(Msg::ShowPalletRows)}
                </button>
            </div>
            <div class="table-wrap">
                <table aria-describedby="pallets-help">
                    <thead>
                        <tr>
                            <th scope="col" class="num">{i18n.t(Msg::ColumnPallet)}</th>
                            <th scope="col">{i18n.t(Msg::ColumnPalletWeight)}</th>
                            <th scope="col">{i18n.t(Msg::ColumnPalletHeight)}</th>
                            <th scope="col">{i18n.t(Msg::ColumnStackable)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || 0..made.get() key=|n| *n let:n>{row(n)}</For>
                    </tbody>
                </table>
            </div>
        </fieldset>
    }
}

#[component]
fn TrackingForm(s: ShipmentView, shipped: ServerAction<MarkShipped>) -> impl IntoView {
    let i18n = use_i18n();
    let ltl = s.mode == Some(ShippingMode::Ltl);
    let total = s.boxes.len();
    let fields = if ltl {
        view! {
            <label for="pro-number">{i18n.t(Msg::FieldProNumber)}</label>
            <input id="pro-number" name="pro_number" required maxlength="40" class="mono" autocomplete="off"/>
        }
        .into_any()
    } else {
        s.boxes
            .iter()
            .enumerate()
            .map(|(n, b)| {
                let input_id = format!("tracking-{n}");
                view! {
                    <div>
                        <label for=input_id.clone()>
                            {i18n.tf(Msg::TrackingForBox, vec![("n", b.number.to_string()), ("m", total.to_string())])}
                        </label>
                        <input type="hidden" name=format!("tracking[{n}][box_id]") value=b.id.clone()/>
                        <input id=input_id name=format!("tracking[{n}][number]") required maxlength="60"
                            class="mono" autocomplete="off"/>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <ActionForm action=shipped>
            <input type="hidden" name="id" value=s.id.clone()/>
            <input type="hidden" name="version" value=s.version.to_string()/>
            <div class="grid">{fields}</div>
            <SubmitButton label=Msg::MarkShipped pending=shipped.pending()/>
        </ActionForm>
    }
}

/// One item's line in the box being closed: its units as the packer sees them (0, and
/// nothing asked, while none is in the box), and, for an item that expires, its date.
/// A line per item of the shipment, so a typed date stays as more units are scanned.
fn close_line(
    n: usize,
    sku: String,
    expires: bool,
    open_box: RwSignal<Vec<(String, u32)>>,
    i18n: I18n,
) -> impl IntoView {
    let units = {
        let sku = sku.clone();
        Memo::new(move |_| {
            open_box.with(|o| o.iter().find(|(s, _)| *s == sku).map_or(0, |(_, n)| *n))
        })
    };
    let none = move || units.get() == 0;
    let input_id = format!("scan-exp-{n}");
    let label = i18n.tf(Msg::ExpiryDateOf, vec![("sku", sku.clone())]);
    view! {
        <input type="hidden" name=format!("contents[{n}][sku]") value=sku.clone()/>
        <input type="hidden" name=format!("contents[{n}][quantity]") value=move || units.get().to_string()/>
        {expires.then(|| view! {
            <div hidden=none>
                <label for=input_id.clone()>{label}</label>
                <input type="date" id=input_id name=format!("contents[{n}][expiry]")
                    data-draft=format!("scan:exp:{sku}") required disabled=none/>
            </div>
        })}
    }
}

/// Keeps what is typed inside it across a refresh of the page: each field's value (by
/// its `data-draft` key, else its name) and which field has focus go to the
/// page-level draft as they change, and a rebuilt form takes them back. What the
/// page wrote in a field it rebuilt wins only where nothing was typed.
#[component]
fn Drafted(
    actions: Actions,
    /// Off: a plain wrapper (changing an existing box keeps no draft).
    #[prop(default = true)]
    keep: bool,
    /// The draft keys its fields have (they start with this): a submitted form's are
    /// dropped, so only what is typed after it (for the next box) is kept.
    clears: &'static str,
    children: Children,
) -> impl IntoView {
    let (draft, focus) = (actions.draft, actions.draft_focus);
    let submitted = move |_: leptos::ev::SubmitEvent| {
        draft.update(|d| d.retain(|(k, _)| !k.starts_with(clears)));
        // The field that sent it (Enter in it) is done with.
        focus.set(None);
    };
    let holder = NodeRef::<leptos::html::Div>::new();
    let remember = move |ev: leptos::ev::Event| {
        if !keep {
            return;
        }
        if let Some((key, value)) = draft_field(ev.target()) {
            draft.update(|d| {
                d.retain(|(k, _)| *k != key);
                d.push((key, value));
            });
        }
    };
    let focused = move |ev: leptos::ev::FocusEvent| {
        if !keep {
            return;
        }
        if let Some((key, _)) = draft_field(ev.target()) {
            focus.set(Some(key));
        }
    };
    // Focus that moves elsewhere on the page is let go; a field taken away by a
    // rebuild (no next target) keeps it, to be given back.
    let unfocused = move |ev: leptos::ev::FocusEvent| {
        if ev.related_target().is_some() {
            focus.set(None);
        }
    };
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(holder) = holder.get().filter(|_| keep) {
            restore_drafts(&holder, &draft.get_untracked(), focus.get_untracked());
        }
    });
    view! {
        <div node_ref=holder on:input=remember on:change=remember on:focusin=focused on:focusout=unfocused
            on:submit=submitted>
            {children()}
        </div>
    }
}

/// The draft key and value of a form field an event came from.
fn draft_field(target: Option<web_sys::EventTarget>) -> Option<(String, String)> {
    use wasm_bindgen::JsCast;
    let el: web_sys::Element = target?.dyn_into().ok()?;
    let key = el
        .get_attribute("data-draft")
        .or_else(|| el.get_attribute("name"))?;
    let value = if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        input.value()
    } else {
        el.dyn_ref::<web_sys::HtmlSelectElement>()?.value()
    };
    Some((key, value))
}

/// Puts the drafted values back into the fields under `holder`, and the focus.
#[cfg(feature = "hydrate")]
fn restore_drafts(holder: &web_sys::Element, draft: &[(String, String)], focus: Option<String>) {
    use wasm_bindgen::JsCast;
    let find = |key: &str| {
        let by_key = holder
            .query_selector(&format!("[data-draft=\"{key}\"]"))
            .ok()
            .flatten();
        by_key.or_else(|| {
            holder
                .query_selector(&format!("[name=\"{key}\"]"))
                .ok()
                .flatten()
        })
    };
    for (key, value) in draft {
        match find(key) {
            Some(el) => {
                if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                    input.set_value(value);
                } else if let Some(select) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
                    select.set_value(value);
                }
            }
            None => continue,
        }
    }
    if let Some(el) = focus.as_deref().and_then(find) {
        if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
            let _ = input.focus();
            let end = input.value().len() as u32;
            let _ = input.set_selection_range(end, end);
        } else if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

/// Scan to pack: a field that keeps focus, where a USB or Bluetooth scanner types an
/// FNSKU, UPC or SKU and Enter; each scan adds one unit to the open box (saved as it
/// fills, so a reload keeps it), confirmed beside the field, or refused loudly adding
/// nothing. Close box asks for the weight and sides (and the expiry date of what
/// expires). Before the wasm loads, each scan is a plain form post.
#[component]
fn ScanToPack(s: ShipmentView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let scan = actions.scan;
    let code = NodeRef::<leptos::html::Input>::new();
    let id = s.id.clone();
    let scanned_query = query.with_untracked(|q| q.get("scanned"));
    if !actions.scanning.get_untracked()
        && (scanned_query.is_some()
            || !s.open_box.is_empty()
            || query.with_untracked(|q| q.get("scan").is_some()))
    {
        actions.scanning.set(true);
    }
    // What the open box holds: as the page read it, then as each scan answers (a
    // refused scan changes nothing).
    let open_box = RwSignal::new(s.open_box.clone());
    Effect::new(move |seen: Option<usize>| {
        let now = scan.version().get();
        if seen.is_some_and(|seen| seen != now) {
            if let Some(Ok(scanned)) = scan.value().get_untracked() {
                open_box.set(scanned.open_box);
            }
        }
        now
    });
    let items = StoredValue::new(s.items.clone());
    // Units of `sku` left to pack outside the open box.
    let left = move |sku: &str, open: &[(String, u32)]| {
        let unboxed =
            items.with_value(|items| items.iter().find(|i| i.sku == sku).map_or(0, |i| i.unboxed));
        unboxed.saturating_sub(open.iter().find(|(s, _)| s == sku).map_or(0, |(_, n)| *n))
    };
    let added = move || -> Option<String> {
        let (sku, open) = match scan.value().get() {
            Some(Ok(scanned)) => (scanned.sku, scanned.open_box),
            Some(Err(_)) => return None,
            None => (scanned_query.clone()?, open_box.get()),
        };
        let n = open.iter().find(|(s, _)| *s == sku).map_or(0, |(_, n)| *n);
        let name = items
            .with_value(|items| items.iter().find(|i| i.sku == sku).map(|i| i.name.clone()))?;
        let item = if name.is_empty() {
            sku.clone()
        } else {
            format!("{sku} ({name})")
        };
        Some(i18n.tf(
            Msg::ScanAdded,
            vec![
                ("item", item),
                ("n", n.to_string()),
                ("left", left(&sku, &open).to_string()),
            ],
        )())
    };
    // The packer may also hear each scan (off unless turned on; the choice is kept in
    // this browser). Only with the wasm, so the switch appears once it has loaded.
    let sound = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        sound.set(scan_sound::wanted());
    });
    Effect::new(move |seen: Option<usize>| {
        let now = scan.version().get();
        if seen.is_some_and(|seen| seen != now) && sound.get_untracked() {
            #[cfg(feature = "hydrate")]
            if let Some(answer) = scan.value().get_untracked() {
                scan_sound::beep(answer.is_ok());
            }
        }
        now
    });
    let on_sound = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        sound.set(on);
        #[cfg(feature = "hydrate")]
        {
            scan_sound::keep(on);
            // A click lets the page make sound: the tones' context starts now.
            scan_sound::wake();
        }
        if let Some(input) = code.get() {
            let _ = input.focus();
        }
    };
    // A refused scan, loud beside the field (a plain form post's error is at the top
    // of the page, as for every step).
    let error = Signal::derive(move || scan.value().get().and_then(Result::err));
    let close_error = Signal::derive(move || actions.close_box.value().get().and_then(Result::err));
    let on_submit = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            // The scanner's Enter lets the page make sound, for this scan's tone.
            #[cfg(feature = "hydrate")]
            if sound.get_untracked() {
                scan_sound::wake();
            }
            let Some(input) = code.get() else { return };
            let value = input.value();
            // Cleared before the answer comes: the next scan may already be typing.
            input.set_value("");
            actions
                .draft
                .update(|d| d.retain(|(k, _)| k != "scan-code"));
            if !value.trim().is_empty() {
                scan.dispatch(ScanUnit {
                    id: id.clone(),
                    code: value,
                });
            }
        }
    };
    let on_toggle = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let open = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
            .is_some_and(|d| d.open());
        actions.scanning.set(open);
        if open {
            if let Some(input) = code.get() {
                let _ = input.focus();
            }
        }
    };
    // While scanning, the scan field has the focus whenever nothing else was being
    // typed in (the page just rebuilt after a box was closed, say).
    Effect::new(move |_| {
        if actions.scanning.get_untracked() && actions.draft_focus.get_untracked().is_none() {
            if let Some(input) = code.get() {
                let _ = input.focus();
            }
        }
    });
    let scan_url = <ScanUnit as leptos::server_fn::ServerFn>::url();
    let (scan_id, close_id) = (id.clone(), StoredValue::new(id));
    let close_lines = move || {
        items.with_value(|items| {
            let lines = items.iter().enumerate();
            lines
                .map(|(n, i)| close_line(n, i.sku.clone(), i.expires, open_box, i18n))
                .collect_view()
        })
    };
    let version = s.version;
    view! {
        <details class="subcard scan" id="scan" open=actions.scanning.get_untracked() on:toggle=on_toggle>
            <summary><h3>{i18n.t(Msg::ScanToPack)}</h3></summary>
            <p class="muted">{i18n.t(Msg::ScanIntro)}</p>
            <Drafted actions clears="scan-code">
                <form method="post" action=scan_url class="inline-form" on:submit=on_submit>
                    <input type="hidden" name="id" value=scan_id/>
                    <label for="scan-code">{i18n.t(Msg::FieldScan)}</label>
                    <input id="scan-code" name="code" node_ref=code autocomplete="off" autocapitalize="off"
                        spellcheck="false" class="mono" autofocus=actions.scanning.get_untracked()
                        data-draft="scan-code" maxlength="60"/>
                    <button type="submit" class="button">{i18n.t(Msg::ScanAdd)}</button>
                </form>
            </Drafted>
            <label class="choice with-wasm" for="scan-sound">
                <input type="checkbox" id="scan-sound" prop:checked=move || sound.get() on:change=on_sound/>
                " " {i18n.t(Msg::ScanSound)}
            </label>
            <div role="status" aria-live="polite" data-testid="scan-added">
                {move || added().map(|text| view! { <p class="alert alert-ok">{text}</p> })}
            </div>
            <div class="scan-refused">
                <ErrorAlert error/>
            </div>
            <h4>{i18n.t(Msg::OpenBoxTitle)}</h4>
            {move || {
                let open = open_box.get();
                if open.is_empty() {
                    return view! { <p class="muted" data-testid="open-box">{i18n.t(Msg::OpenBoxEmpty)}</p> }.into_any();
                }
                view! {
                    <table data-testid="open-box">
                        <thead><tr>
                            <th scope="col">"SKU"</th>
                            <th scope="col" class="num">{i18n.t(Msg::ColumnInThisBox)}</th>
                            <th scope="col" class="num">{i18n.t(Msg::ColumnLeftToPack)}</th>
                        </tr></thead>
                        <tbody>
                            {open.iter().map(|(sku, n)| view! {
                                <tr><td class="mono">{sku.clone()}</td><td class="num">{*n}</td><td class="num">{left(sku, &open)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }}
            // Closing is asked for once something is in the box.
            <Show when=move || open_box.with(|open| !open.is_empty())>
            <Drafted actions clears="scan:">
                <ErrorAlert error=close_error/>
                <ActionForm action=actions.close_box>
                    <input type="hidden" name="id" value=close_id.get_value()/>
                    <input type="hidden" name="version" value=actions.box_version(version)/>
                    <input type="hidden" name="from_scan" value="1"/>
                    // Each line as the packer sees it: a scan since makes it stale.
                    {close_lines}
                    <Measures prefix="scan" weight=String::new() sides=Default::default() lb=false inches=false/>
                    <SubmitButton label=Msg::CloseBox pending=actions.close_box.pending()/>
                </ActionForm>
            </Drafted>
            </Show>
        </details>
    }
}

/// The tones of scan-to-pack, with the Web Audio API: nothing to download, and the
/// scanner's Enter is the key press browsers ask for before a page may make sound.
#[cfg(feature = "hydrate")]
mod scan_sound {
    use std::cell::RefCell;
    use web_sys::{AudioContext, AudioContextState, OscillatorType};

    const KEY: &str = "scc-scan-sound";

    thread_local! {
        static CONTEXT: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    /// Whether the packer turned the sound on in this browser.
    pub fn wanted() -> bool {
        storage().and_then(|s| s.get_item(KEY).ok()?).as_deref() == Some("1")
    }

    pub fn keep(on: bool) {
        if let Some(s) = storage() {
            let _ = if on {
                s.set_item(KEY, "1")
            } else {
                s.remove_item(KEY)
            };
        }
    }

    /// Makes the tones' context, or resumes it: called on a click or a key press,
    /// when browsers let a page start sound (a context made otherwise stays silent).
    pub fn wake() {
        CONTEXT.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.is_none() {
                *cell = AudioContext::new().ok();
            }
            if let Some(context) = cell.as_ref() {
                if context.state() == AudioContextState::Suspended {
                    let _ = context.resume();
                }
            }
        });
    }

    /// A short high tone for a unit added, a longer low one for a refusal.
    pub fn beep(added: bool) {
        let (hz, seconds) = if added { (880.0, 0.08) } else { (220.0, 0.35) };
        wake();
        CONTEXT.with(|cell| {
            if let Some(context) = cell.borrow().as_ref() {
                let _ = tone(context, hz, seconds);
            }
        });
    }

    fn tone(context: &AudioContext, hz: f32, seconds: f64) -> Result<(), wasm_bindgen::JsValue> {
        let oscillator = context.create_oscillator()?;
        oscillator.set_type(OscillatorType::Square);
        oscillator.frequency().set_value(hz);
        let gain = context.create_gain()?;
        gain.gain().set_value(0.15);
        oscillator.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(&context.destination())?;
        let now = context.current_time();
        oscillator.start_with_when(now)?;
        oscillator.stop_with_when(now + seconds)
    }
}
