//! Webhook subscriptions and their delivery log on the wire (contract §10).

use super::{opt_timestamp, timestamp};
use registry_domain::{Delivery, EventKind, ValidationError, Webhook};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// A subscription (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookResponse {
    /// Id.
    pub id: String,
    /// Target URL.
    pub url: String,
    /// Kinds delivered (`created`, `transition`...); `null`: every kind.
    pub event_kinds: Option<Vec<String>>,
    /// Free text.
    pub description: String,
    /// `enabled`, `disabled` or `failing`.
    pub status: String,
    /// Why it is `failing` (the last attempt's error).
    pub failing_reason: Option<String>,
    /// Feed position delivered up to: the next event sent has a greater `seq`.
    pub position: i64,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

impl From<&Webhook> for WebhookResponse {
    fn from(w: &Webhook) -> Self {
        Self {
            id: w.id.to_string(),
            url: w.url.clone(),
            event_kinds: w
                .event_kinds
                .as_ref()
                .map(|kinds| kinds.iter().map(|k| k.as_str().to_owned()).collect()),
            description: w.description.clone(),
            status: w.status.as_str().to_owned(),
            failing_reason: w.failing_reason.clone(),
            position: w.position,
            created_at: timestamp(w.created_at),
            updated_at: timestamp(w.updated_at),
        }
    }
}

/// `POST /webhooks` and `POST /webhooks/{id}/rotate-secret` response: the subscription and its
/// secret, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookWithSecretResponse {
    /// The subscription.
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// `whsec_<base64 of the key>`: the key receivers verify signatures with.
    pub secret: String,
}

/// `POST /webhooks` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateWebhookRequest {
    /// `https` URL (`http` only where the server allows it); its host must not resolve to a
    /// loopback, private, link-local or unspecified address.
    pub url: String,
    /// Kinds to deliver; absent or `null`: every kind.
    pub event_kinds: Option<Vec<String>>,
    /// Up to 1024 characters.
    pub description: Option<String>,
}

/// `PATCH /webhooks/{id}` body: only the members present change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UpdateWebhookRequest {
    /// New target (checked like at create).
    pub url: Option<String>,
    /// New filter; `null`: every kind.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>)]
    pub event_kinds: Option<Option<Vec<String>>>,
    /// New description.
    pub description: Option<String>,
    /// `enabled` (also restarts a `failing` subscription at its position) or `disabled`.
    #[schema(value_type = Option<super::rules::WebhookStatusInput>)]
    pub status: Option<String>,
}

/// `POST /webhooks/{id}/replay` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReplayRequest {
    /// Feed position to redeliver after (every later event is sent again, in order).
    #[schema(minimum = 0)]
    #[serde(deserialize_with = "whole_number")]
    pub after: i64,
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryResponse {
    /// Feed position of the event.
    pub seq: i64,
    /// Subscription.
    pub webhook_id: String,
    /// 1 for the first attempt at this event.
    pub attempt: u32,
    /// The receiver's status, when it answered.
    pub status_code: Option<u16>,
    /// Why it failed (the receiver's body truncated); `null` on success.
    pub error: Option<String>,
    /// How long the attempt took.
    pub duration_ms: u32,
    /// RFC 3339 UTC.
    pub at: String,
    /// When the event is tried again, after a failure.
    pub next_attempt_at: Option<String>,
}

impl From<&Delivery> for DeliveryResponse {
    fn from(d: &Delivery) -> Self {
        Self {
            seq: d.seq,
            webhook_id: d.webhook_id.to_string(),
            attempt: d.attempt,
            status_code: d.status_code,
            error: d.error.clone(),
            duration_ms: d.duration_ms,
            at: timestamp(d.at),
            next_attempt_at: opt_timestamp(d.next_attempt_at),
        }
    }
}

/// Parses a list of kinds (422 naming `event_kinds[i]`; an empty list is refused: absent means
/// every kind).
pub fn parse_event_kinds(kinds: &[String]) -> Result<Vec<EventKind>, ValidationError> {
    if kinds.is_empty() {
        return Err(ValidationError::new(
            "event_kinds",
            "must name at least one kind (omit it, or send null, for every kind)",
        ));
    }
    kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            EventKind::parse(k).ok_or_else(|| {
                let all: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
                ValidationError::new(
                    format!("event_kinds[{i}]"),
                    format!("must be one of {}", all.join(", ")),
                )
            })
        })
        .collect()
}

/// Tells an absent member (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Vec<String>>>, D::Error> {
    Option::<Vec<String>>::deserialize(d).map(Some)
}

/// An integer written either way JSON allows: `42` or `42.0` (JSON Schema's `integer` admits
/// both, and so do clients that compute positions in floating point). A fraction, or a value
/// outside `i64`, is refused.
fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    n.as_f64()
        .filter(|f| f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64)
        .map(|f| f as i64)
        .ok_or_else(|| serde::de::Error::custom("must be an integer"))
}

#[cfg(test)]
mod tests {
    use super::ReplayRequest;

    fn after(body: &str) -> Option<i64> {
        serde_json::from_str::<ReplayRequest>(body)
            .ok()
            .map(|r| r.after)
    }

    #[test]
    fn a_replay_position_is_read_as_an_integer_written_either_way() {
        assert_eq!(after(r#"{"after": 42}"#), Some(42));
        assert_eq!(
            after(r#"{"after": 4041180162542.0}"#),
            Some(4_041_180_162_542)
        );
        assert_eq!(after(r#"{"after": 1.5}"#), None);
        assert_eq!(after(r#"{"after": 1e300}"#), None);
        assert_eq!(after(r#"{"after": "1"}"#), None);
    }
}
