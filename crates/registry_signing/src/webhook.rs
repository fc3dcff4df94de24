//! Standard Webhooks v1 signatures (contract §10): HMAC-SHA256 over
//! `"{webhook-id}.{webhook-timestamp}.{body}"` keyed with the subscription's secret, sent as
//! `v1,<base64>`, one per key, space-separated (several during a rotation's overlap). Secrets
//! travel as `whsec_<base64 of the key>`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use registry_domain::WebhookSecret;
use sha2::Sha256;

/// Prefix of a webhook secret's text.
pub const WEBHOOK_SECRET_PREFIX: &str = "whsec_";

/// The text a subscriber is shown once: `whsec_<base64 of the key>`.
pub fn webhook_secret_text(secret: &WebhookSecret) -> String {
    format!(
        "{WEBHOOK_SECRET_PREFIX}{}",
        STANDARD.encode(secret.as_bytes())
    )
}

/// The key of a secret's text, if it is one.
pub fn parse_webhook_secret(text: &str) -> Option<WebhookSecret> {
    let encoded = text.strip_prefix(WEBHOOK_SECRET_PREFIX)?;
    STANDARD.decode(encoded).ok().map(WebhookSecret::from_bytes)
}

fn mac(key: &WebhookSecret, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `webhook-signature` header value: one `v1,<base64>` per key, in order, space-separated.
pub fn webhook_signature(keys: &[&WebhookSecret], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .map(|key| {
            let tag = mac(key, id, timestamp, body).finalize().into_bytes();
            format!("v1,{}", STANDARD.encode(tag))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether one of the `v1` signatures in `header` is `key`'s over this message (compared in
/// constant time): what a receiver checks.
pub fn verify_webhook_signature(
    header: &str,
    key: &WebhookSecret,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> bool {
    header
        .split(' ')
        .filter_map(|sig| sig.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .any(|tag| mac(key, id, timestamp, body).verify_slice(&tag).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_through_their_text() {
        let key = WebhookSecret::from_bytes((0u8..32).collect());
        let text = webhook_secret_text(&key);
        assert!(text.starts_with("whsec_"), "{text}");
        assert_eq!(parse_webhook_secret(&text), Some(key));
        assert_eq!(parse_webhook_secret("whsec_!!"), None);
        assert_eq!(parse_webhook_secret("abc"), None);
    }

    /// The Standard Webhooks specification's published example (secret, id, timestamp,
    /// payload and the signature it gives).
    #[test]
    fn the_specifications_example_signs_as_published() {
        let key = parse_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let header = webhook_signature(&[&key], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify_webhook_signature(
            &header,
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            body
        ));
    }

    #[test]
    fn every_key_signs_and_each_verifies() {
        let (old, new) = (
            WebhookSecret::from_bytes(vec![1; 32]),
            WebhookSecret::from_bytes(vec![2; 32]),
        );
        let header = webhook_signature(&[&new, &old], "42", 1_700_000_000, b"{}");
        assert_eq!(header.split(' ').count(), 2);
        assert!(verify_webhook_signature(
            &header,
            &new,
            "42",
            1_700_000_000,
            b"{}"
        ));
        assert!(verify_webhook_signature(
            &header,
            &old,
            "42",
            1_700_000_000,
            b"{}"
        ));
        let stranger = WebhookSecret::from_bytes(vec![3; 32]);
        assert!(!verify_webhook_signature(
            &header,
            &stranger,
            "42",
            1_700_000_000,
            b"{}"
        ));
        assert!(!verify_webhook_signature(
            &header,
            &new,
            "43",
            1_700_000_000,
            b"{}"
        ));
        assert!(!verify_webhook_signature(
            &header,
            &new,
            "42",
            1_700_000_001,
            b"{}"
        ));
        assert!(!verify_webhook_signature(
            &header,
            &new,
            "42",
            1_700_000_000,
            b"{ }"
        ));
    }
}
