//! Shipments: the seller prepares one, shares it with a connected supplier (an edge
//! `shipment->shared_with->account`), and the supplier packs, labels and ships it.
//!
//! Every step is one transaction ([`Step::sql`]) that first checks who is calling (the
//! seller's account, or the supplier's with the share edge and a live connection) and
//! that the shipment's status allows the step, by the one transition table
//! ([`Step::transition`]); then it writes, sets the new status, bumps `version`, and
//! records a `shipment_event`, which is also what the live feed pushes to browsers.
//! Changes made from a form (edits, share, boxes, shipping, tracking) carry the version
//! they read: if another tab saved in between, the change is refused as stale.

use surrealdb::types::SurrealValue;

use crate::outbox::{bind_emails, outbox_inserts, OutgoingEmail};
use crate::secrets::{new_key, new_shipment_id};
use crate::{bind_actor, check, retry, take_last, Actor, Db, DbError, Refusal, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq, SurrealValue)]
pub struct Address {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    /// ISO 3166 alpha-2.
    pub country: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, SurrealValue)]
pub struct Item {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    /// `seller` or `supplier`.
    pub prep_by: String,
    /// What the fulfillment center scans on a unit: FNSKU, or ASIN (10 characters).
    #[surreal(default)]
    pub fnsku: Option<String>,
    /// The retail barcode: UPC-A or EAN-13.
    #[surreal(default)]
    pub upc: Option<String>,
    /// Whether its units carry an expiry date (stored from schema file 016 on; older
    /// items read as false).
    #[surreal(default)]
    pub expires: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, SurrealValue)]
pub struct BoxItem {
    pub sku: String,
    pub quantity: i64,
    /// The units' expiry date (YYYY-MM-DD), for an item that expires (schema file 017
    /// on; boxes stored before have none).
    #[surreal(default)]
    pub expiry: Option<String>,
}

/// One pallet of an LTL shipment, as stored.
#[derive(Debug, Clone, PartialEq, Eq, SurrealValue)]
pub struct PalletRow {
    pub weight_g: i64,
    pub height_mm: i64,
    pub weight_unit: String,
    pub length_unit: String,
    pub stackable: bool,
}

/// The shipping details the supplier enters: how the boxes travel, by whom, when,
/// the marketplace's shipment id, and for LTL the pallets (empty otherwise).
#[derive(Debug, Clone)]
pub struct Shipping {
    pub mode: String,
    pub carrier: String,
    pub ship_date: String,
    pub fba_id: Option<String>,
    pub pallets: Vec<PalletRow>,
}

/// What the seller enters for a shipment.
#[derive(Debug, Clone)]
pub struct NewShipment {
    pub name: String,
    pub ship_from: Address,
    pub destination: String,
    pub items: Vec<Item>,
}

/// A box as the supplier enters it.
#[derive(Debug, Clone)]
pub struct NewBox {
    pub contents: Vec<BoxItem>,
    pub weight_g: i64,
    pub length_mm: i64,
    pub width_mm: i64,
    pub height_mm: i64,
    pub weight_unit: String,
    pub length_unit: String,
}

#[derive(Debug, Clone, SurrealValue)]
pub struct ShipmentRow {
    pub id: String,
    pub seller_id: String,
    pub seller_company: String,
    pub name: String,
    pub ship_from: Address,
    pub destination: String,
    pub items: Vec<Item>,
    pub status: String,
    pub supplier_id: Option<String>,
    pub supplier_company: Option<String>,
    pub share_message: Option<String>,
    /// When it was shared with its current supplier (nanoseconds), if it is.
    pub shared_since: Option<i64>,
    pub mode: Option<String>,
    pub carrier: Option<String>,
    pub ship_date: Option<String>,
    pub pro_number: Option<String>,
    /// The marketplace's id of the shipment (schema file 019 on).
    #[surreal(default)]
    pub fba_id: Option<String>,
    /// An LTL shipment's pallets (schema file 020 on).
    #[surreal(default)]
    pub pallets: Option<Vec<PalletRow>>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, SurrealValue)]
pub struct BoxRow {
    pub id: String,
    pub number: i64,
    pub contents: Vec<BoxItem>,
    pub weight_g: i64,
    pub length_mm: i64,
    pub width_mm: i64,
    pub height_mm: i64,
    pub weight_unit: String,
    pub length_unit: String,
    pub tracking: Option<String>,
}

#[derive(Debug, Clone, SurrealValue)]
pub struct ShipmentEventRow {
    pub action: String,
    pub actor_name: String,
    pub actor_company: String,
    pub detail: String,
    pub at_nanos: i64,
}

/// One line of a shipments list.
#[derive(Debug, Clone, SurrealValue)]
pub struct ShipmentListRow {
    pub id: String,
    pub name: String,
    pub destination: String,
    pub units: i64,
    pub status: String,
    pub seller_id: String,
    pub supplier_company: Option<String>,
    pub updated_at: i64,
    /// The sort key: minus the last change in nanoseconds.
    pub recency: i64,
}

/// Who the caller is to a shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Seller,
    Supplier,
}

/// A shipment with its boxes and timeline, as one of its two sides may see it.
#[derive(Debug, Clone)]
pub struct ShipmentDetail {
    pub role: Role,
    pub shipment: ShipmentRow,
    pub boxes: Vec<BoxRow>,
    /// The box being filled by scanning, in the order its SKUs were first scanned.
    pub open_box: Vec<BoxItem>,
    pub events: Vec<ShipmentEventRow>,
}

/// One tracking number for one box.
#[derive(Debug, Clone, SurrealValue)]
pub struct BoxTracking {
    pub box_id: String,
    pub number: String,
}

/// A list row reads the shipment and, when shared, its supplier's name: nothing else
/// (the seller's name is known to the caller).
const LIST_FIELDS: &str = "record::id(id) AS id, name, destination, units, status, \
     record::id(seller) AS seller_id, supplier.company_name AS supplier_company, \
     time::unix(updated_at) AS updated_at, recency";

/// The seller's list page; `filtered` adds the status condition (a condition that is
/// only sometimes needed costs every row when written as `$status = NONE OR …`).
fn seller_list_sql(filtered: bool) -> String {
    let status = if filtered { "AND status = $status" } else { "" };
    format!(
        "SELECT {LIST_FIELDS} FROM shipment WHERE seller = type::record('account', $account) {status}
         ORDER BY recency LIMIT $limit START $start"
    )
}

/// The sellers a supplier `$account` is connected to.
const SUPPLIER_SELLERS: &str =
    "SELECT VALUE in FROM connected WHERE out = type::record('account', $account)";

/// The supplier's list page: the shipments shared with `$account` (their `supplier`
/// field) by sellers in `$sellers`, newest first, optionally of one seller or status.
/// The index is named: with a seller filter the planner would otherwise walk that
/// seller's shipments, all of them, instead of this supplier's.
fn supplier_list_sql(by_seller: bool, by_status: bool) -> String {
    let seller = if by_seller {
        "AND seller = type::record('account', $seller)"
    } else {
        ""
    };
    let status = if by_status {
        "AND status = $status"
    } else {
        ""
    };
    format!(
        "SELECT {LIST_FIELDS} FROM shipment WITH INDEX shipment_supplier
         WHERE supplier = type::record('account', $account) AND seller IN $sellers {seller} {status}
         ORDER BY recency LIMIT $limit START $start"
    )
}

/// The queries behind the list pages and a shipment's page, by name, for the
/// benchmark's report of their plans (each must use an index).
pub fn request_path_queries() -> Vec<(&'static str, String)> {
    vec![
        ("seller's list page", seller_list_sql(false)),
        ("seller's list page, by status", seller_list_sql(true)),
        ("supplier's connected sellers", SUPPLIER_SELLERS.to_owned()),
        ("supplier's list page", supplier_list_sql(false, false)),
        ("supplier's list page, by seller and status", supplier_list_sql(true, true)),
        (
            "a shipment's boxes",
            "SELECT * FROM shipment_box WHERE shipment = type::record('shipment', $id) ORDER BY number"
                .to_owned(),
        ),
        (
            "a shipment's timeline",
            "SELECT * FROM shipment_event WHERE shipment = type::record('shipment', $id) ORDER BY at"
                .to_owned(),
        ),
    ]
}

/// Binds `$s` to the shipment `$id` of the calling seller `$account`, or throws.
const SELLER_SCOPE: &str = "
    LET $s = (SELECT * FROM type::record('shipment', $id))[0];
    IF $s = NONE OR $s.seller != type::record('account', $account) { THROW 'scc:not_found' };
    LET $share = (SELECT * FROM type::record('shared_with', $id))[0];
    LET $supplier_key = IF $share = NONE { NONE } ELSE { record::id($share.out) };
";

/// Binds `$s` to the shipment `$id` shared with the calling supplier `$account` (who
/// must still be connected to its seller), or throws; the same answer as for a
/// shipment that does not exist, so ids cannot be probed.
const SUPPLIER_SCOPE: &str = "
    LET $s = (SELECT * FROM type::record('shipment', $id))[0];
    LET $share = (SELECT * FROM type::record('shared_with', $id))[0];
    IF $s = NONE OR $share = NONE OR $share.out != type::record('account', $account)
        OR !record::exists(type::record('connected', [record::id($s.seller), $account])) {
        THROW 'scc:not_found'
    };
    LET $supplier_key = $account;
";

/// Records `$action` with `$detail` in the timeline (and so in the live feed).
const EVENT: &str = "
    CREATE shipment_event SET shipment = $s.id, shipment_key = record::id($s.id),
        seller_key = record::id($s.seller), supplier_key = $supplier_key, action = $action,
        actor_name = $actor_name, actor_company = $actor_company, detail = $detail, at = $now;
";

/// Each step a shipment can take after it is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Edit,
    Share,
    StopSharing,
    Cancel,
    SaveBox,
    DeleteBox,
    SaveShipping,
    Reopen,
    MarkShipped,
}

/// Which side of the shipment takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    Seller,
    Supplier,
}

/// One row of the shipment's state machine.
struct Transition {
    by: By,
    /// The statuses the step may start from.
    from: &'static [&'static str],
    /// The status it leaves the shipment in; `None` keeps the status.
    to: Option<&'static str>,
    /// Whether the caller sends the version it read, refused as stale if it changed
    /// (changes made from a form the caller filled in).
    versioned: bool,
    /// Its timeline entry.
    action: &'static str,
}

/// The statuses a shipment is open in: shared with a supplier, not yet shipped.
const OPEN: &[&str] = &["shared", "packing", "labelled"];

impl Step {
    pub const ALL: [Step; 9] = [
        Step::Edit,
        Step::Share,
        Step::StopSharing,
        Step::Cancel,
        Step::SaveBox,
        Step::DeleteBox,
        Step::SaveShipping,
        Step::Reopen,
        Step::MarkShipped,
    ];

    /// The shipment's state machine: the one place that says who takes each step, from
    /// which statuses, and where it leaves the shipment. Every step's transaction
    /// checks it ([`Step::sql`]). The app consults the same table ([`Step::refusal`])
    /// only to know whether checking a form against the shipment as read means anything.
    fn transition(self) -> Transition {
        let t = |by, from, to, versioned, action| Transition {
            by,
            from,
            to,
            versioned,
            action,
        };
        match self {
            Step::Edit => t(By::Seller, &["draft"], None, true, "edited"),
            Step::Share => t(By::Seller, &["draft"], Some("shared"), true, "shared"),
            Step::StopSharing => t(By::Seller, OPEN, Some("draft"), false, "unshared"),
            Step::Cancel => t(
                By::Seller,
                &["draft", "shared", "packing", "labelled"],
                Some("cancelled"),
                false,
                "cancelled",
            ),
            Step::SaveBox => t(
                By::Supplier,
                &["shared", "packing"],
                Some("packing"),
                true,
                "box_saved",
            ),
            Step::DeleteBox => t(By::Supplier, &["packing"], None, false, "box_deleted"),
            Step::SaveShipping => t(
                By::Supplier,
                &["packing"],
                Some("labelled"),
                true,
                "shipping_saved",
            ),
            Step::Reopen => t(
                By::Supplier,
                &["labelled"],
                Some("packing"),
                false,
                "reopened",
            ),
            Step::MarkShipped => t(
                By::Supplier,
                &["labelled"],
                Some("shipped"),
                true,
                "shipped",
            ),
        }
    }

    /// What the step's transaction would refuse a change with, for a shipment read in
    /// `status` at `version`, from a form based on version `based_on`: by the same
    /// table, in the same order (status, then version). A form is checked against the
    /// shipment as read (units left to box, every unit boxed) only where this is
    /// `None`; otherwise those checks are moot and this is what the user should hear.
    /// The transaction checks again, so a change in between is still refused.
    pub fn refusal(self, status: &str, version: i64, based_on: i64) -> Option<Refusal> {
        let rule = self.transition();
        if !rule.from.contains(&status) {
            Some(Refusal::WrongState)
        } else if rule.versioned && version != based_on {
            Some(Refusal::Stale)
        } else {
            None
        }
    }

    /// The whole transaction of this step around `body` (which changes what is
    /// particular to it), queueing `emails` messages: who is calling, the status and
    /// version it may start from, the new status and version, the timeline entry.
    pub fn sql(self, body: &str, emails: usize) -> String {
        let rule = self.transition();
        let scope = match rule.by {
            By::Seller => SELLER_SCOPE,
            By::Supplier => SUPPLIER_SCOPE,
        };
        let from: Vec<String> = rule.from.iter().map(|s| format!("'{s}'")).collect();
        let status = format!(
            "IF $s.status NOTINSIDE [{}] {{ {} }};",
            from.join(", "),
            Refusal::WrongState.throw()
        );
        let version = if rule.versioned {
            format!(
                "IF $s.version != $version {{ {} }};",
                Refusal::Stale.throw()
            )
        } else {
            String::new()
        };
        let to = rule
            .to
            .map(|to| format!("status = '{to}', "))
            .unwrap_or_default();
        let update = format!("UPDATE $s.id SET {to}version += 1, updated_at = $now;");
        let outbox = outbox_inserts(emails);
        let statements = [
            scope.trim(),
            &status,
            &version,
            body.trim(),
            &update,
            EVENT.trim(),
            outbox.trim(),
        ];
        let inner: Vec<&str> = statements.into_iter().filter(|s| !s.is_empty()).collect();
        format!(
            "BEGIN TRANSACTION;\n    {}\nCOMMIT TRANSACTION;",
            inner.join("\n    ")
        )
    }
}

/// Part of the transaction removing connection `$edge` (seller `in`, supplier `out`):
/// every open shipment the pair shared goes back to the seller as a draft, as
/// [`Step::StopSharing`] would take it back.
pub(crate) fn unshare_on_removal() -> String {
    let open: Vec<String> = Step::StopSharing
        .transition()
        .from
        .iter()
        .map(|s| format!("'{s}'"))
        .collect();
    format!(
        "
    FOR $sh IN (SELECT VALUE in FROM shared_with WHERE out = $edge.out AND in.seller = $edge.in
        AND in.status IN [{}]) {{
        DELETE type::record('shared_with', record::id($sh));
        DELETE shipment_box WHERE shipment = $sh;
        DELETE type::record('open_box', record::id($sh));
        UPDATE $sh SET status = 'draft', {TAKEN_BACK}, version += 1, updated_at = $now;
        CREATE shipment_event SET shipment = $sh, shipment_key = record::id($sh),
            seller_key = record::id($edge.in), supplier_key = record::id($edge.out),
            action = 'connection_removed', actor_name = $actor_name,
            actor_company = $actor_company, detail = '', at = $now;
    }};
",
        open.join(", ")
    )
}

/// What a shipment taken back from its supplier forgets of the supplier's work.
const TAKEN_BACK: &str = "supplier = NONE, mode = NONE, carrier = NONE, ship_date = NONE, \
     pro_number = NONE, fba_id = NONE, pallets = NONE";

/// What every step carries: which shipment, who, its detail, the emails it sends.
struct StepCall<'a> {
    id: &'a str,
    account: &'a str,
    actor: &'a Actor,
    detail: String,
    emails: &'a [OutgoingEmail],
    now: Timestamp,
}

impl<'a> StepCall<'a> {
    /// A step with no detail and no email.
    fn new(id: &'a str, account: &'a str, actor: &'a Actor, now: Timestamp) -> StepCall<'a> {
        StepCall {
            id,
            account,
            actor,
            detail: String::new(),
            emails: &[],
            now,
        }
    }
}

impl Db {
    /// Runs `step` with `body` as one transaction, with the caller's ids, the actor,
    /// the event and any emails bound, retried on conflicts.
    async fn shipment_step(
        &self,
        step: Step,
        body: &str,
        call: StepCall<'_>,
        bind: impl Fn(
            surrealdb::method::Query<'_, surrealdb::engine::any::Any>,
        ) -> surrealdb::method::Query<'_, surrealdb::engine::any::Any>,
    ) -> Result<(), DbError> {
        let sql = step.sql(body, call.emails.len());
        retry(|| async {
            let query = self
                .conn
                .query(sql.as_str())
                .bind(("id", call.id.to_owned()))
                .bind(("account", call.account.to_owned()))
                .bind(("action", step.transition().action))
                .bind(("detail", call.detail.clone()))
                .bind(("now", call.now));
            let query = bind_emails(bind_actor(query, call.actor), call.emails);
            check(bind(query).await)
        })
        .await
        .map(|_| ())
    }
}

/// The particular part of each step's transaction; [`Step::sql`] adds the rest.
mod body {
    pub const EDIT: &str = "UPDATE $s.id SET name = $name, ship_from = $ship_from, \
         destination = $destination, items = $items, units = math::sum($items.*.quantity);";

    pub const SHARE: &str = "
    LET $edge = type::record('connected', [$account, $supplier]);
    IF !record::exists($edge) { THROW 'scc:not_connected' };
    -- Writing the edge makes a concurrent removal of the connection conflict with
    -- this share instead of both committing.
    UPDATE $edge SET last_shared_at = $now;
    LET $to = type::record('account', $supplier);
    LET $from = $s.id;
    RELATE $from->shared_with->$to SET id = type::record('shared_with', $id), since = $now,
        message = $message;
    UPDATE $s.id SET supplier = $to;
    LET $supplier_key = $supplier;";

    pub const STOP_SHARING: &str = "
    DELETE type::record('shared_with', $id);
    DELETE shipment_box WHERE shipment = $s.id;
    DELETE type::record('open_box', $id);";

    pub const CANCEL: &str = "
    DELETE type::record('shared_with', $id);
    DELETE type::record('open_box', $id);
    UPDATE $s.id SET supplier = NONE;";

    pub const SAVE_BOX: &str = "
    LET $box = type::record('shipment_box', $box_key);
    LET $existing = (SELECT * FROM $box)[0];
    IF $is_new = false AND ($existing = NONE OR $existing.shipment != $s.id) { THROW 'scc:not_found' };
    -- Never more units of a SKU in boxes (this one as saved, the others) and in the box
    -- being filled by scanning (unless this is it) than the shipment has.
    LET $others = array::flatten(
        SELECT VALUE contents FROM shipment_box WHERE shipment = $s.id AND id != $box);
    LET $scanning = IF $from_open_box { [] } ELSE {
        (SELECT VALUE contents FROM type::record('open_box', $id))[0] ?? [] };
    FOR $line IN $contents {
        LET $ordered = $s.items[WHERE sku = $line.sku][0].quantity ?? 0;
        IF math::sum($others[WHERE sku = $line.sku].quantity)
            + math::sum($scanning[WHERE sku = $line.sku].quantity) + $line.quantity > $ordered {
            THROW 'scc:nothing_left'
        };
    };
    LET $number = IF $is_new {
        ((SELECT VALUE number FROM shipment_box WHERE shipment = $s.id ORDER BY number DESC LIMIT 1)[0] ?? 0) + 1
    } ELSE { $existing.number };
    UPSERT $box SET shipment = $s.id, number = $number, contents = $contents,
        weight_g = $weight_g, length_mm = $length_mm, width_mm = $width_mm,
        height_mm = $height_mm, weight_unit = $weight_unit, length_unit = $length_unit;
    -- Closing the box filled by scanning: it must hold what the caller read, no more.
    IF $from_open_box {
        LET $open = (SELECT VALUE contents FROM type::record('open_box', $id))[0] ?? [];
        IF $open.sku != $contents.sku OR $open.quantity != $contents.quantity {
            THROW 'scc:stale'
        };
        DELETE type::record('open_box', $id);
    };";

    pub const DELETE_BOX: &str = "
    LET $box = (SELECT * FROM type::record('shipment_box', $box_key))[0];
    IF $box = NONE OR $box.shipment != $s.id { THROW 'scc:not_found' };
    DELETE $box.id;";

    /// Pallets go with LTL only, and LTL never goes without them (the app refuses
    /// such a form first; here it would be a bug).
    pub const SAVE_SHIPPING: &str = "
    IF ($mode = 'ltl') != (array::len($pallets) > 0) { THROW 'pallets go with LTL, and only with it' };
    UPDATE $s.id SET mode = $mode, carrier = $carrier, ship_date = $ship_date,
        fba_id = $fba_id, pallets = IF $mode = 'ltl' { $pallets } ELSE { NONE };";

    pub const REOPEN: &str = "UPDATE $s.id SET mode = NONE;";

    pub const MARK_SHIPPED: &str = "
    FOR $t IN $tracking {
        LET $box = (SELECT * FROM type::record('shipment_box', $t.box_id))[0];
        IF $box = NONE OR $box.shipment != $s.id { THROW 'scc:not_found' };
        UPDATE $box.id SET tracking = $t.number;
    };
    UPDATE $s.id SET pro_number = $pro_number;";
}

impl Step {
    /// The particular part of this step's transaction.
    fn body(self) -> String {
        match self {
            Step::Edit => body::EDIT.into(),
            Step::Share => body::SHARE.into(),
            Step::StopSharing => {
                format!("{}\n    UPDATE $s.id SET {TAKEN_BACK};", body::STOP_SHARING)
            }
            Step::Cancel => body::CANCEL.into(),
            Step::SaveBox => body::SAVE_BOX.into(),
            Step::DeleteBox => body::DELETE_BOX.into(),
            Step::SaveShipping => body::SAVE_SHIPPING.into(),
            Step::Reopen => body::REOPEN.into(),
            Step::MarkShipped => body::MARK_SHIPPED.into(),
        }
    }
}

/// What one read of a shipment's page returns: one object, decoded as one.
#[derive(Debug, Clone, SurrealValue)]
struct ShipmentRead {
    shipment: Option<ShipmentRow>,
    /// Whether the supplier it is shared with (if any) is still connected to the seller.
    supplier_connected: bool,
    boxes: Vec<BoxRow>,
    open_box: Vec<BoxItem>,
    events: Vec<ShipmentEventRow>,
    /// The shipment's version once the rest was read.
    version_after: Option<i64>,
}

/// The read behind a shipment's page: the shipment with its share, its boxes and its
/// timeline, in one `RETURN { … }`. Each statement reads on its own, so the version is
/// read again last: a step committed during the read (a new box on the old version,
/// say) shows as a changed version, and the read is made again.
const SHIPMENT_READ: &str = "
    LET $share = (SELECT * FROM type::record('shared_with', $id))[0];
    LET $supplier_id = IF $share = NONE { NONE } ELSE { record::id($share.out) };
    LET $shipment = (SELECT record::id(id) AS id, record::id(seller) AS seller_id,
            seller.company_name AS seller_company, name, ship_from, destination, items,
            status, $supplier_id AS supplier_id,
            $share.out.company_name AS supplier_company, $share.message AS share_message,
            IF $share = NONE { NONE } ELSE { time::nano($share.since) } AS shared_since,
            mode, carrier, ship_date, pro_number, fba_id, pallets, version,
            time::unix(created_at) AS created_at, time::unix(updated_at) AS updated_at
        FROM type::record('shipment', $id))[0];
    RETURN {
        shipment: $shipment,
        supplier_connected: IF $shipment = NONE OR $supplier_id = NONE { false } ELSE {
            record::exists(type::record('connected', [$shipment.seller_id, $supplier_id]))
        },
        boxes: (SELECT record::id(id) AS id, number, contents, weight_g, length_mm, width_mm,
                height_mm, weight_unit, length_unit, tracking
            FROM shipment_box WHERE shipment = type::record('shipment', $id) ORDER BY number),
        open_box: (SELECT VALUE contents FROM type::record('open_box', $id))[0] ?? [],
        events: (SELECT action, actor_name, actor_company, detail, time::nano(at) AS at_nanos
            FROM shipment_event WHERE shipment = type::record('shipment', $id) ORDER BY at_nanos),
        version_after: (SELECT VALUE version FROM type::record('shipment', $id))[0],
    };
";

impl Db {
    /// Creates a draft shipment for the seller `account`; returns its id.
    pub async fn create_shipment(
        &self,
        account: &str,
        new: &NewShipment,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<String, DbError> {
        let id = new_shipment_id();
        let sql = format!(
            "BEGIN TRANSACTION;
             IF type::record('account', $account).kind != 'seller' {{
                 THROW 'scc:wrong_account_kind'
             }};
             CREATE type::record('shipment', $id) SET seller = type::record('account', $account),
                 name = $name, ship_from = $ship_from, destination = $destination, items = $items,
                 units = math::sum($items.*.quantity), status = 'draft', version = 0,
                 created_at = $now, updated_at = $now;
             LET $s = (SELECT * FROM type::record('shipment', $id))[0];
             LET $supplier_key = NONE;
             {EVENT}
             COMMIT TRANSACTION;"
        );
        retry(|| async {
            let query = self
                .conn
                .query(sql.as_str())
                .bind(("id", id.clone()))
                .bind(("account", account.to_owned()))
                .bind(("action", "created"))
                .bind(("detail", String::new()))
                .bind(("now", now));
            check(bind_shipment(bind_actor(query, actor), new).await)
        })
        .await?;
        Ok(id)
    }

    /// Changes a draft.
    pub async fn update_shipment(
        &self,
        id: &str,
        account: &str,
        new: &NewShipment,
        version: i64,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let call = StepCall::new(id, account, actor, now);
        self.shipment_step(Step::Edit, &Step::Edit.body(), call, |q| {
            bind_shipment(q, new).bind(("version", version))
        })
        .await
    }

    /// The shipment, its boxes and its timeline, if `account` is its seller or the
    /// supplier it is shared with (and still connected); `None` for anyone else.
    pub async fn shipment_for(
        &self,
        id: &str,
        account: &str,
    ) -> Result<Option<ShipmentDetail>, DbError> {
        let mut attempts = 0;
        let (read, shipment) = loop {
            let response = check(
                self.conn
                    .query(SHIPMENT_READ)
                    .bind(("id", id.to_owned()))
                    .await,
            )?;
            let Some(mut read) = take_last::<Option<ShipmentRead>>(response)? else {
                return Ok(None);
            };
            let Some(shipment) = read.shipment.take() else {
                return Ok(None);
            };
            attempts += 1;
            // A step committed while it was read: read it again (a few times at most;
            // a shipment changing that fast is read as it was).
            if read.version_after == Some(shipment.version) || attempts == 5 {
                break (read, shipment);
            }
        };
        let role = if shipment.seller_id == account {
            Role::Seller
        } else if shipment.supplier_id.as_deref() == Some(account) && read.supplier_connected {
            Role::Supplier
        } else {
            return Ok(None);
        };
        let mut events = read.events;
        // A supplier sees the timeline from its own share on: not who had it before.
        if role == Role::Supplier {
            let since = shipment.shared_since.unwrap_or(i64::MAX);
            events.retain(|e| e.at_nanos >= since);
        }
        Ok(Some(ShipmentDetail {
            role,
            shipment,
            boxes: read.boxes,
            open_box: read.open_box,
            events,
        }))
    }

    /// A page of the seller's shipments (`limit` from `start`), most recently changed
    /// first.
    pub async fn seller_shipments(
        &self,
        account: &str,
        status: Option<&str>,
        start: i64,
        limit: i64,
    ) -> Result<Vec<ShipmentListRow>, DbError> {
        let response = check(
            self.conn
                .query(seller_list_sql(status.is_some()))
                .bind(("account", account.to_owned()))
                .bind(("status", status.map(str::to_owned)))
                .bind(("start", start))
                .bind(("limit", limit))
                .await,
        )?;
        take_last(response)
    }

    /// A page of the shipments shared with the supplier by sellers it is still
    /// connected to, most recently changed first.
    pub async fn supplier_shipments(
        &self,
        account: &str,
        seller: Option<&str>,
        status: Option<&str>,
        start: i64,
        limit: i64,
    ) -> Result<Vec<ShipmentListRow>, DbError> {
        let response = check(
            self.conn
                .query(format!(
                    "LET $sellers = ({SUPPLIER_SELLERS}); {}",
                    supplier_list_sql(seller.is_some(), status.is_some())
                ))
                .bind(("account", account.to_owned()))
                .bind(("seller", seller.map(str::to_owned)))
                .bind(("status", status.map(str::to_owned)))
                .bind(("start", start))
                .bind(("limit", limit))
                .await,
        )?;
        take_last(response)
    }

    /// Shares a draft with a connected supplier and queues the emails to its
    /// administrators. `NotConnected` when the two are not connected.
    #[allow(clippy::too_many_arguments)]
    pub async fn share_shipment(
        &self,
        id: &str,
        account: &str,
        supplier: &str,
        message: &str,
        version: i64,
        actor: &Actor,
        emails: &[OutgoingEmail],
        now: Timestamp,
    ) -> Result<(), DbError> {
        let call = StepCall {
            emails,
            ..StepCall::new(id, account, actor, now)
        };
        self.shipment_step(Step::Share, &Step::Share.body(), call, |q| {
            q.bind(("supplier", supplier.to_owned()))
                .bind(("message", message.to_owned()))
                .bind(("version", version))
        })
        .await
    }

    /// Takes the shipment back from its supplier before it ships: the share edge and
    /// the supplier's boxes go, and it is a draft again.
    pub async fn stop_sharing(
        &self,
        id: &str,
        account: &str,
        actor: &Actor,
        emails: &[OutgoingEmail],
        now: Timestamp,
    ) -> Result<(), DbError> {
        let call = StepCall {
            emails,
            ..StepCall::new(id, account, actor, now)
        };
        self.shipment_step(Step::StopSharing, &Step::StopSharing.body(), call, |q| q)
            .await
    }

    /// Cancels a shipment that has not shipped; a supplier it was shared with loses it.
    pub async fn cancel_shipment(
        &self,
        id: &str,
        account: &str,
        actor: &Actor,
        emails: &[OutgoingEmail],
        now: Timestamp,
    ) -> Result<(), DbError> {
        let call = StepCall {
            emails,
            ..StepCall::new(id, account, actor, now)
        };
        self.shipment_step(Step::Cancel, &Step::Cancel.body(), call, |q| q)
            .await
    }

    /// Adds a box (`box_id` None) or replaces one, as the supplier, on the version
    /// the caller validated against. Returns the box's id. `from_open_box`: the new
    /// box is the one filled by scanning, whose contents must still be `new.contents`
    /// (else [`Refusal::Stale`]); it is emptied in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_box(
        &self,
        id: &str,
        account: &str,
        box_id: Option<&str>,
        new: &NewBox,
        from_open_box: bool,
        version: i64,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<String, DbError> {
        let key = box_id.map(str::to_owned).unwrap_or_else(new_key);
        let call = StepCall::new(id, account, actor, now);
        self.shipment_step(Step::SaveBox, &Step::SaveBox.body(), call, |q| {
            q.bind(("box_key", key.clone()))
                .bind(("is_new", box_id.is_none()))
                .bind(("from_open_box", from_open_box && box_id.is_none()))
                .bind(("version", version))
                .bind(("contents", new.contents.clone()))
                .bind(("weight_g", new.weight_g))
                .bind(("length_mm", new.length_mm))
                .bind(("width_mm", new.width_mm))
                .bind(("height_mm", new.height_mm))
                .bind(("weight_unit", new.weight_unit.clone()))
                .bind(("length_unit", new.length_unit.clone()))
        })
        .await?;
        Ok(key)
    }

    /// Adds one unit of `sku` to the box being filled by scanning, as the supplier,
    /// while the shipment is shared or packing; refused with [`Refusal::NothingLeft`]
    /// when every unit of it is in a box or in the open box already. Returns what the
    /// open box holds after it. Not a step: the version, status and timeline stay as they
    /// are until the box is closed.
    pub async fn scan_unit(
        &self,
        id: &str,
        account: &str,
        sku: &str,
        now: Timestamp,
    ) -> Result<Vec<BoxItem>, DbError> {
        let sql = format!(
            "BEGIN TRANSACTION;
            {SUPPLIER_SCOPE}
            IF $s.status NOTINSIDE ['shared', 'packing'] {{ {wrong_state} }};
            LET $item = $s.items[WHERE sku = $sku][0];
            IF $item = NONE {{ THROW 'scc:not_found' }};
            LET $boxed = math::sum(array::flatten(
                SELECT VALUE contents FROM shipment_box WHERE shipment = $s.id
            )[WHERE sku = $sku].quantity);
            LET $open = (SELECT VALUE contents FROM type::record('open_box', $id))[0] ?? [];
            LET $mine = math::sum($open[WHERE sku = $sku].quantity);
            IF $boxed + $mine >= $item.quantity {{ {nothing_left} }};
            LET $others = $open[WHERE sku != $sku];
            LET $at = array::find_index($open.sku, $sku);
            LET $line = {{ sku: $sku, quantity: $mine + 1 }};
            LET $contents = IF $at = NONE {{ array::push($open, $line) }}
                ELSE {{ array::insert($others, $line, $at) }};
            UPDATE $s.id SET scans += 1;
            UPSERT type::record('open_box', $id) SET shipment = $s.id, contents = $contents,
                updated_at = $now;
            COMMIT TRANSACTION;
            (SELECT VALUE contents FROM type::record('open_box', $id))[0] ?? [];",
            wrong_state = Refusal::WrongState.throw(),
            nothing_left = Refusal::NothingLeft.throw(),
        );
        let response = retry(|| async {
            check(
                self.conn
                    .query(sql.as_str())
                    .bind(("id", id.to_owned()))
                    .bind(("account", account.to_owned()))
                    .bind(("sku", sku.to_owned()))
                    .bind(("now", now))
                    .await,
            )
        })
        .await?;
        // What the open box holds once this scan committed (a later one's too, maybe).
        take_last(response)
    }

    /// Removes a box while packing.
    pub async fn delete_box(
        &self,
        id: &str,
        account: &str,
        box_id: &str,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let call = StepCall::new(id, account, actor, now);
        self.shipment_step(Step::DeleteBox, &Step::DeleteBox.body(), call, |q| {
            q.bind(("box_key", box_id.to_owned()))
        })
        .await
    }

    /// Records how the boxes travel and moves the shipment to `labelled`, on the
    /// version the caller checked (every unit boxed, the mode's limits kept).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_shipping(
        &self,
        id: &str,
        account: &str,
        shipping: &Shipping,
        version: i64,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let call = StepCall {
            detail: shipping.carrier.clone(),
            ..StepCall::new(id, account, actor, now)
        };
        self.shipment_step(Step::SaveShipping, &Step::SaveShipping.body(), call, |q| {
            q.bind(("mode", shipping.mode.clone()))
                .bind(("carrier", shipping.carrier.clone()))
                .bind(("ship_date", shipping.ship_date.clone()))
                .bind(("fba_id", shipping.fba_id.clone()))
                .bind(("pallets", shipping.pallets.clone()))
                .bind(("version", version))
        })
        .await
    }

    /// Goes back from `labelled` to packing, to change the boxes.
    pub async fn reopen_packing(
        &self,
        id: &str,
        account: &str,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<(), DbError> {
        let call = StepCall::new(id, account, actor, now);
        self.shipment_step(Step::Reopen, &Step::Reopen.body(), call, |q| q)
            .await
    }

    /// Records the tracking (one number per box, or the LTL PRO number), marks the
    /// shipment shipped and queues the seller's emails.
    #[allow(clippy::too_many_arguments)]
    pub async fn mark_shipped(
        &self,
        id: &str,
        account: &str,
        tracking: &[BoxTracking],
        pro_number: Option<&str>,
        version: i64,
        actor: &Actor,
        emails: &[OutgoingEmail],
        now: Timestamp,
    ) -> Result<(), DbError> {
        let call = StepCall {
            emails,
            ..StepCall::new(id, account, actor, now)
        };
        self.shipment_step(Step::MarkShipped, &Step::MarkShipped.body(), call, |q| {
            q.bind(("tracking", tracking.to_vec()))
                .bind(("pro_number", pro_number.map(str::to_owned)))
                .bind(("version", version))
        })
        .await
    }
}

/// Every step's whole transaction as it is sent (with one email queued), for the
/// snapshot test: a change to a rule shows up as a change to this text.
pub fn step_transactions() -> String {
    Step::ALL
        .iter()
        .map(|step| format!("-- {step:?}\n{}\n", step.sql(&step.body(), 1)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One step on some shipment, as the live feed carries it: enough to decide whose
/// browsers to tell, nothing they could not read anyway.
#[derive(Debug, Clone, PartialEq, Eq, SurrealValue)]
pub struct FeedEvent {
    pub shipment_key: String,
    pub seller_key: String,
    pub supplier_key: Option<String>,
}

impl Db {
    /// Every shipment event written from now on, by this process or any other using
    /// the same database (a LIVE SELECT). The stream ends when the connection drops;
    /// the caller subscribes again.
    pub async fn shipment_feed(
        &self,
    ) -> Result<impl futures::Stream<Item = FeedEvent> + Send + Unpin + 'static, DbError> {
        use futures::StreamExt;
        use surrealdb::types::Action;
        use surrealdb::Notification;
        let mut response = self
            .conn
            .query("LIVE SELECT shipment_key, seller_key, supplier_key FROM shipment_event")
            .await?;
        let stream = response.stream::<Notification<FeedEvent>>(0)?;
        Ok(stream.filter_map(|n| {
            futures::future::ready(match n {
                Ok(n) if n.action == Action::Create => Some(n.data),
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "live feed notification unreadable");
                    None
                }
            })
        }))
    }
}

fn bind_shipment<'a, C: surrealdb::Connection>(
    query: surrealdb::method::Query<'a, C>,
    new: &NewShipment,
) -> surrealdb::method::Query<'a, C> {
    query
        .bind(("name", new.name.clone()))
        .bind(("ship_from", new.ship_from.clone()))
        .bind(("destination", new.destination.clone()))
        .bind(("items", new.items.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    fn now() -> Timestamp {
        chrono::Utc::now()
    }

    fn actor(name: &str) -> Actor {
        Actor {
            user_id: format!("{name}@example.com"),
            name: name.into(),
            company: format!("{name} Ltd"),
        }
    }

    async fn setup() -> Db {
        let db = Db::memory().await.expect("db");
        check(
            db.conn
                .query(
                    "CREATE account:seller SET kind = 'seller', company_name = 'Seller';
                     CREATE account:other SET kind = 'seller', company_name = 'Other seller';
                     CREATE account:supplier SET kind = 'supplier', company_name = 'Supplier';
                     RELATE account:seller->connected->account:supplier
                         SET id = connected:['seller', 'supplier'], since = time::now();",
                )
                .await,
        )
        .expect("accounts");
        db
    }

    fn shipment() -> NewShipment {
        NewShipment {
            name: "Spring restock".into(),
            ship_from: Address {
                name: "王芳".into(),
                line1: "科技园 1 号".into(),
                line2: String::new(),
                city: "深圳".into(),
                region: "广东".into(),
                postal_code: "518000".into(),
                country: "CN".into(),
                phone: String::new(),
            },
            destination: "PHX7".into(),
            items: vec![
                Item {
                    sku: "MUG-1".into(),
                    name: "Mug".into(),
                    quantity: 3,
                    prep_by: "seller".into(),
                    fnsku: Some("X001ABCDEF".into()),
                    upc: Some("036000291452".into()),
                    expires: true,
                },
                Item {
                    sku: "CUP-2".into(),
                    name: String::new(),
                    quantity: 2,
                    prep_by: "supplier".into(),
                    fnsku: None,
                    upc: None,
                    expires: false,
                },
            ],
        }
    }

    /// Shipping details by UPS in `mode`, with one pallet for LTL.
    fn shipping(mode: &str) -> Shipping {
        let pallet = PalletRow {
            weight_g: 300_000,
            height_mm: 1_500,
            weight_unit: "kg".into(),
            length_unit: "cm".into(),
            stackable: false,
        };
        Shipping {
            mode: mode.into(),
            carrier: "UPS".into(),
            ship_date: "2026-12-01".into(),
            fba_id: None,
            pallets: if mode == "ltl" { vec![pallet] } else { vec![] },
        }
    }

    fn one_box(sku: &str, quantity: i64) -> NewBox {
        NewBox {
            contents: vec![BoxItem {
                sku: sku.into(),
                quantity,
                expiry: None,
            }],
            weight_g: 5000,
            length_mm: 400,
            width_mm: 300,
            height_mm: 200,
            weight_unit: "kg".into(),
            length_unit: "cm".into(),
        }
    }

    #[tokio::test]
    async fn a_shipment_goes_from_draft_to_shipped_and_the_feed_sees_each_step() {
        let db = setup().await;
        let mut feed = db.shipment_feed().await.expect("feed");
        let (seller, supplier) = (actor("ann"), actor("wang"));
        let id = db
            .create_shipment("seller", &shipment(), &seller, now())
            .await
            .expect("create");
        let list = db
            .seller_shipments("seller", None, 0, 50)
            .await
            .expect("list");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].units, 5);
        assert_eq!(list[0].supplier_company, None);

        // Not shared yet: the supplier sees nothing, and cannot box.
        assert!(db
            .shipment_for(&id, "supplier")
            .await
            .expect("read")
            .is_none());
        let refused = db
            .save_box(
                &id,
                "supplier",
                None,
                &one_box("MUG-1", 3),
                false,
                1,
                &supplier,
                now(),
            )
            .await;
        assert!(
            matches!(refused, Err(DbError::Refused(Refusal::NotFound))),
            "{refused:?}"
        );

        let refused = db
            .share_shipment(&id, "other", "supplier", "", 0, &seller, &[], now())
            .await;
        assert!(
            matches!(refused, Err(DbError::Refused(Refusal::NotFound))),
            "{refused:?}"
        );
        db.share_shipment(&id, "seller", "supplier", "Fragile", 0, &seller, &[], now())
            .await
            .expect("share");
        let again = db
            .share_shipment(&id, "seller", "supplier", "", 1, &seller, &[], now())
            .await;
        assert!(
            matches!(again, Err(DbError::Refused(Refusal::WrongState))),
            "{again:?}"
        );

        let detail = db
            .shipment_for(&id, "supplier")
            .await
            .expect("read")
            .expect("visible");
        assert_eq!(detail.role, Role::Supplier);
        assert_eq!(
            detail.shipment.supplier_company.as_deref(),
            Some("Supplier")
        );
        assert_eq!(detail.shipment.share_message.as_deref(), Some("Fragile"));
        assert_eq!(detail.shipment.ship_from.city, "深圳");
        // The items as stored, codes and all.
        assert_eq!(detail.shipment.items, shipment().items);
        let version = detail.shipment.version;
        assert_eq!(
            db.supplier_shipments("supplier", None, None, 0, 50)
                .await
                .expect("list")
                .len(),
            1
        );

        let first = db
            .save_box(
                &id,
                "supplier",
                None,
                &one_box("MUG-1", 3),
                false,
                version,
                &supplier,
                now(),
            )
            .await
            .expect("box 1");
        let stale = db
            .save_box(
                &id,
                "supplier",
                None,
                &one_box("CUP-2", 2),
                false,
                version,
                &supplier,
                now(),
            )
            .await;
        assert!(
            matches!(stale, Err(DbError::Refused(Refusal::Stale))),
            "{stale:?}"
        );
        db.save_box(
            &id,
            "supplier",
            None,
            &one_box("CUP-2", 2),
            false,
            version + 1,
            &supplier,
            now(),
        )
        .await
        .expect("box 2");
        let detail = db
            .shipment_for(&id, "seller")
            .await
            .expect("read")
            .expect("visible");
        assert_eq!(detail.role, Role::Seller);
        assert_eq!(detail.shipment.status, "packing");
        assert_eq!(
            detail.boxes.iter().map(|b| b.number).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let v = detail.shipment.version;

        let shipping = Shipping {
            fba_id: Some("FBA15ABCD123".into()),
            ..shipping("small_parcel")
        };
        db.save_shipping(&id, "supplier", &shipping, v, &supplier, now())
            .await
            .expect("shipping");
        let boxed = db
            .save_box(
                &id,
                "supplier",
                Some(&first),
                &one_box("MUG-1", 3),
                false,
                v + 1,
                &supplier,
                now(),
            )
            .await;
        assert!(
            matches!(boxed, Err(DbError::Refused(Refusal::WrongState))),
            "{boxed:?}"
        );
        let tracking: Vec<BoxTracking> = detail
            .boxes
            .iter()
            .map(|b| BoxTracking {
                box_id: b.id.clone(),
                number: format!("1Z{}", b.number),
            })
            .collect();
        db.mark_shipped(
            &id,
            "supplier",
            &tracking,
            None,
            v + 1,
            &supplier,
            &[],
            now(),
        )
        .await
        .expect("shipped");
        let detail = db
            .shipment_for(&id, "seller")
            .await
            .expect("read")
            .expect("visible");
        assert_eq!(detail.shipment.status, "shipped");
        assert_eq!(detail.boxes[0].tracking.as_deref(), Some("1Z1"));
        let actions: Vec<&str> = detail.events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "created",
                "shared",
                "box_saved",
                "box_saved",
                "shipping_saved",
                "shipped"
            ]
        );
        let stop = db.stop_sharing(&id, "seller", &seller, &[], now()).await;
        assert!(
            matches!(stop, Err(DbError::Refused(Refusal::WrongState))),
            "{stop:?}"
        );

        for _ in 0..6 {
            let event = tokio::time::timeout(std::time::Duration::from_secs(5), feed.next())
                .await
                .expect("feed delivers")
                .expect("feed open");
            assert_eq!(event.shipment_key, id);
            assert_eq!(event.seller_key, "seller");
        }
    }

    /// Each step's transaction as sent; a rule that changes shows up in review as a
    /// change to `db/snapshots/shipment_steps.surql` (`UPDATE_SNAPSHOTS=1` rewrites it).
    #[test]
    fn each_steps_transaction_is_as_recorded() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/snapshots/shipment_steps.surql"
        );
        let actual = step_transactions();
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(path, &actual).expect("write the snapshot");
        }
        let recorded = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            actual == recorded,
            "a step's SurrealQL changed; review it and run with UPDATE_SNAPSHOTS=1:\n{actual}"
        );
    }

    #[tokio::test]
    async fn every_step_is_refused_from_a_status_the_table_does_not_allow() {
        let db = setup().await;
        let (seller, supplier) = (actor("ann"), actor("wang"));
        let id = db
            .create_shipment("seller", &shipment(), &seller, now())
            .await
            .expect("create");
        // A draft: the supplier's steps are not reachable (not shared: not found), and
        // the seller's steps that need a shared shipment are refused by status.
        let stop = db.stop_sharing(&id, "seller", &seller, &[], now()).await;
        assert!(
            matches!(stop, Err(DbError::Refused(Refusal::WrongState))),
            "{stop:?}"
        );
        db.share_shipment(&id, "seller", "supplier", "", 0, &seller, &[], now())
            .await
            .expect("share");
        // Shared: editing, shipping details, reopening and shipping are refused.
        let edit = db
            .update_shipment(&id, "seller", &shipment(), 1, &seller, now())
            .await;
        let shipping = db
            .save_shipping(&id, "supplier", &shipping("ltl"), 1, &supplier, now())
            .await;
        let reopen = db.reopen_packing(&id, "supplier", &supplier, now()).await;
        let shipped = db
            .mark_shipped(&id, "supplier", &[], Some("PRO1"), 1, &supplier, &[], now())
            .await;
        for refused in [edit, shipping, reopen, shipped] {
            assert!(
                matches!(refused, Err(DbError::Refused(Refusal::WrongState))),
                "{refused:?}"
            );
        }
        // The same call succeeds from the status the table allows.
        db.save_box(
            &id,
            "supplier",
            None,
            &one_box("MUG-1", 3),
            false,
            1,
            &supplier,
            now(),
        )
        .await
        .expect("box from shared");
        db.cancel_shipment(&id, "seller", &seller, &[], now())
            .await
            .expect("cancel from packing");
        let again = db.cancel_shipment(&id, "seller", &seller, &[], now()).await;
        assert!(
            matches!(again, Err(DbError::Refused(Refusal::WrongState))),
            "{again:?}"
        );
    }

    /// The supplier's list reads an index with `seller IN $sellers`, ordered and
    /// limited: the query shape of surrealdb issue #7028, where such a query returned
    /// fewer rows than the limit. Over several sellers and more rows than a page, the
    /// pages hold every shared shipment once, newest first, full but for the last; a
    /// seller no longer connected drops out, and the seller filter pages the same way.
    #[tokio::test]
    async fn the_supplier_pages_through_many_sellers_without_losing_a_row() {
        let db = setup().await;
        let sellers = ["seller", "s2", "s3", "s4"];
        for s in &sellers[1..] {
            check(
                db.conn
                    .query(
                        "CREATE type::record('account', $s) SET kind = 'seller', company_name = $s;
                         RELATE (type::record('account', $s))->connected->account:supplier
                             SET id = type::record('connected', [$s, 'supplier']), since = time::now();",
                    )
                    .bind(("s", s.to_string()))
                    .await,
            )
            .expect("a connected seller");
        }
        let mut shared: Vec<(String, &str)> = Vec::new();
        for round in 0..13 {
            // The sellers take turns, so each page mixes them.
            for s in sellers {
                let who = actor(s);
                let id = db
                    .create_shipment(s, &shipment(), &who, now())
                    .await
                    .expect("create");
                db.share_shipment(&id, s, "supplier", "", 0, &who, &[], now())
                    .await
                    .expect("share");
                // A draft that stays a draft is not the supplier's.
                if round % 4 == 0 {
                    db.create_shipment(s, &shipment(), &who, now())
                        .await
                        .expect("draft");
                }
                shared.push((id, s));
            }
        }
        let pages = |seller: Option<&'static str>, limit: i64| {
            let db = db.clone();
            async move {
                let mut all: Vec<ShipmentListRow> = Vec::new();
                let mut sizes = Vec::new();
                loop {
                    let page = db
                        .supplier_shipments("supplier", seller, None, all.len() as i64, limit)
                        .await
                        .expect("page");
                    sizes.push(page.len() as i64);
                    let last = page.len() < limit as usize;
                    all.extend(page);
                    if last {
                        return (all, sizes);
                    }
                }
            }
        };
        let expect = |rows: &[ShipmentListRow], from: &dyn Fn(&str) -> bool| {
            let mut want: Vec<&str> = shared
                .iter()
                .filter(|(_, s)| from(s))
                .map(|(id, _)| id.as_str())
                .collect();
            // Shared last is changed last, so listed first.
            want.reverse();
            let got: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            assert_eq!(got, want);
            assert!(rows.windows(2).all(|w| w[0].recency < w[1].recency));
        };

        let (rows, sizes) = pages(None, 20).await;
        assert_eq!(sizes, [20, 20, 12]);
        expect(&rows, &|_| true);
        let (rows, sizes) = pages(Some("s3"), 5).await;
        assert_eq!(sizes, [5, 5, 3]);
        expect(&rows, &|s| s == "s3");

        check(db.conn.query("DELETE connected:['s2', 'supplier']").await).expect("disconnect");
        let (rows, sizes) = pages(None, 20).await;
        assert_eq!(sizes, [20, 19]);
        expect(&rows, &|s| s != "s2");
    }

    #[tokio::test]
    async fn only_a_seller_creates_a_shipment_whatever_the_app_checked() {
        let db = setup().await;
        db.create_shipment("seller", &shipment(), &actor("ann"), now())
            .await
            .expect("a seller creates");
        let refused = db
            .create_shipment("supplier", &shipment(), &actor("wang"), now())
            .await;
        assert!(
            matches!(refused, Err(DbError::Refused(Refusal::WrongAccountKind))),
            "{refused:?}"
        );
        assert!(db
            .supplier_shipments("supplier", None, None, 0, 50)
            .await
            .expect("list")
            .is_empty());
    }

    /// Scans from several packers at once, and a box saved at the same moment: never
    /// more units of a SKU packed (in boxes and in the open box) than ordered.
    /// The refusal a storage call ended with, if it was refused.
    fn refused<T>(result: Result<T, DbError>) -> Option<Refusal> {
        match result {
            Err(DbError::Refused(refusal)) => Some(refusal),
            _ => None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_scans_and_a_box_save_never_pack_more_than_ordered() {
        for _ in 0..6 {
            let db = setup().await;
            let (seller, supplier) = (actor("ann"), actor("wang"));
            let id = db
                .create_shipment("seller", &shipment(), &seller, now())
                .await
                .expect("create");
            db.share_shipment(&id, "seller", "supplier", "", 0, &seller, &[], now())
                .await
                .expect("share");
            // MUG-1: 3 ordered. Six scans race a box of 2 of them.
            let mut tasks = Vec::new();
            for _ in 0..6 {
                let (db, id) = (db.clone(), id.clone());
                tasks.push(tokio::spawn(async move {
                    db.scan_unit(&id, "supplier", "MUG-1", now())
                        .await
                        .map(|_| ())
                }));
            }
            let boxed = {
                let (db, id, supplier) = (db.clone(), id.clone(), supplier.clone());
                tokio::spawn(async move {
                    let b = one_box("MUG-1", 2);
                    db.save_box(&id, "supplier", None, &b, false, 1, &supplier, now())
                        .await
                })
            };
            let mut scanned = 0;
            for task in tasks {
                match task.await.expect("task") {
                    Ok(()) => scanned += 1,
                    Err(DbError::Refused(Refusal::NothingLeft)) => {}
                    Err(e) => panic!("unexpected: {e:?}"),
                }
            }
            let detail = db
                .shipment_for(&id, "supplier")
                .await
                .expect("read")
                .expect("the supplier's");
            let in_boxes: i64 = detail.boxes.iter().map(|b| b.contents[0].quantity).sum();
            let open: i64 = detail.open_box.iter().map(|l| l.quantity).sum();
            assert_eq!(open, scanned);
            match boxed.await.expect("task") {
                // The box went in with at most one scan before it: 1 left to scan.
                Ok(_) => assert_eq!((in_boxes, open), (2, 1)),
                // Two scans came first: the box would make 4 of 3, refused.
                Err(DbError::Refused(Refusal::NothingLeft)) => {
                    assert_eq!((in_boxes, open), (0, 3))
                }
                Err(e) => panic!("unexpected: {e:?}"),
            }
        }
    }

    #[tokio::test]
    async fn pallets_go_with_ltl_only_and_within_the_limits_whatever_the_app_checked() {
        let db = setup().await;
        let (seller, supplier) = (actor("ann"), actor("wang"));
        let id = db
            .create_shipment("seller", &shipment(), &seller, now())
            .await
            .expect("create");
        db.share_shipment(&id, "seller", "supplier", "", 0, &seller, &[], now())
            .await
            .expect("share");
        db.save_box(
            &id,
            "supplier",
            None,
            &one_box("MUG-1", 1),
            false,
            1,
            &supplier,
            now(),
        )
        .await
        .expect("box");
        let read = || async {
            db.shipment_for(&id, "supplier")
                .await
                .expect("read")
                .expect("visible")
                .shipment
        };
        let version = read().await.version;
        let with = |mode: &str, pallets: Vec<PalletRow>| Shipping {
            pallets,
            ..shipping(mode)
        };
        let good = shipping("ltl").pallets[0].clone();
        let heavy = PalletRow {
            weight_g: 680_401,
            ..good.clone()
        };
        let tall = PalletRow {
            height_mm: 1_830,
            ..good.clone()
        };
        for (what, refused) in [
            (
                "small parcel on a pallet",
                with("small_parcel", vec![good.clone()]),
            ),
            ("LTL without pallets", with("ltl", vec![])),
            ("a pallet over 680.4 kg", with("ltl", vec![heavy])),
            ("a pallet over 72 in", with("ltl", vec![tall])),
            ("101 pallets", with("ltl", vec![good.clone(); 101])),
        ] {
            let result = db
                .save_shipping(&id, "supplier", &refused, version, &supplier, now())
                .await;
            assert!(result.is_err(), "{what}: {result:?}");
        }
        // The step's own rule, not the schema, refuses pallets on a small parcel.
        let rule = db
            .save_shipping(
                &id,
                "supplier",
                &with("small_parcel", vec![good.clone()]),
                version,
                &supplier,
                now(),
            )
            .await;
        assert!(
            format!("{rule:?}").contains("pallets go with LTL"),
            "{rule:?}"
        );
        assert_eq!(read().await.version, version, "nothing was saved");
        // The same step with 100 pallets within the limits is saved, and read back.
        let ltl = with("ltl", vec![good.clone(); 100]);
        db.save_shipping(&id, "supplier", &ltl, version, &supplier, now())
            .await
            .expect("shipping");
        assert_eq!(read().await.pallets.map(|p| p.len()), Some(100));
        // Reopened, the pallets stay for the form; taken back, they go.
        db.reopen_packing(&id, "supplier", &supplier, now())
            .await
            .expect("reopen");
        assert_eq!(read().await.pallets.map(|p| p.len()), Some(100));
        db.stop_sharing(&id, "seller", &seller, &[], now())
            .await
            .expect("unshare");
        let taken_back = db
            .shipment_for(&id, "seller")
            .await
            .expect("read")
            .expect("visible")
            .shipment;
        assert_eq!(taken_back.pallets, None);
    }

    #[tokio::test]
    async fn the_open_box_closes_into_a_box_only_as_it_was_read() {
        let db = setup().await;
        let (seller, supplier) = (actor("ann"), actor("wang"));
        let id = db
            .create_shipment("seller", &shipment(), &seller, now())
            .await
            .expect("create");
        db.share_shipment(&id, "seller", "supplier", "", 0, &seller, &[], now())
            .await
            .expect("share");
        for sku in ["MUG-1", "CUP-2", "MUG-1"] {
            db.scan_unit(&id, "supplier", sku, now())
                .await
                .expect("scan");
        }
        let open = db
            .scan_unit(&id, "supplier", "CUP-2", now())
            .await
            .expect("scan");
        let counts: Vec<(&str, i64)> = open.iter().map(|l| (l.sku.as_str(), l.quantity)).collect();
        assert_eq!(
            counts,
            [("MUG-1", 2), ("CUP-2", 2)],
            "in first-scanned order"
        );
        assert_eq!(
            refused(db.scan_unit(&id, "supplier", "CUP-2", now()).await),
            Some(Refusal::NothingLeft)
        );
        // Only the supplier scans.
        assert_eq!(
            refused(db.scan_unit(&id, "seller", "MUG-1", now()).await),
            Some(Refusal::NotFound)
        );
        // Closing it as read: one unit short of what it holds is refused, as it is
        // goes through and empties it.
        let base = one_box("MUG-1", 2);
        let version = db
            .shipment_for(&id, "supplier")
            .await
            .expect("read")
            .expect("mine")
            .shipment
            .version;
        let closed = |q: i64| {
            let mut b = base.clone();
            b.contents.push(BoxItem {
                sku: "CUP-2".into(),
                quantity: q,
                expiry: None,
            });
            b
        };
        assert_eq!(
            refused(
                db.save_box(
                    &id,
                    "supplier",
                    None,
                    &closed(1),
                    true,
                    version,
                    &supplier,
                    now()
                )
                .await
            ),
            Some(Refusal::Stale)
        );
        let new = closed(2);
        db.save_box(&id, "supplier", None, &new, true, version, &supplier, now())
            .await
            .expect("closed");
        let detail = db
            .shipment_for(&id, "supplier")
            .await
            .expect("read")
            .expect("mine");
        assert_eq!(detail.boxes.len(), 1);
        assert!(detail.open_box.is_empty());
        assert_eq!(detail.shipment.status, "packing");
        // Both cups are in the closed box now: no more to scan; a mug is left.
        assert!(db.scan_unit(&id, "supplier", "MUG-1", now()).await.is_ok());
        assert_eq!(
            refused(db.scan_unit(&id, "supplier", "CUP-2", now()).await),
            Some(Refusal::NothingLeft)
        );
        // Taken back from the supplier, the shipment keeps no half-filled box for the
        // next one it is shared with.
        db.stop_sharing(&id, "seller", &actor("ann"), &[], now())
            .await
            .expect("stop sharing");
        let version = db
            .shipment_for(&id, "seller")
            .await
            .expect("read")
            .expect("the seller's")
            .shipment
            .version;
        db.share_shipment(
            &id,
            "seller",
            "supplier",
            "",
            version,
            &actor("ann"),
            &[],
            now(),
        )
        .await
        .expect("shared again");
        let again = db
            .shipment_for(&id, "supplier")
            .await
            .expect("read")
            .expect("mine");
        assert!(again.open_box.is_empty() && again.boxes.is_empty());
        // Nor does a cancelled one.
        db.scan_unit(&id, "supplier", "MUG-1", now())
            .await
            .expect("scan");
        db.cancel_shipment(&id, "seller", &actor("ann"), &[], now())
            .await
            .expect("cancel");
        let cancelled = db
            .shipment_for(&id, "seller")
            .await
            .expect("read")
            .expect("the seller's");
        assert!(cancelled.open_box.is_empty());
    }

    /// The storage alone (no earlier read by the app) keeps a shipment from staying
    /// shared with a supplier whose connection is gone: a share and the removal of its
    /// connection, at the same time on several threads, never both leave it shared.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_share_and_the_removal_of_its_connection_never_both_stand() {
        let mut outcomes = std::collections::BTreeSet::new();
        for _ in 0..12 {
            let db = setup().await;
            let (seller, supplier) = (actor("ann"), actor("wang"));
            let id = db
                .create_shipment("seller", &shipment(), &seller, now())
                .await
                .expect("create");
            let share = {
                let (db, id) = (db.clone(), id.clone());
                tokio::spawn(async move {
                    db.share_shipment(&id, "seller", "supplier", "", 0, &seller, &[], now())
                        .await
                })
            };
            let removal = {
                let db = db.clone();
                tokio::spawn(async move {
                    db.remove_connection("supplier", "seller", &supplier, &[], now())
                        .await
                })
            };
            let (share, removal) = (share.await.expect("task"), removal.await.expect("task"));
            removal.expect("the removal always goes through");
            let detail = db
                .shipment_for(&id, "seller")
                .await
                .expect("read")
                .expect("the seller's");
            // Whichever came first, the shipment is not left with the supplier.
            assert_eq!(detail.shipment.status, "draft");
            assert_eq!(detail.shipment.supplier_id, None);
            match share {
                // Shared first, then taken back by the removal.
                Ok(()) => outcomes.insert("shared, then taken back"),
                // The removal first: the share's transaction found no connection.
                Err(DbError::Refused(Refusal::NotConnected)) => outcomes.insert("refused"),
                Err(e) => panic!("unexpected: {e:?}"),
            };
        }
        assert!(!outcomes.is_empty());
    }

    #[tokio::test]
    async fn removing_the_connection_takes_open_shipments_back() {
        let db = setup().await;
        let (seller, supplier) = (actor("ann"), actor("wang"));
        let id = db
            .create_shipment("seller", &shipment(), &seller, now())
            .await
            .expect("create");
        db.share_shipment(&id, "seller", "supplier", "", 0, &seller, &[], now())
            .await
            .expect("share");
        db.save_box(
            &id,
            "supplier",
            None,
            &one_box("MUG-1", 3),
            false,
            1,
            &supplier,
            now(),
        )
        .await
        .expect("box");
        db.remove_connection("supplier", "seller", &supplier, &[], now())
            .await
            .expect("remove");
        assert!(db
            .shipment_for(&id, "supplier")
            .await
            .expect("read")
            .is_none());
        assert!(db
            .supplier_shipments("supplier", None, None, 0, 50)
            .await
            .expect("list")
            .is_empty());
        let detail = db
            .shipment_for(&id, "seller")
            .await
            .expect("read")
            .expect("seller keeps it");
        assert_eq!(detail.shipment.status, "draft");
        assert!(detail.boxes.is_empty());
        assert_eq!(detail.shipment.supplier_id, None);
    }
}
