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
}

/// One line of a pasted item list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemLine {
    pub sku: Sku,
    pub quantity: Quantity,
    pub name: Option<ProductName>,
}

/// Why one line of a pasted list was refused; `line` counts from 1 as editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvLineError {
    pub line: usize,
    pub problem: InputError,
}

pub const MAX_ITEMS: usize = 500;

/// Parses `sku,quantity[,name]` lines, as typed or pasted from a spreadsheet: commas
/// (also the full-width comma U+FF0C of Chinese input methods) or tabs between fields,
/// double quotes around a field that holds a separator, an optional header line, blank
/// lines ignored. Every bad line is reported, not just the first.
pub fn parse_items_csv(text: &str) -> Result<Vec<ItemLine>, Vec<CsvLineError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut items: Vec<ItemLine> = Vec::new();
    let mut errors = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let fields = split_fields(raw);
        let is_header = items.is_empty()
            && errors.is_empty()
            && fields
                .first()
                .is_some_and(|f| f.trim().eq_ignore_ascii_case("sku"));
        if is_header {
            continue;
        }
        match parse_line(&fields) {
            Ok(item) if items.iter().any(|i| i.sku == item.sku) => errors.push(CsvLineError {
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
        Err(errors)
    }
}

fn parse_line(fields: &[String]) -> Result<ItemLine, InputError> {
    let sku = Sku::parse(fields.first().map(String::as_str).unwrap_or(""))?;
    let quantity = Quantity::parse(
        fields
            .get(1)
            .map(String::as_str)
            .ok_or(InputError::QuantityInvalid)?,
    )?;
    let name = match fields.get(2).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(name) => Some(ProductName::parse(name)?),
        None => None,
    };
    if fields.len() > 3 && fields[3..].iter().any(|f| !f.trim().is_empty()) {
        return Err(InputError::TooManyFields);
    }
    Ok(ItemLine {
        sku,
        quantity,
        name,
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
}

const GRAMS_PER_POUND: f64 = 453.592_37;
const MM_PER_INCH: f64 = 25.4;

/// Parses a positive decimal (`12.5`, also `12,5`) with at most 3 decimals.
fn parse_decimal(input: &str, invalid: InputError) -> Result<f64, InputError> {
    let s = input.trim().replace(',', ".");
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
    /// The heaviest box a small-parcel carrier takes: 23 kg (50 lb is 22.68 kg).
    pub const SMALL_PARCEL_MAX: Weight = Weight { grams: 23_000 };
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

    pub fn grams(self) -> u32 {
        self.grams
    }

    pub fn kg(self) -> f64 {
        f64::from(self.grams) / 1000.0
    }

    pub fn lb(self) -> f64 {
        f64::from(self.grams) / GRAMS_PER_POUND
    }

    /// Refuses what a small-parcel carrier would.
    pub fn check_small_parcel(self) -> Result<Weight, InputError> {
        if self > Self::SMALL_PARCEL_MAX {
            Err(InputError::OverSmallParcelWeight)
        } else {
            Ok(self)
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
}

impl Length {
    /// The longest side a small-parcel carrier takes: 63.5 cm (25 in).
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

    pub fn mm(self) -> u32 {
        self.mm
    }

    pub fn cm(self) -> f64 {
        f64::from(self.mm) / 10.0
    }

    pub fn inches(self) -> f64 {
        f64::from(self.mm) / MM_PER_INCH
    }

    pub fn check_small_parcel(self) -> Result<Length, InputError> {
        if self > Self::SMALL_PARCEL_MAX {
            Err(InputError::OverSmallParcelSide)
        } else {
            Ok(self)
        }
    }
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
    fn csv_full_width_commas_from_chinese_spreadsheets() {
        let items = parse_items_csv("MUG-01\u{ff0c}12\u{ff0c}马克杯").unwrap();
        assert_eq!(items[0].quantity.get(), 12);
        assert_eq!(items[0].name.as_ref().unwrap().as_str(), "马克杯");
    }

    #[test]
    fn csv_reports_every_bad_line_with_its_number() {
        let text =
            "MUG-01,12\nbad sku,3\nCUP,0\nTEE,999999999999\nMUG-01,4\nHAT\nSOCK,2,name,extra\n";
        let errors = parse_items_csv(text).unwrap_err();
        assert_eq!(
            errors,
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
            parse_items_csv(" \n\n").unwrap_err()[0].problem,
            InputError::NoItems
        );
        assert_eq!(
            parse_items_csv("sku,quantity\n").unwrap_err()[0].problem,
            InputError::NoItems
        );
        let many: String = (0..501).map(|i| format!("SKU-{i},1\n")).collect();
        assert_eq!(
            parse_items_csv(&many).unwrap_err()[0].problem,
            InputError::TooManyItems
        );
        let enough: String = (0..500).map(|i| format!("SKU-{i},1\n")).collect();
        assert_eq!(parse_items_csv(&enough).unwrap().len(), 500);
    }

    #[test]
    fn weights_convert_and_respect_carrier_limits() {
        let kg = Weight::parse("12.5", WeightUnit::Kg).unwrap();
        assert_eq!(kg.grams(), 12_500);
        let lb = Weight::parse("50", WeightUnit::Lb).unwrap();
        assert_eq!(lb.grams(), 22_680);
        assert!((lb.lb() - 50.0).abs() < 0.01);
        assert!(lb.check_small_parcel().is_ok());
        assert_eq!(
            Weight::parse("23.1", WeightUnit::Kg)
                .unwrap()
                .check_small_parcel(),
            Err(InputError::OverSmallParcelWeight)
        );
        assert_eq!(
            Weight::parse("12,5", WeightUnit::Kg).unwrap().grams(),
            12_500
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
        assert!(Length::parse("25", LengthUnit::In)
            .unwrap()
            .check_small_parcel()
            .is_ok());
        assert_eq!(
            Length::parse("64", LengthUnit::Cm)
                .unwrap()
                .check_small_parcel(),
            Err(InputError::OverSmallParcelSide)
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
}
