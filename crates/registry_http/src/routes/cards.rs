//! A2A agent cards (contract §11): `PUT/GET/DELETE /agents/{agent_id}/card`, the card served
//! for A2A clients at the well-known paths (signed by the registry when it has a key), the
//! registry's JWK Set, and `GET /agents/search`.

use super::{etag_listed, if_none_match};
use crate::auth::{Caller, MaybeCaller};
use crate::dto::params::{AgentNamePath, AgentPath, OrgAgentPath, SearchQuery};
use crate::dto::{CardRequest, CardResponse, DeleteResponse, SearchResponse, SearchResult};
use crate::error::{ApiError, Forbidden, NotFound, Unprocessable};
use crate::extract::{JsonBody, QueryParams};
use crate::path::InPath;
use crate::state::AppState;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
use actix_web::{web, HttpRequest, HttpResponse};
use registry_domain::{
    bounded_text, search_words, AgentCard, AgentId, AgentName, AgentRef, AgentStatus, Capability,
    CardVisibility, OrgSlug, Principal, StoredCard, ValidationError,
};
use registry_ports::{CardSearch, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, MAX_SEARCH_OFFSET};
use sha2::{Digest, Sha256};

type Handled = Result<HttpResponse, ApiError>;

/// Longest `q`, and longest value of each structured filter, in bytes.
const MAX_QUERY_LEN: usize = crate::dto::rules::MAX_SEARCH_TEXT_LEN;
/// How long A2A clients may keep a served card.
const CARD_MAX_AGE: &str = "max-age=60";

/// Store (or replace) the agent's A2A card. Needs `update`.
#[utoipa::path(put, path = "/agents/{agent_id}/card", tag = "cards",
    params(AgentPath),
    request_body = CardRequest,
    responses((status = 200, body = CardResponse), Forbidden, NotFound, Unprocessable))]
pub async fn put_card(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
    body: JsonBody<CardRequest>,
) -> Handled {
    let CardRequest { card, visibility } = body.0;
    let visibility = visibility.as_deref().map(CardVisibility::parse).transpose();
    let card = AgentCard::parse(card).map_err(|e| {
        e.0.into_iter()
            .map(|v| ValidationError::new(format!("/card{}", v.field), v.reason))
            .collect::<Vec<_>>()
    });
    let (card, visibility) = match (card, visibility) {
        (Ok(card), Ok(visibility)) => (card, visibility.unwrap_or_default()),
        (card, visibility) => {
            let mut errors = card.err().unwrap_or_default();
            errors.extend(visibility.err());
            return Err(ApiError::validations(errors));
        }
    };
    let stored = state
        .registry_for(&caller)
        .put_card(&caller.0, agent_id, card, visibility)
        .await?;
    Ok(HttpResponse::Ok().json(CardResponse::from(&stored)))
}

/// The agent's A2A card as stored, with its visibility. Needs `read`.
#[utoipa::path(get, path = "/agents/{agent_id}/card", tag = "cards",
    params(AgentPath),
    responses((status = 200, body = CardResponse), NotFound))]
pub async fn get_card(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
) -> Handled {
    let stored = state
        .registry_for(&caller)
        .get_card(&caller.0, agent_id)
        .await?;
    Ok(HttpResponse::Ok().json(CardResponse::from(&stored)))
}

/// Remove the agent's A2A card. Needs `update`.
#[utoipa::path(delete, path = "/agents/{agent_id}/card", tag = "cards",
    params(AgentPath),
    responses((status = 200, body = DeleteResponse), Forbidden, NotFound))]
pub async fn delete_card(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
) -> Handled {
    state
        .registry_for(&caller)
        .delete_card(&caller.0, agent_id)
        .await?;
    Ok(HttpResponse::Ok().json(DeleteResponse {
        id: agent_id.to_string(),
        message: format!("Card of agent '{agent_id}' deleted"),
    }))
}

/// The agent's A2A card for A2A clients (`public` cards without credentials), signed by the
/// registry when it has a key; `ETag`, `Cache-Control: max-age=60`, 304 on `If-None-Match`.
#[utoipa::path(get, path = "/agents/{agent_id}/.well-known/agent-card.json", tag = "cards",
    params(AgentPath),
    responses((status = 200, description = "The A2A AgentCard", body = Object, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "`If-None-Match` names the current ETag"),
        NotFound),
    security((), ("bearer" = []), ("agent_key" = [])))]
pub async fn well_known_by_id(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    InPath(agent_id): InPath<AgentId>,
    req: HttpRequest,
) -> Handled {
    serve_in_callers_org(&state, caller, &AgentRef::Id(agent_id), &req).await
}

/// The agent's A2A card by name, in the caller's org (without credentials: in `default`), so
/// an A2A client given the base URL `<registry>/agents/name/<name>` finds it.
#[utoipa::path(get, path = "/agents/name/{agent_name}/.well-known/agent-card.json", tag = "cards",
    params(AgentNamePath),
    responses((status = 200, description = "The A2A AgentCard", body = Object, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "`If-None-Match` names the current ETag"),
        NotFound),
    security((), ("bearer" = []), ("agent_key" = [])))]
pub async fn well_known_by_name(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    InPath(at): InPath<AgentRef>,
    req: HttpRequest,
) -> Handled {
    serve_in_callers_org(&state, caller, &at, &req).await
}

/// The A2A card of agent `{agent_name}` of org `{org_slug}` (an unknown org is the same 404 as
/// an absent agent).
#[utoipa::path(get, path = "/orgs/{org_slug}/agents/{agent_name}/.well-known/agent-card.json", tag = "cards",
    params(OrgAgentPath),
    responses((status = 200, description = "The A2A AgentCard", body = Object, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "`If-None-Match` names the current ETag"),
        NotFound),
    security((), ("bearer" = []), ("agent_key" = [])))]
pub async fn well_known_in_org(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Handled {
    let (slug, name) = path.into_inner();
    let slug = OrgSlug::parse(&slug, "org_slug").map_err(|_| ApiError::agent_not_found())?;
    let name =
        AgentName::parse_field(&name, "agent_name").map_err(|_| ApiError::agent_not_found())?;
    let org = state
        .registry
        .find_org(&slug)
        .await?
        .ok_or_else(ApiError::agent_not_found)?;
    // The caller's credentials count in its own org (the platform admin's in every org).
    let principal = caller
        .0
        .filter(|c| c.1.id == org.id || c.0.is_platform_admin())
        .map(|c| c.0);
    let card = state
        .registry
        .in_org(&org)
        .served_card(principal.as_ref(), &AgentRef::Name(name))
        .await?;
    Ok(card_response(&state, &card, &req))
}

async fn serve_in_callers_org(
    state: &AppState,
    caller: MaybeCaller,
    at: &AgentRef,
    req: &HttpRequest,
) -> Handled {
    let card = match &caller.0 {
        Some(caller) => {
            state
                .registry_for(caller)
                .served_card(Some(&caller.0), at)
                .await?
        }
        None => state.registry.served_card(None, at).await?,
    };
    Ok(card_response(state, &card, req))
}

/// The served card: signed when the registry has a key, with its content hash as `ETag`.
fn card_response(state: &AppState, stored: &StoredCard, req: &HttpRequest) -> HttpResponse {
    let card = match &state.card_signer {
        Some(signer) => signer.sign_card(&stored.card),
        None => stored.card.clone(),
    };
    let body = serde_json::to_vec(card.as_json()).unwrap_or_default();
    let digest = Sha256::digest(&body);
    let etag = format!("\"{}\"", hex(&digest[..16]));
    let cache = match stored.visibility {
        CardVisibility::Public => CARD_MAX_AGE.to_owned(),
        CardVisibility::Org => format!("private, {CARD_MAX_AGE}"),
    };
    if if_none_match(req).is_some_and(|tags| etag_listed(&tags, &etag)) {
        return HttpResponse::NotModified()
            .insert_header((ETAG, etag))
            .insert_header((CACHE_CONTROL, cache))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((ETAG, etag))
        .insert_header((CACHE_CONTROL, cache))
        .body(body)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The public keys that verify the registry's card signatures (RFC 7517 JWK Set; empty when
/// cards are not signed). No credentials.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "cards",
    responses((status = 200, description = "JWK Set: `{keys: [{kty: OKP, crv: Ed25519, alg: EdDSA, use: sig, kid, x}]}`, the signing key first", body = Object)),
    security(()))]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    let set = state
        .card_signer
        .as_ref()
        .map(|s| s.jwks().to_json())
        .unwrap_or_else(|| serde_json::json!({ "keys": [] }));
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, CARD_MAX_AGE))
        .json(set)
}

/// Search the agents the caller may read: full-text `q` over each agent's own name and
/// description or over its A2A card, and structured filters over the card, most relevant
/// first. Deleted agents never appear; an agent without a card is found by its own words
/// (its result has no `card`), never by a card filter.
#[utoipa::path(get, path = "/agents/search", tag = "cards",
    params(SearchQuery),
    responses((status = 200, body = SearchResponse), Unprocessable))]
pub async fn search_agents(state: web::Data<AppState>, caller: Caller, q: QueryParams) -> Handled {
    let query = search_query(&q)?;
    let page = state
        .registry_for(&caller)
        .search_cards(&caller.0, query)
        .await?;
    Ok(HttpResponse::Ok().json(SearchResponse {
        results: page.hits.iter().map(SearchResult::from).collect(),
        total: page.total,
    }))
}

/// The search parameters, every bad one named in one 422.
fn search_query(q: &QueryParams) -> Result<CardSearch, ApiError> {
    let mut errors = Vec::new();
    let mut texts = |name: &str| -> Vec<String> {
        q.all(name)
            .into_iter()
            .filter_map(|v| match bounded_text(v, name, MAX_QUERY_LEN) {
                Ok(()) if !v.is_empty() => Some(v.to_owned()),
                Ok(()) => {
                    errors.push(ValidationError::new(name, "must not be empty"));
                    None
                }
                Err(e) => {
                    errors.push(e);
                    None
                }
            })
            .collect()
    };
    let words = texts("q").pop();
    let (skills, tags) = (texts("skill"), texts("tag"));
    let (input_modes, output_modes) = (texts("input_mode"), texts("output_mode"));
    let capabilities = texts("capability");
    let capabilities: Vec<Capability> = capabilities
        .iter()
        .filter_map(|c| Capability::parse(c).map_err(|e| errors.push(e)).ok())
        .collect();
    let statuses: Vec<AgentStatus> = q
        .all("status")
        .into_iter()
        .filter_map(|s| AgentStatus::parse(s).map_err(|e| errors.push(e)).ok())
        .collect();
    let limit = bounded(q, "limit", 1, MAX_SEARCH_LIMIT).map_err(|e| errors.push(e));
    let offset = bounded(q, "offset", 0, MAX_SEARCH_OFFSET).map_err(|e| errors.push(e));
    if !errors.is_empty() {
        return Err(ApiError::validations(errors));
    }
    Ok(CardSearch {
        // A query without a word (only punctuation) filters nothing.
        words: words.filter(|w| search_words(w).next().is_some()),
        skills,
        tags,
        capabilities,
        input_modes,
        output_modes,
        statuses,
        limit: limit.ok().flatten().unwrap_or(DEFAULT_SEARCH_LIMIT),
        offset: offset.ok().flatten().unwrap_or(0),
        only_ids: None,
        granted_to: None::<Principal>,
    })
}

/// Integer parameter `name` within `min..=max`, if given.
fn bounded(
    q: &QueryParams,
    name: &str,
    min: u32,
    max: u32,
) -> Result<Option<u32>, ValidationError> {
    let out_of_range =
        || ValidationError::new(name, format!("must be an integer in {min}..={max}"));
    match q.int(name)? {
        None => Ok(None),
        Some(v) => u32::try_from(v)
            .ok()
            .filter(|v| (min..=max).contains(v))
            .map(Some)
            .ok_or_else(out_of_range),
    }
}
