//! Domain types that parse their input once, at the boundary. Each has a private
//! field, a `parse` that returns a typed error, and tests beside it.

mod account;
mod email;
mod password;
pub mod shipment;

pub use account::{AccountKind, CompanyName, PersonName};
pub use email::EmailAddress;
pub use password::Password;

use serde::{Deserialize, Serialize};

use crate::i18n::Msg;

/// Why an input was refused; each maps to one message a user reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputError {
    EmailInvalid,
    EmailTooLong,
    CompanyNameEmpty,
    CompanyNameTooLong,
    PersonNameEmpty,
    PersonNameTooLong,
    TextHasControlCharacters,
    PasswordTooShort,
    PasswordTooLong,
    PasswordTooCommon,
    AccountKindInvalid,
    LanguageInvalid,
    SkuEmpty,
    SkuTooLong,
    SkuInvalid,
    QuantityInvalid,
    QuantityTooLarge,
    FulfillmentCenterInvalid,
    ProductNameEmpty,
    ProductNameTooLong,
    PrepByInvalid,
    SkuListedTwice,
    TooManyFields,
    CsvColumnUnknown,
    FnskuInvalid,
    ProductCodeInvalid,
    ProductCodeCheckDigit,
    ExpiryFlagInvalid,
    TooManyItems,
    NoItems,
    UnitInvalid,
    WeightInvalid,
    WeightTooLarge,
    OverSmallParcelWeightKg,
    OverSmallParcelWeightLb,
    DimensionInvalid,
    DimensionTooLarge,
    OverSmallParcelSideCm,
    OverSmallParcelSideIn,
    TooManySmallParcelBoxes,
    OverPalletWeightKg,
    OverPalletWeightLb,
    OverPalletHeightCm,
    OverPalletHeightIn,
    StackableInvalid,
    PalletWeightInvalid,
    PalletHeightInvalid,
    ThousandsSeparator,
    TooManyPallets,
    NoPallets,
    ShipmentNameEmpty,
    ShipmentNameTooLong,
    AddressFieldMissing,
    AddressFieldTooLong,
    CountryInvalid,
    PhoneInvalid,
    ShippingModeInvalid,
    CarrierMissing,
    CarrierTooLong,
    ShipDateInvalid,
    TrackingMissing,
    TrackingInvalid,
    MessageTooLong,
    SkuNotInShipment,
    QuantityOverRemaining,
    BoxEmpty,
    ExpiryDateMissing,
    ScanNotInShipment,
    FbaIdInvalid,
    ExpiryDateInvalid,
    UnitsNotBoxed,
    NoBoxes,
    SupplierMissing,
    NothingToLabel,
    ZplNeedsRoll,
    TooManyLabels,
}

impl InputError {
    pub fn message(self) -> Msg {
        match self {
            InputError::EmailInvalid => Msg::ErrEmailInvalid,
            InputError::EmailTooLong => Msg::ErrEmailTooLong,
            InputError::CompanyNameEmpty => Msg::ErrCompanyNameEmpty,
            InputError::CompanyNameTooLong => Msg::ErrCompanyNameTooLong,
            InputError::PersonNameEmpty => Msg::ErrPersonNameEmpty,
            InputError::PersonNameTooLong => Msg::ErrPersonNameTooLong,
            InputError::TextHasControlCharacters => Msg::ErrControlCharacters,
            InputError::PasswordTooShort => Msg::ErrPasswordTooShort,
            InputError::PasswordTooLong => Msg::ErrPasswordTooLong,
            InputError::PasswordTooCommon => Msg::ErrPasswordTooCommon,
            InputError::AccountKindInvalid => Msg::ErrAccountKindInvalid,
            InputError::LanguageInvalid => Msg::ErrLanguageInvalid,
            InputError::SkuEmpty => Msg::ErrSkuEmpty,
            InputError::SkuTooLong => Msg::ErrSkuTooLong,
            InputError::SkuInvalid => Msg::ErrSkuInvalid,
            InputError::QuantityInvalid => Msg::ErrQuantityInvalid,
            InputError::QuantityTooLarge => Msg::ErrQuantityTooLarge,
            InputError::FulfillmentCenterInvalid => Msg::ErrFulfillmentCenterInvalid,
            InputError::ProductNameEmpty => Msg::ErrProductNameEmpty,
            InputError::ProductNameTooLong => Msg::ErrProductNameTooLong,
            InputError::PrepByInvalid => Msg::ErrPrepByInvalid,
            InputError::SkuListedTwice => Msg::ErrSkuListedTwice,
            InputError::TooManyFields => Msg::ErrTooManyFields,
            InputError::CsvColumnUnknown => Msg::ErrCsvColumnUnknown,
            InputError::FnskuInvalid => Msg::ErrFnskuInvalid,
            InputError::ProductCodeInvalid => Msg::ErrProductCodeInvalid,
            InputError::ProductCodeCheckDigit => Msg::ErrProductCodeCheckDigit,
            InputError::ExpiryFlagInvalid => Msg::ErrExpiryFlagInvalid,
            InputError::TooManyItems => Msg::ErrTooManyItems,
            InputError::NoItems => Msg::ErrNoItems,
            InputError::UnitInvalid => Msg::ErrUnitInvalid,
            InputError::WeightInvalid => Msg::ErrWeightInvalid,
            InputError::WeightTooLarge => Msg::ErrWeightTooLarge,
            InputError::OverSmallParcelWeightKg => Msg::ErrOverSmallParcelWeightKg,
            InputError::OverSmallParcelWeightLb => Msg::ErrOverSmallParcelWeightLb,
            InputError::DimensionInvalid => Msg::ErrDimensionInvalid,
            InputError::DimensionTooLarge => Msg::ErrDimensionTooLarge,
            InputError::OverSmallParcelSideCm => Msg::ErrOverSmallParcelSideCm,
            InputError::OverSmallParcelSideIn => Msg::ErrOverSmallParcelSideIn,
            InputError::TooManySmallParcelBoxes => Msg::ErrTooManySmallParcelBoxes,
            InputError::OverPalletWeightKg => Msg::ErrOverPalletWeightKg,
            InputError::OverPalletWeightLb => Msg::ErrOverPalletWeightLb,
            InputError::OverPalletHeightCm => Msg::ErrOverPalletHeightCm,
            InputError::OverPalletHeightIn => Msg::ErrOverPalletHeightIn,
            InputError::StackableInvalid => Msg::ErrStackableInvalid,
            InputError::PalletWeightInvalid => Msg::ErrPalletWeightInvalid,
            InputError::PalletHeightInvalid => Msg::ErrPalletHeightInvalid,
            InputError::ThousandsSeparator => Msg::ErrThousandsSeparator,
            InputError::TooManyPallets => Msg::ErrTooManyPallets,
            InputError::NoPallets => Msg::ErrNoPallets,
            InputError::ShipmentNameEmpty => Msg::ErrShipmentNameEmpty,
            InputError::ShipmentNameTooLong => Msg::ErrShipmentNameTooLong,
            InputError::AddressFieldMissing => Msg::ErrAddressFieldMissing,
            InputError::AddressFieldTooLong => Msg::ErrAddressFieldTooLong,
            InputError::CountryInvalid => Msg::ErrCountryInvalid,
            InputError::PhoneInvalid => Msg::ErrPhoneInvalid,
            InputError::ShippingModeInvalid => Msg::ErrShippingModeInvalid,
            InputError::CarrierMissing => Msg::ErrCarrierMissing,
            InputError::CarrierTooLong => Msg::ErrCarrierTooLong,
            InputError::ShipDateInvalid => Msg::ErrShipDateInvalid,
            InputError::TrackingMissing => Msg::ErrTrackingMissing,
            InputError::TrackingInvalid => Msg::ErrTrackingInvalid,
            InputError::MessageTooLong => Msg::ErrMessageTooLong,
            InputError::SkuNotInShipment => Msg::ErrSkuNotInShipment,
            InputError::QuantityOverRemaining => Msg::ErrQuantityOverRemaining,
            InputError::BoxEmpty => Msg::ErrBoxEmpty,
            InputError::ExpiryDateMissing => Msg::ErrExpiryDateMissing,
            InputError::ScanNotInShipment => Msg::ErrScanNotInShipment,
            InputError::FbaIdInvalid => Msg::ErrFbaIdInvalid,
            InputError::ExpiryDateInvalid => Msg::ErrExpiryDateInvalid,
            InputError::UnitsNotBoxed => Msg::ErrUnitsNotBoxed,
            InputError::NoBoxes => Msg::ErrNoBoxes,
            InputError::SupplierMissing => Msg::ErrSupplierMissing,
            InputError::NothingToLabel => Msg::ErrNothingToLabel,
            InputError::ZplNeedsRoll => Msg::ErrZplNeedsRoll,
            InputError::TooManyLabels => Msg::ErrTooManyLabels,
        }
    }
}

/// Trims a free-text field and checks its length in characters (not bytes, so
/// 中文 names count as a person would count them).
fn clean_text(
    input: &str,
    max_chars: usize,
    empty: InputError,
    too_long: InputError,
) -> Result<String, InputError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(empty);
    }
    if text.chars().count() > max_chars {
        return Err(too_long);
    }
    if text.chars().any(char::is_control) {
        return Err(InputError::TextHasControlCharacters);
    }
    Ok(text.to_owned())
}
