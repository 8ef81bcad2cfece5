//! The barcodes on the labels, read back by an independent decoder (zxing-cpp, through
//! `tools/barcodes/decode`) from the PDFs at 300 dpi, as a printer and a scanner would
//! see them: unit labels hold one FNSKU per unit to label, box labels their box ids.

use std::process::Command;

use reqwest::StatusCode;

use crate::helpers::{error_of, Browser, TestApp};
use app::domain::InputError;
use app::error::AppError;
use app::shipments::unit_labels::{Layout, Stock};

/// Every barcode in `pdf`: (page from 1, format, text); with a sheet's `layout`, read
/// label by label as a scanner does (read whole, identical labels one above the other
/// pass for one tall barcode).
fn decode(pdf: &[u8], layout: Option<Layout>) -> Vec<(u32, String, String)> {
    let dir = std::env::temp_dir().join(format!(
        "scc-labels-{}-{}",
        std::process::id(),
        db::secrets::new_key()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("labels.pdf");
    std::fs::write(&file, pdf).unwrap();
    let tool = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/barcodes/decode");
    let mut command = Command::new(tool);
    if let Some(l) = layout {
        let cells: Vec<String> = (0..l.per_page())
            .map(|n| {
                let (_, (x, bottom)) = l.place(n);
                let top = l.page.1 - bottom - l.label.1;
                format!("{x},{top},{},{}", l.label.0, l.label.1)
            })
            .collect();
        command.arg("--cells").arg(cells.join(" "));
    }
    let out = command
        .arg(&file)
        .output()
        .expect("tools/barcodes/decode runs (scripts/setup test installs what it needs)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "decode failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let mut parts = line.splitn(3, '\t');
            let page = parts.next().unwrap().parse().unwrap();
            let format = parts.next().unwrap().to_owned();
            (page, format, parts.next().unwrap_or_default().to_owned())
        })
        .collect::<Vec<_>>();
    // Read whole, a page's one barcode is now and then reported twice (zxing-cpp finds
    // it along two scan lines, for some box ids): the same barcode, read once. Read
    // label by label, equal reads are different labels and all count.
    if layout.is_none() {
        found.dedup();
    }
    found
}

/// The decoded texts, sorted, each checked to be a Code 128.
fn code128_texts(found: &[(u32, String, String)]) -> Vec<String> {
    let mut texts: Vec<String> = found
        .iter()
        .map(|(page, format, text)| {
            assert_eq!(format, "Code128", "page {page}: {text}");
            text.clone()
        })
        .collect();
    texts.sort();
    texts
}

fn times(text: &str, n: usize) -> Vec<String> {
    vec![text.to_owned(); n]
}

/// A draft with three SKUs with codes, two labelled by the supplier, and one without.
async fn coded_shipment(seller: &Browser) -> String {
    let response = seller
        .call(
            "shipments/save",
            &[
                ("id", ""),
                ("name", "Labelled units"),
                ("from_name", "Ann"),
                ("from_line1", "1 Main St"),
                ("from_city", "Ontario"),
                ("from_country", "US"),
                ("destination", "ONT8"),
                (
                    "items_csv",
                    "sku,quantity,name,fnsku\n\
                     MUG-01,3,Insulated steel travel mug 450 ml,X001ABCDEF\n\
                     CUP-2,2,保温杯,B07XYZ1234\n\
                     SOCK-1,1,Socks,",
                ),
                ("csv_prep_by", "supplier"),
                ("items[0][sku]", "TEE-9"),
                ("items[0][quantity]", "4"),
                ("items[0][fnsku]", "X00TEE0001"),
                ("items[0][prep_by]", "seller"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn unit_labels_hold_one_fnsku_barcode_per_unit_to_label_on_every_stock() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = coded_shipment(&c.a).await;
    c.a.share(&id, &c.s1_account).await;
    let url = |query: &str| format!("{}/shipments/{id}/unit-labels.pdf?{query}", app.address);
    let supplier_labels = [times("B07XYZ1234", 2), times("X001ABCDEF", 3)].concat();

    for (stock, pages) in [
        ("letter", 1),
        ("a4", 1),
        ("roll-2.25x1.25in", 5),
        ("roll-50x25mm", 5),
    ] {
        let response =
            c.s1.client
                .get(url(&format!("stock={stock}")))
                .send()
                .await
                .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{stock}");
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let layout = Stock::parse(stock).unwrap().layout();
        let found = decode(&response.bytes().await.unwrap(), Some(layout));
        assert_eq!(code128_texts(&found), supplier_labels, "{stock}");
        let last_page = found.iter().map(|(page, _, _)| *page).max();
        assert_eq!(last_page, Some(pages), "{stock}");
    }
    // For a Zebra printer: one label format per SKU, printed once per unit.
    let zpl_url = |stock: &str| {
        format!(
            "{}/shipments/{id}/unit-labels.zpl?stock={stock}",
            app.address
        )
    };
    let zpl =
        c.s1.client
            .get(zpl_url("roll-50x25mm"))
            .send()
            .await
            .unwrap();
    assert_eq!(zpl.status(), StatusCode::OK);
    assert!(zpl.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let zpl = zpl.text().await.unwrap();
    let mut printed: Vec<String> = zpl
        .split("^XZ")
        .filter(|block| block.contains("^XA"))
        .flat_map(|block| {
            let data = block
                .split("^BC")
                .nth(1)
                .unwrap()
                .split("^FD")
                .nth(1)
                .unwrap();
            let data = data.split("^FS").next().unwrap().to_owned();
            let count: usize = block.split("^PQ").nth(1).unwrap().trim().parse().unwrap();
            times(&data, count)
        })
        .collect();
    printed.sort();
    assert_eq!(printed, supplier_labels);
    let sheet = c.s1.client.get(zpl_url("letter")).send().await.unwrap();
    assert_eq!(sheet.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sheet.text().await.unwrap().contains("thermal"));

    // The seller asks for every item: its own TEE-9 labels too (SOCK-1 has no FNSKU).
    let all =
        c.a.client
            .get(url("stock=letter&all=1"))
            .send()
            .await
            .unwrap();
    assert_eq!(all.status(), StatusCode::OK);
    let every = [supplier_labels.clone(), times("X00TEE0001", 4)].concat();
    let mut every = every;
    every.sort();
    let letter = Some(Stock::Letter30.layout());
    assert_eq!(
        code128_texts(&decode(&all.bytes().await.unwrap(), letter)),
        every
    );

    // Nobody else gets them.
    for outsider in [&c.b, &c.s2, &c.s3] {
        let response = outsider
            .client
            .get(url("stock=letter"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let anonymous = c
        .anonymous
        .client
        .get(url("stock=letter"))
        .send()
        .await
        .unwrap();
    assert!(anonymous.status().is_redirection());
    app.stop().await;
}

#[tokio::test]
async fn unit_labels_need_an_fnsku_to_print() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    let url = format!(
        "{}/shipments/{id}/unit-labels.pdf?stock=letter&all=1",
        app.address
    );
    // Its items have no FNSKU: refused, saying what to do.
    let refused = c.a.client.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("FNSKU or ASIN"));
    // The same shipment once the seller adds one: printed.
    let version = c.a.version(&id).await;
    let edited =
        c.a.call(
            "shipments/save",
            &[
                ("id", &id),
                ("version", &version),
                ("name", "Spring restock"),
                ("from_name", "Ann"),
                ("from_line1", "1 Main St"),
                ("from_city", "Ontario"),
                ("from_country", "US"),
                ("destination", "ONT8"),
                ("items_csv", "MUG-1,3,Mug,X001ABCDEF"),
            ],
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let printed = c.a.client.get(&url).send().await.unwrap();
    assert_eq!(printed.status(), StatusCode::OK);
    assert_eq!(
        code128_texts(&decode(
            &printed.bytes().await.unwrap(),
            Some(Stock::Letter30.layout())
        )),
        times("X001ABCDEF", 3)
    );
    // A bad FNSKU never gets that far.
    let version = c.a.version(&id).await;
    let (status, error) = error_of(
        c.a.save_shipment(&id, &version, "Spring restock", "MUG-1,3,Mug,X001ABCDE!")
            .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), error),
        (
            422,
            AppError::ItemLines(app::domain::shipment::LineProblems {
                lines: vec![app::domain::shipment::CsvLineError {
                    line: 1,
                    problem: InputError::FnskuInvalid
                }],
                more: 0
            })
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn box_labels_barcodes_read_back_as_their_box_ids_and_the_pack_list_lists_the_boxes() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    c.a.share(&id, &c.s1_account).await;
    let pack_list = format!("{}/shipments/{id}/pack-list.csv", app.address);
    let early = c.a.client.get(&pack_list).send().await.unwrap();
    assert_eq!(
        early.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no boxes yet"
    );
    c.s1.add_box(&id, "MUG-1", "3", "5").await;
    c.s1.add_box(&id, "CUP-2", "2", "4.5").await;
    let v = c.s1.version(&id).await;
    assert_eq!(
        c.s1.save_shipping(&id, &v, "small_parcel").await.status(),
        StatusCode::OK
    );
    for paper in ["letter", "a4"] {
        let url = format!("{}/shipments/{id}/labels.pdf?paper={paper}", app.address);
        let response = c.s1.client.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let found = decode(&response.bytes().await.unwrap(), None);
        let pages: Vec<u32> = found.iter().map(|(page, _, _)| *page).collect();
        // Each box label is followed by its content label, which has no 2D barcode
        // here: these items have no FNSKU, ASIN or UPC.
        assert_eq!(pages, [1, 3], "{paper}: one barcode a box");
        assert_eq!(
            code128_texts(&found),
            [format!("{id}U001"), format!("{id}U002")],
            "{paper}"
        );
    }

    // The seller's pack list: units per box, then each box's weight and sides in lb
    // and in, rounded up (5 kg is 11.0231 lb, declared 11.03).
    let response = c.a.client.get(&pack_list).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let csv = response.text().await.unwrap();
    let table: Vec<&str> = csv
        .split("\r\n")
        .skip_while(|l| !l.starts_with("SKU,"))
        .collect();
    assert_eq!(
        table,
        [
            "SKU,FNSKU,Expected quantity,Boxed quantity,Box 1 - units,Box 2 - units",
            "MUG-1,,3,3,3,0",
            "CUP-2,,2,2,0,2",
            "Box weight (lb),,,,11.03,9.93",
            "Box length (in),,,,15.75,15.75",
            "Box width (in),,,,11.82,11.82",
            "Box height (in),,,,7.88,7.88",
            "",
        ]
    );
    assert!(csv.starts_with(&format!("Shipment ID,{id}\r\n")));
    for outsider in [&c.b, &c.s2, &c.s3] {
        let response = outsider.client.get(&pack_list).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    app.stop().await;
}

/// Saves a new box of `lines` (SKU, units, expiry date or "") weighing 4 kg.
async fn box_of(supplier: &Browser, id: &str, lines: &[(&str, &str, &str)]) -> reqwest::Response {
    let version = supplier.version(id).await;
    let mut form: Vec<(String, String)> = [
        ("id", id),
        ("version", version.as_str()),
        ("box_id", ""),
        ("weight", "4"),
        ("weight_unit", "kg"),
        ("length", "40"),
        ("width", "30"),
        ("height", "20"),
        ("length_unit", "cm"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (n, (sku, quantity, expiry)) in lines.iter().enumerate() {
        form.push((format!("contents[{n}][sku]"), sku.to_string()));
        form.push((format!("contents[{n}][quantity]"), quantity.to_string()));
        form.push((format!("contents[{n}][expiry]"), expiry.to_string()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    supplier.call("shipments/save_box", &form).await
}

#[tokio::test]
async fn box_content_barcodes_read_back_as_what_each_box_holds_with_its_expiry_dates() {
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let created =
        c.a.call(
            "shipments/save",
            &[
                ("id", ""),
                ("name", "Expiring tea"),
                ("from_name", "Ann"),
                ("from_line1", "1 Main St"),
                ("from_city", "Ontario"),
                ("from_country", "US"),
                ("destination", "ONT8"),
                (
                    "items_csv",
                    "sku,quantity,name,fnsku,upc,expiry\n\
                     MUG-01,3,Mug,X001ABCDEF,,no\n\
                     CUP-2,2,Cup,,036000291452,yes\n\
                     TEA-3,4,Tea,B07XYZ1234,,yes",
                ),
                ("csv_prep_by", "supplier"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let id: String = created.json().await.unwrap();
    c.a.share(&id, &c.s1_account).await;

    let first = box_of(
        &c.s1,
        &id,
        &[("MUG-01", "3", ""), ("CUP-2", "1", "2027-01-31")],
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    // The same box of the expiring TEA-3 without its date: refused, nothing saved.
    let undated = box_of(
        &c.s1,
        &id,
        &[("CUP-2", "1", "2027-03-01"), ("TEA-3", "4", "")],
    )
    .await;
    assert_eq!(
        error_of(undated).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Input(InputError::ExpiryDateMissing)
        )
    );
    let dated = box_of(
        &c.s1,
        &id,
        &[("CUP-2", "1", "2027-03-01"), ("TEA-3", "4", "2027-06-30")],
    )
    .await;
    assert_eq!(dated.status(), StatusCode::OK);
    // The 2D barcodes name the shipment by the marketplace's id, entered with shipping.
    let v = c.s1.version(&id).await;
    let shipping = |fba_id: &'static str| {
        let (id, v, s1) = (id.clone(), v.clone(), c.s1.clone());
        async move {
            let form = [
                ("id", id.as_str()),
                ("version", v.as_str()),
                ("mode", "small_parcel"),
                ("carrier", "UPS"),
                ("ship_date", "2026-12-01"),
                ("fba_id", fba_id),
            ];
            s1.call("shipments/save_shipping", &form).await
        }
    };
    assert_eq!(
        error_of(shipping("SH15ABCD123").await).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Input(InputError::FbaIdInvalid)
        )
    );
    assert_eq!(shipping("fba15abcd123").await.status(), StatusCode::OK);
    assert_eq!(
        c.a.shipment(&id).await.fba_id.as_deref(),
        Some("FBA15ABCD123")
    );

    let contents = [
        "AMZN,PO:FBA15ABCD123,FNSKU:X001ABCDEF,QTY:3,UPC:036000291452,QTY:1,EXP:270131",
        "AMZN,PO:FBA15ABCD123,UPC:036000291452,QTY:1,EXP:270301,ASIN:B07XYZ1234,QTY:4,EXP:270630",
    ]
    .map(String::from);
    for paper in ["thermal", "letter"] {
        let url = format!("{}/shipments/{id}/labels.pdf?paper={paper}", app.address);
        let response = c.a.client.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{paper}");
        let found = decode(&response.bytes().await.unwrap(), None);
        let expected = [
            (1, "Code128".to_owned(), format!("{id}U001")),
            (2, "PDF417".to_owned(), contents[0].clone()),
            (3, "Code128".to_owned(), format!("{id}U002")),
            (4, "PDF417".to_owned(), contents[1].clone()),
        ];
        assert_eq!(found, expected, "{paper}");
    }

    // For a Zebra printer: the same barcodes as ZPL fields.
    let url = format!("{}/shipments/{id}/labels.zpl", app.address);
    let zpl = c.s1.client.get(&url).send().await.unwrap();
    assert_eq!(zpl.status(), StatusCode::OK);
    let zpl = zpl.text().await.unwrap();
    let data_of = |command: &str| -> Vec<String> {
        zpl.split(command)
            .skip(1)
            .map(|rest| {
                let data = rest.split("^FD").nth(1).unwrap_or_default();
                data.split("^FS").next().unwrap_or_default().to_owned()
            })
            .collect()
    };
    assert_eq!(data_of("^B7"), contents);
    assert_eq!(data_of("^BC"), [format!("{id}U001"), format!("{id}U002")]);

    for outsider in [&c.b, &c.s2] {
        let response = outsider.client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    app.stop().await;
}

#[tokio::test]
async fn ltl_pallets_within_the_marketplaces_limits_get_four_labels_each() {
    use app::domain::shipment::{CsvLineError, LineProblems};
    let app = TestApp::spawn().await;
    let c = app.shipments_cast().await;
    let id = c.a.create_shipment().await;
    c.a.share(&id, &c.s1_account).await;
    c.s1.add_box(&id, "MUG-1", "3", "5").await;
    c.s1.add_box(&id, "CUP-2", "2", "4.5").await;
    let v = c.s1.version(&id).await;
    // One row of the shipping form's pallets: `pallets[row][…]` fields.
    let pallet =
        |row: usize, [weight, wu, height, lu, stack]: [&str; 5]| -> Vec<(String, String)> {
            [
                ("weight", weight),
                ("weight_unit", wu),
                ("height", height),
                ("length_unit", lu),
                ("stackable", stack),
            ]
            .map(|(f, v)| (format!("pallets[{row}][{f}]"), v.to_owned()))
            .to_vec()
        };
    let first = pallet(0, ["300", "kg", "150", "cm", ""]);
    let blank = pallet(1, ["", "kg", "", "cm", ""]);
    let at_limits = pallet(1, ["1500", "lb", "72", "in", "on"]);
    let over = pallet(1, ["1500.1", "lb", "72", "in", "on"]);
    // The marketplace's shipment id, and the pallet rows.
    fn form<'a>(rows: &[&'a Vec<(String, String)>]) -> Vec<(&'a str, &'a str)> {
        let pallets = rows
            .iter()
            .flat_map(|r| r.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        [("fba_id", "FBA15PAL0001")]
            .into_iter()
            .chain(pallets)
            .collect()
    }

    // LTL goes on pallets: none, one over the limit or one not described is refused,
    // naming its row.
    let (code, error) = error_of(c.s1.save_shipping_with(&id, &v, "ltl", &[]).await).await;
    assert_eq!(
        (code, error),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Input(InputError::NoPallets)
        )
    );
    for (second, problem) in [
        (&over, InputError::OverPalletWeightLb),
        (&blank, InputError::PalletWeightInvalid),
    ] {
        let refused = form(&[&first, second]);
        assert_eq!(
            error_of(c.s1.save_shipping_with(&id, &v, "ltl", &refused).await).await,
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                AppError::PalletLines(LineProblems {
                    lines: vec![CsvLineError { line: 2, problem }],
                    more: 0
                })
            )
        );
    }
    assert_eq!(c.s1.version(&id).await, v, "nothing saved");
    // The same form at the limits is saved.
    let saved = form(&[&first, &at_limits]);
    let response = c.s1.save_shipping_with(&id, &v, "ltl", &saved).await;
    assert_eq!(response.status(), StatusCode::OK);
    let seen = c.a.shipment(&id).await;
    let pallets: Vec<(u32, u32, bool)> = seen
        .pallets
        .iter()
        .map(|p| (p.weight_g, p.height_mm, p.stackable))
        .collect();
    // 1,500 lb is 680,388.6 g; 72 in is 1,828.8 mm.
    assert_eq!(pallets, [(300_000, 1_500, false), (680_389, 1_829, true)]);

    // Box labels, then four labels a pallet, each with the marketplace's shipment id
    // in a Code 128 a scanner reads.
    let url = format!("{}/shipments/{id}/labels.pdf?paper=letter", app.address);
    let response = c.a.client.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let found = decode(&response.bytes().await.unwrap(), None);
    let pages: Vec<u32> = found.iter().map(|(page, _, _)| *page).collect();
    assert_eq!(pages, [1, 3, 5, 6, 7, 8, 9, 10, 11, 12]);
    let mut expected = times("FBA15PAL0001", 8);
    expected.extend([format!("{id}U001"), format!("{id}U002")]);
    expected.sort();
    assert_eq!(code128_texts(&found), expected);

    // Back to packing the pallets stay for the form; small parcel drops them, even
    // when the form still posts its (hidden) pallet rows.
    assert_eq!(c.s1.status("shipments/reopen", &[("id", &id)]).await, 200);
    assert_eq!(c.s1.shipment(&id).await.pallets.len(), 2);
    let v = c.s1.version(&id).await;
    let small = form(&[&first]);
    let response =
        c.s1.save_shipping_with(&id, &v, "small_parcel", &small)
            .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(c.a.shipment(&id).await.pallets.is_empty());
    app.stop().await;
}
