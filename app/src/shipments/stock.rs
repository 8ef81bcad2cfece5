//! The label stocks unit labels are printed on, shared by the page (its links) and
//! the server (the PDF).

/// What the labels are printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelStock {
    /// US Letter sheets of 30 labels, 1 × 2⅝ in (the Avery 5160 layout).
    Letter30,
    /// A4 sheets of 24 labels, 64 × 33.9 mm.
    A4x24,
    /// A thermal printer's roll of 2¼ × 1¼ in labels, one a page.
    Roll2x1,
    /// A thermal printer's roll of 50 × 25 mm labels, one a page.
    Roll50x25,
}

impl LabelStock {
    pub const ALL: [LabelStock; 4] = [
        LabelStock::Letter30,
        LabelStock::A4x24,
        LabelStock::Roll2x1,
        LabelStock::Roll50x25,
    ];

    /// The code in the labels link (`?stock=`), which [`LabelStock::parse`] reads back.
    pub fn code(self) -> &'static str {
        match self {
            LabelStock::Letter30 => "letter",
            LabelStock::A4x24 => "a4",
            LabelStock::Roll2x1 => "roll-2.25x1.25in",
            LabelStock::Roll50x25 => "roll-50x25mm",
        }
    }

    pub fn parse(code: &str) -> Option<LabelStock> {
        LabelStock::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn msg(self) -> crate::i18n::Msg {
        match self {
            LabelStock::Letter30 => crate::i18n::Msg::StockLetter30,
            LabelStock::A4x24 => crate::i18n::Msg::StockA4x24,
            LabelStock::Roll2x1 => crate::i18n::Msg::StockRoll2x1,
            LabelStock::Roll50x25 => crate::i18n::Msg::StockRoll50x25,
        }
    }
}

/// The items that get unit labels, each with its FNSKU: those the supplier preps and
/// labels (every item when `every_item`), and that have one.
pub fn units_to_label(
    items: &[super::ItemView],
    every_item: bool,
) -> impl Iterator<Item = (&super::ItemView, &str)> {
    items
        .iter()
        .filter(move |i| every_item || i.prep_by == super::PrepBy::Supplier)
        .filter_map(|i| Some((i, i.fnsku.as_deref()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_codes_read_back() {
        for stock in LabelStock::ALL {
            assert_eq!(LabelStock::parse(stock.code()), Some(stock));
        }
        assert_eq!(LabelStock::parse("legal"), None);
    }
}
