//! Request extractors whose failures are problem+json naming the field: JSON bodies and query
//! strings (path parameters: `path.rs`). Both wait for the caller's authentication first.

use crate::auth::{authenticated, SlotDue};
use crate::error::{ApiError, ErrorCode};
use crate::state::{AppState, Limits};
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use registry_domain::ValidationError;
use serde::de::DeserializeOwned;

pub const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON body (`application/json`, `application/merge-patch+json`, or no content type).
/// Malformed JSON → 400 `bad_request` with line and column; wrong types and missing fields →
/// 422 `validation_failed` naming the field; over 1 MiB → 413; a `Content-Encoding` other than
/// `identity` → 415; not all there within [`Limits::body_read_timeout`] → 408. Unknown fields
/// are ignored. Once the body is here, the request takes the execution slot it was due
/// ([`SlotDue`]).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Taken now (the payload is only lent to this call), read only after authentication.
        let bytes = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            authenticated(&req).await?;
            // A compressed body is refused before a byte of it is read: decompressing first
            // would let a small body expand far beyond the 1 MiB limit in memory.
            let compressed = req
                .headers()
                .get(header::CONTENT_ENCODING)
                .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
            if compressed {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "Request bodies must not be compressed (Content-Encoding).",
                ));
            }
            let state = req.app_data::<web::Data<AppState>>().cloned();
            let timeout = state
                .as_ref()
                .map_or(Limits::default(), |s| s.limits)
                .body_read_timeout;
            let bytes = actix_web::rt::time::timeout(timeout, bytes)
                .await
                .map_err(|_| ApiError::request_timeout())?
                .map_err(|e| match e.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => ApiError::payload_too_large(),
                    _ => ApiError::bad_request("The request body could not be read."),
                })?;
            // The body has arrived: now the execution slot it was due, which `hold` frees when
            // the handler returns.
            let due = req.extensions_mut().remove::<SlotDue>();
            if let (Some(SlotDue(principal)), Some(state)) = (due, state) {
                let slot = state.slots.acquire(&principal).await;
                req.extensions_mut().insert(slot);
            }
            if !json_content_type(&req) {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "The body must be JSON (application/json).",
                ));
            }
            parse_json(&bytes).map(JsonBody)
        })
    }
}

/// `application/json`, `application/merge-patch+json`, any `+json`, or no content type.
fn json_content_type(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| {
            let essence = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json"
                || essence == "application/merge-patch+json"
                || essence.ends_with("+json")
        })
        .unwrap_or(true)
}

/// Parses `bytes` as `T`, reporting the failing field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    refuse_nul(bytes)?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    if let Ok(value) = result {
        return match de.end() {
            Ok(()) => Ok(value),
            Err(e) => Err(malformed(&e)),
        };
    }
    result.map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                malformed(&inner)
            }
            _ => {
                let message = strip_position(&inner.to_string());
                let (field, reason) = match missing_field(&message) {
                    // The peer's (pydantic's) words, which its clients and tests look for.
                    Some(f) => (join_path(&path, f), FIELD_REQUIRED.to_owned()),
                    None if path == "." => ("body".to_owned(), message),
                    None => (path, message),
                };
                ApiError::invalid(ErrorCode::ValidationFailed, &field, &reason)
            }
        }
    })
}

/// The JSON escape of the NUL character, the only way a JSON text can carry one.
const NUL_ESCAPE: &[u8] = b"\\u0000";

/// Refuses a body with the NUL character in any string or key (PostgreSQL cannot store it):
/// 422 naming every place it stands, found only when the escape occurs at all (a scan of the
/// raw bytes, so ordinary bodies pay nothing more).
fn refuse_nul(bytes: &[u8]) -> Result<(), ApiError> {
    if !bytes.windows(NUL_ESCAPE.len()).any(|w| w == NUL_ESCAPE) {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(()); // malformed JSON: the parse below says where
    };
    let mut places = Vec::new();
    nul_places(&value, String::new(), &mut places);
    if places.is_empty() {
        return Ok(());
    }
    let errors = places
        .into_iter()
        .map(|field| ValidationError::new(field, "must not contain the NUL character (\\u0000)"))
        .collect();
    Err(ApiError::validations(errors))
}

/// The dotted paths (`a.b[2]`) of every string or key in `value` holding a NUL.
fn nul_places(value: &serde_json::Value, path: String, places: &mut Vec<String>) {
    let join = |key: &str| {
        let key = key.replace('\0', "\\u0000");
        if path.is_empty() {
            key
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        serde_json::Value::String(s) if s.contains('\0') => {
            places.push(if path.is_empty() {
                "body".to_owned()
            } else {
                path
            });
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nul_places(item, format!("{path}[{i}]"), places);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                if key.contains('\0') {
                    places.push(join(key));
                }
                nul_places(item, join(key), places);
            }
        }
        _ => {}
    }
}

/// 400 for JSON that does not parse, with its position.
fn malformed(err: &serde_json::Error) -> ApiError {
    ApiError::invalid(
        ErrorCode::BadRequest,
        "body",
        &format!(
            "malformed JSON at line {} column {}",
            err.line(),
            err.column()
        ),
    )
}

/// The reason given for a required field that is absent (the peer's wording).
pub const FIELD_REQUIRED: &str = "Field required";

/// serde's "missing field `x`" names the field only in its message.
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

fn join_path(path: &str, field: &str) -> String {
    if path == "." || path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// Drops serde_json's " at line L column C" suffix (the field path says where).
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The query string as ordered pairs, read with typed accessors whose errors name the
/// parameter (422). Repeated keys are kept (`status=Ready&status=BuildOnly`).
#[derive(Debug, Clone, Default)]
pub struct QueryParams(Vec<(String, String)>);

impl FromRequest for QueryParams {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticated(&req).await?;
            web::Query::<Vec<(String, String)>>::from_query(req.query_string())
                .map(|q| QueryParams(q.into_inner()))
                .map_err(|_| ApiError::bad_request("The query string is malformed."))
        })
    }
}

impl QueryParams {
    /// The last value of `key`, if any.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, ValidationError> {
        self.get(key)
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| ValidationError::new(key, "must be an integer"))
            })
            .transpose()
    }
}
