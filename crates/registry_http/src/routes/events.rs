//! The change feed (contract §10): `GET /events`, a page after a position, and
//! `GET /events/stream`, the same feed as Server-Sent Events (docs/events.md).

use crate::auth::Caller;
use crate::dto::params::FeedParams;
use crate::dto::{FeedEventResponse, FeedPageResponse};
use crate::error::{ApiError, Unprocessable};
use crate::extract::QueryParams;
use crate::state::AppState;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};
use actix_web::http::Method;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use registry_domain::{AgentId, EventKind, Principal, ValidationError};
use registry_ports::{FeedPage, MAX_FEED_LIMIT};
use registry_usecases::{FeedRequest, Registry};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

type Handled = Result<HttpResponse, ApiError>;

/// Events per page when `limit` is absent.
pub const DEFAULT_FEED_LIMIT: u32 = 100;

/// The feed request of `q` (422 naming the parameter), reading after `after` when given.
fn feed_request(q: &QueryParams, after: Option<i64>) -> Result<FeedRequest, ApiError> {
    let after = match after {
        Some(after) => after,
        None => q.int("after")?.unwrap_or(0),
    };
    if after < 0 {
        return Err(ValidationError::new("after", "must be a position (an integer ≥ 0)").into());
    }
    let limit = match q.int("limit")? {
        None => DEFAULT_FEED_LIMIT,
        Some(n) => u32::try_from(n)
            .ok()
            .filter(|n| (1..=MAX_FEED_LIMIT).contains(n))
            .ok_or_else(|| ValidationError::new("limit", "must be between 1 and 1000"))?,
    };
    let agent_id = q
        .get("agent_id")
        .map(|v| AgentId::parse(v, "agent_id"))
        .transpose()?;
    let kind = q
        .get("kind")
        .map(|v| {
            EventKind::parse(v).ok_or_else(|| {
                let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
                ValidationError::new("kind", format!("must be one of {}", kinds.join(", ")))
            })
        })
        .transpose()?;
    Ok(FeedRequest {
        after,
        limit,
        agent_id,
        kind,
    })
}

/// A page of the org's change feed after `after`, in `seq` order, of the events the caller
/// may read (the whole org for admins). Never skips an event committed late: page on with
/// `next_after`.
#[utoipa::path(get, path = "/events", tag = "events",
    params(FeedParams),
    responses((status = 200, body = FeedPageResponse), Unprocessable))]
pub async fn list_feed(state: web::Data<AppState>, caller: Caller, q: QueryParams) -> Handled {
    let request = feed_request(&q, None)?;
    let page = state.registry_for(&caller).feed(&caller.0, request).await?;
    Ok(HttpResponse::Ok().json(FeedPageResponse {
        events: page
            .events
            .iter()
            .map(|e| FeedEventResponse::new(e, &caller.1.slug))
            .collect(),
        next_after: page.next_after,
    }))
}

/// `Last-Event-ID` of `req`, a position (422 otherwise).
fn last_event_id(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get("last-event-id") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .map(Some)
        .ok_or_else(|| {
            ValidationError::new("Last-Event-ID", "must be a position (an integer ≥ 0)").into()
        })
}

/// The org's change feed as Server-Sent Events: `id: <seq>`, `event: <kind>`,
/// `data: <event JSON>` per event, from `Last-Event-ID` (or `after`) on; a keep-alive comment
/// whenever the stream has been silent for the keep-alive interval (15 s by default); new
/// events within a second of their commit. The stream holds one of the caller's in-flight
/// requests while it is open.
#[utoipa::path(get, path = "/events/stream", tag = "events",
    params(FeedParams,
        ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this position (wins over `after`)")),
    responses((status = 200, content_type = "text/event-stream",
        description = "`id: <seq>`, `event: <kind>`, `data: <event JSON as in GET /events>` per event; `: keep-alive` comments"),
        Unprocessable))]
pub async fn stream_feed(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams,
    req: HttpRequest,
) -> Handled {
    let request = feed_request(&q, last_event_id(&req)?)?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((CONTENT_TYPE, "text/event-stream"))
        .insert_header((CACHE_CONTROL, "no-store"))
        // Compression would hold events back in the encoder; `identity` keeps them flowing.
        .insert_header((CONTENT_ENCODING, "identity"))
        .insert_header(("x-accel-buffering", "no"));
    if req.method() == Method::HEAD {
        return Ok(response.finish());
    }
    let stream = FeedStream {
        registry: state.registry_for(&caller),
        principal: caller.0.clone(),
        org: caller.1.slug.clone(),
        request,
        wake: state.feed_wake.subscribe(),
        keep_alive: state.limits.sse_keep_alive,
        fresh: true,
        started: false,
    };
    Ok(response.streaming(futures_util::stream::unfold(stream, FeedStream::next)))
}

/// One open event stream: where it is in the feed and what wakes it.
struct FeedStream {
    registry: Registry,
    principal: Principal,
    org: registry_domain::OrgSlug,
    request: FeedRequest,
    wake: watch::Receiver<u64>,
    keep_alive: Duration,
    /// Whether the feed may hold events not yet read (read it before waiting).
    fresh: bool,
    /// Whether the opening comment went out.
    started: bool,
}

impl FeedStream {
    /// The next chunk: the opening comment, a page of events, or a keep-alive; `None` ends
    /// the stream (the store failed: the client resumes with `Last-Event-ID`).
    async fn next(mut self) -> Option<(Result<Bytes, actix_web::Error>, Self)> {
        if !self.started {
            self.started = true;
            return Some((Ok(Bytes::from_static(b": stream open\n\n")), self));
        }
        let quiet_until = Instant::now() + self.keep_alive;
        loop {
            if self.fresh {
                self.wake.mark_unchanged();
                match self.registry.feed(&self.principal, self.request).await {
                    Ok(page) if !page.events.is_empty() => {
                        let chunk = self.frames(&page);
                        self.request.after = page.next_after;
                        return Some((Ok(chunk), self));
                    }
                    Ok(_) => self.fresh = false,
                    Err(err) => {
                        tracing::warn!(error = %err, "event stream ends: the feed could not be read");
                        return None;
                    }
                }
            }
            tokio::select! {
                changed = self.wake.changed() => {
                    if changed.is_err() {
                        // No waker left (never in the server): poll at the keep-alive pace.
                        tokio::time::sleep_until(quiet_until).await;
                    }
                    self.fresh = true;
                }
                () = tokio::time::sleep_until(quiet_until) => {
                    self.fresh = true;
                    return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), self));
                }
            }
        }
    }

    /// The SSE frames of `page`'s events.
    fn frames(&self, page: &FeedPage) -> Bytes {
        let mut out = String::new();
        for e in &page.events {
            let data = serde_json::to_string(&FeedEventResponse::new(e, &self.org))
                .unwrap_or_else(|_| "{}".to_owned());
            out.push_str(&format!(
                "id: {}\nevent: {}\ndata: {data}\n\n",
                e.seq,
                e.event.event.kind.as_str()
            ));
        }
        Bytes::from(out)
    }
}
