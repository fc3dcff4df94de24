//! Typed path parameters: `InPath<AgentId>` reads `{agent_id}`, `InPath<AgentRef>` the agent
//! a route addresses by id or by name, and so on. A malformed id is 422 naming its parameter;
//! a malformed agent name in a lookup names no agent (the agent 404).

use crate::auth::authenticated;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use registry_domain::{
    AgentId, AgentName, AgentRef, ApiKeyId, DeploymentId, HistoryId, OrgSlug, Principal,
    ServiceTokenId, ValidationError, WebhookId,
};
use serde::de::{Deserialize, Deserializer, Visitor};
use std::collections::HashMap;

/// A value of the request's path, parsed by `T` (see the module docs).
#[derive(Debug)]
pub struct InPath<T>(pub T);

/// The route's path parameters, percent-decoded as `web::Path` decodes them.
pub struct PathParams(HashMap<Name, String>);

/// A parameter's name: actix's path deserializer gives names as identifiers only.
#[derive(PartialEq, Eq, Hash)]
struct Name(String);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Identifier;
        impl Visitor<'_> for Identifier {
            type Value = Name;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a path parameter name")
            }
            fn visit_str<E>(self, name: &str) -> Result<Name, E> {
                Ok(Name(name.to_owned()))
            }
        }
        deserializer.deserialize_identifier(Identifier)
    }
}

impl PathParams {
    fn of(req: &HttpRequest) -> Self {
        Self(req.match_info().load().unwrap_or_default())
    }

    fn get(&self, name: &str) -> Option<&String> {
        self.0.get(&Name(name.to_owned()))
    }

    /// Parameter `name` parsed by `parse` (which names it in its errors).
    fn parse<T>(
        &self,
        name: &str,
        parse: impl Fn(&str, &str) -> Result<T, ValidationError>,
    ) -> Result<T, ApiError> {
        let raw = self.get(name).ok_or_else(|| ApiError::internal(None))?;
        parse(raw, name).map_err(|e| ApiError::validation(&e))
    }
}

/// A type read from the path parameters.
pub trait FromPath: Sized {
    /// Parses `path`; errors are the request's answer.
    fn from_path(path: &PathParams) -> Result<Self, ApiError>;
}

impl<T: FromPath + 'static> FromRequest for InPath<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticated(&req).await?;
            T::from_path(&PathParams::of(&req)).map(InPath)
        })
    }
}

/// Types read from one parameter, 422 naming it when malformed.
macro_rules! from_parameter {
    ($($type:ty = $name:literal, $parse:expr;)+) => {$(
        impl FromPath for $type {
            fn from_path(path: &PathParams) -> Result<Self, ApiError> {
                path.parse($name, $parse)
            }
        }
    )+};
}

from_parameter! {
    AgentId = "agent_id", AgentId::parse;
    // An agent created or updated by name (PUT): an invalid name is 422.
    AgentName = "agent_name", AgentName::parse_field;
    DeploymentId = "deployment_id", DeploymentId::parse;
    // `/deployment-history/{deployment_id}` names a history row.
    HistoryId = "deployment_id", HistoryId::parse;
    ApiKeyId = "id", ApiKeyId::parse;
    ServiceTokenId = "id", ServiceTokenId::parse;
    WebhookId = "id", WebhookId::parse;
    Principal = "principal", Principal::parse;
    // A key name is free text, but never one the database cannot hold (NUL): 422.
    KeyName = "name", |raw: &str, field: &str| {
        registry_domain::bounded_text(raw, field, 255).map(|()| KeyName(raw.to_owned()))
    };
}

/// `{agent_name}` of a lookup (an invalid name names no agent: 404), else `{agent_id}`.
impl FromPath for AgentRef {
    fn from_path(path: &PathParams) -> Result<Self, ApiError> {
        match path.get("agent_name") {
            Some(name) => AgentName::parse_field(name, "agent_name")
                .map(AgentRef::Name)
                .map_err(|_| ApiError::agent_not_found()),
            None => AgentId::from_path(path).map(AgentRef::Id),
        }
    }
}

/// `{org_slug}`: a malformed slug names no org (404 `org_not_found`).
impl FromPath for OrgSlug {
    fn from_path(path: &PathParams) -> Result<Self, ApiError> {
        let raw = path
            .get("org_slug")
            .ok_or_else(|| ApiError::internal(None))?;
        OrgSlug::parse(raw, "org_slug").map_err(|_| ApiError::org_not_found())
    }
}

/// `{name}` of an agent API key, as given.
pub struct KeyName(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> PathParams {
        PathParams(
            pairs
                .iter()
                .map(|(k, v)| (Name((*k).to_owned()), (*v).to_owned()))
                .collect(),
        )
    }

    fn problem(err: ApiError) -> (u16, &'static str, Option<String>) {
        (
            err.status.as_u16(),
            err.code.as_str(),
            err.errors.map(|f| f[0].field.clone()),
        )
    }

    #[test]
    fn an_invalid_id_is_422_naming_agent_id() {
        let by_id = AgentRef::from_path(&params(&[("agent_id", "not-a-uuid")]));
        assert_eq!(
            by_id.map_err(problem).err(),
            Some((422, "validation_failed", Some("agent_id".to_owned())))
        );
    }

    #[test]
    fn an_invalid_name_names_no_agent() {
        let err = AgentRef::from_path(&params(&[("agent_name", "Not A Name")]))
            .map_err(problem)
            .err();
        assert_eq!(err.map(|e| (e.0, e.1)), Some((404, "agent_not_found")));
        let put = AgentName::from_path(&params(&[("agent_name", "Not A Name")]));
        assert_eq!(put.map_err(problem).err().map(|e| e.0), Some(422));
    }

    #[test]
    fn valid_segments_resolve_to_their_variant() {
        let by_name = AgentRef::from_path(&params(&[("agent_name", "ok-name")]));
        assert!(matches!(by_name, Ok(AgentRef::Name(_))));
        let id = "6f1c2a3e-2d4b-4c5a-9e8f-0a1b2c3d4e5f";
        let by_id = AgentRef::from_path(&params(&[("agent_id", id)]));
        assert!(matches!(by_id, Ok(AgentRef::Id(_))));
    }
}
