//! The parts of a shipment as people type them: SKUs, quantities, fulfillment center
//! codes, addresses, box weights and sizes, and item lists pasted as CSV.

use serde::{Deserialize, Serialize};

use super::{clean_text, InputError};

/// A seller's stock keeping unit: 1 to 40 of `A–Z a–z 0–9 - _ .`, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Sku(String);

impl Sku {
    pub const MAX_LEN: usize = 40;

    pub fn parse(input: &str) -> Result<Sku, InputError> {
        let sku = input.trim();
        if sku.is_empty() {
            return Err(InputError::SkuEmpty);
        }
        if sku.len() > Self::MAX_LEN {
            return Err(InputError::SkuTooLong);
        }
        if !sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Err(InputError::SkuInvalid);
        }
        Ok(Sku(sku.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Units of one SKU in a shipment or a box: a whole number from 1 to 99,999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Quantity(u32);

impl Quantity {
    pub const MAX: u32 = 99_999;

    pub fn parse(input: &str) -> Result<Quantity, InputError> {
        let digits = input.trim().replace([',', '_'], "");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InputError::QuantityInvalid);
        }
        // Refuse before converting, so "99999999999999999999" is "too large", not a crash.
        if digits.trim_start_matches('0').len() > 5 {
            return Err(InputError::QuantityTooLarge);
        }
        let n: u32 = digits.parse().map_err(|_| InputError::QuantityInvalid)?;
        Quantity::new(n)
    }

    pub fn new(n: u32) -> Result<Quantity, InputError> {
        match n {
            0 => Err(InputError::QuantityInvalid),
            n if n > Self::MAX => Err(InputError::QuantityTooLarge),
            n => Ok(Quantity(n)),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// A fulfillment center code such as `ONT8` or `LGB3`: 3 to 8 letters and digits,
/// upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfillmentCenter(String);

impl FulfillmentCenter {
    pub fn parse(input: &str) -> Result<FulfillmentCenter, InputError> {
        let code = input.trim().to_ascii_uppercase();
        if (3..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(FulfillmentCenter(code))
        } else {
            Err(InputError::FulfillmentCenterInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A product's name in any script, 1 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductName(String);

impl ProductName {
    pub fn parse(input: &str) -> Result<ProductName, InputError> {
        clean_text(
            input,
            200,
            InputError::ProductNameEmpty,
            InputError::ProductNameTooLong,
        )
        .map(ProductName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who preps and labels an item's units: the seller before handing over, or the
/// supplier who holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrepBy {
    Seller,
    Supplier,
}

impl PrepBy {
    pub fn parse(input: &str) -> Result<PrepBy, InputError> {
        match input.trim() {
            "seller" => Ok(PrepBy::Seller),
            "supplier" => Ok(PrepBy::Supplier),
            _ => Err(InputError::PrepByInvalid),
        }
    }

    /// The code stored and sent in forms; [`PrepBy::parse`] reads it back.
    pub fn code(self) -> &'static str {
        match self {
            PrepBy::Seller => "seller",
            PrepBy::Supplier => "supplier",
        }
    }

    pub fn msg(self) -> crate::i18n::Msg {
        match self {
            PrepBy::Seller => crate::i18n::Msg::PrepBySeller,
            PrepBy::Supplier => crate::i18n::Msg::PrepBySupplier,
        }
    }
}

/// What the fulfillment center scans on a unit: the item's FNSKU, the marketplace's
/// own barcode (`X001ABCDEF`), or, for a seller whose units carry the manufacturer's
/// barcode, its ASIN (`B07XYZ1234`; a book's ASIN is its ISBN-10). Both are exactly
/// 10 letters and digits (Seller Central Help, "Amazon barcode (FNSKU)" and "ASIN");
/// kept upper-case, spaces and hyphens as printed on a label dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fnsku(String);

impl Fnsku {
    pub const LEN: usize = 10;

    pub fn parse(input: &str) -> Result<Fnsku, InputError> {
        let code: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if code.len() == Self::LEN && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Fnsku(code))
        } else {
            Err(InputError::FnskuInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A product's retail barcode: a UPC-A (12 digits) or an EAN-13 (13 digits) whose last
/// digit is the GS1 check digit (GS1 General Specifications, section 7.9.1: the other
/// digits weighted 3 and 1 alternately from the right, the check digit bringing the sum
/// to a multiple of 10). Spaces and hyphens as printed under a barcode are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCode(String);

impl ProductCode {
    pub fn parse(input: &str) -> Result<ProductCode, InputError> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if !matches!(digits.len(), 12 | 13) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InputError::ProductCodeInvalid);
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let (body, check) = values.split_at(values.len() - 1);
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
            .sum();
        if (10 - sum % 10) % 10 != check[0] {
            return Err(InputError::ProductCodeCheckDigit);
        }
        Ok(ProductCode(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether an item's units carry an expiry date, as written in a pasted list's column:
/// yes (`yes`, `y`, `true`, `1`, `是`) or no (the same words' opposites, or nothing).
pub fn parse_expiry_flag(input: &str) -> Result<bool, InputError> {
    match input.trim().to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" | "否" => Ok(false),
        "yes" | "y" | "true" | "1" | "是" => Ok(true),
        _ => Err(InputError::ExpiryFlagInvalid),
    }
}

/// One line of a pasted item list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemLine {
    pub sku: Sku,
    pub quantity: Quantity,
    pub name: Option<ProductName>,
    pub fnsku: Option<Fnsku>,
    pub upc: Option<ProductCode>,
    pub expires: bool,
}

/// The columns a pasted list may have, in the order they are read when it has no
/// header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Sku,
    Quantity,
    Name,
    Fnsku,
    Upc,
    Expires,
}

impl Column {
    const IN_ORDER: [Column; 6] = [
        Column::Sku,
        Column::Quantity,
        Column::Name,
        Column::Fnsku,
        Column::Upc,
        Column::Expires,
    ];

    /// A header line's name for a column, in English or Chinese, any case.
    fn named(header: &str) -> Option<Column> {
        let name = header.trim().to_ascii_lowercase();
        Some(match name.as_str() {
            "sku" | "seller sku" | "merchant sku" => Column::Sku,
            "quantity" | "qty" | "units" | "数量" => Column::Quantity,
            "name" | "product" | "product name" | "title" | "名称" | "品名" | "产品名称" => {
                Column::Name
            }
            "fnsku" | "asin" | "fnsku/asin" | "fnsku or asin" => Column::Fnsku,
            "upc" | "ean" | "upc/ean" | "barcode" | "条码" => Column::Upc,
            // Whether units carry an expiry date (yes/no), not the date itself.
            "expiry" | "expires" | "has expiry" | "has expiry date" | "是否有有效期" => {
                Column::Expires
            }
            _ => return None,
        })
    }
}

/// Why one line of a pasted list was refused; `line` counts from 1 as editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvLineError {
    pub line: usize,
    pub problem: InputError,
}

pub const MAX_ITEMS: usize = 500;

/// The bad lines of a pasted list reported one by one; the rest are counted.
pub const MAX_LINE_PROBLEMS: usize = 20;

/// Why a pasted list was refused: its first bad lines, and how many more there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblems {
    pub lines: Vec<CsvLineError>,
    pub more: usize,
}

impl LineProblems {
    fn new(mut all: Vec<CsvLineError>) -> LineProblems {
        let more = all.len().saturating_sub(MAX_LINE_PROBLEMS);
        all.truncate(MAX_LINE_PROBLEMS);
        LineProblems { lines: all, more }
    }
}

/// Parses `sku,quantity[,name[,fnsku[,upc[,expiry]]]]` lines, as typed or pasted from a
/// spreadsheet: commas (also the full-width comma U+FF0C of Chinese input methods) or
/// tabs between fields, double quotes around a field that holds a separator, blank
/// lines ignored. A header line whose first field is `sku` may name the columns in any
/// order (see `Column::named`); a name it does not know is refused. Every bad line is found; the first [`MAX_LINE_PROBLEMS`] are reported
/// and the rest counted. A list of more than [`MAX_ITEMS`] lines is refused before any
/// line is read.
pub fn parse_items_csv(text: &str) -> Result<Vec<ItemLine>, LineProblems> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // One line more than the limit may be a header.
    let rows = text.lines().filter(|l| !l.trim().is_empty()).count();
    if rows > MAX_ITEMS + 1 {
        return Err(LineProblems::new(vec![CsvLineError {
            line: 1,
            problem: InputError::TooManyItems,
        }]));
    }
    let mut items: Vec<ItemLine> = Vec::new();
    let mut skus = std::collections::HashSet::new();
    let mut errors = Vec::new();
    let mut columns: Vec<Column> = Column::IN_ORDER.to_vec();
    let mut seen_a_line = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let fields = split_fields(raw);
        // A first line that starts with a column's name ("sku", "Merchant SKU",
        // "FNSKU", "数量"…) names the columns; a SKU is never one of those names.
        let is_header = !seen_a_line && fields.first().is_some_and(|f| Column::named(f).is_some());
        seen_a_line = true;
        if is_header {
            match header_columns(&fields) {
                Ok(named) => columns = named,
                Err(problem) => {
                    return Err(LineProblems::new(vec![CsvLineError { line, problem }]));
                }
            }
            continue;
        }
        match parse_line(&fields, &columns) {
            Ok(item) if !skus.insert(item.sku.as_str().to_owned()) => errors.push(CsvLineError {
                line,
                problem: InputError::SkuListedTwice,
            }),
            Ok(item) => items.push(item),
            Err(problem) => errors.push(CsvLineError { line, problem }),
        }
        if items.len() > MAX_ITEMS {
            errors.push(CsvLineError {
                line,
                problem: InputError::TooManyItems,
            });
            break;
        }
    }
    if items.is_empty() && errors.is_empty() {
        errors.push(CsvLineError {
            line: 1,
            problem: InputError::NoItems,
        });
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(LineProblems::new(errors))
    }
}

/// The columns a header line names, each at most once.
fn header_columns(fields: &[String]) -> Result<Vec<Column>, InputError> {
    let mut columns = Vec::new();
    for field in fields {
        let column = Column::named(field).ok_or(InputError::CsvColumnUnknown)?;
        if columns.contains(&column) {
            return Err(InputError::CsvColumnUnknown);
        }
        columns.push(column);
    }
    Ok(columns)
}

fn parse_line(fields: &[String], columns: &[Column]) -> Result<ItemLine, InputError> {
    if fields.len() > columns.len() && fields[columns.len()..].iter().any(|f| !f.trim().is_empty())
    {
        return Err(InputError::TooManyFields);
    }
    let field = |column: Column| -> Option<&str> {
        let at = columns.iter().position(|c| *c == column)?;
        fields.get(at).map(|f| f.trim()).filter(|f| !f.is_empty())
    };
    let sku = Sku::parse(field(Column::Sku).unwrap_or(""))?;
    let quantity = Quantity::parse(field(Column::Quantity).ok_or(InputError::QuantityInvalid)?)?;
    let name = field(Column::Name).map(ProductName::parse).transpose()?;
    let fnsku = field(Column::Fnsku).map(Fnsku::parse).transpose()?;
    let upc = field(Column::Upc).map(ProductCode::parse).transpose()?;
    let expires = parse_expiry_flag(field(Column::Expires).unwrap_or(""))?;
    Ok(ItemLine {
        sku,
        quantity,
        name,
        fnsku,
        upc,
        expires,
    })
}

/// Splits one line on tabs if it has any, else on commas; double quotes group.
fn split_fields(line: &str) -> Vec<String> {
    let tabbed = line.contains('\t');
    let is_separator = |c: char| {
        if tabbed {
            c == '\t'
        } else {
            c == ',' || c == '\u{ff0c}'
        }
    };
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if !quoted && is_separator(c) => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// A box's weight, kept in grams whatever unit it was entered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Weight {
    grams: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightUnit {
    Kg,
    Lb,
}

impl WeightUnit {
    pub fn parse(input: &str) -> Result<WeightUnit, InputError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "kg" => Ok(WeightUnit::Kg),
            "lb" | "lbs" => Ok(WeightUnit::Lb),
            _ => Err(InputError::UnitInvalid),
        }
    }

    /// The code stored and sent in forms; [`WeightUnit::parse`] reads it back.
    pub fn code(self) -> &'static str {
        match self {
            WeightUnit::Kg => "kg",
            WeightUnit::Lb => "lb",
        }
    }
}

const GRAMS_PER_POUND: f64 = 453.592_37;
const MM_PER_INCH: f64 = 25.4;

/// Parses a positive decimal (`12.5`, also `12,5`) with at most 3 decimals. A comma
/// before exactly three digits ("1,500", "1,500.5") is refused as ambiguous: a
/// thousands separator in English, a decimal comma elsewhere, and the two readings are
/// a thousand times apart.
fn parse_decimal(input: &str, invalid: InputError) -> Result<f64, InputError> {
    let trimmed = input.trim();
    if let Some((before, after)) = trimmed.split_once(',') {
        let grouped = (1..=3).contains(&before.len())
            && !before.starts_with('0')
            && before.bytes().all(|b| b.is_ascii_digit())
            && after.bytes().take_while(u8::is_ascii_digit).count() == 3;
        if grouped {
            return Err(InputError::ThousandsSeparator);
        }
    }
    let s = trimmed.replace(',', ".");
    let valid = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.matches('.').count() <= 1
        && s.split('.').nth(1).is_none_or(|d| d.len() <= 3)
        && s.len() <= 12;
    let value: f64 = if valid {
        s.parse().map_err(|_| invalid)?
    } else {
        return Err(invalid);
    };
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(invalid)
    }
}

impl Weight {
    /// The heaviest box of a small-parcel shipment: 50 lb, "Boxes must not exceed the
    /// standard weight limit of 50 lb" (Amazon Seller Central, US, "Shipping and routing
    /// requirements", box weight and dimension requirements), stated as 22.68 kg in
    /// metric. 50 lb is 22,679.6 g; weights are kept in whole grams, so 50.0 lb and
    /// 22.68 kg both pass (22,680 g) and 22.681 kg does not.
    pub const SMALL_PARCEL_MAX: Weight = Weight { grams: 22_680 };
    /// Above this a box is certainly a typo (a pallet goes LTL, not as one box).
    pub const ANY_BOX_MAX: Weight = Weight { grams: 1_000_000 };

    pub fn parse(value: &str, unit: WeightUnit) -> Result<Weight, InputError> {
        let value = parse_decimal(value, InputError::WeightInvalid)?;
        let grams = match unit {
            WeightUnit::Kg => value * 1000.0,
            WeightUnit::Lb => value * GRAMS_PER_POUND,
        };
        if grams > f64::from(Self::ANY_BOX_MAX.grams) {
            return Err(InputError::WeightTooLarge);
        }
        Ok(Weight {
            grams: grams.round().max(1.0) as u32,
        })
    }

    /// A weight as stored.
    pub fn from_grams(grams: u32) -> Weight {
        Weight { grams }
    }

    pub fn grams(self) -> u32 {
        self.grams
    }

    pub fn kg(self) -> f64 {
        f64::from(self.grams) / 1000.0
    }

    pub fn lb(self) -> f64 {
        f64::from(self.grams) / GRAMS_PER_POUND
    }

    /// Refuses a box too heavy for a small-parcel shipment, naming the limit in the
    /// unit the weight was entered in.
    pub fn check_small_parcel(self, unit: WeightUnit) -> Result<Weight, InputError> {
        if self <= Self::SMALL_PARCEL_MAX {
            Ok(self)
        } else if unit == WeightUnit::Lb {
            Err(InputError::OverSmallParcelWeightLb)
        } else {
            Err(InputError::OverSmallParcelWeightKg)
        }
    }
}

/// One side of a box, kept in millimetres whatever unit it was entered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Length {
    mm: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthUnit {
    Cm,
    In,
}

impl LengthUnit {
    pub fn parse(input: &str) -> Result<LengthUnit, InputError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "cm" => Ok(LengthUnit::Cm),
            "in" | "inch" | "inches" => Ok(LengthUnit::In),
            _ => Err(InputError::UnitInvalid),
        }
    }

    /// The code stored and sent in forms; [`LengthUnit::parse`] reads it back.
    pub fn code(self) -> &'static str {
        match self {
            LengthUnit::Cm => "cm",
            LengthUnit::In => "in",
        }
    }
}

impl Length {
    /// The longest side of a small-parcel box: "Boxes must not exceed 25 inches on any
    /// side" (Amazon Seller Central, US, "Shipping and routing requirements"); 25 in is
    /// exactly 63.5 cm.
    pub const SMALL_PARCEL_MAX: Length = Length { mm: 635 };
    pub const ANY_BOX_MAX: Length = Length { mm: 5_000 };

    pub fn parse(value: &str, unit: LengthUnit) -> Result<Length, InputError> {
        let value = parse_decimal(value, InputError::DimensionInvalid)?;
        let mm = match unit {
            LengthUnit::Cm => value * 10.0,
            LengthUnit::In => value * MM_PER_INCH,
        };
        if mm > f64::from(Self::ANY_BOX_MAX.mm) {
            return Err(InputError::DimensionTooLarge);
        }
        Ok(Length {
            mm: mm.round().max(1.0) as u32,
        })
    }

    /// A length as stored.
    pub fn from_mm(mm: u32) -> Length {
        Length { mm }
    }

    pub fn mm(self) -> u32 {
        self.mm
    }

    pub fn cm(self) -> f64 {
        f64::from(self.mm) / 10.0
    }

    pub fn inches(self) -> f64 {
        f64::from(self.mm) / MM_PER_INCH
    }

    /// Refuses a side too long for a small-parcel box, naming the limit in the unit
    /// the side was entered in.
    pub fn check_small_parcel(self, unit: LengthUnit) -> Result<Length, InputError> {
        if self <= Self::SMALL_PARCEL_MAX {
            Ok(self)
        } else if unit == LengthUnit::In {
            Err(InputError::OverSmallParcelSideIn)
        } else {
            Err(InputError::OverSmallParcelSideCm)
        }
    }
}

/// The most boxes a small-parcel shipment may have: "Small parcel deliveries …
/// 200 boxes per shipment" (Amazon Seller Central, US, "Shipping and routing
/// requirements").
pub const SMALL_PARCEL_MAX_BOXES: usize = 200;

// Pallets of an LTL shipment, as the marketplace states them: 40 × 48 in four-way
// wooden pallets; a packed pallet at most 72 in high and 1,500 lb gross, pallet
// included; four pallet labels a pallet, one on each side (Amazon Seller Central, US,
// "Seller requirements for LTL, FTL, and FCL deliveries"). The metric weight is the
// marketplace's own figure, "1,500 lb. / 680.4 kg" (Amazon Seller Central, Australia,
// help item 200978400); the metric height is 72 in converted exactly, 182.88 cm. Each
// limit is checked in the unit typed, before the value is rounded to whole grams or
// millimetres, and named in that unit when refused.

/// The heaviest packed pallet, in each unit.
pub const PALLET_MAX_LB: f64 = 1500.0;
pub const PALLET_MAX_KG: f64 = 680.4;
/// The tallest packed pallet, in each unit.
pub const PALLET_MAX_IN: f64 = 72.0;
pub const PALLET_MAX_CM: f64 = 182.88;

impl Length {
    /// A stored pallet height in cm for people to read and type again: whole
    /// millimetres keep 182.88 cm as 1,829 mm (182.9 cm), shown as the limit it was.
    pub fn pallet_height_cm(self) -> f64 {
        self.cm().min(PALLET_MAX_CM)
    }
}

/// Our own bound on one shipment's pallets (not the marketplace's): a typo guard,
/// twice the 52 pallets a 53 ft trailer holds stacked two high.
pub const MAX_PALLETS: usize = 100;

/// One pallet of an LTL shipment: its gross weight and its height, pallet included,
/// and whether another pallet may stand on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pallet {
    pub weight: Weight,
    pub weight_unit: WeightUnit,
    pub height: Length,
    pub length_unit: LengthUnit,
    pub stackable: bool,
}

impl Pallet {
    /// One pallet as typed; `stackable` is a checkbox's `on` (or empty).
    pub fn parse(
        weight: &str,
        weight_unit: &str,
        height: &str,
        length_unit: &str,
        stackable: &str,
    ) -> Result<Pallet, InputError> {
        let weight_unit = WeightUnit::parse(weight_unit)?;
        let length_unit = LengthUnit::parse(length_unit)?;
        let typed_weight = parse_decimal(weight, InputError::PalletWeightInvalid)?;
        match weight_unit {
            WeightUnit::Lb if typed_weight > PALLET_MAX_LB => {
                return Err(InputError::OverPalletWeightLb)
            }
            WeightUnit::Kg if typed_weight > PALLET_MAX_KG => {
                return Err(InputError::OverPalletWeightKg)
            }
            _ => {}
        }
        let typed_height = parse_decimal(height, InputError::PalletHeightInvalid)?;
        match length_unit {
            LengthUnit::In if typed_height > PALLET_MAX_IN => {
                return Err(InputError::OverPalletHeightIn)
            }
            LengthUnit::Cm if typed_height > PALLET_MAX_CM => {
                return Err(InputError::OverPalletHeightCm)
            }
            _ => {}
        }
        let stackable = match stackable.trim() {
            "" | "off" | "no" | "false" => false,
            "on" | "yes" | "true" => true,
            _ => return Err(InputError::StackableInvalid),
        };
        // Within the limits, so within what a box may weigh and measure too.
        Ok(Pallet {
            weight: Weight::parse(weight, weight_unit)?,
            weight_unit,
            height: Length::parse(height, length_unit)?,
            length_unit,
            stackable,
        })
    }
}

/// Why the pallets of a form were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PalletsRefused {
    TooMany,
    /// Each bad row by its row number in the form (from 1).
    Rows(LineProblems),
}

/// The pallets of a form, as rows of (weight, weight unit, height, length unit,
/// stackable), one a pallet: the form sends a row for each of its "Number of pallets",
/// so a row left blank is a pallet not described, refused like any other bad row. Each
/// bad row is reported by its row number in the form (from 1).
pub fn parse_pallets(rows: &[[&str; 5]]) -> Result<Vec<Pallet>, PalletsRefused> {
    if rows.len() > MAX_PALLETS {
        return Err(PalletsRefused::TooMany);
    }
    let mut pallets = Vec::new();
    let mut problems = Vec::new();
    for (n, [weight, weight_unit, height, length_unit, stackable]) in rows.iter().enumerate() {
        match Pallet::parse(weight, weight_unit, height, length_unit, stackable) {
            Ok(pallet) => pallets.push(pallet),
            Err(problem) => problems.push(CsvLineError {
                line: n + 1,
                problem,
            }),
        }
    }
    if problems.is_empty() {
        Ok(pallets)
    } else {
        Err(PalletsRefused::Rows(LineProblems::new(problems)))
    }
}

/// What a seller calls a shipment: 1 to 120 characters, any script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentName(String);

impl ShipmentName {
    pub fn parse(input: &str) -> Result<ShipmentName, InputError> {
        clean_text(
            input,
            120,
            InputError::ShipmentNameEmpty,
            InputError::ShipmentNameTooLong,
        )
        .map(ShipmentName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ship-from address as entered; `line2`, `region`, `postal_code` and `phone`
/// may be empty (not every country has them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub phone: String,
}

/// An optional free-text field: trimmed, at most `max` characters, no control characters.
fn optional_text(input: &str, max: usize) -> Result<String, InputError> {
    let text = input.trim();
    if text.chars().count() > max {
        return Err(InputError::AddressFieldTooLong);
    }
    if text.chars().any(char::is_control) {
        return Err(InputError::TextHasControlCharacters);
    }
    Ok(text.to_owned())
}

impl Address {
    /// Checks every field; the country is an ISO 3166 two-letter code (`CN`, `US`).
    pub fn parse(raw: &Address) -> Result<Address, InputError> {
        let required = |s: &str, max: usize| {
            clean_text(
                s,
                max,
                InputError::AddressFieldMissing,
                InputError::AddressFieldTooLong,
            )
        };
        let country = raw.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(InputError::CountryInvalid);
        }
        let phone = optional_text(&raw.phone, 40)?;
        if !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            return Err(InputError::PhoneInvalid);
        }
        Ok(Address {
            name: required(&raw.name, 100)?,
            line1: required(&raw.line1, 200)?,
            line2: optional_text(&raw.line2, 200)?,
            city: required(&raw.city, 100)?,
            region: optional_text(&raw.region, 100)?,
            postal_code: optional_text(&raw.postal_code, 20)?,
            country,
            phone,
        })
    }

    /// The address as label lines.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![self.name.clone(), self.line1.clone()];
        if !self.line2.is_empty() {
            lines.push(self.line2.clone());
        }
        let place: Vec<&str> = [
            self.city.as_str(),
            self.region.as_str(),
            self.postal_code.as_str(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
        lines.push(place.join(", "));
        lines.push(self.country.clone());
        if !self.phone.is_empty() {
            lines.push(self.phone.clone());
        }
        lines
    }
}

/// How the boxes travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShippingMode {
    /// Individually labelled boxes with a parcel carrier.
    SmallParcel,
    /// Less than truckload: boxes on pallets with a freight carrier.
    Ltl,
}

impl ShippingMode {
    pub fn parse(input: &str) -> Result<ShippingMode, InputError> {
        match input.trim() {
            "small_parcel" => Ok(ShippingMode::SmallParcel),
            "ltl" => Ok(ShippingMode::Ltl),
            _ => Err(InputError::ShippingModeInvalid),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ShippingMode::SmallParcel => "small_parcel",
            ShippingMode::Ltl => "ltl",
        }
    }

    pub fn msg(self) -> crate::i18n::Msg {
        match self {
            ShippingMode::SmallParcel => crate::i18n::Msg::ModeSmallParcel,
            ShippingMode::Ltl => crate::i18n::Msg::ModeLtl,
        }
    }
}

/// A carrier's name as the supplier writes it ("UPS", "顺丰速运").
pub fn parse_carrier(input: &str) -> Result<String, InputError> {
    clean_text(
        input,
        100,
        InputError::CarrierMissing,
        InputError::CarrierTooLong,
    )
}

/// A ship date as `YYYY-MM-DD` (what `<input type=date>` sends).
pub fn parse_ship_date(input: &str) -> Result<String, InputError> {
    parse_date(input).ok_or(InputError::ShipDateInvalid)
}

/// A calendar date from 2000 to 2100 as YYYY-MM-DD (what a date input posts).
fn parse_date(input: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(input.trim(), &format)
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
        .and_then(|d| d.format(&format).ok())
}

/// The expiry date of each SKU in a box (`contents`, as checked) whose units expire
/// (`expiring`): one date per SKU per box, as the marketplace's box-content barcode
/// carries it; units with another date go in another box. Dates sent for other SKUs
/// are ignored (their row has no date field).
pub fn check_expiry_dates(
    contents: &[(Sku, Quantity)],
    expiring: &[&str],
    typed: &[(String, String)],
) -> Result<Vec<(String, String)>, InputError> {
    let mut dates = Vec::new();
    for (sku, _) in contents {
        if !expiring.contains(&sku.as_str()) {
            continue;
        }
        let date = typed
            .iter()
            .find(|(s, _)| s.trim() == sku.as_str())
            .map(|(_, d)| d.trim())
            .filter(|d| !d.is_empty())
            .ok_or(InputError::ExpiryDateMissing)?;
        let date = parse_date(date).ok_or(InputError::ExpiryDateInvalid)?;
        dates.push((sku.as_str().to_owned(), date));
    }
    Ok(dates)
}

/// The marketplace's id of a shipment, which its 2D box-content barcodes carry as PO,
/// upper-cased, spaces dropped; empty: not known yet (None). Seller Central publishes
/// no format for it: the ids Send to Amazon shows are `FBA` and 9 letters and digits
/// (`FBA15ABCD123`, Help item 202049090's example `FBA23JFC2G` has 7), so `FBA` and 6
/// to 12 are taken, never refusing an id of a length not seen here.
pub fn parse_fba_id(input: &str) -> Result<Option<String>, InputError> {
    let id: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if id.is_empty() {
        return Ok(None);
    }
    let rest = id.strip_prefix("FBA").unwrap_or_default();
    if (6..=12).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(Some(id))
    } else {
        Err(InputError::FbaIdInvalid)
    }
}

/// A tracking, PRO or bill-of-lading number: 1 to 40 of `A–Z 0–9 -`, upper-cased,
/// spaces dropped (people paste them with spaces).
pub fn parse_tracking(input: &str) -> Result<String, InputError> {
    let number: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if number.is_empty() {
        return Err(InputError::TrackingMissing);
    }
    if number.len() > 40
        || !number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(InputError::TrackingInvalid);
    }
    Ok(number)
}

/// The optional note a seller adds when sharing: at most 1,000 characters, line
/// breaks allowed.
pub fn parse_share_message(input: &str) -> Result<String, InputError> {
    let text = input.trim().replace("\r\n", "\n");
    if text.chars().count() > 1000 {
        return Err(InputError::MessageTooLong);
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(InputError::TextHasControlCharacters);
    }
    Ok(text)
}

/// Checks one box's contents, entered as `(sku, quantity)` text pairs with blank or
/// zero quantities skipped, against the shipment: every SKU must be in it, and no
/// SKU may exceed the units not yet in another box (`ordered` minus `elsewhere`).
pub fn check_box_contents(
    ordered: &[(String, u32)],
    elsewhere: &[(String, u32)],
    lines: &[(String, String)],
) -> Result<Vec<(Sku, Quantity)>, InputError> {
    let mut contents: Vec<(Sku, Quantity)> = Vec::new();
    for (sku, quantity) in lines {
        let quantity = quantity.trim();
        if quantity.is_empty() || quantity.trim_start_matches('0').is_empty() {
            continue;
        }
        let sku = Sku::parse(sku)?;
        let quantity = Quantity::parse(quantity)?;
        let Some(total) = ordered
            .iter()
            .find(|(s, _)| s == sku.as_str())
            .map(|(_, n)| *n)
        else {
            return Err(InputError::SkuNotInShipment);
        };
        if contents.iter().any(|(s, _)| *s == sku) {
            return Err(InputError::SkuListedTwice);
        }
        let boxed: u32 = elsewhere
            .iter()
            .filter(|(s, _)| s == sku.as_str())
            .map(|(_, n)| *n)
            .sum();
        if quantity.get() > total.saturating_sub(boxed) {
            return Err(InputError::QuantityOverRemaining);
        }
        contents.push((sku, quantity));
    }
    if contents.is_empty() {
        return Err(InputError::BoxEmpty);
    }
    Ok(contents)
}

/// Units of each SKU not yet in any box, in the shipment's order.
pub fn unboxed(ordered: &[(String, u32)], boxed: &[(String, u32)]) -> Vec<(String, u32)> {
    ordered
        .iter()
        .map(|(sku, total)| {
            let in_boxes: u32 = boxed
                .iter()
                .filter(|(s, _)| s == sku)
                .map(|(_, n)| *n)
                .sum();
            (sku.clone(), total.saturating_sub(in_boxes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus() {
        assert_eq!(Sku::parse(" AB-12_x.3 ").unwrap().as_str(), "AB-12_x.3");
        assert_eq!(Sku::parse(""), Err(InputError::SkuEmpty));
        assert_eq!(Sku::parse(&"A".repeat(41)), Err(InputError::SkuTooLong));
        for bad in ["A B", "杯子", "A,B", "<x>", "a'--"] {
            assert_eq!(Sku::parse(bad), Err(InputError::SkuInvalid), "{bad}");
        }
    }

    #[test]
    fn quantities_including_huge_and_odd_ones() {
        assert_eq!(Quantity::parse("12").unwrap().get(), 12);
        assert_eq!(Quantity::parse(" 1,200 ").unwrap().get(), 1200);
        assert_eq!(Quantity::parse("007").unwrap().get(), 7);
        assert_eq!(Quantity::parse("99999").unwrap().get(), 99_999);
        assert_eq!(Quantity::parse("100000"), Err(InputError::QuantityTooLarge));
        assert_eq!(
            Quantity::parse("99999999999999999999999"),
            Err(InputError::QuantityTooLarge)
        );
        for bad in ["0", "", "-3", "1.5", "1e3", "twelve", "١٢"] {
            assert_eq!(
                Quantity::parse(bad),
                Err(InputError::QuantityInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn fulfillment_centers() {
        assert_eq!(FulfillmentCenter::parse(" ont8 ").unwrap().as_str(), "ONT8");
        for bad in ["", "AB", "TOOLONGCODE", "ON-8", "东莞1"] {
            assert!(FulfillmentCenter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn csv_with_header_names_quotes_tabs_and_chinese() {
        let text = "\u{feff}sku,quantity,name\r\nMUG-01,12,Coffee mug\n\n\"TEE-L\",\"1,000\",\"T-shirt, large\"\nCUP-9\t5\t保温杯 500毫升\nBAG-2,3\n";
        let items = parse_items_csv(text).unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(items[0].sku.as_str(), "MUG-01");
        assert_eq!(items[0].name.as_ref().unwrap().as_str(), "Coffee mug");
        assert_eq!(items[1].quantity.get(), 1000);
        assert_eq!(items[1].name.as_ref().unwrap().as_str(), "T-shirt, large");
        assert_eq!(items[2].name.as_ref().unwrap().as_str(), "保温杯 500毫升");
        assert_eq!(items[3].name, None);
    }

    #[test]
    fn fnskus_and_asins_are_ten_letters_and_digits() {
        assert_eq!(Fnsku::parse(" x001abcdef ").unwrap().as_str(), "X001ABCDEF");
        assert_eq!(Fnsku::parse("B07-XYZ 1234").unwrap().as_str(), "B07XYZ1234");
        assert_eq!(Fnsku::parse("0306406152").unwrap().as_str(), "0306406152");
        for bad in ["X001ABCDE", "X001ABCDEFG", "X001ABCDE!", "", "X001ABCDÉF"] {
            assert_eq!(Fnsku::parse(bad), Err(InputError::FnskuInvalid), "{bad}");
        }
    }

    #[test]
    fn upc_and_ean_codes_need_their_check_digit() {
        // Published examples: UPC-A 036000291452 (GS1 US), EAN-13 4006381333931 (GS1).
        assert_eq!(
            ProductCode::parse("0 36000 29145 2").unwrap().as_str(),
            "036000291452"
        );
        assert_eq!(
            ProductCode::parse("4006381333931").unwrap().as_str(),
            "4006381333931"
        );
        // One digit changed: the check digit no longer fits.
        assert_eq!(
            ProductCode::parse("036000291453"),
            Err(InputError::ProductCodeCheckDigit)
        );
        assert_eq!(
            ProductCode::parse("4006381333932"),
            Err(InputError::ProductCodeCheckDigit)
        );
        for bad in ["03600029145", "40063813339311", "03600029145A", ""] {
            assert_eq!(
                ProductCode::parse(bad),
                Err(InputError::ProductCodeInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn csv_codes_in_the_default_order_or_as_a_header_names_them() {
        let items =
            parse_items_csv("MUG-01,12,Mug,x001abcdef,036000291452,yes\nTEE,3\nCUP,1,,B07XYZ1234")
                .unwrap();
        assert_eq!(items[0].fnsku.as_ref().unwrap().as_str(), "X001ABCDEF");
        assert_eq!(items[0].upc.as_ref().unwrap().as_str(), "036000291452");
        assert!(items[0].expires);
        assert_eq!((items[1].fnsku.clone(), items[1].upc.clone()), (None, None));
        assert!(!items[1].expires);
        assert_eq!(items[2].fnsku.as_ref().unwrap().as_str(), "B07XYZ1234");

        let named =
            parse_items_csv("FNSKU\tMerchant SKU\t数量\t是否有有效期\nX001ABCDEF\tMUG-01\t12\t是")
                .unwrap();
        assert_eq!(named[0].sku.as_str(), "MUG-01");
        assert_eq!(named[0].quantity.get(), 12);
        assert_eq!(named[0].fnsku.as_ref().unwrap().as_str(), "X001ABCDEF");
        assert!(named[0].expires);

        let refused = |text: &str| parse_items_csv(text).unwrap_err().lines[0];
        assert_eq!(
            refused("sku,quantity,colour\nMUG-01,1,red"),
            CsvLineError {
                line: 1,
                problem: InputError::CsvColumnUnknown
            }
        );
        assert_eq!(
            refused("MUG-01,1,Mug,X001ABCDE").problem,
            InputError::FnskuInvalid
        );
        assert_eq!(
            refused("MUG-01,1,Mug,,036000291453").problem,
            InputError::ProductCodeCheckDigit
        );
        assert_eq!(
            refused("MUG-01,1,Mug,,,perhaps").problem,
            InputError::ExpiryFlagInvalid
        );
    }

    #[test]
    fn csv_full_width_commas_from_chinese_spreadsheets() {
        let items = parse_items_csv("MUG-01\u{ff0c}12\u{ff0c}马克杯").unwrap();
        assert_eq!(items[0].quantity.get(), 12);
        assert_eq!(items[0].name.as_ref().unwrap().as_str(), "马克杯");
    }

    #[test]
    fn csv_reports_every_bad_line_with_its_number() {
        let text = "MUG-01,12\nbad sku,3\nCUP,0\nTEE,999999999999\nMUG-01,4\nHAT\nSOCK,2,name,X001ABCDEF,,no,extra\n";
        let errors = parse_items_csv(text).unwrap_err();
        assert_eq!(errors.more, 0);
        assert_eq!(
            errors.lines,
            vec![
                CsvLineError {
                    line: 2,
                    problem: InputError::SkuInvalid
                },
                CsvLineError {
                    line: 3,
                    problem: InputError::QuantityInvalid
                },
                CsvLineError {
                    line: 4,
                    problem: InputError::QuantityTooLarge
                },
                CsvLineError {
                    line: 5,
                    problem: InputError::SkuListedTwice
                },
                CsvLineError {
                    line: 6,
                    problem: InputError::QuantityInvalid
                },
                CsvLineError {
                    line: 7,
                    problem: InputError::TooManyFields
                },
            ]
        );
    }

    #[test]
    fn csv_needs_at_least_one_item_and_at_most_500() {
        assert_eq!(
            parse_items_csv(" \n\n").unwrap_err().lines[0].problem,
            InputError::NoItems
        );
        assert_eq!(
            parse_items_csv("sku,quantity\n").unwrap_err().lines[0].problem,
            InputError::NoItems
        );
        let many: String = (0..501).map(|i| format!("SKU-{i},1\n")).collect();
        assert_eq!(
            parse_items_csv(&many).unwrap_err().lines[0].problem,
            InputError::TooManyItems
        );
        let enough: String = (0..500).map(|i| format!("SKU-{i},1\n")).collect();
        assert_eq!(parse_items_csv(&enough).unwrap().len(), 500);
    }

    #[test]
    fn a_huge_paste_is_refused_whole_and_problems_are_capped() {
        // About 2 MB of bad lines: one problem, found without reading the lines.
        let huge = "bad sku,x\n".repeat(200_000);
        let refused = parse_items_csv(&huge).unwrap_err();
        assert_eq!(refused.lines.len(), 1);
        assert_eq!(refused.lines[0].problem, InputError::TooManyItems);
        assert_eq!(refused.more, 0);
        // 300 bad lines: the first 20 with their numbers, the other 280 counted.
        let bad: String = (0..300).map(|i| format!("SKU-{i},0\n")).collect();
        let refused = parse_items_csv(&bad).unwrap_err();
        assert_eq!(refused.lines.len(), MAX_LINE_PROBLEMS);
        assert_eq!(refused.lines[19].line, 20);
        assert_eq!(refused.more, 280);
        // A repeated SKU far down a long list is still found.
        let mut repeated: String = (0..499).map(|i| format!("SKU-{i},1\n")).collect();
        repeated.push_str("SKU-3,1\n");
        let refused = parse_items_csv(&repeated).unwrap_err();
        assert_eq!(
            refused.lines,
            vec![CsvLineError {
                line: 500,
                problem: InputError::SkuListedTwice
            }]
        );
    }

    #[test]
    fn weights_convert_and_respect_carrier_limits() {
        let kg = Weight::parse("12.5", WeightUnit::Kg).unwrap();
        assert_eq!(kg.grams(), 12_500);
        let lb = Weight::parse("50", WeightUnit::Lb).unwrap();
        assert_eq!(lb.grams(), 22_680);
        assert!((lb.lb() - 50.0).abs() < 0.01);
        // The marketplace's own figures pass; the least step above them does not, and
        // the refusal names the limit in the unit typed.
        let small_parcel =
            |value: &str, unit| Weight::parse(value, unit).unwrap().check_small_parcel(unit);
        assert!(small_parcel("50.0", WeightUnit::Lb).is_ok());
        assert!(small_parcel("22.68", WeightUnit::Kg).is_ok());
        assert_eq!(
            small_parcel("22.7", WeightUnit::Kg),
            Err(InputError::OverSmallParcelWeightKg)
        );
        assert_eq!(
            small_parcel("22.681", WeightUnit::Kg),
            Err(InputError::OverSmallParcelWeightKg)
        );
        assert_eq!(
            small_parcel("50.1", WeightUnit::Lb),
            Err(InputError::OverSmallParcelWeightLb)
        );
        // 23 kg, the limit this app once used, is over it.
        assert_eq!(
            small_parcel("23", WeightUnit::Kg),
            Err(InputError::OverSmallParcelWeightKg)
        );
        assert_eq!(
            Weight::parse("12,5", WeightUnit::Kg).unwrap().grams(),
            12_500
        );
        assert_eq!(
            Weight::parse("0,125", WeightUnit::Kg)
                .expect("a decimal comma")
                .grams(),
            125
        );
        // "12,500" is 12.5 in one notation and 12500 in another: asked again.
        assert_eq!(
            Weight::parse("12,500", WeightUnit::Kg),
            Err(InputError::ThousandsSeparator)
        );
        for bad in ["", "0", "-1", "abc", "1.2345", "NaN", "inf", "1e3"] {
            assert_eq!(
                Weight::parse(bad, WeightUnit::Kg),
                Err(InputError::WeightInvalid),
                "{bad}"
            );
        }
        assert_eq!(
            Weight::parse("5000", WeightUnit::Kg),
            Err(InputError::WeightTooLarge)
        );
        assert_eq!(WeightUnit::parse("LBS"), Ok(WeightUnit::Lb));
        assert_eq!(WeightUnit::parse("stone"), Err(InputError::UnitInvalid));
    }

    #[test]
    fn lengths_convert_and_respect_carrier_limits() {
        assert_eq!(Length::parse("25", LengthUnit::In).unwrap().mm(), 635);
        let small_parcel =
            |value: &str, unit| Length::parse(value, unit).unwrap().check_small_parcel(unit);
        assert!(small_parcel("25", LengthUnit::In).is_ok());
        assert!(small_parcel("63.5", LengthUnit::Cm).is_ok());
        assert_eq!(
            small_parcel("63.6", LengthUnit::Cm),
            Err(InputError::OverSmallParcelSideCm)
        );
        assert_eq!(
            small_parcel("25.1", LengthUnit::In),
            Err(InputError::OverSmallParcelSideIn)
        );
        assert!((Length::parse("10", LengthUnit::In).unwrap().cm() - 25.4).abs() < 0.001);
        assert_eq!(
            Length::parse("0", LengthUnit::Cm),
            Err(InputError::DimensionInvalid)
        );
        assert_eq!(
            Length::parse("600", LengthUnit::Cm),
            Err(InputError::DimensionTooLarge)
        );
    }

    #[test]
    fn pallet_limits_are_the_marketplaces_in_the_unit_typed() {
        let pallet = |weight: &str, wu: &str, height: &str, lu: &str| {
            Pallet::parse(weight, wu, height, lu, "")
        };
        // At the limits, in either unit, pallet and all.
        for (w, wu, h, lu) in [
            ("1500", "lb", "72", "in"),
            ("680.4", "kg", "182.88", "cm"),
            ("1500.0", "lb", "182,88", "cm"),
        ] {
            assert!(pallet(w, wu, h, lu).is_ok(), "{w} {wu}, {h} {lu}");
        }
        let kept = pallet("1500", "lb", "72", "in").expect("at the US limits");
        assert_eq!((kept.weight.grams(), kept.height.mm()), (680_389, 1_829));
        // Kept in whole millimetres, the metric limit reads back as itself, and a
        // pallet saved at it can be saved again as shown.
        let metric = pallet("680.4", "kg", "182.88", "cm").expect("at the metric limits");
        assert_eq!(metric.height.pallet_height_cm(), 182.88);
        let again = metric.height.pallet_height_cm().to_string();
        assert!(pallet("680.4", "kg", &again, "cm").is_ok(), "{again}");
        // One step over, refused naming the limit in the unit typed.
        for (w, wu, h, lu, refused) in [
            ("1500.1", "lb", "72", "in", InputError::OverPalletWeightLb),
            ("680.41", "kg", "72", "in", InputError::OverPalletWeightKg),
            ("5000", "kg", "72", "in", InputError::OverPalletWeightKg),
            ("1500", "lb", "72.01", "in", InputError::OverPalletHeightIn),
            ("1500", "lb", "182.9", "cm", InputError::OverPalletHeightCm),
            ("1500", "lb", "183", "cm", InputError::OverPalletHeightCm),
            ("0", "kg", "100", "cm", InputError::PalletWeightInvalid),
            ("100", "kg", "", "cm", InputError::PalletHeightInvalid),
            ("100", "st", "100", "cm", InputError::UnitInvalid),
            // "1,500" could be 1500 or 1.5: asked again, never guessed.
            ("1,500", "lb", "72", "in", InputError::ThousandsSeparator),
            ("1,500.5", "lb", "72", "in", InputError::ThousandsSeparator),
            (
                "1,500,000",
                "lb",
                "72",
                "in",
                InputError::ThousandsSeparator,
            ),
        ] {
            assert_eq!(pallet(w, wu, h, lu), Err(refused), "{w} {wu}, {h} {lu}");
        }
        assert!(
            Pallet::parse("100", "kg", "100", "cm", "on")
                .expect("a stackable pallet")
                .stackable
        );
        assert_eq!(
            Pallet::parse("100", "kg", "100", "cm", "maybe"),
            Err(InputError::StackableInvalid)
        );
    }

    #[test]
    fn each_pallet_row_is_a_pallet_and_each_bad_one_is_named_by_its_row() {
        let good = ["300", "kg", "150", "cm", "on"];
        let blank = ["", "kg", " ", "cm", ""];
        let heavy = ["2000", "lb", "150", "cm", ""];
        let pallets = parse_pallets(&[good, good]).expect("two pallets");
        assert_eq!(pallets.len(), 2);
        assert_eq!(pallets[0].weight.grams(), 300_000);
        assert_eq!(pallets[0].height.mm(), 1_500);
        // A row left blank is a pallet not described, named by its row like a bad one.
        let Err(PalletsRefused::Rows(problems)) = parse_pallets(&[good, blank, heavy]) else {
            panic!("the blank and the heavy pallets are refused");
        };
        assert_eq!(
            problems.lines,
            [
                CsvLineError {
                    line: 2,
                    problem: InputError::PalletWeightInvalid
                },
                CsvLineError {
                    line: 3,
                    problem: InputError::OverPalletWeightLb
                }
            ]
        );
        assert_eq!(parse_pallets(&[]), Ok(vec![]));
        let mut many = vec![good; MAX_PALLETS];
        assert!(parse_pallets(&many).is_ok());
        many.push(good);
        assert_eq!(parse_pallets(&many), Err(PalletsRefused::TooMany));
    }
}

#[cfg(test)]
mod packing_tests {
    use super::*;

    #[test]
    fn marketplace_shipment_ids() {
        assert_eq!(
            parse_fba_id(" fba15 abcd123 "),
            Ok(Some("FBA15ABCD123".into()))
        );
        assert_eq!(parse_fba_id(""), Ok(None));
        assert_eq!(parse_fba_id("SH15ABCD123"), Err(InputError::FbaIdInvalid));
        assert_eq!(parse_fba_id("FBA15A"), Err(InputError::FbaIdInvalid));
        assert_eq!(parse_fba_id("FBA15ABCD-123"), Err(InputError::FbaIdInvalid));
    }

    #[test]
    fn each_expiring_sku_in_a_box_needs_one_calendar_date() {
        let contents =
            check_box_contents(&ordered(), &[], &[line("MUG-1", "2"), line("CUP-2", "1")])
                .expect("fits");
        let dates = |typed: &[(&str, &str)]| {
            let typed: Vec<(String, String)> = typed.iter().map(|(s, d)| line(s, d)).collect();
            check_expiry_dates(&contents, &["CUP-2"], &typed)
        };
        // CUP-2 expires, MUG-1 does not: a date for MUG-1 is ignored.
        assert_eq!(
            dates(&[("MUG-1", "2027-05-01"), ("CUP-2", " 2027-01-31 ")]),
            Ok(vec![("CUP-2".to_owned(), "2027-01-31".to_owned())])
        );
        assert_eq!(
            dates(&[("MUG-1", "2027-05-01")]),
            Err(InputError::ExpiryDateMissing)
        );
        assert_eq!(dates(&[("CUP-2", "")]), Err(InputError::ExpiryDateMissing));
        assert_eq!(
            dates(&[("CUP-2", "2027-02-30")]),
            Err(InputError::ExpiryDateInvalid)
        );
        assert_eq!(
            dates(&[("CUP-2", "31/01/2027")]),
            Err(InputError::ExpiryDateInvalid)
        );
    }

    fn ordered() -> Vec<(String, u32)> {
        vec![("MUG-1".into(), 10), ("CUP-2".into(), 4)]
    }

    fn line(sku: &str, q: &str) -> (String, String) {
        (sku.into(), q.into())
    }

    #[test]
    fn a_box_takes_only_what_is_still_unboxed() {
        let elsewhere = vec![("MUG-1".to_string(), 6)];
        let ok = check_box_contents(
            &ordered(),
            &elsewhere,
            &[line("MUG-1", "4"), line("CUP-2", "")],
        )
        .expect("fits");
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].1.get(), 4);
        assert_eq!(
            check_box_contents(&ordered(), &elsewhere, &[line("MUG-1", "5")]),
            Err(InputError::QuantityOverRemaining)
        );
        assert_eq!(
            check_box_contents(&ordered(), &[], &[line("MUG-1", "0"), line("CUP-2", " ")]),
            Err(InputError::BoxEmpty)
        );
        assert_eq!(
            check_box_contents(&ordered(), &[], &[line("PLATE-9", "1")]),
            Err(InputError::SkuNotInShipment)
        );
        assert_eq!(
            check_box_contents(&ordered(), &[], &[line("MUG-1", "-1")]),
            Err(InputError::QuantityInvalid)
        );
        assert_eq!(
            check_box_contents(&ordered(), &[], &[line("MUG-1", "99999999999999999999")]),
            Err(InputError::QuantityTooLarge)
        );
        assert_eq!(
            check_box_contents(&ordered(), &[], &[line("MUG-1", "2"), line("MUG-1", "2")]),
            Err(InputError::SkuListedTwice)
        );
    }

    #[test]
    fn unboxed_counts_down_per_sku() {
        let boxed = vec![
            ("MUG-1".to_string(), 6),
            ("MUG-1".to_string(), 4),
            ("CUP-2".to_string(), 1),
        ];
        assert_eq!(
            unboxed(&ordered(), &boxed),
            vec![("MUG-1".to_string(), 0), ("CUP-2".to_string(), 3)]
        );
    }

    #[test]
    fn addresses_in_any_script() {
        let raw = Address {
            name: " 王芳 ".into(),
            line1: "南山区科技园 1 号".into(),
            city: "深圳".into(),
            country: "cn".into(),
            phone: "+86 (755) 1234-5678".into(),
            ..Address::default()
        };
        let address = Address::parse(&raw).expect("valid");
        assert_eq!(address.name, "王芳");
        assert_eq!(address.country, "CN");
        assert_eq!(address.lines()[2], "深圳");
        let bad_country = Address {
            country: "China".into(),
            ..raw.clone()
        };
        assert_eq!(
            Address::parse(&bad_country),
            Err(InputError::CountryInvalid)
        );
        let no_city = Address {
            city: "  ".into(),
            ..raw.clone()
        };
        assert_eq!(
            Address::parse(&no_city),
            Err(InputError::AddressFieldMissing)
        );
        let bad_phone = Address {
            phone: "<script>".into(),
            ..raw
        };
        assert_eq!(Address::parse(&bad_phone), Err(InputError::PhoneInvalid));
    }

    #[test]
    fn shipping_details() {
        assert_eq!(ShippingMode::parse("ltl"), Ok(ShippingMode::Ltl));
        assert_eq!(
            ShippingMode::parse("air"),
            Err(InputError::ShippingModeInvalid)
        );
        assert_eq!(parse_ship_date("2026-12-01").as_deref(), Ok("2026-12-01"));
        assert_eq!(
            parse_ship_date("2026-02-30"),
            Err(InputError::ShipDateInvalid)
        );
        assert_eq!(
            parse_ship_date("tomorrow"),
            Err(InputError::ShipDateInvalid)
        );
        assert_eq!(parse_tracking(" 1z 999 aa1 ").as_deref(), Ok("1Z999AA1"));
        assert_eq!(parse_tracking(""), Err(InputError::TrackingMissing));
        assert_eq!(parse_tracking("1Z';DROP"), Err(InputError::TrackingInvalid));
        assert_eq!(parse_carrier("顺丰速运").as_deref(), Ok("顺丰速运"));
        assert_eq!(parse_carrier(" "), Err(InputError::CarrierMissing));
        assert_eq!(
            parse_share_message(&"x".repeat(1001)),
            Err(InputError::MessageTooLong)
        );
        assert_eq!(
            parse_share_message(" Fragile\r\nThanks ").as_deref(),
            Ok("Fragile\nThanks")
        );
        assert_eq!(ShipmentName::parse(""), Err(InputError::ShipmentNameEmpty));
    }
}
