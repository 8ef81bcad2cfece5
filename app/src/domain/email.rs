use serde::{Deserialize, Serialize};

use super::InputError;

/// A syntactically plausible email address, trimmed and lower-cased. Whether it is
/// really the user's is proven by the verification link, not by parsing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<EmailAddress, InputError> {
        let email = input.trim().to_lowercase();
        if email.len() > Self::MAX_LEN {
            return Err(InputError::EmailTooLong);
        }
        let (local, domain) = email.rsplit_once('@').ok_or(InputError::EmailInvalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2);
        if local_ok && domain_ok {
            Ok(EmailAddress(email))
        } else {
            Err(InputError::EmailInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_normalises_them() {
        let e = EmailAddress::parse("  Li.Wei+orders@Example.COM.cn ").unwrap();
        assert_eq!(e.as_str(), "li.wei+orders@example.com.cn");
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "   ",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a..b@example.com",
            ".a@example.com",
            "a@-example.com",
            "a@example.c",
            "a b@example.com",
            "a@exa mple.com",
            "<script>@x.com",
            "张伟@例子.中国",
            "a@exam\nple.com",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn refuses_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(InputError::EmailTooLong));
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(
            EmailAddress::parse(&long_local),
            Err(InputError::EmailInvalid)
        );
    }
}
