//! Authentication, asked for by the handlers that need it: the [`Caller`] extractor reads the
//! credential, asks the [`Authenticator`] for the principal, takes one of the principal's
//! in-flight permits ([`crate::inflight`]; none left → 429) and its execution slot
//! ([`crate::fair`]): at once for a request without a body; for one with a body, `JsonBody`
//! takes it once the body has arrived ([`SlotDue`]), so a slow body never holds a slot. The
//! permit and the slot wait in the request's extensions for [`crate::hold`], which frees the
//! slot when the handler returns and keeps the permit until the response is sent.
//!
//! Public routes do not ask for a caller; an unknown path has no handler to ask (404).
//!
//! The handler's other extractors (paths, query, body) wait for the authentication
//! ([`authenticated`]) whatever their order, because actix polls a handler's extractors
//! together: a refused caller gets its 401/400/429 before any 404/422 about the request, and
//! not a byte of its body is read.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, TRANSFER_ENCODING,
};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use registry_domain::{Actor, AgentId, AgentName, AgentRef, OrgRef, OrgSlug, Principal};
use registry_ports::{AuthError, Credential, Prefetched};
use tokio::sync::oneshot;

/// Header carrying an agent key (peer compatible).
pub const AGENT_KEY_HEADER: &str = "x-agent-api-key";

/// Header naming the org the platform admin acts in (contract §9); other callers act in their
/// credential's org and the header is ignored for them.
pub const ORG_HEADER: &str = "x-registry-org";

/// The request's principal and the org it acts in (and, for a single-agent read, that agent as
/// read with the credential): a handler that asks for it serves authenticated callers only.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller(pub Principal, pub OrgRef, pub Option<Prefetched>);

/// The caller of `/agents/register`: its 401 explains how an agent gets its key
/// ([`ApiError::unauthenticated_registration`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Registrant(pub Caller);

/// The caller when the request carries a credential (authenticated like [`Caller`]: a bad one
/// is 401), `None` when it carries none: for the routes that also answer anonymous requests
/// (public A2A cards). With authorization off every request is the platform admin's.
#[derive(Debug, Clone, PartialEq)]
pub struct MaybeCaller(pub Option<Caller>);

/// Marks a request whose execution slot is taken once its body has been read.
#[derive(Debug, Clone)]
pub struct SlotDue(pub Actor);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        authenticate_once(req, ApiError::unauthenticated)
    }
}

impl FromRequest for Registrant {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        authenticate_once(req, ApiError::unauthenticated_registration)
            .map(|caller| caller.map(Registrant))
            .boxed_local()
    }
}

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let enabled = req
            .app_data::<web::Data<AppState>>()
            .is_none_or(|state| state.authorization_enabled());
        let anonymous = matches!(credential_from_headers(req.headers()), Ok(None));
        if anonymous && enabled {
            return Box::pin(async { Ok(MaybeCaller(None)) });
        }
        authenticate_once(req, ApiError::unauthenticated)
            .map(|caller| caller.map(|c| MaybeCaller(Some(c))))
            .boxed_local()
    }
}

/// The outcome of the request's authentication, for the extractors that wait for it.
#[derive(Clone)]
struct Authentication(Shared<oneshot::Receiver<Result<(), ApiError>>>);

/// Authenticates the request (`unauthenticated` words its 401) and tells the extractors
/// waiting in [`authenticated`] how it went.
fn authenticate_once(
    req: &HttpRequest,
    unauthenticated: fn() -> ApiError,
) -> LocalBoxFuture<'static, Result<Caller, ApiError>> {
    let (done, outcome) = oneshot::channel();
    req.extensions_mut()
        .insert(Authentication(outcome.shared()));
    let req = req.clone();
    Box::pin(async move {
        let caller = authenticate(&req).await.map_err(|e| {
            if e.status == StatusCode::UNAUTHORIZED {
                unauthenticated()
            } else {
                e
            }
        });
        let _ = done.send(caller.as_ref().map(|_| ()).map_err(Clone::clone));
        caller
    })
}

/// Waits until the request's caller is authenticated, if its handler asks for one: `Err` is
/// the caller's refusal. Every other extractor of this crate starts with it.
pub async fn authenticated(req: &HttpRequest) -> Result<(), ApiError> {
    let pending = req.extensions().get::<Authentication>().cloned();
    match pending {
        None => Ok(()),
        // A dropped sender means the handler's extraction was abandoned: nobody reads this.
        Some(Authentication(outcome)) => outcome
            .await
            .unwrap_or_else(|_| Err(ApiError::unauthenticated())),
    }
}

/// Resolves the caller and takes its permit and slot (see the module docs).
async fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(None))?;
    let credential = credential_from_headers(req.headers()).map_err(|e| match e {
        BadCredential::Malformed => ApiError::unauthenticated(),
        BadCredential::Repeated => {
            ApiError::bad_request("Send one Authorization (or X-Agent-API-Key) header.")
        }
    })?;
    let requested_org = requested_org(req.headers())?;
    let Some(credential) = credential else {
        // Insecure mode: no credential is the platform admin, and nobody's request: not counted.
        if state.authorization_enabled() {
            return Err(ApiError::unauthenticated());
        }
        let org = match requested_org {
            Ok(None) => OrgRef::default_org(),
            Ok(Some(slug)) => state
                .registry
                .find_org(&slug)
                .await?
                .ok_or_else(ApiError::org_not_found)?,
            Err(()) => return Err(ApiError::org_not_found()),
        };
        let caller = Caller(Principal::Admin, org, None);
        req.extensions_mut().insert(caller.clone());
        return Ok(caller);
    };
    let org_named = requested_org.clone().unwrap_or(None);
    let authenticated = match single_agent_read(req) {
        Some(at) => {
            let auth = &state.authenticator;
            auth.authenticate_reading(&credential, org_named, &at).await
        }
        None => (state
            .authenticator
            .authenticate(&credential, org_named)
            .await)
            .map(|actor| (actor, None)),
    };
    let (actor, prefetched) = authenticated.map_err(|e| match e {
        AuthError::Invalid => ApiError::unauthenticated(),
        AuthError::UnknownOrg => ApiError::org_not_found(),
        AuthError::Unavailable(m) => {
            tracing::warn!(
                request_id = %crate::current_request_id().unwrap_or_default(),
                error = %m,
                "credential store unavailable"
            );
            ApiError::unavailable()
        }
        AuthError::Unexpected(m) => {
            tracing::error!(
                request_id = %crate::current_request_id().unwrap_or_default(),
                error = %m,
                "authentication failed unexpectedly"
            );
            ApiError::internal(None)
        }
    })?;
    if requested_org.is_err() && actor.principal.is_platform_admin() {
        return Err(ApiError::org_not_found());
    }
    let permit = state
        .inflight
        .try_acquire(&actor)
        .ok_or_else(ApiError::too_many_requests)?;
    req.extensions_mut().insert(permit);
    if has_body(req.headers()) {
        req.extensions_mut().insert(SlotDue(actor.clone()));
    } else {
        let slot = state.slots.acquire(&actor).await;
        req.extensions_mut().insert(slot);
    }
    let caller = Caller(actor.principal, actor.org, prefetched);
    req.extensions_mut().insert(caller.clone());
    Ok(caller)
}

/// The agent a bodiless single-agent request addresses (`GET`/`HEAD` of `/agents/{agent_id}`
/// or `/agents/name/{agent_name}`, a heartbeat), so its credential and the agent are read in
/// one round trip.
fn single_agent_read(req: &HttpRequest) -> Option<AgentRef> {
    if has_body(req.headers()) {
        return None;
    }
    let read = matches!(req.method().as_str(), "GET" | "HEAD");
    let info = req.match_info();
    match req.match_pattern().as_deref() {
        Some("/agents/{agent_id}/heartbeat") if req.method().as_str() == "POST" => {
            let id = AgentId::parse(info.get("agent_id")?, "agent_id").ok()?;
            Some(AgentRef::Id(id))
        }
        _ if !read => None,
        Some("/agents/{agent_id}") => {
            let id = AgentId::parse(info.get("agent_id")?, "agent_id").ok()?;
            Some(AgentRef::Id(id))
        }
        Some("/agents/name/{agent_name}") => {
            let name = AgentName::parse(info.get("agent_name")?).ok()?;
            Some(AgentRef::Name(name))
        }
        _ => None,
    }
}

/// The org named by `X-Registry-Org`: `Ok(None)` when absent, `Err(())` when it is not a
/// valid slug (no org can have it: answered like an unknown org). A repeated header is 400.
fn requested_org(headers: &HeaderMap) -> Result<Result<Option<OrgSlug>, ()>, ApiError> {
    let value = single(headers, ORG_HEADER)
        .map_err(|_| ApiError::bad_request("Send at most one X-Registry-Org header."))?;
    Ok(match value {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|text| OrgSlug::parse(text.trim(), "X-Registry-Org").ok())
            .map(Some)
            .ok_or(()),
    })
}

/// Whether the request announces a body (`Content-Length` above 0, or chunked).
fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// The credential presented by the request, if any: `Authorization: Bearer <t>`,
/// `Authorization: AgentKey <k>` (schemes case-insensitive) or `X-Agent-API-Key: <k>`.
/// An unusable header (unknown scheme, empty value) or a repeated one is `Err`.
pub fn credential_from_headers(headers: &HeaderMap) -> Result<Option<Credential>, BadCredential> {
    if let Some(value) = single(headers, AUTHORIZATION.as_str())? {
        let text = value.to_str().map_err(|_| BadCredential::Malformed)?.trim();
        let (scheme, rest) = text.split_once(' ').ok_or(BadCredential::Malformed)?;
        let secret = rest.trim();
        if secret.is_empty() {
            return Err(BadCredential::Malformed);
        }
        return if scheme.eq_ignore_ascii_case("bearer") {
            Ok(Some(Credential::Bearer(secret.to_owned())))
        } else if scheme.eq_ignore_ascii_case("agentkey") {
            Ok(Some(Credential::AgentKey(secret.to_owned())))
        } else {
            Err(BadCredential::Malformed)
        };
    }
    if let Some(value) = single(headers, AGENT_KEY_HEADER)? {
        let secret = value.to_str().map_err(|_| BadCredential::Malformed)?.trim();
        if secret.is_empty() {
            return Err(BadCredential::Malformed);
        }
        return Ok(Some(Credential::AgentKey(secret.to_owned())));
    }
    Ok(None)
}

/// The one value of header `name`; a repeated header is refused (which copy counts would be
/// ambiguous between us and any proxy in front).
fn single<'a>(
    headers: &'a HeaderMap,
    name: &str,
) -> Result<Option<&'a HeaderValue>, BadCredential> {
    let mut values = headers.get_all(name);
    let first = values.next();
    match values.next() {
        Some(_) => Err(BadCredential::Repeated),
        None => Ok(first),
    }
}

/// Why the credential headers are unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadCredential {
    /// Unknown scheme, empty or non-ASCII value: 401.
    Malformed,
    /// `Authorization` or `X-Agent-API-Key` sent more than once: 400.
    Repeated,
}

/// Resource middleware of the registry routes: a method the route does not serve is answered
/// 405 only to a caller `C` accepts; anyone else gets the refusal a handler would give (no
/// route is described to an unauthenticated caller).
pub async fn refuse_before_405<C>(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error>
where
    C: FromRequest<Error = ApiError>,
{
    let res = next.call(req).await?;
    if res.status() != StatusCode::METHOD_NOT_ALLOWED {
        return Ok(res.map_into_left_body());
    }
    match C::extract(res.request()).await {
        Ok(_) => Ok(res.map_into_left_body()),
        Err(refusal) => {
            let (req, _) = res.into_parts();
            Ok(ServiceResponse::from_err(refusal, req).map_into_right_body())
        }
    }
}
