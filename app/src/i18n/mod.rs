//! Every string a user reads goes through here. `Msg` names a message; `en.rs` and
//! `zh.rs` are the translation files, and because each is one exhaustive `match`, a
//! message missing from either language does not compile.

mod en;
mod refusals;
mod zh;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The short code stored in the database, the cookie and forms.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language's own name, for the switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        if code == "en" || code.starts_with("en-") {
            Some(Lang::En)
        } else if code == "zh" || code.starts_with("zh-") {
            Some(Lang::Zh)
        } else {
            None
        }
    }

    /// The first supported language of an `Accept-Language` header, by weight.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q=")?.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0));
        choices.first().map(|(_, lang)| *lang)
    }
}

/// The text of `msg` in `lang`.
pub fn t(lang: Lang, msg: Msg) -> &'static str {
    match lang {
        Lang::En => en::text(msg),
        Lang::Zh => zh::text(msg),
    }
}

/// The text of `msg` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, msg: Msg, args: &[(&str, &str)]) -> String {
    let mut text = t(lang, msg).to_owned();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// The page's current language, reactive: switching re-renders every text in place.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    pub fn provide(initial: Lang) -> I18n {
        let i18n = I18n {
            lang: RwSignal::new(initial),
        };
        provide_context(i18n);
        i18n
    }

    pub fn lang(self) -> Lang {
        self.lang.get()
    }

    pub fn set(self, lang: Lang) {
        self.lang.set(lang);
        #[cfg(feature = "hydrate")]
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.html_tag());
        }
    }

    /// A reactive text for views: `{i18n.t(Msg::SignIn)}`.
    pub fn t(self, msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || t(self.lang.get(), msg)
    }

    pub fn tf(
        self,
        msg: Msg,
        args: Vec<(&'static str, String)>,
    ) -> impl Fn() -> String + Send + Sync + 'static {
        move || {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            tf(self.lang.get(), msg, &args)
        }
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// The language a request asks for, for server rendering: the `scc_lang` cookie (set by
/// the switch and at sign-in from the user's setting), else `Accept-Language`.
#[cfg(feature = "ssr")]
pub fn request_lang(headers: &http::HeaderMap) -> Lang {
    crate::server::cookies::get(headers, crate::server::cookies::LANG)
        .and_then(|v| Lang::parse(&v))
        .or_else(|| {
            headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// In the browser, the language the server rendered the page in.
#[cfg(not(feature = "ssr"))]
pub fn document_lang() -> Lang {
    #[cfg(feature = "hydrate")]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Lang::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    /// What a refusal of the storage tells the user (`refusals.rs`).
    Refused(db::Refusal),
    AppName,
    Tagline,
    SkipToContent,
    NavHome,
    NavShipments,
    NavSettings,
    NavUserPermissions,
    NavSignIn,
    NavCreateAccount,
    NavDevMailbox,
    SignOut,
    LanguageLabel,
    MainNavigation,
    // Home
    HomeSignedOutTitle,
    HomeSignedOutIntro,
    HomeStepInvite,
    HomeStepShare,
    HomeStepComplete,
    HomeWelcome,
    HomeSignedInAs,
    KindSeller,
    KindSupplier,
    RoleAdmin,
    RoleMember,
    VerifyBannerTitle,
    VerifyBannerText,
    ResendVerification,
    VerificationResent,
    EmailVerifiedNote,
    // Create account
    SignUpTitle,
    SignUpIntro,
    FieldAccountKind,
    KindSellerHelp,
    KindSupplierHelp,
    FieldCompanyName,
    FieldYourName,
    FieldEmail,
    FieldPassword,
    PasswordHelp,
    FieldLanguage,
    CreateAccountButton,
    HaveAccount,
    // Sign in
    SignInTitle,
    SignInButton,
    NoAccount,
    // Forgot password
    ForgotPasswordLink,
    ForgotTitle,
    ForgotIntro,
    ForgotButton,
    ForgotSent,
    ResetIntro,
    ResetButton,
    ResetDone,
    EmailResetSubject,
    EmailResetBody,
    EmailResetButton,
    EmailResetExpiry,
    EmailPasswordChangedSubject,
    EmailPasswordChangedBody,
    EmailPasswordChangedWarning,
    EmailOpenSignIn,
    // My account
    NavAccount,
    AccountTitle,
    ProfileHeading,
    ProfileSaved,
    SaveButton,
    PasswordHeading,
    PasswordChangeIntro,
    FieldCurrentPassword,
    FieldNewPassword,
    ChangePasswordButton,
    PasswordChangedNote,
    SessionsHeading,
    SessionsIntro,
    SignOutOthersButton,
    ColumnBrowser,
    ColumnAddress,
    ColumnSignedIn,
    ColumnLastSeen,
    ThisBrowser,
    // Verify
    VerifyTitle,
    VerifyIntro,
    VerifyButton,
    VerifyMissingToken,
    // Settings
    UserPermissionsTitle,
    UsersOfCompany,
    ColumnName,
    ColumnEmail,
    ColumnRole,
    ColumnEmailStatus,
    StatusVerified,
    StatusUnverified,
    ErrBadRequest,
    // Shipments
    Pages,
    NewerPage,
    OlderPage,
    ShipmentNotAvailable,
    EditBoxN,
    DeleteBoxN,
    EmailUnsharedSubject,
    EmailUnsharedBody,
    EmailCancelledSubject,
    EmailCancelledBody,
    ShipmentsTitle,
    ShipmentsEmpty,
    // Mailbox
    MailboxTitle,
    MailboxIntro,
    MailboxEmpty,
    MailboxTo,
    MailboxSent,
    MailboxQueued,
    MailboxFailed,
    MailboxLinks,
    // Generic
    Loading,
    Working,
    NotFoundTitle,
    NotFoundText,
    SignInRequired,
    // Emails
    EmailVerifySubject,
    EmailVerifyGreeting,
    EmailVerifyBody,
    EmailVerifyButton,
    EmailVerifyExpiry,
    EmailIgnoreNote,
    EmailFooter,
    // Errors
    ErrEmailInvalid,
    ErrEmailTooLong,
    ErrCompanyNameEmpty,
    ErrCompanyNameTooLong,
    ErrPersonNameEmpty,
    ErrPersonNameTooLong,
    ErrControlCharacters,
    ErrPasswordTooShort,
    ErrPasswordTooLong,
    ErrPasswordTooCommon,
    ErrAccountKindInvalid,
    ErrLanguageInvalid,
    ErrUnauthorized,
    ErrForbidden,
    ErrBadCredentials,
    ErrTooManyAttempts,
    ErrInternal,
    ErrTransport,
    // Connections
    SccTitle,
    SccIntroSeller,
    SccIntroSupplier,
    InviteSupplierTitle,
    InviteSellerTitle,
    FieldContactName,
    FieldInvitationLanguage,
    SendInvitation,
    InvitationSentNote,
    InviteNeedsVerifiedEmail,
    InviteAdminsOnly,
    InvitationsSent,
    InvitationsReceived,
    ConnectedTitle,
    NoInvitationsSent,
    NoInvitationsReceived,
    NoConnections,
    ColumnCompany,
    ColumnContact,
    ColumnSent,
    ColumnExpires,
    ColumnStatus,
    ColumnFrom,
    ColumnKind,
    ColumnSince,
    ColumnActions,
    StatusPending,
    StatusExpired,
    StatusDeclined,
    ActionResend,
    ActionCancel,
    ActionAccept,
    ActionDecline,
    ActionRemove,
    RemoveConfirmText,
    RemoveConfirmButton,
    HistoryTitle,
    HistoryInvited,
    HistoryResent,
    HistoryCancelled,
    HistoryDeclined,
    HistoryAccepted,
    HistoryRemoved,
    InvitationTitle,
    InvitationFromText,
    RoleWordSupplier,
    RoleWordSeller,
    InvitationWhatSellerInvites,
    InvitationWhatSupplierInvites,
    InvitationSentToText,
    CreateSupplierAccountTitle,
    CreateSellerAccountTitle,
    InvitationEmailFixed,
    CreateAndConnect,
    InvitationHaveAccount,
    InvitationSignInToAccept,
    InvitationOtherEmail,
    InvitationAcceptIntro,
    EmailInviteSubject,
    EmailInviteButton,
    EmailInviteIgnore,
    EmailAcceptedSubject,
    EmailAcceptedBody,
    EmailDeclinedSubject,
    EmailDeclinedBody,
    EmailRemovedSubject,
    EmailRemovedBody,
    EmailOpenPermissions,
    ErrAdminOnly,
    ErrInvitationForOtherEmail,
    ErrInvitationLimit,
    // Shipment input
    ErrSkuEmpty,
    ErrSkuTooLong,
    ErrSkuInvalid,
    ErrQuantityInvalid,
    ErrQuantityTooLarge,
    ErrFulfillmentCenterInvalid,
    ErrProductNameEmpty,
    ErrProductNameTooLong,
    ErrPrepByInvalid,
    ErrSkuListedTwice,
    ErrTooManyFields,
    ErrNothingToLabel,
    ErrZplNeedsRoll,
    ErrTooManyLabels,
    FieldLabelSku,
    AllSkus,
    DownloadUnitLabelsZpl,
    DownloadPackList,
    UnitLabelsTitle,
    UnitLabelsIntro,
    UnitLabelsCount,
    UnitLabelsMissing,
    FieldLabelStock,
    StockLetter30,
    StockA4x24,
    StockRoll2x1,
    StockRoll50x25,
    UnitLabelsEveryItem,
    DownloadUnitLabels,
    ErrCsvColumnUnknown,
    ErrFnskuInvalid,
    ErrProductCodeInvalid,
    ErrProductCodeCheckDigit,
    ErrExpiryFlagInvalid,
    ErrTooManyItems,
    ErrNoItems,
    ErrUnitInvalid,
    ErrWeightInvalid,
    ErrWeightTooLarge,
    ErrOverSmallParcelWeightKg,
    ErrOverSmallParcelWeightLb,
    ErrDimensionInvalid,
    ErrDimensionTooLarge,
    ErrOverSmallParcelSideCm,
    ErrOverSmallParcelSideIn,
    ErrTooManySmallParcelBoxes,
    ErrPalletWeightInvalid,
    ErrPalletHeightInvalid,
    ErrThousandsSeparator,
    PalletField,
    FieldPalletCount,
    ShowPalletRows,
    ScanSound,
    ErrOverPalletWeightKg,
    ErrOverPalletWeightLb,
    ErrOverPalletHeightCm,
    ErrOverPalletHeightIn,
    ErrStackableInvalid,
    ErrTooManyPallets,
    ErrNoPallets,
    ErrPalletLines,
    ErrPalletLine,
    PalletsTitle,
    PalletsHelp,
    ColumnPallet,
    ColumnPalletWeight,
    ColumnPalletHeight,
    ColumnStackable,
    SummaryPallets,
    PalletSummary,
    PalletStackable,
    PalletNotStackable,
    // Shipments
    ActionCancelEdit,
    ActionDelete,
    ActionEdit,
    AddBoxTitle,
    AddRow,
    AllUnitsBoxed,
    BoxEveryUnitFirst,
    BoxLimitsHelp,
    BoxNofM,
    BoxedCount,
    BoxesIntro,
    CancelShipment,
    CancelShipmentConfirm,
    ChooseSupplier,
    ColumnBox,
    ColumnContents,
    ColumnDestination,
    ColumnDimensions,
    ColumnInThisBox,
    ColumnLastChange,
    ColumnPrepBy,
    ColumnFnsku,
    ColumnUpc,
    ColumnExpiry,
    ExpiresYes,
    ColumnProduct,
    ColumnQuantity,
    ColumnSeller,
    ColumnShipment,
    ColumnShipmentId,
    ColumnSupplier,
    ColumnUnboxed,
    ColumnUnits,
    CountryHelp,
    CreateShipment,
    DestinationHelp,
    DownloadLabelsA4,
    DownloadLabelsLetter,
    EditBoxTitle,
    EditShipment,
    EmailBoxTracking,
    EmailProNumber,
    EmailSharedBody,
    EmailSharedMessage,
    EmailSharedSubject,
    EmailShipFromTo,
    EmailShippedBody,
    EmailShippedSubject,
    EmailOpenShipment,
    ErrAddressFieldMissing,
    ErrAddressFieldTooLong,
    ErrBoxEmpty,
    ScanToPack,
    ScanIntro,
    FieldScan,
    ScanAdd,
    ScanAdded,
    OpenBoxTitle,
    OpenBoxEmpty,
    ColumnLeftToPack,
    CloseBox,
    DownloadLabelsThermal,
    DownloadLabelsZpl,
    ColumnExpiryDate,
    ExpiryDateOf,
    ErrExpiryDateMissing,
    ErrScanNotInShipment,
    ErrFbaIdInvalid,
    FieldFbaId,
    FbaIdHelp,
    ErrExpiryDateInvalid,
    ErrCarrierMissing,
    ErrCarrierTooLong,
    ErrCountryInvalid,
    ErrItemLines,
    ErrLine,
    ErrMoreLines,
    ErrBusy,
    ErrTooLarge,
    ErrMessageTooLong,
    ErrNoBoxes,
    ErrPhoneInvalid,
    ErrQuantityOverRemaining,
    ErrShipDateInvalid,
    ErrShipmentNameEmpty,
    ErrShipmentNameTooLong,
    ErrShippingModeInvalid,
    ErrSkuNotInShipment,
    ErrSupplierMissing,
    ErrTrackingInvalid,
    ErrTrackingMissing,
    ErrUnitsNotBoxed,
    EventBoxDeleted,
    EventBoxSaved,
    EventCancelled,
    EventConnectionRemoved,
    EventCreated,
    EventEdited,
    EventReopened,
    EventShared,
    EventShipped,
    EventShippingSaved,
    EventUnshared,
    FieldAddressLine1,
    FieldAddressLine2,
    FieldCarrier,
    FieldCity,
    FieldCountry,
    FieldCsvPrepBy,
    FieldDestination,
    FieldFromName,
    FieldHeight,
    FieldItemsCsv,
    FieldLength,
    FieldLengthUnit,
    FieldPhone,
    FieldPostalCode,
    FieldProNumber,
    FieldRegion,
    FieldShareMessage,
    FieldShipDate,
    FieldShipmentName,
    FieldShippingMode,
    FieldSides,
    FieldTracking,
    FieldWeight,
    FieldWeightUnit,
    FieldWidth,
    FilterAll,
    FilterApply,
    FilterSeller,
    ItemsTitle,
    MarkShipped,
    ModeLtl,
    ModeSmallParcel,
    NoBoxesYet,
    NoSuppliersYet,
    PasteCsvHelp,
    PasteCsvTitle,
    PrepBySeller,
    PrepBySupplier,
    PrepareShipmentTitle,
    ProgressTitle,
    ReopenPacking,
    ReopenPackingText,
    SaveBox,
    SaveShipment,
    SaveShippingAndLabels,
    SellersOnly,
    ShareIntro,
    ShareShipment,
    SharedTitle,
    SharedWithMeEmpty,
    SharedWithMeTitle,
    SharedWithText,
    ShipFromTitle,
    ShipmentTitle,
    StatusCancelled,
    StatusDraft,
    StatusLabelled,
    StatusPacking,
    StatusShared,
    StatusShipped,
    StepBoxes,
    StepShipping,
    StepTracking,
    StopSharing,
    StopSharingConfirm,
    SummaryTitle,
    TimelineTitle,
    TrackingForBox,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_heaviest_supported() {
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, en;q=0.5, zh;q=0.4"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("en-US;q=0.3, zh-TW;q=0.7"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            tf(Lang::En, Msg::HomeWelcome, &[("name", "Ann")]),
            "Welcome, Ann"
        );
        assert_eq!(
            tf(Lang::Zh, Msg::HomeWelcome, &[("name", "王芳")]),
            "欢迎,王芳"
        );
    }
}
