//! Box labels: for each box a 4×6 in label with a Code 128 barcode of the box id, then
//! its box-content label(s) of the same size with the PDF417 2D barcode of what the box
//! holds (see `box_contents`); for an LTL shipment then four labels a pallet, one for
//! each side (the marketplace's rule), with a Code 128 of the marketplace's shipment
//! id. On A4 or Letter one label a page; on a thermal 4×6 roll the page is the label. The same labels as ZPL for a Zebra-compatible printer.
//!
//! ASCII text uses the base-14 Helvetica fonts; runs of other characters (Chinese
//! addresses, "×") use the standard CJK font STSong-Light with the UniGB-UTF16-H CMap,
//! so no font file is embedded. Content streams are left uncompressed.

use barcoders::sym::code128::Code128;

use super::box_contents::{self, ContentLine, Symbol};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// Paper size the label pages are printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
    /// A thermal printer's 4 × 6 in label: the page is the label.
    Thermal4x6,
}

impl Paper {
    /// "a4" or "letter" (case-insensitive); anything else is None.
    pub fn parse(s: &str) -> Option<Paper> {
        match s.to_ascii_lowercase().as_str() {
            "a4" => Some(Paper::A4),
            "letter" => Some(Paper::Letter),
            "thermal" => Some(Paper::Thermal4x6),
            _ => None,
        }
    }

    /// Page width and height in points.
    fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
            Paper::Thermal4x6 => (LABEL_W, LABEL_H),
        }
    }

    /// Where the label's lower left corner lies on the page: centred across, near the
    /// top of a sheet (clear of printer margins); the whole page of a thermal label.
    fn label_origin(self) -> (f32, f32) {
        let (page_w, page_h) = self.size();
        match self {
            Paper::Thermal4x6 => (0.0, 0.0),
            _ => ((page_w - LABEL_W) / 2.0, page_h - TOP_MARGIN - LABEL_H),
        }
    }
}

/// One box of the shipment; it gets its own label page.
pub struct LabelBox {
    /// Printed and encoded in the barcode; ASCII letters and digits only.
    pub box_id: String,
    /// Position of the box in the shipment, starting at 1.
    pub number: u32,
    /// e.g. "12.5 kg (27.6 lb)"
    pub weight: String,
    /// e.g. "40 × 30 × 20 cm" — may contain non-ASCII like ×; treat per the text rule above
    pub dimensions: String,
    /// What the box holds, in the 2D barcode's terms.
    pub contents: Vec<ContentLine>,
    /// SKUs in the box with no FNSKU, ASIN or UPC: the box then gets no 2D barcode
    /// (a partial one would tell the fulfillment center the wrong contents).
    pub without_code: Vec<String>,
}

impl LabelBox {
    /// The box's 2D barcodes for the marketplace's shipment `po`; empty without it, or
    /// when some item has no code (or, impossibly, an item is too long for a symbol), in
    /// which case its content label says why.
    pub fn symbols(&self, po: Option<&str>) -> Vec<Symbol> {
        match po {
            Some(po) if self.without_code.is_empty() => {
                box_contents::symbols(po, &self.contents).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }
}

/// One pallet of an LTL shipment; it gets [`LABELS_A_PALLET`] labels.
pub struct LabelPallet {
    /// Position of the pallet in the shipment, starting at 1.
    pub number: u32,
    /// e.g. "300.00 kg (661.39 lb)"
    pub weight: String,
    /// e.g. "150.0 cm (59.1 in)"
    pub height: String,
    /// Whether another pallet may stand on it.
    pub stackable: bool,
}

/// "Each pallet requires four pallet labels, one on each side" (Amazon Seller Central,
/// "Seller requirements for LTL, FTL, and FCL deliveries", pallet labels).
pub const LABELS_A_PALLET: u32 = 4;

/// One label of the sheet.
enum Label<'a> {
    /// The box's shipping label.
    Box(&'a LabelBox),
    /// A box-content label: the symbol, its place among the box's symbols and their
    /// count; no symbol when the box cannot have one.
    Contents(&'a LabelBox, Option<Symbol>, usize, usize),
    /// One of a pallet's labels, and which of its four.
    Pallet(&'a LabelPallet, u32),
}

impl LabelSheet {
    /// Every label in print order: each box's label, then its content labels.
    fn labels(&self) -> Vec<Label<'_>> {
        let mut out = Vec::new();
        for b in &self.boxes {
            out.push(Label::Box(b));
            let symbols = b.symbols(self.po.as_deref());
            let total = symbols.len();
            if total == 0 {
                out.push(Label::Contents(b, None, 1, 1));
            }
            for (i, symbol) in symbols.into_iter().enumerate() {
                out.push(Label::Contents(b, Some(symbol), i + 1, total));
            }
        }
        for p in &self.pallets {
            out.extend((1..=LABELS_A_PALLET).map(|side| Label::Pallet(p, side)));
        }
        out
    }
}

/// Everything printed on the labels of one shipment.
pub struct LabelSheet {
    /// Shipment id, printed large and used in the document title.
    pub shipment_id: String,
    /// The marketplace's id of the shipment (FBA…), the PO of the 2D barcodes; without
    /// it there are none.
    pub po: Option<String>,
    /// Seller-chosen name of the shipment.
    pub shipment_name: String,
    /// Seller company name.
    pub seller_company: String,
    /// Ship-from address lines: name, street lines, city/region/postal, country, phone.
    pub ship_from: Vec<String>,
    /// Fulfillment center code the boxes are sent to.
    pub destination: String,
    /// The boxes, one label each, in print order.
    pub boxes: Vec<LabelBox>,
    /// An LTL shipment's pallets (none for small parcel), four labels each.
    pub pallets: Vec<LabelPallet>,
    /// Paper size of the pages.
    pub paper: Paper,
}

/// Label size: 4 × 6 inches.
const LABEL_W: f32 = 288.0;
const LABEL_H: f32 = 432.0;
/// Distance from the top edge of the page to the label, clear of printer margins.
const TOP_MARGIN: f32 = 36.0;
/// Padding inside the label border.
const PAD: f32 = 12.0;
/// Quiet zone on each side of the barcode, in modules.
pub(super) const QUIET_MODULES: usize = 10;
const BAR_HEIGHT: f32 = 60.0;

/// Font resource names, identical on every page.
const HELVETICA: Name = Name(b"F1");
const HELVETICA_BOLD: Name = Name(b"F2");
const CJK: Name = Name(b"F3");

/// The PDF bytes. Panics never: invalid barcode data (should not happen) prints the id without bars.
pub fn labels_pdf(sheet: &LabelSheet) -> Vec<u8> {
    let [catalog_id, tree_id, info_id, helvetica_id, bold_id, cjk_id, cid_id, descriptor_id] =
        [1, 2, 3, 4, 5, 6, 7, 8].map(Ref::new);
    let labels = sheet.labels();
    // Each page takes two ids: the page itself and its content stream.
    let page_ids: Vec<(Ref, Ref)> = (0..labels.len() as i32)
        .map(|i| (Ref::new(9 + 2 * i), Ref::new(10 + 2 * i)))
        .collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.document_info(info_id)
        .title(TextStr(&format!("Labels {}", sheet.shipment_id)));
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|&(page, _)| page))
        .count(page_ids.len() as i32);

    let fonts = write_fonts(
        &mut pdf,
        [helvetica_id, bold_id, cjk_id, cid_id, descriptor_id],
        needs_cjk(sheet),
    );

    let (page_w, page_h) = sheet.paper.size();
    let origin = sheet.paper.label_origin();
    for (label, &(page_id, content_id)) in labels.iter().zip(&page_ids) {
        let mut page = pdf.page(page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, page_w, page_h))
            .contents(content_id);
        page.resources().fonts().pairs(fonts.iter().copied());
        page.finish();
        let content = match label {
            Label::Box(b) => draw_label(sheet, b, origin),
            Label::Contents(b, symbol, n, of) => {
                draw_contents(sheet, b, symbol.as_ref(), (*n, *of), origin)
            }
            Label::Pallet(p, side) => draw_pallet(sheet, p, *side, origin),
        };
        pdf.stream(content_id, &content);
    }
    pdf.finish()
}

/// A 4 × 6 in label at 203 dpi (Zebra's resolution of 8 dots a millimetre), in dots.
const ZPL_WIDTH: u32 = 812;
const ZPL_LENGTH: u32 = 1218;
/// Left edge of text and barcodes on the thermal label, in dots.
const ZPL_MARGIN: u32 = 32;
/// The 2D barcode's module at 203 dpi: 5 dots (0.0246 in), the fewest that meet the
/// marketplace's 0.020 in minimum (4 dots are 0.0197 in); rows 3 modules high.
const ZPL_PDF417_MODULE: u32 = 5;

/// The same labels as ZPL II for a Zebra-compatible printer at 203 dpi, one
/// `^XA … ^XZ` a label. The printer's built-in font has no Chinese glyphs, so lines
/// that are not plain ASCII are left off (the PDF carries them). Commands as the ZPL II
/// Programming Guide defines them: `^BC` Code 128, `^B7` PDF417 (row height in dots,
/// security level, columns), `^BY` module width, `^A0` the scalable font.
pub fn labels_zpl(sheet: &LabelSheet) -> String {
    let mut zpl = String::new();
    for label in sheet.labels() {
        let mut z = ZplLabel::default();
        match label {
            Label::Box(b) => {
                z.line("SHIP FROM", 22);
                for line in &sheet.ship_from {
                    z.line(line, 28);
                }
                z.gap();
                z.line("SHIP TO", 22);
                z.line(&format!("Fulfillment center {}", sheet.destination), 44);
                z.gap();
                z.line(&sheet.seller_company, 28);
                z.line(&sheet.shipment_name, 28);
                z.gap();
                z.line(&format!("Shipment {}", sheet.shipment_id), 52);
                z.line(&format!("Box {} of {}", b.number, sheet.boxes.len()), 76);
                z.line(&b.weight, 32);
                z.line(&b.dimensions, 32);
                z.code128_at_foot(&b.box_id);
            }
            Label::Pallet(p, side) => {
                for line in pallet_lines(sheet, p, side) {
                    match line {
                        Line::Text(text, points, _) => z.line(&text, zpl_dots(points)),
                        Line::Rule => z.gap(),
                    }
                }
                if let Some(po) = &sheet.po {
                    z.code128_at_foot(po);
                }
            }
            Label::Contents(b, symbol, n, of) => {
                z.line("BOX CONTENTS", 22);
                z.line(&format!("Shipment {}", sheet.shipment_id), 40);
                z.line(&format!("Box {} of {}", b.number, sheet.boxes.len()), 52);
                if of > 1 {
                    z.line(&format!("2D barcode {n} of {of}"), 30);
                }
                match symbol {
                    Some(symbol) => {
                        let width = box_contents::WIDTH_MODULES as u32 * ZPL_PDF417_MODULE;
                        let x = (ZPL_WIDTH - width) / 2;
                        let row = box_contents::ROW_MODULES as u32 * ZPL_PDF417_MODULE;
                        let rows = symbol.matrix.rows as u32;
                        z.y += 20;
                        z.fields.push_str(&format!(
                            "^FO{x},{y}^BY{ZPL_PDF417_MODULE}^B7N,{row},{level},{cols},{rows},N^FD{text}^FS\n",
                            y = z.y,
                            level = box_contents::ECC_LEVEL,
                            cols = box_contents::COLUMNS,
                            text = zpl_text(&symbol.text),
                        ));
                        z.y += rows * row + 20;
                        for line in &symbol.lines {
                            z.line(&line.readable(), 24);
                        }
                    }
                    None => {
                        z.line("No 2D barcode for this box:", 30);
                        for line in no_barcode_because(sheet, b) {
                            z.line(&line, 26);
                        }
                    }
                }
            }
        }
        zpl.push_str(&format!(
            "^XA^CI28^PW{ZPL_WIDTH}^LL{ZPL_LENGTH}^LH0,0\n{}^XZ\n",
            z.fields
        ));
    }
    zpl
}

/// The fields of one thermal label, text placed top-down.
struct ZplLabel {
    fields: String,
    /// Top of the next line, in dots.
    y: u32,
}

impl Default for ZplLabel {
    fn default() -> ZplLabel {
        ZplLabel {
            fields: String::new(),
            y: 32,
        }
    }
}

impl ZplLabel {
    /// One line of text `height` dots high, cut to the label's width; left off
    /// when it is not plain ASCII.
    fn line(&mut self, text: &str, height: u32) {
        if text.is_ascii() && !text.is_empty() {
            let room = (ZPL_WIDTH - 2 * ZPL_MARGIN) as f32;
            let text = super::unit_labels::fit(&zpl_text(text), room, height as f32);
            self.fields.push_str(&format!(
                "^FO{ZPL_MARGIN},{y}^A0N,{height},{height}^FD{text}^FS\n",
                y = self.y
            ));
            self.y += height + 8;
        }
    }

    /// Space between groups of lines.
    fn gap(&mut self) {
        self.y += 16;
    }

    /// A Code 128 of `data` at the label's foot with the text under it: 11 modules a
    /// character with start and check, 13 the stop; 3 dots a module when that fits the
    /// label, else 2.
    fn code128_at_foot(&mut self, data: &str) {
        let modules = 11 * (data.len() as u32 + 2) + 13;
        let module = if modules * 3 <= ZPL_WIDTH - 2 * ZPL_MARGIN {
            3
        } else {
            2
        };
        let x = ZPL_WIDTH.saturating_sub(modules * module) / 2;
        let y = ZPL_LENGTH - 32 - 36 - 8 - 160;
        self.fields.push_str(&format!(
            "^FO{x},{y}^BY{module}^BCN,160,N,N,N^FD{id}^FS\n^FO{x},{ty}^A0N,36,36^FD{id}^FS\n",
            id = zpl_text(data),
            ty = y + 168,
        ));
    }
}

/// One line of a label: text at a size in points, bold or not; or a separator.
enum Line {
    Text(String, f32, bool),
    Rule,
}

/// A size in points as ZPL dots at 203 dpi.
fn zpl_dots(points: f32) -> u32 {
    (points * 203.0 / 72.0).round() as u32
}

/// What one of a pallet's labels says, top-down, the same on paper and on a thermal
/// label. Its barcode (under these lines) is the marketplace's shipment id, which the
/// fulfillment center receives pallets by; without it the label says so instead.
fn pallet_lines(sheet: &LabelSheet, pallet: &LabelPallet, side: u32) -> Vec<Line> {
    let text = |t: String, size: f32, bold: bool| Line::Text(t, size, bold);
    let mut lines = vec![text("SHIP FROM".into(), 7.0, true)];
    lines.extend(sheet.ship_from.iter().map(|l| text(l.clone(), 9.0, false)));
    lines.extend([
        Line::Rule,
        text("SHIP TO".into(), 7.0, true),
        text(
            format!("Fulfillment center {}", sheet.destination),
            14.0,
            true,
        ),
        Line::Rule,
        text(sheet.seller_company.clone(), 9.0, false),
        text(format!("Shipment {}", sheet.shipment_id), 12.0, true),
    ]);
    if let Some(po) = &sheet.po {
        lines.push(text(format!("Amazon shipment {po}"), 10.0, false));
    }
    let stacking = if pallet.stackable {
        "STACKABLE"
    } else {
        "DO NOT STACK"
    };
    let pallets = sheet.pallets.len();
    lines.extend([
        Line::Rule,
        text(format!("PALLET {} OF {pallets}", pallet.number), 24.0, true),
        text(stacking.into(), 16.0, true),
        text(format!("Weight {}", pallet.weight), 9.0, false),
        text(format!("Height {}", pallet.height), 9.0, false),
        text(
            format!(
                "Shipment total: boxes {}, pallets {pallets}",
                sheet.boxes.len()
            ),
            9.0,
            false,
        ),
        text(
            format!("Label {side} of {LABELS_A_PALLET}: one on each side"),
            7.0,
            false,
        ),
    ]);
    if sheet.po.is_none() {
        lines.extend([
            text(
                "No barcode: the Amazon shipment ID (FBA...)".into(),
                9.0,
                true,
            ),
            text(
                "was not entered with the shipping details.".into(),
                9.0,
                true,
            ),
        ]);
    }
    lines
}

/// Field data as ZPL takes it: `^` and `~` start commands, so they become spaces.
fn zpl_text(text: &str) -> String {
    text.replace(['^', '~'], " ")
}

/// Whether any printed text has non-ASCII characters.
fn needs_cjk(s: &LabelSheet) -> bool {
    let header = [
        &s.shipment_id,
        &s.shipment_name,
        &s.seller_company,
        &s.destination,
    ];
    let boxes = s.boxes.iter().flat_map(|b| {
        [&b.box_id, &b.weight, &b.dimensions]
            .into_iter()
            .chain(&b.without_code)
    });
    let skus = s
        .boxes
        .iter()
        .flat_map(|b| b.contents.iter().map(|l| &l.sku));
    let mut texts = header
        .into_iter()
        .chain(&s.ship_from)
        .chain(boxes)
        .chain(skus);
    texts.any(|text| !text.is_ascii())
}

/// Writes Helvetica and Helvetica-Bold, and the CJK font when `cjk` (some text needs
/// it), at the ids given in that order (the CJK font takes the last three); returns
/// each page's font resources.
pub(super) fn write_fonts(pdf: &mut Pdf, ids: [Ref; 5], cjk: bool) -> Vec<(Name<'static>, Ref)> {
    let [helvetica_id, bold_id, cjk_id, cid_id, descriptor_id] = ids;
    let mut fonts = vec![(HELVETICA, helvetica_id), (HELVETICA_BOLD, bold_id)];
    for (id, base) in [(helvetica_id, "Helvetica"), (bold_id, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    if cjk {
        write_cjk_font(pdf, cjk_id, cid_id, descriptor_id);
        fonts.push((CJK, cjk_id));
    }
    fonts
}

/// Writes the non-embedded STSong-Light Type0 font (Adobe-GB1, UTF-16BE codes).
fn write_cjk_font(pdf: &mut Pdf, font_id: Ref, cid_id: Ref, descriptor_id: Ref) {
    let base = Name(b"STSong-Light");
    pdf.type0_font(font_id)
        .base_font(base)
        .encoding_predefined(Name(b"UniGB-UTF16-H"))
        .descendant_font(cid_id);
    pdf.cid_font(cid_id)
        .subtype(CidFontType::Type0)
        .base_font(base)
        .system_info(SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"GB1"),
            supplement: 2,
        })
        .font_descriptor(descriptor_id)
        .default_width(1000.0);
    // Approximate STSong-Light metrics; viewers substitute their own CJK font.
    pdf.font_descriptor(descriptor_id)
        .name(base)
        .flags(FontFlags::SERIF | FontFlags::SYMBOLIC)
        .bbox(Rect::new(-25.0, -254.0, 1000.0, 880.0))
        .italic_angle(0.0)
        .ascent(880.0)
        .descent(-120.0)
        .cap_height(880.0)
        .stem_v(93.0);
}

/// Draws one label and returns the page's content stream.
fn draw_label(sheet: &LabelSheet, label_box: &LabelBox, (x0, y0): (f32, f32)) -> Vec<u8> {
    let mut content = Content::new();
    let ship_to = format!("Fulfillment center {}", sheet.destination);
    let shipment = format!("Shipment {}", sheet.shipment_id);
    let box_of = format!("Box {} of {}", label_box.number, sheet.boxes.len());
    let mut pen = Pen::on_label(&mut content, (x0, y0));
    pen.line("SHIP FROM", 7.0, true);
    for line in &sheet.ship_from {
        pen.line(line, 9.0, false);
    }
    pen.rule();
    pen.line("SHIP TO", 7.0, true);
    pen.line(&ship_to, 14.0, true);
    pen.rule();
    pen.line(&sheet.seller_company, 9.0, false);
    pen.line(&sheet.shipment_name, 9.0, false);
    pen.rule();
    pen.line(&shipment, 18.0, true);
    if let Some(po) = &sheet.po {
        pen.line(&format!("Amazon shipment {po}"), 10.0, false);
    }
    pen.line(&box_of, 26.0, true);
    pen.line(&label_box.weight, 10.0, false);
    pen.line(&label_box.dimensions, 10.0, false);

    draw_barcode(&mut content, &label_box.box_id, x0, y0 + PAD);
    content.restore_state();
    content.finish().into_vec()
}

/// Draws one of a pallet's four labels.
fn draw_pallet(
    sheet: &LabelSheet,
    pallet: &LabelPallet,
    side: u32,
    (x0, y0): (f32, f32),
) -> Vec<u8> {
    let mut content = Content::new();
    let mut pen = Pen::on_label(&mut content, (x0, y0));
    for line in pallet_lines(sheet, pallet, side) {
        match line {
            Line::Text(text, size, bold) => pen.line(&text, size, bold),
            Line::Rule => pen.rule(),
        }
    }
    if let Some(po) = &sheet.po {
        draw_barcode(&mut content, po, x0, y0 + PAD);
    }
    content.restore_state();
    content.finish().into_vec()
}

/// Why a box's content label has no 2D barcode, and what to do instead.
fn no_barcode_because(sheet: &LabelSheet, label_box: &LabelBox) -> Vec<String> {
    let mut lines = Vec::new();
    if sheet.po.is_none() {
        lines.push("The Amazon shipment ID (FBA...) was not entered".to_owned());
        lines.push("with the shipping details.".to_owned());
    }
    for sku in &label_box.without_code {
        lines.push(format!("{sku} has no FNSKU, ASIN or UPC."));
    }
    lines.push("Enter its contents in Seller Central.".to_owned());
    lines
}

/// Module width of the 2D barcode: 1.5 pt (0.0208 in), over the marketplace's minimum
/// of 0.020 in (Seller Central Help item 202049090).
const PDF417_MODULE: f32 = 1.5;

/// Draws a box-content label: which box, its 2D barcode, and the items it encodes in
/// plain text; or, for a box that cannot have one, why not.
fn draw_contents(
    sheet: &LabelSheet,
    label_box: &LabelBox,
    symbol: Option<&Symbol>,
    (n, of): (usize, usize),
    (x0, y0): (f32, f32),
) -> Vec<u8> {
    use box_contents::{ROW_MODULES, WIDTH_MODULES};
    let mut content = Content::new();
    let mut pen = Pen::on_label(&mut content, (x0, y0));
    pen.line("BOX CONTENTS", 7.0, true);
    pen.line(&format!("Shipment {}", sheet.shipment_id), 14.0, true);
    let box_of = format!("Box {} of {}", label_box.number, sheet.boxes.len());
    pen.line(&box_of, 18.0, true);
    if of > 1 {
        pen.line(&format!("2D barcode {n} of {of}"), 10.0, true);
    }
    match symbol {
        Some(symbol) => {
            let (matrix, module) = (&symbol.matrix, PDF417_MODULE);
            let row_h = ROW_MODULES as f32 * module;
            let x = x0 + (LABEL_W - WIDTH_MODULES as f32 * module) / 2.0;
            let top = pen.y - 10.0;
            for row in 0..matrix.rows {
                let y = top - (row + 1) as f32 * row_h;
                for (start, len) in matrix.dark_runs(row) {
                    let bar_x = x + start as f32 * module;
                    pen.content.rect(bar_x, y, len as f32 * module, row_h);
                }
            }
            pen.content.set_fill_gray(0.0).fill_nonzero();
            pen.y = top - matrix.rows as f32 * row_h - 10.0;
            for line in &symbol.lines {
                pen.line(&line.readable(), 8.0, false);
            }
        }
        None => {
            pen.line("No 2D barcode for this box:", 10.0, true);
            for line in no_barcode_because(sheet, label_box) {
                pen.line(&line, 9.0, false);
            }
        }
    }
    content.restore_state();
    content.finish().into_vec()
}

/// Draws the box id's Code 128 barcode centred on the label, with the id in
/// plain text under it; `baseline` is the baseline of that text.
fn draw_barcode(content: &mut Content, box_id: &str, label_x: f32, baseline: f32) {
    let bits = barcode_bits(box_id).unwrap_or_default();
    let modules = bits.len() + 2 * QUIET_MODULES;
    let module = ((LABEL_W - 2.0 * PAD) / modules as f32).clamp(0.75, 1.0);
    let first_bar_x =
        label_x + (LABEL_W - modules as f32 * module) / 2.0 + QUIET_MODULES as f32 * module;

    // Each run of dark modules becomes one filled rectangle.
    let mut run_start = None;
    for (i, &bit) in bits.iter().chain(&[0]).enumerate() {
        match (bit, run_start) {
            (1, None) => run_start = Some(i),
            (0, Some(s)) => {
                let x = first_bar_x + s as f32 * module;
                content.rect(x, baseline + 14.0, (i - s) as f32 * module, BAR_HEIGHT);
                run_start = None;
            }
            _ => {}
        }
    }
    if !bits.is_empty() {
        content.set_fill_gray(0.0).fill_nonzero();
    }
    show_text(content, first_bar_x, baseline, 11.0, false, box_id);
}

/// The Code 128 (charset B) module bits of a box id, or None if the id is
/// empty or not printable ASCII.
pub(super) fn barcode_bits(box_id: &str) -> Option<Vec<u8>> {
    if box_id.is_empty() || !box_id.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let data = format!("\u{0181}{box_id}");
    Code128::new(data).ok().map(|code| code.encode())
}

/// Writes text lines top-down inside the label.
struct Pen<'a> {
    content: &'a mut Content,
    x: f32,
    /// Top of the next line.
    y: f32,
}

impl<'a> Pen<'a> {
    /// Starts a 4×6 in label at `(x0, y0)`: its border, then everything clipped to it
    /// (so an overlong line cannot spill off the label) until the caller's
    /// `restore_state`, and a pen at its top left.
    fn on_label(content: &'a mut Content, (x0, y0): (f32, f32)) -> Pen<'a> {
        content
            .set_line_width(0.5)
            .rect(x0, y0, LABEL_W, LABEL_H)
            .stroke();
        content.save_state();
        content
            .rect(x0, y0, LABEL_W, LABEL_H)
            .clip_nonzero()
            .end_path();
        Pen {
            content,
            x: x0 + PAD,
            y: y0 + LABEL_H - PAD,
        }
    }
}

impl Pen<'_> {
    /// Usable width between the paddings.
    const WIDTH: f32 = LABEL_W - 2.0 * PAD;

    /// One line of text, shrunk if its estimated width exceeds the label.
    fn line(&mut self, text: &str, size: f32, bold: bool) {
        // Conservative width estimate: 0.6 em per Latin glyph, 1 em per CJK glyph.
        let ems: f32 = text
            .chars()
            .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
            .sum();
        let size = size.min(Self::WIDTH / ems.max(1.0)).max(5.0);
        self.y -= size;
        show_text(self.content, self.x, self.y, size, bold, text);
        self.y -= size * 0.3;
    }

    /// A thin horizontal separator across the label.
    fn rule(&mut self) {
        self.y -= 4.0;
        let (x, y) = (self.x, self.y);
        self.content.move_to(x, y);
        self.content.line_to(x + Self::WIDTH, y).stroke();
        self.y -= 6.0;
    }
}

/// Shows `text` with its baseline starting at (x, y). ASCII runs use Helvetica, other
/// runs the CJK font (which has no bold face) with UTF-16BE codes; within one text
/// object each run starts where the previous one ended.
pub(super) fn show_text(content: &mut Content, x: f32, y: f32, size: f32, bold: bool, text: &str) {
    let latin = if bold { HELVETICA_BOLD } else { HELVETICA };
    content.begin_text().next_line(x, y);
    for (ascii, run) in runs(text) {
        if ascii {
            content.set_font(latin, size).show(Str(run.as_bytes()));
        } else {
            content.set_font(CJK, size).show(Str(&utf16be(run)));
        }
    }
    content.end_text();
}

/// Splits `text` into maximal runs of ASCII and of non-ASCII characters.
fn runs(text: &str) -> impl Iterator<Item = (bool, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let ascii = rest.chars().next()?.is_ascii();
        let end = rest.find(|c: char| c.is_ascii() != ascii);
        let (run, tail) = rest.split_at(end.unwrap_or(rest.len()));
        rest = tail;
        Some((ascii, run))
    })
}

/// `text` as UTF-16BE bytes, the codes of the `UniGB-UTF16-H` CMap.
pub(super) fn utf16be(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{content::Content as Ops, Document, Object};

    fn sheet(boxes: u32, paper: Paper) -> LabelSheet {
        LabelSheet {
            shipment_id: "FBA15ABCD123".into(),
            po: Some("FBA15ABCD123".into()),
            shipment_name: "Spring restock (1/2)".into(),
            seller_company: "Acme Trading Ltd".into(),
            ship_from: vec!["Li Wei".into(), "深圳市南山区科技园".into(), "China".into()],
            destination: "LGB8".into(),
            boxes: (1..=boxes)
                .map(|n| LabelBox {
                    box_id: format!("FBA15ABCD123U{n:06}"),
                    number: n,
                    weight: "12.5 kg (27.6 lb)".into(),
                    dimensions: "40 × 30 × 20 cm".into(),
                    contents: (1..=n)
                        .map(|k| ContentLine {
                            sku: format!("SKU-{k}"),
                            code: format!("FNSKU:X00000000{k}"),
                            quantity: 10 * k,
                            expiry: (k == 2).then(|| "270131".into()),
                        })
                        .collect(),
                    without_code: vec![],
                })
                .collect(),
            pallets: vec![],
            paper,
        }
    }

    fn load(sheet: &LabelSheet) -> Document {
        Document::load_mem(&labels_pdf(sheet)).expect("valid PDF")
    }

    /// The operations of a page's content stream (1-based page number).
    fn ops(doc: &Document, page: u32) -> Vec<lopdf::content::Operation> {
        let content = doc.get_page_content(doc.get_pages()[&page]);
        Ops::decode(&content).expect("content parses").operations
    }

    /// The strings shown with `Tj` on a page.
    fn shown(doc: &Document, page: u32) -> Vec<Vec<u8>> {
        let strings = ops(doc, page).into_iter().filter(|op| op.operator == "Tj");
        strings
            .filter_map(|op| match op.operands.first() {
                Some(Object::String(bytes, _)) => Some(bytes.clone()),
                _ => None,
            })
            .collect()
    }

    fn rect_count(doc: &Document, page: u32) -> usize {
        let ops = ops(doc, page);
        ops.iter().filter(|op| op.operator == "re").count()
    }

    #[test]
    fn paper_parse() {
        assert_eq!(Paper::parse("A4"), Some(Paper::A4));
        assert_eq!(Paper::parse("LETTER"), Some(Paper::Letter));
        assert_eq!(Paper::parse("legal"), None);
    }

    #[test]
    fn a_box_label_and_a_content_label_per_box_sized_to_the_paper() {
        for (boxes, paper, w, h) in [
            (2, Paper::A4, 595.28, 841.89),
            (3, Paper::Letter, 612.0, 792.0),
            (1, Paper::Thermal4x6, 288.0, 432.0),
        ] {
            let doc = load(&sheet(boxes, paper));
            assert_eq!(doc.get_pages().len(), 2 * boxes as usize);
            for id in doc.get_pages().values() {
                let page = doc.get_dictionary(*id).expect("a page dictionary");
                let media = page
                    .get(b"MediaBox")
                    .and_then(Object::as_array)
                    .expect("a MediaBox");
                let media: Vec<f32> = media.iter().flat_map(Object::as_float).collect();
                assert_eq!(media, [0.0, 0.0, w, h]);
            }
        }
    }

    #[test]
    fn first_page_text_barcode_fonts_and_title() {
        let doc = load(&sheet(2, Paper::A4));
        let texts = shown(&doc, 1);
        for expected in ["Shipment FBA15ABCD123", "Box 1 of 2", "FBA15ABCD123U000001"] {
            assert!(texts.contains(&expected.as_bytes().to_vec()), "{expected}");
        }
        assert!(texts.contains(&utf16be("深圳市南山区科技园")));
        assert!(texts.contains(&b"40 ".to_vec()) && texts.contains(&vec![0x00, 0xD7]));
        assert!(rect_count(&doc, 1) > 20);

        let fonts = doc
            .get_page_fonts(doc.get_pages()[&1])
            .expect("the first page's fonts");
        let cjk_name = |key: &[u8]| {
            fonts[b"F3".as_slice()]
                .get(key)
                .and_then(Object::as_name)
                .expect("a font name")
        };
        assert_eq!(cjk_name(b"BaseFont"), b"STSong-Light");
        assert_eq!(cjk_name(b"Encoding"), b"UniGB-UTF16-H");

        let info = doc
            .trailer
            .get(b"Info")
            .and_then(Object::as_reference)
            .expect("an Info dictionary");
        let title = doc
            .get_dictionary(info)
            .and_then(|d| d.get(b"Title"))
            .expect("a Title");
        assert_eq!(title.as_str().ok(), Some(b"Labels FBA15ABCD123".as_slice()));
    }

    #[test]
    fn ascii_sheet_without_cjk_font_and_bad_id_without_bars() {
        let mut plain = sheet(1, Paper::Letter);
        plain.ship_from = vec!["Acme".into(), "1 Main St".into()];
        plain.boxes[0].dimensions = "40 x 30 x 20 cm".into();
        plain.boxes[0].box_id = "BOX 1".into();
        plain.boxes[0].without_code = vec!["SOCK-1".into()];
        let doc = load(&plain);
        // The box's content label says why it has no 2D barcode.
        let why = shown(&doc, 2);
        assert!(
            why.contains(&b"SOCK-1 has no FNSKU, ASIN or UPC.".to_vec()),
            "{why:?}"
        );
        assert_eq!(rect_count(&doc, 2), 2);
        let fonts = doc
            .get_page_fonts(doc.get_pages()[&1])
            .expect("the first page's fonts");
        assert!(!fonts.contains_key(b"F3".as_slice()));
        // No bars: only the border and the clip rectangle.
        assert_eq!(rect_count(&doc, 1), 2);
        assert!(shown(&doc, 1).contains(&b"BOX 1".to_vec()));
    }

    #[test]
    fn without_the_marketplace_shipment_id_no_2d_barcode_and_the_label_says_so() {
        let mut unnamed = sheet(1, Paper::Letter);
        unnamed.po = None;
        let doc = load(&unnamed);
        let said = shown(&doc, 2);
        let asks = b"The Amazon shipment ID (FBA...) was not entered".to_vec();
        assert!(said.contains(&asks), "{said:?}");
        assert_eq!(
            rect_count(&doc, 2),
            2,
            "no bars, only the border and the clip"
        );
        // The same sheet with it has its barcode.
        assert!(rect_count(&load(&sheet(1, Paper::Letter)), 2) > 100);
    }

    /// The fields of each `^XA … ^XZ` label: (command, parameters and data) pairs.
    fn zpl_fields(zpl: &str) -> Vec<Vec<(String, String)>> {
        zpl.split("^XZ")
            .filter(|label| label.contains("^XA"))
            .map(|label| {
                label
                    .split('^')
                    .skip(1)
                    .map(|field| {
                        let field = field.trim_end();
                        let (command, rest) = field.split_at(2.min(field.len()));
                        (command.to_owned(), rest.to_owned())
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn zpl_has_each_box_label_and_its_pdf417_at_the_marketplace_minimums() {
        let labels = zpl_fields(&labels_zpl(&sheet(2, Paper::Thermal4x6)));
        assert_eq!(labels.len(), 4, "a box label and a content label per box");
        let data_after = |label: &[(String, String)], command: &str| -> Vec<String> {
            let at = label.iter().position(|(c, _)| c == command);
            at.map(|i| {
                let fd = label[i..].iter().find(|(c, _)| c == "FD");
                fd.map(|(_, d)| d.clone()).unwrap_or_default()
            })
            .into_iter()
            .collect()
        };
        assert_eq!(data_after(&labels[0], "BC"), ["FBA15ABCD123U000001"]);
        assert_eq!(data_after(&labels[2], "BC"), ["FBA15ABCD123U000002"]);
        assert_eq!(
            data_after(&labels[3], "B7"),
            ["AMZN,PO:FBA15ABCD123,FNSKU:X000000001,QTY:10,FNSKU:X000000002,QTY:20,EXP:270131"]
        );
        let b7 = labels[3].iter().find(|(c, _)| c == "B7").expect("a PDF417");
        let params: Vec<&str> = b7.1.split(',').collect();
        // Orientation, row height 15 dots (3 modules), security level 6, 5 columns.
        assert_eq!(params[..4], ["N", "15", "6", "5"]);
        let by = labels[3]
            .iter()
            .rev()
            .find(|(c, _)| c == "BY")
            .expect("a module width");
        assert_eq!(by.1, "5", "5 dots at 203 dpi = 0.0246 in, over 0.020 in");
        for label in &labels {
            assert!(label.contains(&("PW".into(), "812".into())));
            assert!(label.contains(&("LL".into(), "1218".into())));
        }
        // The Chinese address line is left off (no glyphs in the printer's font).
        let text: Vec<&String> = labels[0]
            .iter()
            .filter(|(c, _)| c == "FD")
            .map(|(_, d)| d)
            .collect();
        assert!(text.iter().any(|d| *d == "China") && !text.iter().any(|d| !d.is_ascii()));
    }

    fn with_pallets(mut sheet: LabelSheet, stackable: &[bool]) -> LabelSheet {
        sheet.pallets = stackable
            .iter()
            .enumerate()
            .map(|(n, &stackable)| LabelPallet {
                number: n as u32 + 1,
                weight: "300.00 kg (661.39 lb)".into(),
                height: "150.0 cm (59.1 in)".into(),
                stackable,
            })
            .collect();
        sheet
    }

    #[test]
    fn four_labels_a_pallet_after_the_boxes_in_the_pdf_and_the_zpl() {
        let sheet = with_pallets(sheet(1, Paper::Thermal4x6), &[false, true]);
        let doc = load(&sheet);
        assert_eq!(
            doc.get_pages().len(),
            2 + 2 * 4,
            "box, contents, then 4 a pallet"
        );
        let text = |page: u32| -> String {
            shown(&doc, page)
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect::<Vec<_>>()
                .join("|")
        };
        for (page, pallet, stacking, side) in [
            (3, "PALLET 1 OF 2", "DO NOT STACK", "Label 1 of 4"),
            (6, "PALLET 1 OF 2", "DO NOT STACK", "Label 4 of 4"),
            (7, "PALLET 2 OF 2", "STACKABLE", "Label 1 of 4"),
        ] {
            let text = text(page);
            for expected in [pallet, stacking, side, "Amazon shipment FBA15ABCD123"] {
                assert!(text.contains(expected), "page {page}: {expected} in {text}");
            }
            assert!(rect_count(&doc, page) > 20, "page {page} has its barcode");
        }

        let labels = zpl_fields(&labels_zpl(&sheet));
        assert_eq!(labels.len(), 2 + 8);
        for (n, label) in labels[2..].iter().enumerate() {
            let data: Vec<&str> = label
                .iter()
                .filter(|(c, _)| c == "FD")
                .map(|(_, d)| d.as_str())
                .collect();
            let number = n / 4 + 1;
            assert!(
                data.contains(&format!("PALLET {number} OF 2").as_str()),
                "{data:?}"
            );
            let bc = label
                .iter()
                .position(|(c, _)| c == "BC")
                .expect("a Code 128");
            let fd = label[bc..]
                .iter()
                .find(|(c, _)| c == "FD")
                .expect("its data");
            assert_eq!(fd.1, "FBA15ABCD123", "the marketplace's shipment id");
        }
    }

    #[test]
    fn without_the_marketplace_shipment_id_a_pallet_label_says_so_instead_of_a_barcode() {
        let mut sheet = with_pallets(sheet(1, Paper::Letter), &[true]);
        sheet.po = None;
        let doc = load(&sheet);
        let text: String = shown(&doc, 3)
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        assert!(
            text.contains("No barcode: the Amazon shipment ID"),
            "{text}"
        );
        assert!(rect_count(&doc, 3) < 5, "no bars, only the border and clip");
        let zpl = labels_zpl(&sheet);
        let last = zpl_fields(&zpl).pop().expect("a pallet label");
        assert!(!last.iter().any(|(c, _)| c == "BC"));
        // With the id, the same label has its barcode.
        sheet.po = Some("FBA15ABCD123".into());
        assert!(rect_count(&load(&sheet), 3) > 20);
    }
}
