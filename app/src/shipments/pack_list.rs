//! The pack list: a shipment's box contents as a CSV the seller uploads where the
//! marketplace asks for box contents (the pack-list layout of "Send to Amazon": one row
//! per SKU with its units in each box, then each box's weight and sides in pounds and
//! inches).

use super::ShipmentView;
use crate::domain::shipment::{Length, LengthUnit, Weight, WeightUnit};

/// The CSV, lines ending in CRLF as spreadsheets expect.
pub fn pack_list_csv(s: &ShipmentView) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        vec!["Shipment ID".into(), s.id.clone()],
        vec!["Name".into(), not_a_formula(&s.name)],
        vec!["Ship to".into(), s.destination.clone()],
        vec![
            "Boxes".into(),
            s.boxes.len().to_string(),
            "Units".into(),
            s.units().to_string(),
        ],
        vec![],
    ];
    let mut header: Vec<String> = ["SKU", "FNSKU", "Expected quantity", "Boxed quantity"]
        .map(String::from)
        .to_vec();
    header.extend(s.boxes.iter().map(|b| format!("Box {} - units", b.number)));
    rows.push(header);
    for item in &s.items {
        let in_box = |b: &super::BoxView| {
            b.contents
                .iter()
                .find(|(sku, _)| *sku == item.sku)
                .map_or(0, |(_, n)| *n)
        };
        let mut row = vec![
            item.sku.clone(),
            item.fnsku.clone().unwrap_or_default(),
            item.quantity.to_string(),
            (item.quantity - item.unboxed).to_string(),
        ];
        row.extend(s.boxes.iter().map(|b| in_box(b).to_string()));
        rows.push(row);
    }
    // Declared sizes are never below what was typed (a box declared lighter or smaller
    // than it is may be refused at the fulfillment center), and a box typed as 50 lb
    // is declared 50.00 lb, not 50.01 (see `declared`).
    let measures: [(&str, Measure); 4] = [
        ("Box weight (lb)", |b| {
            let typed_lb = b.weight_unit == WeightUnit::Lb;
            (
                Weight::from_grams(b.weight_g).lb(),
                Weight::from_grams(1).lb(),
                typed_lb,
            )
        }),
        ("Box length (in)", |b| side(b.length_mm, b.length_unit)),
        ("Box width (in)", |b| side(b.width_mm, b.length_unit)),
        ("Box height (in)", |b| side(b.height_mm, b.length_unit)),
    ];
    for (label, measure) in measures {
        let mut row = vec![
            label.to_owned(),
            String::new(),
            String::new(),
            String::new(),
        ];
        row.extend(s.boxes.iter().map(|b| {
            let (value, step, typed_here) = measure(b);
            declared(value, step, typed_here)
        }));
        rows.push(row);
    }
    rows.iter()
        .map(|row| row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","))
        .map(|line| line + "\r\n")
        .collect()
}

/// A measure in the declared unit, how much of that unit one kept gram or millimetre
/// is, and whether it was typed in the declared unit.
type Kept = (f64, f64, bool);

/// One of a box's measures, as kept.
type Measure = fn(&super::BoxView) -> Kept;

/// A side in inches, the inches one millimetre makes, and whether it was typed in inches.
fn side(mm: u32, unit: LengthUnit) -> Kept {
    (
        Length::from_mm(mm).inches(),
        Length::from_mm(1).inches(),
        unit == LengthUnit::In,
    )
}

/// A measure as declared, with two decimals: `value` in the declared unit (lb, in),
/// kept as a whole number of grams or millimetres, `step` of the declared unit each.
/// Typed in another unit (kg, cm) it was kept exactly: it is rounded up. Typed in the
/// declared unit it was rounded to the nearest step: it is the figure that was typed,
/// the one with the fewest decimals (then the largest) that is kept as the same whole
/// number, so 50 lb (22,680 g, 50.0008 lb) is 50.00; rounded up when no figure of two
/// decimals is.
fn declared(value: f64, step: f64, typed_in_declared_unit: bool) -> String {
    if typed_in_declared_unit {
        let (low, high) = (value - step / 2.0, value + step / 2.0);
        for scale in [1.0, 10.0, 100.0] {
            let largest = ((high * scale) - 1e-9).floor() / scale;
            if largest >= low - 1e-9 {
                return format!("{largest:.2}");
            }
        }
    }
    format!("{:.2}", ((value * 100.0) - 1e-9).ceil() / 100.0)
}

/// Free text (the shipment's name) that a spreadsheet would run as a formula (a
/// leading `=`, `+`, `-` or `@`) made plain text. Codes (SKU, FNSKU) are left as they
/// are: their letters cannot make a formula, and they must match what was listed.
fn not_a_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// One CSV field: quoted when it holds a separator, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_sizes_are_what_was_typed_or_rounded_up_and_fields_cannot_be_formulas() {
        let lb = |grams| (Weight::from_grams(grams).lb(), Weight::from_grams(1).lb());
        let inches = |mm| (Length::from_mm(mm).inches(), Length::from_mm(1).inches());
        // Typed in kg or cm, kept exactly: rounded up.
        let (v, step) = lb(5_000);
        assert_eq!(declared(v, step, false), "11.03"); // 11.0231 lb
        let (v, step) = inches(400);
        assert_eq!(declared(v, step, false), "15.75"); // 15.748 in
        let (v, step) = inches(300);
        assert_eq!(declared(v, step, false), "11.82"); // 11.811 in
                                                       // Typed in lb or in: what was typed, never the next hundredth over a limit.
        let (v, step) = lb(22_680); // 50 lb
        assert_eq!(declared(v, step, true), "50.00");
        let (v, step) = lb(Weight::parse("11.5", WeightUnit::Lb).unwrap().grams());
        assert_eq!(declared(v, step, true), "11.50");
        let (v, step) = inches(635); // 25 in
        assert_eq!(declared(v, step, true), "25.00");
        // 15.75 in is kept as 400 mm, which 15.73 to 15.76 in all make: the largest.
        let (v, step) = inches(400);
        assert_eq!(declared(v, step, true), "15.76");

        assert_eq!(
            field(&not_a_formula("=HYPERLINK(\"x\")")),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(field("-SKU"), "-SKU");
        assert_eq!(field("Spring, 春季"), "\"Spring, 春季\"");
        assert_eq!(field("MUG-1"), "MUG-1");
    }
}
