//! The webhook HTTP client: one POST per attempt with the Standard Webhooks headers, no
//! redirects, no proxies, a timeout per attempt, targets checked against the rules (literal
//! addresses before sending, names by the [`VettingResolver`], the peer's address after
//! connecting), and at most [`MAX_ERROR_BODY`] bytes of a failing receiver's body read.

use crate::resolver::VettingResolver;
use registry_domain::{TargetRules, WebhookUrl};
use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bytes of a non-2xx receiver's body kept in the delivery log.
pub const MAX_ERROR_BODY: usize = 256;

/// The Standard Webhooks headers of one request.
#[derive(Debug, Clone)]
pub struct Signed {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp` (Unix seconds).
    pub timestamp: i64,
    /// `webhook-signature`.
    pub signature: String,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    /// Why it failed; `None` for a 2xx.
    pub error: Option<String>,
    /// How long it took.
    pub elapsed: Duration,
}

impl Sent {
    /// Whether the receiver took it (2xx).
    pub fn delivered(&self) -> bool {
        self.error.is_none()
    }
}

/// Sends webhook requests.
#[derive(Clone)]
pub struct WebhookClient {
    http: reqwest::Client,
    rules: TargetRules,
}

/// The client could not be built (TLS setup).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the webhook HTTP client: {0}")]
pub struct ClientError(#[from] reqwest::Error);

impl WebhookClient {
    /// A client under `rules`, each attempt bounded by `timeout`.
    pub fn new(rules: TargetRules, timeout: Duration) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_max_idle_per_host(4)
            .user_agent(concat!(
                "agent-registry-webhooks/",
                env!("CARGO_PKG_VERSION")
            ))
            .dns_resolver(Arc::new(VettingResolver { rules }))
            .build()?;
        Ok(Self { http, rules })
    }

    /// POSTs `signed` to `url`. Never fails: every failure is an unsuccessful [`Sent`].
    pub async fn send(&self, url: &str, signed: &Signed) -> Sent {
        let started = Instant::now();
        let (status, error) = match self.attempt(url, signed).await {
            Ok(status) => (Some(status), None),
            Err(Failure { status, error }) => (status, Some(error)),
        };
        Sent {
            status,
            error,
            elapsed: started.elapsed(),
        }
    }

    async fn attempt(&self, url: &str, signed: &Signed) -> Result<u16, Failure> {
        let target = WebhookUrl::parse(url, "url", self.rules)
            .map_err(|e| Failure::new(None, format!("refused target: {}", e.reason)))?;
        let response = self
            .http
            .post(target.as_url().clone())
            .header("content-type", "application/json")
            .header("webhook-id", &signed.id)
            .header("webhook-timestamp", signed.timestamp.to_string())
            .header("webhook-signature", &signed.signature)
            .body(signed.body.clone())
            .send()
            .await
            .map_err(|e| Failure::new(None, describe(&e)))?;
        if let Some(peer) = response.remote_addr() {
            if !self.rules.admits(peer.ip()) {
                return Err(Failure::new(
                    None,
                    format!("refused target: connected to {}", peer.ip()),
                ));
            }
        }
        let status = response.status();
        if status.is_success() {
            return Ok(status.as_u16());
        }
        let body = first_bytes(response).await;
        let mut error = format!("HTTP {}", status.as_u16());
        if !body.is_empty() {
            error.push_str(": ");
            error.push_str(&body);
        }
        Err(Failure::new(Some(status.as_u16()), error))
    }
}

struct Failure {
    status: Option<u16>,
    error: String,
}

impl Failure {
    fn new(status: Option<u16>, error: String) -> Self {
        Self { status, error }
    }
}

/// A request error in words: a timeout, a refused target, or the innermost cause.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".to_owned();
    }
    let mut source = error.source();
    let mut words = error.to_string();
    while let Some(cause) = source {
        if cause.is::<crate::resolver::RefusedAddress>() {
            return cause.to_string();
        }
        words = cause.to_string();
        source = cause.source();
    }
    truncate(&words)
}

/// At most [`MAX_ERROR_BODY`] bytes of the body (lossy UTF-8), read no further.
async fn first_bytes(mut response: reqwest::Response) -> String {
    let mut kept = Vec::new();
    while kept.len() < MAX_ERROR_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            _ => break,
        }
    }
    kept.truncate(MAX_ERROR_BODY);
    truncate(&String::from_utf8_lossy(&kept))
}

fn truncate(text: &str) -> String {
    let mut end = text.len().min(MAX_ERROR_BODY);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}
