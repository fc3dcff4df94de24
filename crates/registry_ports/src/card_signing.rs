//! Registry-attested agent cards (contract §11): a detached JWS over the card's canonical bytes,
//! and the public keys that verify it, published as a JWK Set.

use registry_domain::{AgentCard, AgentCardSignature};
use serde_json::{json, Value};

/// Signs agent cards with the registry's key. Synchronous: the key is in memory and signing is
/// a computation, never I/O.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait CardSigner: Send + Sync {
    /// A detached JWS (RFC 7515) over `canonical`, the bytes [`AgentCard::canonical_bytes`]
    /// returned: protected header `{"alg":"EdDSA","kid":…,"typ":"JOSE"}`, the signature over
    /// `BASE64URL(protected) || '.' || BASE64URL(canonical)`; the payload itself is not kept.
    fn sign(&self, canonical: &[u8]) -> AgentCardSignature;

    /// The public keys that verify the registry's signatures, the signing key first, then any
    /// retired key still published for cards signed before a rotation.
    fn jwks(&self) -> JwkSet;

    /// `card` with the registry's signature appended to its `signatures`.
    fn sign_card(&self, card: &AgentCard) -> AgentCard {
        card.with_signature(self.sign(&card.canonical_bytes()))
    }
}

/// One public key (RFC 7517), as served at `/.well-known/jwks.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    /// Key type: `OKP` for Ed25519 (RFC 8037).
    pub kty: String,
    /// Curve: `Ed25519`.
    pub crv: String,
    /// Algorithm: `EdDSA`.
    pub alg: String,
    /// Key id, as in the signatures' protected header.
    pub kid: String,
    /// The public key, base64url without padding.
    pub x: String,
}

impl Jwk {
    /// The JSON object: `{"kty","crv","alg","kid","x","use":"sig"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "kty": self.kty,
            "crv": self.crv,
            "alg": self.alg,
            "kid": self.kid,
            "x": self.x,
            "use": "sig",
        })
    }
}

/// A JWK Set (RFC 7517 §5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwkSet {
    /// The keys, the signing key first.
    pub keys: Vec<Jwk>,
}

impl JwkSet {
    /// The JSON object: `{"keys": [...]}`.
    pub fn to_json(&self) -> Value {
        json!({ "keys": self.keys.iter().map(Jwk::to_json).collect::<Vec<_>>() })
    }
}
