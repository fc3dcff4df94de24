//! Webhook delivery (contract §10): the HTTP client that checks targets against the
//! safe-target rules, Standard Webhooks requests, and the delivery worker that every replica
//! runs over the store's lease queue and the org feeds.

mod client;
mod message;
mod metrics;
mod resolver;
mod worker;

pub use client::{ClientError, Sent, Signed, WebhookClient, MAX_ERROR_BODY};
pub use message::{event_json, signed_message};
pub use metrics::{Outcome, WebhookMetrics};
pub use resolver::{DnsResolver, RefusedAddress};
pub use worker::{Worker, WorkerConfig, DELIVERY_LOG_KEEP};
