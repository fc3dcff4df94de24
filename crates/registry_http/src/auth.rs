//! Authentication: a middleware reads the credential, asks the [`Authenticator`] for the
//! principal and stores it in the request; handlers take it with the [`Caller`] extractor.
//!
//! An authenticated request then takes one of its principal's in-flight slots
//! ([`crate::inflight`]) for as long as it runs and its response is sent; none left → 429.
//!
//! Every registry route requires it; the operational routes (`/healthz`, `/readyz`, `/metrics`,
//! `/openapi.json`) and unknown paths (answered 404) do not.

use crate::error::ApiError;
use crate::fair::Slot;
use crate::hold::HeldBody;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use registry_domain::Principal;
use registry_ports::{AuthError, Credential};

/// Paths served without credentials.
pub const PUBLIC_PATHS: &[&str] = &[
    "/healthz",
    "/healthcheck",
    "/readyz",
    "/metrics",
    "/openapi.json",
];

/// The deploy-time registration path, whose 401 explains how an agent gets its key.
const REGISTER_PATH: &str = "/agents/register";

/// Header carrying an agent key (peer compatible).
pub const AGENT_KEY_HEADER: &str = "x-agent-api-key";

/// The authenticated principal of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub Principal);

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

/// Whether `req` addresses a registry route (known, not public). Matching the path against
/// every route costs a few regex runs, so it is asked only when the answer matters: without a
/// credential, or when the credential was refused.
fn needs_authentication(req: &ServiceRequest) -> bool {
    req.resource_map().match_pattern(req.path()).is_some()
}

/// Resolves the caller from the credential its headers carried.
async fn authenticate(
    state: &AppState,
    credential: Result<Option<Credential>, BadCredential>,
) -> Result<Principal, ApiError> {
    let credential = credential.map_err(|e| match e {
        BadCredential::Malformed => ApiError::unauthenticated(),
        BadCredential::Repeated => {
            ApiError::bad_request("Send one Authorization (or X-Agent-API-Key) header.")
        }
    })?;
    let Some(credential) = credential else {
        return if state.authorization_enabled() {
            Err(ApiError::unauthenticated())
        } else {
            Ok(Principal::Admin)
        };
    };
    state
        .authenticator
        .authenticate(&credential)
        .await
        .map_err(|e| match e {
            AuthError::Invalid => ApiError::unauthenticated(),
            AuthError::Unavailable(m) => {
                tracing::warn!(error = %m, "credential store unavailable");
                ApiError::unavailable()
            }
            AuthError::Unexpected(m) => {
                tracing::error!(error = %m, "authentication failed unexpectedly");
                ApiError::internal(None)
            }
        })
}

/// Marks a request whose execution slot is taken once its body has been read.
#[derive(Debug, Clone, Copy)]
pub struct SlotDue;

/// Whether the request announces a body (`Content-Length` above 0, or chunked).
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(actix_web::http::header::TRANSFER_ENCODING)
        || headers
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// The authentication middleware (see the module docs).
pub async fn require_credentials(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let public = PUBLIC_PATHS.contains(&req.path());
    // A request with a credential is authenticated first (the common case: no route matching
    // here); the route decides only between a refusal and the 404 of an unknown path.
    let credential = credential_from_headers(req.headers());
    let has_credential = !matches!(credential, Ok(None));
    if public || (!has_credential && !needs_authentication(&req)) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        let err = ApiError::internal(None);
        return Ok(req.error_response(err));
    };
    match authenticate(&state, credential).await {
        Ok(principal) => {
            // Requests without a credential (insecure mode) are nobody's: not counted.
            let permit = match has_credential.then(|| state.inflight.try_acquire(&principal)) {
                Some(None) => return Ok(req.error_response(ApiError::too_many_requests())),
                Some(Some(permit)) => Some(permit),
                None => None,
            };
            // Credentialed requests take turns fairly for the handlers' execution slots: one
            // without a body now, one with a body once it has arrived (`JsonBody`), so a slow
            // body never holds a slot. The slot is freed when the handler returns, before the
            // response is sent.
            if has_credential {
                if has_body(&req) {
                    req.extensions_mut().insert(SlotDue);
                } else {
                    let slot = state.slots.acquire(&principal).await;
                    req.extensions_mut().insert(slot);
                }
            }
            req.extensions_mut().insert(Caller(principal));
            let res = next.call(req).await?.map_into_boxed_body();
            drop(res.request().extensions_mut().remove::<Slot>());
            Ok(match permit {
                Some(permit) => res.map_body(|_, body| BoxBody::new(HeldBody::new(body, permit))),
                None => res,
            })
        }
        Err(_) if !needs_authentication(&req) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
        Err(err) if err.status.as_u16() == 401 && req.path() == REGISTER_PATH => {
            Ok(req.error_response(ApiError::unauthenticated_registration()))
        }
        Err(err) => Ok(req.error_response(err)),
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<Caller>()
                .cloned()
                .ok_or_else(ApiError::unauthenticated),
        )
    }
}
