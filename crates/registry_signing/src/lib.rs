#![doc = include_str!("../README.md")]

mod webhook;

pub use webhook::{
    parse_webhook_secret, verify_webhook_signature, webhook_secret_text, webhook_signature,
    WEBHOOK_SECRET_PREFIX,
};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use registry_domain::AgentCardSignature;
use registry_ports::{CardSigner, Jwk, JwkSet};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::Path;

/// The JWS algorithm of every signature (RFC 8037).
pub const ALG: &str = "EdDSA";

/// Why a signing key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    /// The key file could not be read.
    #[error("cannot read the card signing key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The text holds no PEM block.
    #[error(
        "the card signing key file holds no PEM block (expected an Ed25519 PKCS#8 `PRIVATE KEY`)"
    )]
    NoKey,
    /// The first block is not a private key: there is nothing to sign with.
    #[error("the first PEM block of the card signing key file must be the Ed25519 `PRIVATE KEY` that signs, not `{0}`")]
    FirstNotPrivate(String),
    /// A block is not an Ed25519 key of its kind.
    #[error("PEM block {index} (`{label}`) of the card signing key file is not an Ed25519 key: {reason}")]
    Invalid {
        /// 1-based position of the block.
        index: usize,
        /// The block's label (`PRIVATE KEY`, `PUBLIC KEY`, …).
        label: String,
        /// What the decoder said.
        reason: String,
    },
}

/// An Ed25519 [`CardSigner`]: one signing key, and the retired public keys still published.
pub struct Ed25519CardSigner {
    key: SigningKey,
    kid: String,
    /// The published keys with their kids, the signing key's first.
    published: Vec<(String, VerifyingKey)>,
}

impl fmt::Debug for Ed25519CardSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<&str> = self.published.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Ed25519CardSigner")
            .field("kid", &self.kid)
            .field("published", &kids)
            .finish_non_exhaustive()
    }
}

impl Ed25519CardSigner {
    /// Signs with `key`; also publishes `retired` (duplicates of the signing key are dropped).
    pub fn new(key: SigningKey, retired: impl IntoIterator<Item = VerifyingKey>) -> Self {
        let current = key.verifying_key();
        let kid = jwk_thumbprint(&current);
        let mut published = vec![(kid.clone(), current)];
        for public in retired {
            let retired_kid = jwk_thumbprint(&public);
            if !published.iter().any(|(k, _)| *k == retired_kid) {
                published.push((retired_kid, public));
            }
        }
        Self {
            key,
            kid,
            published,
        }
    }

    /// Loads the key file `CARD_SIGNING_KEY_FILE` names (see [`Ed25519CardSigner::from_pem`]).
    pub fn from_pem_file(path: &Path) -> Result<Self, SigningKeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| SigningKeyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_pem(&text)
    }

    /// Reads PEM text: the first block is the Ed25519 PKCS#8 `PRIVATE KEY` that signs (as
    /// `openssl genpkey -algorithm ed25519` writes it); further `PRIVATE KEY` or `PUBLIC KEY`
    /// blocks are retired keys, only published.
    pub fn from_pem(text: &str) -> Result<Self, SigningKeyError> {
        let blocks = pem_blocks(text);
        let Some((first_label, _)) = blocks.first() else {
            return Err(SigningKeyError::NoKey);
        };
        if *first_label != "PRIVATE KEY" {
            return Err(SigningKeyError::FirstNotPrivate((*first_label).to_owned()));
        }
        let mut key = None;
        let mut retired = Vec::new();
        for (i, (label, block)) in blocks.iter().enumerate() {
            let invalid = |reason: String| SigningKeyError::Invalid {
                index: i + 1,
                label: (*label).to_owned(),
                reason,
            };
            match *label {
                "PRIVATE KEY" => {
                    let k =
                        SigningKey::from_pkcs8_pem(block).map_err(|e| invalid(e.to_string()))?;
                    if key.is_none() {
                        key = Some(k);
                    } else {
                        retired.push(k.verifying_key());
                    }
                }
                "PUBLIC KEY" => retired.push(
                    VerifyingKey::from_public_key_pem(block).map_err(|e| invalid(e.to_string()))?,
                ),
                _ => return Err(invalid("expected `PRIVATE KEY` or `PUBLIC KEY`".into())),
            }
        }
        key.map(|k| Self::new(k, retired))
            .ok_or(SigningKeyError::NoKey)
    }

    /// The signing key's id (its RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Whether `signature` is a valid registry signature of `canonical`: its protected header
    /// names `EdDSA` and a published `kid`, and that key verifies it (strictly).
    pub fn verify(&self, canonical: &[u8], signature: &AgentCardSignature) -> bool {
        let Ok(header) = URL_SAFE_NO_PAD.decode(&signature.protected) else {
            return false;
        };
        let Ok(header) = serde_json::from_slice::<serde_json::Value>(&header) else {
            return false;
        };
        if header.get("alg").and_then(|a| a.as_str()) != Some(ALG) {
            return false;
        }
        let Some(kid) = header.get("kid").and_then(|k| k.as_str()) else {
            return false;
        };
        let Some((_, public)) = self.published.iter().find(|(k, _)| k == kid) else {
            return false;
        };
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(&signature.signature) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&bytes) else {
            return false;
        };
        public
            .verify_strict(
                signing_input(&signature.protected, canonical).as_bytes(),
                &sig,
            )
            .is_ok()
    }
}

impl CardSigner for Ed25519CardSigner {
    fn sign(&self, canonical: &[u8]) -> AgentCardSignature {
        let header = format!(r#"{{"alg":"{ALG}","kid":"{}","typ":"JOSE"}}"#, self.kid);
        sign_jws(&self.key, header.as_bytes(), canonical)
    }

    fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self
                .published
                .iter()
                .map(|(kid, public)| Jwk {
                    kty: "OKP".into(),
                    crv: "Ed25519".into(),
                    alg: ALG.into(),
                    kid: kid.clone(),
                    x: URL_SAFE_NO_PAD.encode(public.as_bytes()),
                })
                .collect(),
        }
    }
}

/// The RFC 7638 thumbprint of the Ed25519 public key's JWK: SHA-256 over
/// `{"crv":"Ed25519","kty":"OKP","x":…}`, base64url without padding.
pub fn jwk_thumbprint(public: &VerifyingKey) -> String {
    let x = URL_SAFE_NO_PAD.encode(public.as_bytes());
    let members = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(members.as_bytes()))
}

/// `BASE64URL(protected) '.' BASE64URL(payload)`, with `protected` already encoded.
fn signing_input(protected: &str, payload: &[u8]) -> String {
    format!("{protected}.{}", URL_SAFE_NO_PAD.encode(payload))
}

/// A detached JWS of `payload` under the protected header `header` (JSON bytes).
fn sign_jws(key: &SigningKey, header: &[u8], payload: &[u8]) -> AgentCardSignature {
    let protected = URL_SAFE_NO_PAD.encode(header);
    let signature = key.sign(signing_input(&protected, payload).as_bytes());
    AgentCardSignature {
        signature: URL_SAFE_NO_PAD.encode(signature.to_bytes()),
        protected,
    }
}

/// The PEM blocks of `text`: (label, the block's text from its BEGIN line to its END line).
fn pem_blocks(text: &str) -> Vec<(&str, &str)> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let from = &rest[begin..];
        let label_start = "-----BEGIN ".len();
        let Some(label_len) = from[label_start..].find("-----") else {
            break;
        };
        let label = &from[label_start..label_start + label_len];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = from.find(&end_marker) else {
            // An unterminated block is handed to the decoder, which says what is wrong.
            blocks.push((label, from));
            break;
        };
        let block_len = end + end_marker.len();
        blocks.push((label, &from[..block_len]));
        rest = &from[block_len..];
    }
    blocks
}

#[cfg(test)]
mod tests;
