//! The Standard Webhooks message of one feed event: its body
//! `{"type": "agent.<kind>", "timestamp": <the event's time>, "data": <the event>}` and its
//! headers, signed with every key the subscription signs with now.

use crate::client::Signed;
use registry_domain::{OrgSlug, Timestamp, Webhook};
use registry_ports::FeedEvent;
use registry_signing::webhook_signature;
use serde_json::json;
use time::format_description::well_known::Rfc3339;

fn rfc3339(at: Timestamp) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The event as the feed shows it (contract §10): `seq`, `id`, `org`, `agent_id`,
/// `agent_name`, `kind`, `from_status`, `to_status`, `actor`, `at`, `detail`.
pub fn event_json(e: &FeedEvent, org: &OrgSlug) -> serde_json::Value {
    let event = &e.event.event;
    json!({
        "seq": e.seq,
        "id": e.event.id,
        "org": org.as_str(),
        "agent_id": event.agent_id.to_string(),
        "agent_name": e.agent_name,
        "kind": event.kind.as_str(),
        "from_status": event.from_status.map(|s| s.as_str()),
        "to_status": event.to_status.map(|s| s.as_str()),
        "actor": event.actor,
        "at": rfc3339(event.at),
        "detail": event.detail,
    })
}

/// The signed request for `e` to `webhook`, sent at `now`: `webhook-id` is the event's id (the
/// same on every retry, so receivers can drop duplicates), `webhook-timestamp` the sending
/// time, one `v1,` signature per key in use (two during a rotation's overlap).
pub fn signed_message(webhook: &Webhook, e: &FeedEvent, org: &OrgSlug, now: Timestamp) -> Signed {
    let body = json!({
        "type": format!("agent.{}", e.event.event.kind.as_str()),
        "timestamp": rfc3339(e.event.event.at),
        "data": event_json(e, org),
    });
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let id = e.event.id.to_string();
    let timestamp = now.unix_timestamp();
    let signature = webhook_signature(&webhook.signing_keys(now), &id, timestamp, &body);
    Signed {
        id,
        timestamp,
        signature,
        body,
    }
}
