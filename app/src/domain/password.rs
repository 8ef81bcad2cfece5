use super::InputError;

/// A new password that is long enough and not one of the most common ones. Neither
/// `Debug` nor `Serialize`: it must never reach a log or a response.
pub struct Password(String);

/// The most common passwords of public breach lists, Chinese sites' favourites
/// included; one per line, lower case.
const COMMON: &str = include_str!("common_passwords.txt");

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(input: &str) -> Result<Password, InputError> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(InputError::PasswordTooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(InputError::PasswordTooLong);
        }
        // No keyboard types them; a password holding one was pasted by mistake and
        // could never be typed again.
        if input.chars().any(char::is_control) {
            return Err(InputError::TextHasControlCharacters);
        }
        let lower = input.to_lowercase();
        if COMMON.lines().any(|common| common == lower) {
            return Err(InputError::PasswordTooCommon);
        }
        Ok(Password(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_reasonable_passwords() {
        assert!(Password::parse("correct horse battery").is_ok());
        assert!(Password::parse("长城长城长城长城").is_ok());
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert!(Password::parse("with spaces and symbols !@#").is_ok());
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(matches!(
            Password::parse("red\u{1b}[31mhorse"),
            Err(InputError::TextHasControlCharacters)
        ));
        assert!(matches!(
            Password::parse("tab\tseparated"),
            Err(InputError::TextHasControlCharacters)
        ));
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(matches!(
            Password::parse("short"),
            Err(InputError::PasswordTooShort)
        ));
        assert!(matches!(
            Password::parse(""),
            Err(InputError::PasswordTooShort)
        ));
        assert!(matches!(
            Password::parse(&"x".repeat(129)),
            Err(InputError::PasswordTooLong)
        ));
    }

    #[test]
    fn refuses_common_passwords_in_any_case() {
        for common in [
            "password",
            "PASSWORD1",
            "12345678",
            "qwertyuiop",
            "woaini1314",
            "1qaz2wsx",
        ] {
            assert!(
                matches!(Password::parse(common), Err(InputError::PasswordTooCommon)),
                "{common} should be refused"
            );
        }
    }

    #[test]
    fn the_list_is_clean() {
        for line in COMMON.lines() {
            assert_eq!(line, line.trim());
            assert_eq!(line, line.to_lowercase());
            assert!(!line.is_empty());
        }
    }
}
