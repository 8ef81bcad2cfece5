use serde::{Deserialize, Serialize};

use super::{clean_text, InputError};

/// What a company is to the marketplace: it sells, or it supplies a seller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Seller,
    Supplier,
}

impl AccountKind {
    pub fn parse(input: &str) -> Result<AccountKind, InputError> {
        match input.trim() {
            "seller" => Ok(AccountKind::Seller),
            "supplier" => Ok(AccountKind::Supplier),
            _ => Err(InputError::AccountKindInvalid),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Seller => "seller",
            AccountKind::Supplier => "supplier",
        }
    }

    /// The kind's name as users read it.
    pub fn msg(self) -> crate::i18n::Msg {
        match self {
            AccountKind::Seller => crate::i18n::Msg::KindSeller,
            AccountKind::Supplier => crate::i18n::Msg::KindSupplier,
        }
    }
}

/// A company's name as its people write it (any script), 1 to 120 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyName(String);

impl CompanyName {
    pub const MAX_CHARS: usize = 120;

    pub fn parse(input: &str) -> Result<CompanyName, InputError> {
        clean_text(
            input,
            Self::MAX_CHARS,
            InputError::CompanyNameEmpty,
            InputError::CompanyNameTooLong,
        )
        .map(CompanyName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<PersonName, InputError> {
        clean_text(
            input,
            Self::MAX_CHARS,
            InputError::PersonNameEmpty,
            InputError::PersonNameTooLong,
        )
        .map(PersonName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_kinds() {
        assert_eq!(AccountKind::parse("seller"), Ok(AccountKind::Seller));
        assert_eq!(AccountKind::parse(" supplier "), Ok(AccountKind::Supplier));
        assert_eq!(
            AccountKind::parse("admin"),
            Err(InputError::AccountKindInvalid)
        );
        assert_eq!(AccountKind::parse(""), Err(InputError::AccountKindInvalid));
    }

    #[test]
    fn company_names_in_any_script() {
        assert_eq!(
            CompanyName::parse("  深圳市好运贸易有限公司 ")
                .unwrap()
                .as_str(),
            "深圳市好运贸易有限公司"
        );
        assert_eq!(
            CompanyName::parse("Acme <b>Ltd</b>").unwrap().as_str(),
            "Acme <b>Ltd</b>"
        );
    }

    #[test]
    fn company_name_limits() {
        assert_eq!(CompanyName::parse(""), Err(InputError::CompanyNameEmpty));
        assert_eq!(
            CompanyName::parse(" \t "),
            Err(InputError::CompanyNameEmpty)
        );
        // 120 Chinese characters are fine although they are 360 bytes.
        assert!(CompanyName::parse(&"货".repeat(120)).is_ok());
        assert_eq!(
            CompanyName::parse(&"货".repeat(121)),
            Err(InputError::CompanyNameTooLong)
        );
        assert_eq!(
            CompanyName::parse("Acme\u{0}Ltd"),
            Err(InputError::TextHasControlCharacters)
        );
    }

    #[test]
    fn person_name_limits() {
        assert_eq!(PersonName::parse("王芳").unwrap().as_str(), "王芳");
        assert_eq!(PersonName::parse(""), Err(InputError::PersonNameEmpty));
        assert_eq!(
            PersonName::parse(&"a".repeat(101)),
            Err(InputError::PersonNameTooLong)
        );
        assert_eq!(
            PersonName::parse("Ann\nLee"),
            Err(InputError::TextHasControlCharacters)
        );
    }
}
