//! Random secrets for cookies and emailed links. The secret goes to the user; only
//! its SHA-256 is stored. `Secret` is deliberately neither `Debug` nor `Serialize`.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, hex-encoded.
pub struct Secret(String);

impl Secret {
    pub fn generate() -> Secret {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Secret(hex::encode(bytes))
    }

    /// Wraps a secret received from a user (a cookie, a link).
    pub fn from_user(value: &str) -> Option<Secret> {
        let value = value.trim();
        (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Secret(value.to_ascii_lowercase()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database stores and looks up by.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// A random record key for new rows (20 lowercase alphanumerics).
pub fn new_key() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect()
}

/// A new shipment id, the one people read aloud and carriers scan: `SH` and ten
/// characters without the look-alikes 0/O and 1/I.
pub fn new_shipment_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..10)
        .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect();
    format!("SH{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_hex_and_hash_stably() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 64);
        let again = Secret::from_user(a.expose()).expect("a generated secret parses");
        assert_eq!(again.hash(), a.hash());
        assert_ne!(a.hash(), a.expose());
    }

    #[test]
    fn user_supplied_secrets_must_look_like_ours() {
        assert!(Secret::from_user("").is_none());
        assert!(Secret::from_user("abc").is_none());
        assert!(Secret::from_user(&"z".repeat(64)).is_none());
        assert!(Secret::from_user(&"A".repeat(64)).is_some());
    }
}
