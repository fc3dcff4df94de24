//! Credential secrets: generation from the OS CSPRNG and keyed hashing.

use crate::RegistryError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Prefix of agent API keys.
pub const AGENT_KEY_PREFIX: &str = "agk_";
/// Prefix of service tokens.
pub const SERVICE_TOKEN_PREFIX: &str = "art_";

/// Bytes of randomness in every secret (256 bits).
const SECRET_BYTES: usize = 32;

/// A new secret: `prefix` followed by 64 hex characters (256 bits from the OS CSPRNG).
/// `Internal` if the OS cannot provide randomness.
pub fn generate_secret(prefix: &str) -> Result<String, RegistryError> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| RegistryError::Internal(format!("OS random source failed: {e}").into()))?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

/// The keyed hash (HMAC-SHA-256 with `key`, lowercase hex) under which a secret is stored and
/// looked up.
pub fn hash_secret(key: &[u8], secret: &str) -> String {
    SecretHasher::new(key).hash(secret)
}

/// [`hash_secret`] under one key, with the key's HMAC state computed once: every authenticated
/// request hashes its credential, and keying the HMAC is half of the work of a short secret.
#[derive(Clone)]
pub struct SecretHasher(Hmac<Sha256>);

impl SecretHasher {
    /// A hasher under `key` (any length).
    pub fn new(key: &[u8]) -> Self {
        let Ok(mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
            unreachable!("HMAC accepts keys of any length")
        };
        Self(mac)
    }

    /// The keyed hash of `secret`, as [`hash_secret`] gives it.
    pub fn hash(&self, secret: &str) -> String {
        let mut mac = self.0.clone();
        mac.update(secret.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_carry_256_random_bits_after_the_prefix() {
        let a = generate_secret(AGENT_KEY_PREFIX).unwrap();
        let b = generate_secret(AGENT_KEY_PREFIX).unwrap();
        let body = a.strip_prefix(AGENT_KEY_PREFIX).unwrap();
        assert!(body.len() >= 64, "{body}");
        assert!(body.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(generate_secret(SERVICE_TOKEN_PREFIX)
            .unwrap()
            .starts_with("art_"));
    }

    #[test]
    fn hashes_depend_on_the_server_key_and_the_secret() {
        let h1 = hash_secret(b"key-one", "agk_abc");
        assert_eq!(h1, hash_secret(b"key-one", "agk_abc"));
        assert_ne!(h1, hash_secret(b"key-two", "agk_abc"));
        assert_ne!(h1, hash_secret(b"key-one", "agk_abd"));
        assert_eq!(h1.len(), 64);
        assert!(!h1.contains("abc"));
    }

    #[test]
    fn a_prepared_hasher_hashes_as_the_function_does_each_time() {
        let hasher = SecretHasher::new(b"key-one");
        assert_eq!(hasher.hash("agk_abc"), hash_secret(b"key-one", "agk_abc"));
        assert_eq!(hasher.hash("agk_abd"), hash_secret(b"key-one", "agk_abd"));
        assert_eq!(hasher.hash("agk_abc"), hash_secret(b"key-one", "agk_abc"));
        assert_ne!(hasher.hash("agk_abc"), hash_secret(b"key-two", "agk_abc"));
    }
}
