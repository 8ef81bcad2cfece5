//! The marketplace's 2D box-content barcode: what one box holds, as a PDF417 symbol
//! the fulfillment center scans instead of asking for box contents in Seller Central.
//!
//! Format and print limits as Seller Central Help states them ("2D barcodes for box
//! content information", help item 202049090): the text is `AMZN,PO:<shipment id>`
//! followed, for each item, by its id (`FNSKU:`, `ASIN:`, `UPC:` or `EAN:`), `QTY:` and,
//! for an item that expires, `EXP:` as YYMMDD; a colon between a code and its value, a
//! comma between segments. PDF417 with a module at least 0.020 in (0.508 mm) wide, rows
//! at least 3 modules high, error correction at least level 6.
//!
//! A box whose contents are too long for one symbol of the label gets more symbols,
//! each a complete barcode of its own (`AMZN,PO:` and whole items).

/// Error correction level: the marketplace's minimum (help item 202049090).
pub const ECC_LEVEL: u8 = 6;
/// Data columns of every symbol: five fit a 4 in label at 203 dpi with 5-dot modules
/// ((17 + 17 + 5 × 17 + 17 + 18) modules × 5 dots = 770 of 812 dots), so the PDF and the
/// thermal label carry the same symbols.
pub const COLUMNS: u8 = 5;
/// Modules across a symbol: start pattern, left row indicator, the data columns, right
/// row indicator, stop pattern (ISO/IEC 15438, 5.3).
pub const WIDTH_MODULES: usize = 17 + 17 + COLUMNS as usize * 17 + 17 + 18;
/// Rows a symbol may have on a label (each 3 modules high): what fits under the heading
/// with room for the readable list below it.
pub const MAX_ROWS: u8 = 48;
/// Rows are 3 modules high: the marketplace's minimum.
pub const ROW_MODULES: usize = 3;
/// Items listed (and encoded) per symbol, so the readable list fits under it.
pub const MAX_LINES: usize = 8;

/// One item in a box, as the fulfillment center identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentLine {
    /// The seller's SKU, printed in the readable list only.
    pub sku: String,
    /// `FNSKU:X001ABCDEF`, `ASIN:B07XYZ1234`, `UPC:…` or `EAN:…`.
    pub code: String,
    pub quantity: u32,
    /// YYMMDD, for an item that expires.
    pub expiry: Option<String>,
}

impl ContentLine {
    /// The item as printed under its symbol: `SKU  FNSKU:…  x 24  EXP 270131`.
    pub fn readable(&self) -> String {
        let exp = self
            .expiry
            .as_ref()
            .map(|e| format!("  EXP {e}"))
            .unwrap_or_default();
        format!("{}  {}  x {}{exp}", self.sku, self.code, self.quantity)
    }

    /// The segments of this item in the barcode text.
    fn segment(&self) -> String {
        let mut s = format!("{},QTY:{}", self.code, self.quantity);
        if let Some(exp) = &self.expiry {
            s.push_str(",EXP:");
            s.push_str(exp);
        }
        s
    }
}

/// The id the fulfillment center knows an item by, with its key: the FNSKU (an
/// Amazon barcode starts `X0`) or ASIN, else the retail barcode (12 digits: UPC-A,
/// 13: EAN-13). None when the item has none of them.
pub fn item_code(fnsku: Option<&str>, upc: Option<&str>) -> Option<String> {
    match (fnsku, upc) {
        (Some(f), _) if f.starts_with("X0") => Some(format!("FNSKU:{f}")),
        (Some(asin), _) => Some(format!("ASIN:{asin}")),
        (None, Some(code)) if code.len() == 12 => Some(format!("UPC:{code}")),
        (None, Some(code)) => Some(format!("EAN:{code}")),
        (None, None) => None,
    }
}

/// `YYYY-MM-DD` as the barcode's `YYMMDD`.
pub fn yymmdd(date: &str) -> Option<String> {
    let b = date.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && date.bytes().filter(u8::is_ascii_digit).count() == 8;
    ok.then(|| format!("{}{}{}", &date[2..4], &date[5..7], &date[8..10]))
}

/// One symbol: its text, the lines it holds, and its modules (encoded once, while
/// the box's contents were fitted into symbols).
#[derive(Debug, Clone)]
pub struct Symbol {
    pub text: String,
    pub lines: Vec<ContentLine>,
    pub matrix: Matrix,
}

/// The box's contents as one or more symbols, each at most `MAX_ROWS` rows and
/// `MAX_LINES` items, filled in order. None if an item alone would not fit (an id or
/// SKU far longer than any the marketplace issues).
pub fn symbols(shipment_id: &str, lines: &[ContentLine]) -> Option<Vec<Symbol>> {
    let head = format!("AMZN,PO:{shipment_id}");
    let mut out: Vec<Symbol> = Vec::new();
    let mut current: Option<Symbol> = None;
    for line in lines {
        let grown = current.as_ref().and_then(|s| {
            let text = format!("{},{}", s.text, line.segment());
            let fits = s.lines.len() < MAX_LINES;
            fits.then(|| matrix(&text)).flatten().map(|m| (text, m))
        });
        match (grown, current.as_mut()) {
            (Some((text, matrix)), Some(symbol)) => {
                symbol.text = text;
                symbol.matrix = matrix;
                symbol.lines.push(line.clone());
            }
            _ => {
                let text = format!("{head},{}", line.segment());
                let matrix = matrix(&text)?;
                out.extend(current.take());
                current = Some(Symbol {
                    text,
                    lines: vec![line.clone()],
                    matrix,
                });
            }
        }
    }
    out.extend(current);
    Some(out)
}

/// The symbol of `text`: `COLUMNS` data columns, as few rows as hold it with its
/// error correction, at most `max_rows`; None if it does not fit.
fn encode(text: &str, max_rows: u8) -> Option<Matrix> {
    use rxing::pdf417::encoder::PDF417;
    if !text.is_ascii() {
        return None;
    }
    let columns = u32::from(COLUMNS);
    let mut symbol = PDF417::new();
    symbol.setDimensions(columns, columns, u32::from(max_rows), 3);
    symbol
        .generateBarcodeLogic(text, u32::from(ECC_LEVEL))
        .ok()?;
    // The encoder lists rows bottom up.
    let rows: Vec<Vec<u8>> = symbol.getBarcodeMatrix().as_ref()?.getMatrix();
    let mut modules = Vec::with_capacity(rows.len() * WIDTH_MODULES);
    for row in rows.iter().rev() {
        if row.len() != WIDTH_MODULES {
            return None;
        }
        modules.extend(row.iter().map(|&m| m == 1));
    }
    Some(Matrix {
        rows: rows.len(),
        modules,
    })
}

/// A rendered symbol: `rows` rows of `WIDTH_MODULES` modules, dark where true.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub rows: usize,
    pub modules: Vec<bool>,
}

impl Matrix {
    /// Runs of dark modules in a row: (first module, length).
    pub fn dark_runs(&self, row: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let cells = &self.modules[row * WIDTH_MODULES..(row + 1) * WIDTH_MODULES];
        let mut i = 0;
        std::iter::from_fn(move || {
            let start = i + cells[i..].iter().position(|&d| d)?;
            let len = cells[start..].iter().take_while(|&&d| d).count();
            i = start + len;
            Some((start, len))
        })
    }
}

/// The PDF417 symbol of `text` at `ECC_LEVEL` with `COLUMNS` columns and as few rows
/// as hold it (at most `MAX_ROWS`).
pub fn matrix(text: &str) -> Option<Matrix> {
    encode(text, MAX_ROWS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u32) -> ContentLine {
        ContentLine {
            sku: format!("SKU-{n}"),
            code: format!("FNSKU:X00{n:07}"),
            quantity: n,
            expiry: n.is_multiple_of(2).then(|| "270131".to_owned()),
        }
    }

    #[test]
    fn the_text_is_the_marketplace_format() {
        let lines = [line(1), line(2)];
        let symbols = symbols("FBA15ABCD123", &lines).expect("fits");
        assert_eq!(
            symbols[0].text,
            "AMZN,PO:FBA15ABCD123,FNSKU:X000000001,QTY:1,FNSKU:X000000002,QTY:2,EXP:270131"
        );
    }

    #[test]
    fn many_items_split_into_complete_symbols_none_too_tall() {
        let lines: Vec<ContentLine> = (1..=30).map(line).collect();
        let symbols = symbols("FBA15ABCD123", &lines).expect("fits");
        assert!(symbols.len() >= 4, "{}", symbols.len());
        let mut again = Vec::new();
        for s in &symbols {
            assert!(s.text.starts_with("AMZN,PO:FBA15ABCD123,FNSKU:"));
            assert!(s.lines.len() <= MAX_LINES);
            let m = matrix(&s.text).expect("renders");
            assert!(m.rows <= MAX_ROWS as usize && m.rows >= 3);
            assert_eq!(
                s.matrix.rows, m.rows,
                "the symbol keeps the matrix of its text"
            );
            again.extend(s.lines.iter().cloned());
        }
        assert_eq!(again, lines);
    }

    #[test]
    fn item_codes_and_dates() {
        assert_eq!(
            item_code(Some("X001ABCDEF"), None).as_deref(),
            Some("FNSKU:X001ABCDEF")
        );
        assert_eq!(
            item_code(Some("B07XYZ1234"), Some("036000291452")).as_deref(),
            Some("ASIN:B07XYZ1234")
        );
        assert_eq!(
            item_code(None, Some("036000291452")).as_deref(),
            Some("UPC:036000291452")
        );
        assert_eq!(
            item_code(None, Some("4006381333931")).as_deref(),
            Some("EAN:4006381333931")
        );
        assert_eq!(item_code(None, None), None);
        assert_eq!(yymmdd("2027-01-31").as_deref(), Some("270131"));
        assert_eq!(yymmdd("2027-1-31"), None);
    }
}
