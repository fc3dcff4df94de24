//! `AgentCard::canonical_bytes` reproduces, byte for byte, what the A2A Python SDK
//! canonicalizes when it verifies a card's signature.
//!
//! `fixtures/a2a_canonical_samples.json` holds the sample cards; `fixtures/a2a_canonical.json`
//! is what `tests/compat/a2a_canonical.py` printed for them with the pinned `a2a-sdk` (see
//! docs/discovery.md to regenerate it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use registry_domain::AgentCard;
use serde_json::Value;

const SAMPLES: &str = include_str!("fixtures/a2a_canonical_samples.json");
const VECTORS: &str = include_str!("fixtures/a2a_canonical.json");

#[test]
fn canonical_bytes_match_the_a2a_sdk() {
    let samples: Value = serde_json::from_str(SAMPLES).unwrap();
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let vectors = vectors["canonical"].as_object().unwrap();
    let samples = samples["samples"].as_array().unwrap();
    assert_eq!(samples.len(), vectors.len(), "one vector per sample");
    for sample in samples {
        let name = sample["name"].as_str().unwrap();
        let expected = vectors[name]
            .as_str()
            .unwrap_or_else(|| panic!("no vector for {name}"));
        let card = AgentCard::parse(sample["card"].clone())
            .unwrap_or_else(|e| panic!("sample {name} is not a valid card: {e}"));
        let ours = String::from_utf8(card.canonical_bytes()).unwrap();
        assert!(
            ours == expected,
            "sample {name}:\n ours: {ours}\n sdk:  {expected}\n first difference at byte {}",
            ours.bytes()
                .zip(expected.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(ours.len().min(expected.len()))
        );
    }
}

/// The canonical form does not depend on how the card was stored: the same card read back
/// from its stored JSON (numbers in stored form, keys in any order) gives the same bytes.
#[test]
fn canonical_bytes_survive_a_store_round_trip() {
    let samples: Value = serde_json::from_str(SAMPLES).unwrap();
    for sample in samples["samples"].as_array().unwrap() {
        let card = AgentCard::parse(sample["card"].clone()).unwrap();
        let stored = serde_json::to_string(&card.to_value()).unwrap();
        let again = AgentCard::parse(serde_json::from_str(&stored).unwrap()).unwrap();
        assert_eq!(again, card);
        assert_eq!(again.canonical_bytes(), card.canonical_bytes());
    }
}
