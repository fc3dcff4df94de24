//! Webhook subscriptions (contract §10): who is told about an org's events, where, and with which
//! key; the delivery log's rows; the retry schedule and the rules on safe targets.

mod retry;
mod target;

pub use retry::RetryPolicy;
pub use target::{forbidden_address, TargetRules, WebhookUrl};

use crate::{EventKind, OrgId, Timestamp, ValidationError, WebhookId};
use std::fmt;

/// Bytes of a webhook signing key (contract §10 asks for at least 24).
pub const WEBHOOK_SECRET_BYTES: usize = 32;
/// Longest subscription description, in characters.
pub const MAX_WEBHOOK_DESCRIPTION_LEN: usize = 1024;

/// Whether a subscription is delivered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookStatus {
    /// Delivered to.
    Enabled,
    /// Paused by its owner; keeps its position.
    Disabled,
    /// Gave up after the retry window; keeps its position until enabled again or replayed.
    Failing,
}

impl WebhookStatus {
    /// Every status.
    pub const ALL: &'static [WebhookStatus] = &[
        WebhookStatus::Enabled,
        WebhookStatus::Disabled,
        WebhookStatus::Failing,
    ];

    /// Stable lowercase spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookStatus::Enabled => "enabled",
            WebhookStatus::Disabled => "disabled",
            WebhookStatus::Failing => "failing",
        }
    }

    /// Parses the stable spelling.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.as_str() == value)
    }
}

/// A signing key: the raw bytes the HMAC is keyed with (the wire shows them as
/// `whsec_<base64>` once). Its `Debug` never prints the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// Wraps key bytes (generated from the OS CSPRNG, or read back from the store).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// The key a rotation replaced, still signing until `until` (the overlap window).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousSecret {
    /// The replaced key.
    pub secret: WebhookSecret,
    /// End of the overlap.
    pub until: Timestamp,
}

/// A webhook subscription of one org.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// Id.
    pub id: WebhookId,
    /// Owning org.
    pub org: OrgId,
    /// Target URL (checked by [`WebhookUrl::parse`] when written).
    pub url: String,
    /// Kinds delivered; `None`: every kind.
    pub event_kinds: Option<Vec<EventKind>>,
    /// Free text.
    pub description: String,
    /// Delivery status.
    pub status: WebhookStatus,
    /// Why it is `failing` (the last attempt's error).
    pub failing_reason: Option<String>,
    /// Current signing key.
    pub secret: WebhookSecret,
    /// The key a rotation replaced, during the overlap.
    pub previous_secret: Option<PreviousSecret>,
    /// Feed position delivered up to (inclusive): the next event sent has a greater `seq`.
    pub position: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Webhook {
    /// Whether events of `kind` are delivered to it.
    pub fn wants(&self, kind: EventKind) -> bool {
        self.event_kinds
            .as_ref()
            .is_none_or(|kinds| kinds.contains(&kind))
    }

    /// The keys that sign a request sent at `at`: the current one, and the replaced one while
    /// its overlap lasts.
    pub fn signing_keys(&self, at: Timestamp) -> Vec<&WebhookSecret> {
        let mut keys = vec![&self.secret];
        if let Some(previous) = self.previous_secret.as_ref().filter(|p| p.until > at) {
            keys.push(&previous.secret);
        }
        keys
    }
}

/// What `PATCH /webhooks/{id}` changes; absent members are left alone.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebhookChanges {
    /// New target.
    pub url: Option<String>,
    /// New filter; `Some(None)`: every kind.
    pub event_kinds: Option<Option<Vec<EventKind>>>,
    /// New description.
    pub description: Option<String>,
    /// `Enabled` (also clears `failing` and its retry state) or `Disabled`.
    pub status: Option<WebhookStatus>,
}

/// Validates a description, naming `field` in the error.
pub fn parse_webhook_description(value: &str, field: &str) -> Result<String, ValidationError> {
    if value.chars().count() > MAX_WEBHOOK_DESCRIPTION_LEN {
        return Err(ValidationError::new(
            field,
            format!("must be at most {MAX_WEBHOOK_DESCRIPTION_LEN} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// One delivery attempt, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Subscription.
    pub webhook_id: WebhookId,
    /// Feed position of the event sent.
    pub seq: i64,
    /// Id of the event sent (the `webhook-id` header).
    pub event_id: i64,
    /// 1 for the first attempt at this event, counting up on retries.
    pub attempt: u32,
    /// The receiver's status, when it answered.
    pub status_code: Option<u16>,
    /// Why the attempt failed (a refused target, a timeout, a non-2xx and the start of its
    /// body), `None` on success.
    pub error: Option<String>,
    /// How long the attempt took.
    pub duration_ms: u32,
    /// When it was made.
    pub at: Timestamp,
    /// When the next attempt is due, after a failure that will be retried.
    pub next_attempt_at: Option<Timestamp>,
}
