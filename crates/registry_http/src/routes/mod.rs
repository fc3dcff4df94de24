//! Route handlers, one module per resource. Handlers are thin: extract, call one `Registry`
//! method, map the result.

pub mod agent_ref;
pub mod agents;
pub mod api_keys;
pub mod cards;
pub mod deployments;
pub mod events;
pub mod grants;
pub mod history;
pub mod ops;
pub mod orgs;
pub mod service_tokens;
pub mod webhooks;
pub mod whoami;

use crate::dto::{AgentWire, AgentsWire};
use crate::error::ApiError;
use crate::extract::QueryParams;
use actix_web::http::header::{ContentType, ETAG, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use registry_domain::{Agent, Page, PageRequest, SortDirection, ValidationError};
use serde::Serialize;
use std::marker::PhantomData;

/// The total of a list: how many rows match, or the bound its count stopped at.
pub const TOTAL_COUNT_HEADER: &str = "x-total-count";
/// `true` on a list whose count stopped at the bound: at least `X-Total-Count` rows match
/// (docs/adr/0008-bounded-totals.md). Absent when the total is exact.
pub const TOTAL_CAPPED_HEADER: &str = "x-total-count-capped";

/// `limit` / `page_number` of `q` (422 naming the parameter).
pub fn page_of(q: &QueryParams) -> Result<PageRequest, ApiError> {
    Ok(PageRequest::new(q.int("limit")?, q.int("page_number")?)?)
}

/// Checks `order_by` of a list with a single sort key: absent or `key`, else 422.
pub fn only_order_by(q: &QueryParams, key: &str) -> Result<(), ApiError> {
    match q.get("order_by") {
        Some(given) if given != key => {
            Err(ValidationError::new("order_by", format!("must be {key}")).into())
        }
        _ => Ok(()),
    }
}

/// `order_direction` of `q` (default desc).
pub fn direction_of(q: &QueryParams) -> Result<SortDirection, ApiError> {
    Ok(q.get("order_direction")
        .map(SortDirection::parse)
        .transpose()?
        .unwrap_or_default())
}

/// A bare JSON array with `X-Total-Count` (and `X-Total-Count-Capped: true` when the count
/// stopped at its bound). Each item's wire form is built, written and dropped
/// in turn, so a page is never held twice (domain and wire copies) in memory.
pub fn list_response<T, D>(page: &Page<T>) -> HttpResponse
where
    D: Serialize + for<'a> From<&'a T>,
{
    list_response_with(page, |item| D::from(item))
}

/// [`list_response`] with each item's wire form built by `wire` (for forms that need more
/// than the item, e.g. the org's slug).
pub fn list_response_with<T, D: Serialize>(page: &Page<T>, wire: impl Fn(&T) -> D) -> HttpResponse {
    page_response(page, WireItems(&page.items, wire, PhantomData))
}

/// 200 with `items` (the page's items in their wire form) and the page's total headers.
pub fn page_response<T>(page: &Page<T>, items: impl Serialize) -> HttpResponse {
    page_ok(page).json(items)
}

/// [`page_response`] for a page of agents, written by [`AgentsWire`].
pub fn agent_page_response(page: &Page<Agent>) -> HttpResponse {
    page_ok(page)
        .content_type(ContentType::json())
        .body(AgentsWire(&page.items).to_json())
}

/// A 200 with the page's total headers.
fn page_ok<T>(page: &Page<T>) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response.insert_header((TOTAL_COUNT_HEADER, page.total));
    if page.total_capped {
        response.insert_header((TOTAL_CAPPED_HEADER, "true"));
    }
    response
}

/// Serializes domain items as their wire forms `D`, one at a time.
struct WireItems<'a, T, D, F>(&'a [T], F, PhantomData<D>);

impl<T, D: Serialize, F: Fn(&T) -> D> Serialize for WireItems<'_, T, D, F> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(&self.1))
    }
}

/// 200 with one agent and its `ETag`.
pub fn agent_response(agent: &Agent) -> HttpResponse {
    agent_body(HttpResponse::Ok(), agent)
}

/// `response` with `agent` (written by [`AgentWire`]) and its `ETag`.
pub fn agent_body(mut response: HttpResponseBuilder, agent: &Agent) -> HttpResponse {
    response
        .insert_header((ETAG, agent.etag()))
        .content_type(ContentType::json())
        .body(AgentWire(agent).to_json())
}

/// [`agent_response`], or 304 with the `ETag` and no body when `If-None-Match` names it.
pub fn agent_response_unless(agent: &Agent, if_none_match: Option<&str>) -> HttpResponse {
    let etag = agent.etag();
    match if_none_match {
        Some(tags) if etag_listed(tags, &etag) => HttpResponse::NotModified()
            .insert_header((ETAG, etag))
            .finish(),
        _ => agent_response(agent),
    }
}

/// Whether an `If-None-Match` value (`*` or a list of entity tags) names `etag`, compared
/// weakly (RFC 9110 §13.1.2: a `W/` prefix is ignored).
pub(crate) fn etag_listed(tags: &str, etag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    tags.trim() == "*" || tags.split(',').any(|t| opaque(t) == opaque(etag))
}

/// Header telling whether a peer-compatible create-if-absent call created the resource
/// (contract §2 deviation 1: the peer answers 200 either way).
pub const REGISTRY_CREATED_HEADER: &str = "registry-created";

/// A response builder for our own upserts: 201 with `Location` when `created`, else 200.
pub fn created_or_ok(created: bool, location: &str) -> actix_web::HttpResponseBuilder {
    let mut res = if created {
        HttpResponse::build(StatusCode::CREATED)
    } else {
        HttpResponse::Ok()
    };
    if created {
        res.insert_header((LOCATION, location.to_owned()));
    }
    res
}

/// A response builder for the peer's create-if-absent endpoints (`/agents/register`,
/// `/agents/register-build`): always 200 as the peer, with `Registry-Created: true|false` and
/// `Location` when it created.
pub fn ok_registry_created(created: bool, location: &str) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::Ok();
    res.insert_header((
        REGISTRY_CREATED_HEADER,
        if created { "true" } else { "false" },
    ));
    if created {
        res.insert_header((LOCATION, location.to_owned()));
    }
    res
}

/// The `If-Match` header, if any.
pub fn if_match(req: &HttpRequest) -> Option<String> {
    header_text(req, actix_web::http::header::IF_MATCH)
}

/// The `If-None-Match` header, if any.
pub fn if_none_match(req: &HttpRequest) -> Option<String> {
    header_text(req, actix_web::http::header::IF_NONE_MATCH)
}

fn header_text(req: &HttpRequest, name: actix_web::http::header::HeaderName) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
