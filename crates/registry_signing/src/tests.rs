use super::*;
use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey, EncodePublicKey};
use registry_domain::AgentCard;
use serde_json::json;

/// RFC 8037 Appendix A.1: the example Ed25519 key.
const RFC8037_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
";
const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
/// RFC 8037 Appendix A.3.
const RFC8037_THUMBPRINT: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

fn rfc_signer() -> Ed25519CardSigner {
    Ed25519CardSigner::from_pem(RFC8037_PEM).unwrap()
}

fn other_key(byte: u8) -> SigningKey {
    SigningKey::from_bytes(&[byte; 32])
}

fn card() -> AgentCard {
    AgentCard::parse(json!({
        "name": "Signed Agent",
        "description": "Ünïcode and 😀.",
        "supportedInterfaces": [{"url": "https://a.example.com", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}],
        "version": "1",
        "capabilities": {"streaming": false},
        "defaultInputModes": ["text/plain"],
        "defaultOutputModes": ["text/plain"],
        "skills": [{"id": "s", "name": "S", "description": "D", "tags": ["data:read"]}]
    }))
    .unwrap()
}

#[test]
fn the_kid_is_the_rfc_7638_thumbprint() {
    let signer = rfc_signer();
    assert_eq!(signer.kid(), RFC8037_THUMBPRINT);
    assert_eq!(
        signer.jwks().to_json(),
        json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                         "kid": RFC8037_THUMBPRINT, "x": RFC8037_X}]})
    );
}

/// RFC 8037 Appendix A.4: the JWS of "Example of Ed25519 signing" under `{"alg":"EdDSA"}`.
#[test]
fn signatures_match_rfc_8037() {
    let signer = rfc_signer();
    let jws = sign_jws(
        &signer.key,
        br#"{"alg":"EdDSA"}"#,
        b"Example of Ed25519 signing",
    );
    assert_eq!(jws.protected, "eyJhbGciOiJFZERTQSJ9");
    assert_eq!(
        jws.signature,
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    );
}

/// The registry's header and a fixed key give fixed bytes (Ed25519 is deterministic); the
/// expected values were computed with Python's `cryptography`.
#[test]
fn a_fixed_key_gives_a_fixed_signature() {
    let sig = rfc_signer().sign(br#"{"name":"n"}"#);
    assert_eq!(
        sig.protected,
        "eyJhbGciOiJFZERTQSIsImtpZCI6ImtQcktfcW14VldhWVZBOXd3QkY2SXVvM3ZWeno3VHhIQ1R3WEJ5Z3JTNGsiLCJ0eXAiOiJKT1NFIn0"
    );
    let header = URL_SAFE_NO_PAD.decode(&sig.protected).unwrap();
    assert_eq!(
        std::str::from_utf8(&header).unwrap(),
        format!(r#"{{"alg":"EdDSA","kid":"{RFC8037_THUMBPRINT}","typ":"JOSE"}}"#)
    );
    assert_eq!(
        sig.signature,
        "Faw5PYK1_nmeOyu1d5TdMd8x35qiGEshiAREW6jeY7nprCRtV2ROurq8yOWcGKNWZBKhYIyatebXMotloWn2Cg"
    );
}

#[test]
fn a_signed_card_verifies_and_an_altered_one_does_not() {
    let signer = rfc_signer();
    let card = card();
    let signed = signer.sign_card(&card);
    let sigs = signed.signatures();
    assert_eq!(sigs.len(), 1);
    assert!(signer.verify(&signed.canonical_bytes(), &sigs[0]));

    let mut altered = signed.to_value();
    altered["description"] = json!("Something else.");
    let altered = AgentCard::parse(altered).unwrap();
    assert!(!signer.verify(&altered.canonical_bytes(), &sigs[0]));

    // Neither a foreign key nor a forged header passes.
    let stranger = Ed25519CardSigner::new(other_key(9), []);
    assert!(!stranger.verify(&signed.canonical_bytes(), &sigs[0]));
    let mut forged = sigs[0].clone();
    forged.protected = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"alg":"none","kid":"{}","typ":"JOSE"}}"#,
        signer.kid()
    ));
    assert!(!signer.verify(&signed.canonical_bytes(), &forged));
    let mut garbage = sigs[0].clone();
    garbage.signature = "not base64!".into();
    assert!(!signer.verify(&signed.canonical_bytes(), &garbage));
}

#[test]
fn retired_keys_stay_published_after_a_rotation() {
    let old = Ed25519CardSigner::new(other_key(1), []);
    let signed_before = old.sign_card(&card());
    let new = Ed25519CardSigner::new(other_key(2), [other_key(1).verifying_key()]);
    let kids: Vec<String> = new.jwks().keys.into_iter().map(|k| k.kid).collect();
    assert_eq!(kids, [new.kid().to_owned(), old.kid().to_owned()]);
    assert_ne!(new.kid(), old.kid());
    let sig = &signed_before.signatures()[0];
    assert!(new.verify(&signed_before.canonical_bytes(), sig));
    // The new signature is added beside the old one; both verify.
    let signed_again = new.sign_card(&signed_before);
    for sig in signed_again.signatures() {
        assert!(new.verify(&signed_again.canonical_bytes(), &sig));
    }
    // The signing key is not published twice.
    let same = Ed25519CardSigner::new(other_key(2), [other_key(2).verifying_key()]);
    assert_eq!(same.jwks().keys.len(), 1);
}

#[test]
fn a_key_file_holds_the_signing_key_then_retired_keys() {
    let retired_private = other_key(3).to_pkcs8_pem(LineEnding::LF).unwrap();
    let retired_public = other_key(4)
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let text = format!(
        "# current\n{RFC8037_PEM}\n# retired\n{}{retired_public}",
        *retired_private
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("card-signing.pem");
    std::fs::write(&path, text).unwrap();
    let signer = Ed25519CardSigner::from_pem_file(&path).unwrap();
    assert_eq!(signer.kid(), RFC8037_THUMBPRINT);
    let kids: Vec<String> = signer.jwks().keys.into_iter().map(|k| k.kid).collect();
    assert_eq!(
        kids,
        [
            RFC8037_THUMBPRINT.to_owned(),
            jwk_thumbprint(&other_key(3).verifying_key()),
            jwk_thumbprint(&other_key(4).verifying_key()),
        ]
    );
    assert!(format!("{signer:?}").contains(RFC8037_THUMBPRINT));
}

#[test]
fn bad_key_files_are_refused_with_a_reason() {
    let missing = Ed25519CardSigner::from_pem_file(Path::new("/nonexistent/key.pem")).unwrap_err();
    assert!(matches!(missing, SigningKeyError::Io { .. }), "{missing}");
    assert!(matches!(
        Ed25519CardSigner::from_pem("no pem here").unwrap_err(),
        SigningKeyError::NoKey
    ));
    let public_first = other_key(4)
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    assert!(matches!(
        Ed25519CardSigner::from_pem(&public_first).unwrap_err(),
        SigningKeyError::FirstNotPrivate(label) if label == "PUBLIC KEY"
    ));
    let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    let err = Ed25519CardSigner::from_pem(garbage).unwrap_err();
    assert!(
        matches!(err, SigningKeyError::Invalid { index: 1, .. }),
        "{err}"
    );
    let cert =
        format!("{RFC8037_PEM}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    let err = Ed25519CardSigner::from_pem(&cert).unwrap_err();
    assert!(
        matches!(err, SigningKeyError::Invalid { index: 2, .. }),
        "{err}"
    );
}
