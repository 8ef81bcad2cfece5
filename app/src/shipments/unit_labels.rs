//! Unit labels: one label per unit the fulfillment center will scan, each with a
//! Code 128 barcode of the item's FNSKU (or ASIN), the FNSKU in text, the product name
//! cut to fit and the condition, "New" (what Seller Central's "FBA product label
//! requirements" ask of a unit label). On label sheets for office printers or one label
//! a page for thermal roll printers.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, TextStr};

use super::labels::{barcode_bits, show_text, write_fonts, QUIET_MODULES};
pub use super::LabelStock as Stock;

/// Points per inch, and per millimetre.
const INCH: f32 = 72.0;
const MM: f32 = 72.0 / 25.4;

/// Where the labels sit on a page, in points from the page's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    pub page: (f32, f32),
    pub label: (f32, f32),
    pub columns: usize,
    pub rows: usize,
    /// The top-left corner of the first label.
    pub first: (f32, f32),
    /// From one label's corner to the next one's, across and down.
    pub pitch: (f32, f32),
}

impl Stock {
    pub fn layout(self) -> Layout {
        match self {
            // Avery 5160 (Avery's template specification): 3 across, 10 down; top
            // margin ½ in, left margin 3/16 in, ⅛ in between columns.
            Stock::Letter30 => Layout {
                page: (8.5 * INCH, 11.0 * INCH),
                label: (2.625 * INCH, 1.0 * INCH),
                columns: 3,
                rows: 10,
                first: (0.1875 * INCH, 0.5 * INCH),
                pitch: (2.75 * INCH, 1.0 * INCH),
            },
            // 3 across, 8 down, at the size the marketplace's label guidance and this
            // project's issue name (64 × 33.9 mm): 2 mm between columns, none between
            // rows, the block centred on the sheet (7 mm and 12.9 mm margins). Sheets
            // sold as 63.5 × 33.9 mm on the same 66 mm pitch (Avery L7159) print within
            // a quarter millimetre of each label's edge.
            Stock::A4x24 => Layout {
                page: (210.0 * MM, 297.0 * MM),
                label: (64.0 * MM, 33.9 * MM),
                columns: 3,
                rows: 8,
                first: (7.0 * MM, 12.9 * MM),
                pitch: (66.0 * MM, 33.9 * MM),
            },
            Stock::Roll2x1 => Layout::one_a_page(2.25 * INCH, 1.25 * INCH),
            Stock::Roll50x25 => Layout::one_a_page(50.0 * MM, 25.0 * MM),
        }
    }
}

impl Layout {
    fn one_a_page(w: f32, h: f32) -> Layout {
        Layout {
            page: (w, h),
            label: (w, h),
            columns: 1,
            rows: 1,
            first: (0.0, 0.0),
            pitch: (w, h),
        }
    }

    pub fn per_page(&self) -> usize {
        self.columns * self.rows
    }

    /// The `n`th label's page (from 0) and its bottom-left corner in PDF coordinates
    /// (from the page's bottom-left).
    pub fn place(&self, n: usize) -> (usize, (f32, f32)) {
        let (page, slot) = (n / self.per_page(), n % self.per_page());
        let (row, column) = (slot / self.columns, slot % self.columns);
        let x = self.first.0 + column as f32 * self.pitch.0;
        let top = self.first.1 + row as f32 * self.pitch.1;
        (page, (x, self.page.1 - top - self.label.1))
    }
}

/// One unit's label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitLabel {
    /// Ten letters and digits, encoded in the barcode.
    pub fnsku: String,
    /// The product's name, cut to fit.
    pub name: String,
}

/// At most this many labels in one file (a 99,999-unit SKU fits; a whole shipment of
/// more is printed SKU by SKU): each label costs a few dozen bytes, never a copy of
/// its drawing, but the bound keeps one request from holding a worker for minutes.
pub const MAX_LABELS: usize = 100_000;

/// The PDF of `labels` on `stock`: each (label, count) printed `count` times, in
/// order, filling each sheet row by row. Each distinct label is drawn once, as a form
/// XObject, and placed on the page wherever it is printed.
pub fn unit_labels_pdf(title: &str, labels: &[(UnitLabel, usize)], stock: Stock) -> Vec<u8> {
    let layout = stock.layout();
    let total: usize = labels.iter().map(|(_, n)| n).sum();
    let pages = total.div_ceil(layout.per_page()).max(1);
    let [catalog_id, tree_id, info_id] = [1, 2, 3].map(Ref::new);
    let font_ids = [4, 5, 6, 7, 8].map(Ref::new);
    let form_ids: Vec<Ref> = (0..labels.len() as i32).map(|i| Ref::new(9 + i)).collect();
    let first_page = 9 + labels.len() as i32;
    let page_ids: Vec<(Ref, Ref)> = (0..pages as i32)
        .map(|i| {
            (
                Ref::new(first_page + 2 * i),
                Ref::new(first_page + 1 + 2 * i),
            )
        })
        .collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.document_info(info_id).title(TextStr(title));
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|&(page, _)| page))
        .count(pages as i32);
    let cjk = labels.iter().any(|(l, _)| !l.name.is_ascii());
    let fonts = write_fonts(&mut pdf, font_ids, cjk);

    let (w, h) = layout.label;
    for ((label, _), &form_id) in labels.iter().zip(&form_ids) {
        let mut content = Content::new();
        draw(&mut content, label, (0.0, 0.0), (w, h));
        let content = content.finish().into_vec();
        let mut form = pdf.form_xobject(form_id, &content);
        form.bbox(Rect::new(0.0, 0.0, w, h));
        form.resources().fonts().pairs(fonts.iter().copied());
    }

    let names: Vec<Vec<u8>> = (0..labels.len())
        .map(|i| format!("L{i}").into_bytes())
        .collect();
    let each = labels
        .iter()
        .enumerate()
        .flat_map(|(i, (_, count))| std::iter::repeat_n(i, *count));
    let mut placed: Vec<(Content, Vec<usize>)> =
        (0..pages).map(|_| (Content::new(), Vec::new())).collect();
    for (n, form) in each.enumerate() {
        let (page, (x, y)) = layout.place(n);
        let (content, used) = &mut placed[page];
        content.save_state();
        content.transform([1.0, 0.0, 0.0, 1.0, x, y]);
        content.x_object(Name(&names[form]));
        content.restore_state();
        if !used.contains(&form) {
            used.push(form);
        }
    }
    for ((content, used), &(page_id, content_id)) in placed.into_iter().zip(&page_ids) {
        let mut page = pdf.page(page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, layout.page.0, layout.page.1))
            .contents(content_id);
        page.resources()
            .x_objects()
            .pairs(used.iter().map(|&i| (Name(&names[i]), form_ids[i])));
        page.finish();
        pdf.stream(content_id, &content.finish().into_vec());
    }
    pdf.finish()
}

/// Zebra-compatible thermal printers print 203 dots an inch (8 a millimetre).
const DOTS_PER_INCH: f32 = 203.0;

/// The labels as ZPL II for a Zebra-compatible printer at 203 dpi (`^XA … ^XZ` per
/// item, printed `count` times with `^PQ`), on a roll stock; None for a sheet stock.
/// Commands as the ZPL II Programming Guide (Zebra) defines them: `^PW` print width
/// and `^LL` label length in dots, `^FO` field origin, `^BY` module width, `^BC`
/// Code 128, `^A0` the built-in scalable font, `^FD … ^FS` field data.
pub fn unit_labels_zpl(labels: &[(UnitLabel, usize)], stock: Stock) -> Option<String> {
    if stock.layout().per_page() != 1 {
        return None;
    }
    let (w, h) = stock.layout().label;
    let dots = |points: f32| (points / INCH * DOTS_PER_INCH).round() as u32;
    let (width, length) = (dots(w), dots(h));
    // Code 128 of ten characters: start, ten, check (11 modules each) and stop (13).
    let module = 2u32;
    let bars = (11 * 12 + 13) * module;
    let x = width.saturating_sub(bars) / 2;
    let text_x = 16u32;
    let line = length * 12 / 100;
    let bar_height = length - 16 - 3 * (line + 6) - 8;
    let mut zpl = String::new();
    for (label, count) in labels {
        let name = if label.name.is_ascii() {
            label.name.replace(['^', '~'], " ")
        } else {
            // The printer's built-in font has no CJK glyphs: the name stays off.
            String::new()
        };
        let name = fit(&name, (width - 2 * text_x) as f32, line as f32);
        let code_y = 16 + bar_height + 6;
        let name_y = code_y + line + 6;
        let new_y = name_y + line + 6;
        zpl.push_str(&format!(
            "^XA^CI28^PW{width}^LL{length}^LH0,0\n\
             ^FO{x},16^BY{module}^BCN,{bar_height},N,N,N^FD{fnsku}^FS\n\
             ^FO{text_x},{code_y}^A0N,{line},{line}^FD{fnsku}^FS\n\
             ^FO{text_x},{name_y}^A0N,{line},{line}^FD{name}^FS\n\
             ^FO{text_x},{new_y}^A0N,{line},{line}^FDNew^FS\n\
             ^PQ{count}^XZ\n",
            fnsku = label.fnsku,
        ));
    }
    Some(zpl)
}

/// Space kept clear inside a label's edge, where sheets are cut and rolls drift.
const PAD: f32 = 4.0;

/// One label with its bottom-left corner at (x, y): from the bottom, "New", the name,
/// the FNSKU, and the barcode in the height left.
fn draw(content: &mut Content, label: &UnitLabel, (x, y): (f32, f32), (w, h): (f32, f32)) {
    content.save_state();
    content.rect(x, y, w, h).clip_nonzero().end_path();
    let small = (h * 0.09).clamp(5.0, 8.0);
    let code_size = (h * 0.11).clamp(6.0, 10.0);
    let new_line = y + PAD + 1.0;
    let name_line = new_line + small + 1.5;
    let code_line = name_line + small + 1.5;
    let bars_bottom = code_line + code_size + 2.0;
    let bars_top = y + h - PAD;
    let text_x = x + PAD + 2.0;
    let text_width = w - 2.0 * (PAD + 2.0);

    let bits = barcode_bits(&label.fnsku).unwrap_or_default();
    let modules = bits.len() + 2 * QUIET_MODULES;
    let module = (w - 2.0 * PAD) / modules as f32;
    let first_bar = x + PAD + QUIET_MODULES as f32 * module;
    let mut run_start = None;
    for (i, &bit) in bits.iter().chain(&[0]).enumerate() {
        match (bit, run_start) {
            (1, None) => run_start = Some(i),
            (0, Some(s)) => {
                let left = first_bar + s as f32 * module;
                content.rect(
                    left,
                    bars_bottom,
                    (i - s) as f32 * module,
                    bars_top - bars_bottom,
                );
                run_start = None;
            }
            _ => {}
        }
    }
    if !bits.is_empty() {
        content.set_fill_gray(0.0).fill_nonzero();
    }
    show_text(content, text_x, code_line, code_size, true, &label.fnsku);
    let name = fit(&label.name, text_width, small);
    show_text(content, text_x, name_line, small, false, &name);
    show_text(content, text_x, new_line, small, false, "New");
    content.restore_state();
}

/// `name` as it fits on one line `width` wide at `size`: whole, or its beginning and
/// end with "..." between (so both the kind of product and its variant show).
/// Widths are estimated as in the box labels: 0.6 em a Latin glyph, 1 em another.
pub fn fit(name: &str, width: f32, size: f32) -> String {
    let em = |c: char| if c.is_ascii() { 0.6 } else { 1.0 };
    let room = width / size;
    let total: f32 = name.chars().map(em).sum();
    if total <= room {
        return name.to_owned();
    }
    let chars: Vec<char> = name.chars().collect();
    let budget = room - 3.0 * 0.6;
    let (mut head, mut tail, mut used) = (0usize, 0usize, 0.0f32);
    // Two parts of the beginning for one of the end.
    loop {
        let take_head = head < 2 * tail + 2;
        let next = if take_head {
            chars.get(head)
        } else {
            chars.get(chars.len() - 1 - tail)
        };
        let Some(&c) = next else { break };
        if used + em(c) > budget || head + tail >= chars.len() {
            break;
        }
        used += em(c);
        if take_head {
            head += 1;
        } else {
            tail += 1;
        }
    }
    let end: String = chars[chars.len() - tail..].iter().collect();
    let start: String = chars[..head].iter().collect();
    format!("{}...{}", start.trim_end(), end.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{content::Content as Ops, Document, Object};

    fn label(fnsku: &str) -> UnitLabel {
        UnitLabel {
            fnsku: fnsku.into(),
            name: "Insulated steel travel mug, 450 ml, matte black".into(),
        }
    }

    /// The strings shown on one content stream.
    fn shown(content: &[u8]) -> Vec<String> {
        Ops::decode(content)
            .expect("content parses")
            .operations
            .into_iter()
            .filter(|op| op.operator == "Tj")
            .filter_map(|op| match op.operands.first() {
                Some(Object::String(bytes, _)) => Some(String::from_utf8_lossy(bytes).into()),
                _ => None,
            })
            .collect()
    }

    /// Each page's labels, in the order placed: the FNSKU each placed drawing shows.
    fn placed(pdf: &[u8]) -> Vec<Vec<String>> {
        let doc = Document::load_mem(pdf).expect("a valid PDF");
        doc.get_pages()
            .values()
            .map(|&page| {
                let forms = doc
                    .get_dictionary(page)
                    .and_then(|p| p.get(b"Resources"))
                    .and_then(Object::as_dict)
                    .and_then(|r| r.get(b"XObject"))
                    .and_then(Object::as_dict)
                    .expect("the page's XObjects")
                    .clone();
                let content = doc.get_page_content(page);
                Ops::decode(&content)
                    .expect("content parses")
                    .operations
                    .into_iter()
                    .filter(|op| op.operator == "Do")
                    .map(|op| {
                        let name = op.operands[0].as_name().unwrap();
                        let id = forms.get(name).unwrap().as_reference().unwrap();
                        let stream = doc.get_object(id).unwrap().as_stream().unwrap();
                        let texts = shown(&stream.content);
                        assert!(texts.contains(&"New".to_owned()));
                        texts.into_iter().find(|t| t.starts_with("X00")).unwrap()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn one_label_per_unit_filling_sheets_in_order_each_drawing_written_once() {
        for (stock, per_page) in [
            (Stock::Letter30, 30),
            (Stock::A4x24, 24),
            (Stock::Roll2x1, 1),
            (Stock::Roll50x25, 1),
        ] {
            let n = per_page * 2 + 1;
            let labels = vec![(label("X001ABCDEF"), n - 2), (label("X002ABCDEF"), 2)];
            let pdf = unit_labels_pdf("t", &labels, stock);
            let pages = placed(&pdf);
            assert_eq!(pages.len(), 3, "{stock:?}");
            let expected = [
                vec!["X001ABCDEF".to_owned(); n - 2],
                vec!["X002ABCDEF".to_owned(); 2],
            ]
            .concat();
            assert_eq!(pages.concat(), expected, "{stock:?}");
            let drawings = Document::load_mem(&pdf)
                .unwrap()
                .objects
                .values()
                .filter(|o| o.as_stream().is_ok_and(|s| s.dict.has(b"BBox")))
                .count();
            assert_eq!(drawings, 2, "{stock:?}: one drawing per label");
        }
        // A hundred thousand labels stay small.
        let many = unit_labels_pdf("t", &[(label("X001ABCDEF"), MAX_LABELS)], Stock::Letter30);
        assert!(many.len() < 25_000_000, "{} bytes", many.len());
    }

    #[test]
    fn every_label_lies_on_its_paper_without_overlapping_the_next() {
        for stock in Stock::ALL {
            let l = stock.layout();
            for n in 0..l.per_page() {
                let (page, (x, y)) = l.place(n);
                assert_eq!(page, 0);
                assert!(x >= 0.0 && y >= -0.01, "{stock:?} label {n} at {x},{y}");
                assert!(
                    x + l.label.0 <= l.page.0 + 0.01,
                    "{stock:?} label {n} off the right edge"
                );
                assert!(
                    y + l.label.1 <= l.page.1 + 0.01,
                    "{stock:?} label {n} off the top"
                );
            }
            assert!(
                l.pitch.0 >= l.label.0 && l.pitch.1 >= l.label.1 - 0.01,
                "{stock:?}"
            );
        }
        // The published sheet sizes, in points.
        assert_eq!(Stock::Letter30.layout().page, (612.0, 792.0));
        let a4 = Stock::A4x24.layout().page;
        assert!((a4.0 - 595.28).abs() < 0.01 && (a4.1 - 841.89).abs() < 0.01);
        assert_eq!(Stock::Letter30.layout().place(30).0, 1);
    }

    /// Each `^XA … ^XZ` label of a ZPL file: its Code 128 data and how many to print.
    fn zpl_labels(zpl: &str) -> Vec<(String, usize)> {
        zpl.split("^XZ")
            .filter(|block| block.contains("^XA"))
            .map(|block| {
                let after_bc = block.split("^BC").nth(1).expect("a Code 128 field");
                let data = after_bc
                    .split("^FD")
                    .nth(1)
                    .unwrap()
                    .split("^FS")
                    .next()
                    .unwrap();
                let count = block
                    .split("^PQ")
                    .nth(1)
                    .expect("a count")
                    .trim()
                    .parse()
                    .unwrap();
                (data.to_owned(), count)
            })
            .collect()
    }

    #[test]
    fn zpl_prints_each_fnsku_as_often_as_its_units_and_fits_the_roll() {
        let labels = vec![
            (
                UnitLabel {
                    fnsku: "X001ABCDEF".into(),
                    name: "Travel mug ^XZ~JR".into(),
                },
                3,
            ),
            (
                UnitLabel {
                    fnsku: "B07XYZ1234".into(),
                    name: "保温杯".into(),
                },
                2,
            ),
        ];
        for (stock, width, length) in [(Stock::Roll2x1, 457, 254), (Stock::Roll50x25, 400, 200)] {
            let zpl = unit_labels_zpl(&labels, stock).expect("a roll");
            assert_eq!(
                zpl_labels(&zpl),
                [("X001ABCDEF".to_owned(), 3), ("B07XYZ1234".to_owned(), 2)]
            );
            assert_eq!(
                zpl.matches(&format!("^PW{width}^LL{length}")).count(),
                2,
                "{stock:?}"
            );
            // Every field starts on the label, the barcode fits across it.
            for origin in zpl.split("^FO").skip(1) {
                let (x, rest) = origin.split_once(',').unwrap();
                let y: u32 = rest.split('^').next().unwrap().parse().unwrap();
                assert!(
                    x.parse::<u32>().unwrap() < width && y < length,
                    "{stock:?}: {origin}"
                );
            }
            let x: u32 = zpl
                .split("^FO")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                x + (11 * 12 + 13) * 2 <= width,
                "{stock:?}: the barcode runs off"
            );
            // A name cannot end the label early or start a command.
            assert!(!zpl.contains("Travel mug ^XZ") && !zpl.contains("~JR"));
        }
        assert_eq!(unit_labels_zpl(&labels, Stock::Letter30), None);
    }

    #[test]
    fn a_long_name_keeps_its_beginning_and_end() {
        let name = "Insulated steel travel mug, 450 ml, matte black";
        assert_eq!(fit(name, 1000.0, 6.0), name);
        let cut = fit(name, 100.0, 6.0);
        assert!(
            cut.starts_with("Insulated") && cut.ends_with("black") && cut.contains("..."),
            "{cut}"
        );
        let width: f32 = cut
            .chars()
            .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
            .sum::<f32>()
            * 6.0;
        assert!(width <= 100.0, "{cut}: {width}");
        let chinese = fit("不锈钢保温杯 450 毫升 哑光黑色 旅行装", 60.0, 6.0);
        assert!(
            chinese.starts_with("不锈") && chinese.contains("..."),
            "{chinese}"
        );
    }
}
