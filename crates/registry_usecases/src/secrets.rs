//! Credential secrets: generation from the OS CSPRNG and keyed hashing.

use crate::RegistryError;

/// Prefix of agent API keys.
pub const AGENT_KEY_PREFIX: &str = "agk_";
/// Prefix of service tokens.
pub const SERVICE_TOKEN_PREFIX: &str = "art_";

/// A new secret: `prefix` followed by 64 hex characters (256 bits from the OS CSPRNG).
/// `Internal` if the OS cannot provide randomness.
pub fn generate_secret(prefix: &str) -> Result<String, RegistryError> {
    let _ = prefix;
    unimplemented!("generate_secret")
}

/// The keyed hash (HMAC-SHA-256 with `key`, lowercase hex) under which a secret is stored and
/// looked up.
pub fn hash_secret(key: &[u8], secret: &str) -> String {
    let _ = (key, secret);
    unimplemented!("hash_secret")
}
