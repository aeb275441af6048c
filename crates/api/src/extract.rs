//! Request extractors whose failures are problem+json like every other error.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

/// The largest JSON body accepted, from `HUB_BODY_LIMIT_BYTES`.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// The longest pause allowed while a client sends a body (`HUB_CLIENT_TIMEOUT_MS`).
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

impl BodyTimeout {
    pub const DEFAULT: std::time::Duration = std::time::Duration::from_secs(10);

    pub fn of(req: &HttpRequest) -> std::time::Duration {
        req.app_data::<BodyTimeout>().map_or(Self::DEFAULT, |t| t.0)
    }
}

/// The next chunk of a body, or 408 when the client pauses longer than `idle`.
pub async fn next_chunk<S, T, E>(
    stream: &mut S,
    idle: std::time::Duration,
) -> Result<Option<Result<T, E>>, ApiError>
where
    S: futures_util::Stream<Item = Result<T, E>> + Unpin,
{
    tokio::time::timeout(idle, stream.next())
        .await
        .map_err(|_| ApiError::RequestTimeout)
}

/// A JSON request body. Syntax errors answer 400, wrong types and unknown
/// fields 422 naming the field, other media types 415, large bodies 413.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// What a JSON extractor needs from the request head.
struct BodyHead {
    limit: usize,
    idle: std::time::Duration,
    content_type: Option<String>,
    declared_length: Option<usize>,
}

impl BodyHead {
    fn of(req: &HttpRequest) -> Self {
        let header_text = |name| {
            req.headers()
                .get(name)
                .and_then(|v: &header::HeaderValue| v.to_str().ok())
        };
        Self {
            limit: req.app_data::<BodyLimit>().map_or(1024 * 1024, |l| l.0),
            idle: BodyTimeout::of(req),
            content_type: header_text(header::CONTENT_TYPE).map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            }),
            declared_length: header_text(header::CONTENT_LENGTH).and_then(|v| v.parse().ok()),
        }
    }

    fn check_json(&self) -> Result<(), ApiError> {
        match self.content_type.as_deref() {
            Some("application/json") => Ok(()),
            Some(other) if other.starts_with("application/") && other.ends_with("+json") => Ok(()),
            Some(other) => Err(ApiError::UnsupportedMediaType(format!(
                "send the body as application/json, not {}",
                other.chars().take(80).collect::<String>()
            ))),
            None => Err(ApiError::UnsupportedMediaType(
                "send the body as application/json".into(),
            )),
        }
    }

    /// Reads the body, refusing it as soon as it passes the limit.
    async fn read(&self, mut payload: Payload) -> Result<web::BytesMut, ApiError> {
        if self.declared_length.is_some_and(|n| n > self.limit) {
            return Err(ApiError::PayloadTooLarge { limit: self.limit });
        }
        let mut body = web::BytesMut::new();
        while let Some(chunk) = next_chunk(&mut payload, self.idle).await? {
            let chunk = chunk
                .map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}")))?;
            if body.len() + chunk.len() > self.limit {
                return Err(ApiError::PayloadTooLarge { limit: self.limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

impl<T: DeserializeOwned + utoipa::ToSchema + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let head = BodyHead::of(req);
        let payload = payload.take();
        Box::pin(async move {
            head.check_json()?;
            let body = head.read(payload).await?;
            parse_body::<T>(&body).map(JsonBody)
        })
    }
}

/// A JSON body that may be left out entirely (no body, an empty one, or `null`).
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T: DeserializeOwned + utoipa::ToSchema + 'static> FromRequest for OptionalJsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let head = BodyHead::of(req);
        let payload = payload.take();
        Box::pin(async move {
            let body = head.read(payload).await?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJsonBody(None));
            }
            head.check_json()?;
            if body.trim_ascii() == b"null" {
                return Ok(OptionalJsonBody(None));
            }
            parse_body::<T>(&body).map(|v| OptionalJsonBody(Some(v)))
        })
    }
}

/// The document's component schemas, as JSON.
fn component_schemas() -> &'static serde_json::Value {
    static SCHEMAS: std::sync::LazyLock<serde_json::Value> =
        std::sync::LazyLock::new(|| crate::openapi::document()["components"]["schemas"].clone());
    &SCHEMAS
}

/// serde reads a struct from a JSON array by position, so `[null, null]`
/// would pass for an object of optional fields. Wherever the document says a
/// body (or a field in it) is an object, an array is refused with 422 naming
/// the field, before the typed parse.
fn refuse_arrays_for_objects<T: utoipa::ToSchema>(
    value: &serde_json::Value,
) -> Result<(), ApiError> {
    let schemas = component_schemas();
    let root = serde_json::json!({"$ref": format!("#/components/schemas/{}", T::name())});
    match misplaced_array(value, &root, schemas, String::new(), 0) {
        Some(path) => {
            let field = if path.is_empty() {
                "body".to_owned()
            } else {
                path
            };
            Err(ApiError::validation(
                &field,
                "invalid_type",
                "must be a JSON object, not an array",
            ))
        }
        None => Ok(()),
    }
}

/// The first place where `value` holds an array and `schema` only an object.
fn misplaced_array(
    value: &serde_json::Value,
    schema: &serde_json::Value,
    schemas: &serde_json::Value,
    path: String,
    depth: usize,
) -> Option<String> {
    use serde_json::Value;
    if depth > 64 {
        return None;
    }
    if let Some(name) = schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        return misplaced_array(value, &schemas[name], schemas, path, depth + 1);
    }
    let alternatives: Vec<&Value> = ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| schema[*k].as_array())
        .flatten()
        .collect();
    if let Some(found) = alternatives.iter().find_map(|alternative| {
        misplaced_array(value, alternative, schemas, path.clone(), depth + 1)
    }) {
        return Some(found);
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Array(items) => {
            if types.contains(&"object") && !types.contains(&"array") {
                return Some(path);
            }
            items.iter().enumerate().find_map(|(i, item)| {
                misplaced_array(
                    item,
                    &schema["items"],
                    schemas,
                    format!("{path}[{i}]"),
                    depth + 1,
                )
            })
        }
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let property = &schema["properties"][key];
            if property.is_null() {
                None
            } else {
                misplaced_array(item, property, schemas, join(key), depth + 1)
            }
        }),
        _ => None,
    }
}

/// Parses a body the document describes as the schema of `T`: arrays where
/// it says objects are refused, then the typed parse names the field that failed.
fn parse_body<T: DeserializeOwned + utoipa::ToSchema>(body: &[u8]) -> Result<T, ApiError> {
    let value = parse_value(body)?;
    refuse_arrays_for_objects::<T>(&value)?;
    from_value(value)
}

/// Parses JSON, naming the field that failed.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    from_value(parse_value(body)?)
}

/// The body as a JSON value: 400 when it is not JSON, 422 naming each text
/// that holds NUL. A number written with a zero fraction (`4.0`) is the same
/// number as `4`, as JSON Schema says, so it is read as the integer.
fn parse_value(body: &[u8]) -> Result<serde_json::Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "the request body is empty; send a JSON object".into(),
        ));
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| malformed(&e))?;
    refuse_nul(&value)?;
    integral_numbers(&mut value);
    Ok(value)
}

fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        let field = field_name(&path, &message);
        ApiError::validation(&field, "invalid_value", message)
    })
}

/// Rewrites every number with a zero fraction (within the 64-bit range) as
/// an integer; a field that takes a fraction still reads it as before.
fn integral_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&float)
            {
                // In range and whole, so the cast is exact.
                #[allow(clippy::cast_possible_truncation)]
                let whole = float as i64;
                *number = whole.into();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// Text may not hold the NUL character: PostgreSQL cannot store it and no
/// field has a use for it. Each string (or key) holding one is named.
fn refuse_nul(value: &serde_json::Value) -> Result<(), ApiError> {
    let mut errors = domain::ValidationErrors::new();
    find_nul(value, String::new(), &mut errors);
    errors.into_result().map_err(ApiError::Validation)
}

fn find_nul(value: &serde_json::Value, path: String, errors: &mut domain::ValidationErrors) {
    let named = |path: &str| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    if errors.errors().len() >= 50 {
        return;
    }
    match value {
        serde_json::Value::String(text) if text.contains('\0') => errors.add(
            named(&path),
            "invalid_character",
            "must not contain the NUL character (U+0000)",
        ),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_nul(item, format!("{path}[{i}]"), errors);
            }
        }
        serde_json::Value::Object(fields) => {
            for (key, item) in fields {
                let field = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if key.contains('\0') {
                    errors.add(
                        named(&path),
                        "invalid_character",
                        "field names must not contain the NUL character (U+0000)",
                    );
                } else {
                    find_nul(item, field, errors);
                }
            }
        }
        _ => {}
    }
}

fn malformed(error: &serde_json::Error) -> ApiError {
    ApiError::BadRequest(format!("the body is not valid JSON: {error}"))
}

/// serde reports a missing field at its parent; name the field itself.
fn field_name(path: &str, message: &str) -> String {
    let parent = if path == "." { "" } else { path };
    let quoted = message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("missing field") || message.starts_with("unknown field"));
    match quoted {
        Some(name) if message.starts_with("missing field") || !parent.ends_with(name) => {
            if parent.is_empty() {
                name.to_owned()
            } else {
                format!("{parent}.{name}")
            }
        }
        _ if parent.is_empty() => "body".to_owned(),
        _ => parent.to_owned(),
    }
}

/// Bad path segments (an id that is not a UUID) name nothing that exists.
pub fn path_error(error: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound(format!("no such resource: {error}")).into()
}

/// Refuses, with 422 naming each parameter, a query string whose values
/// hold the NUL character: no filter has a use for it and PostgreSQL cannot
/// compare text with it.
pub async fn refuse_nul_in_query(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    use actix_web::ResponseError;
    if req.query_string().contains("%00") {
        let mut errors = domain::ValidationErrors::new();
        if let Ok(pairs) = web::Query::<Vec<(String, String)>>::from_query(req.query_string()) {
            for (name, value) in pairs.into_inner() {
                if name.contains('\0') || value.contains('\0') {
                    errors.add(
                        name.replace('\0', ""),
                        "invalid_character",
                        "must not contain the NUL character (U+0000)",
                    );
                }
            }
        }
        if !errors.is_empty() {
            let response = ApiError::Validation(errors).error_response();
            return Ok(req.into_response(response).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// A query parameter sent with an empty value (`?limit=`, `?kind=`, or a
/// bare `?mine`) is refused with 422 naming it, for every parameter alike:
/// the document declares no parameter whose value may be empty, so leave a
/// parameter out to leave it unset.
pub async fn refuse_empty_query_values(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    use actix_web::ResponseError;
    let empty = empty_values(req.query_string());
    if !empty.is_empty() {
        let mut errors = domain::ValidationErrors::new();
        for name in empty {
            errors.add(
                name,
                "empty_value",
                "must not be empty; leave the parameter out instead",
            );
        }
        let response = ApiError::Validation(errors).error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The names of the query's parameters sent with no value.
fn empty_values(query: &str) -> Vec<String> {
    if query.is_empty() {
        return Vec::new();
    }
    query
        .split('&')
        .filter(|pair| {
            pair.split_once('=')
                .is_none_or(|(_, value)| value.is_empty())
        })
        .map(|pair| {
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            web::Query::<Vec<(String, String)>>::from_query(&format!("{name}=x"))
                .ok()
                .and_then(|pairs| pairs.into_inner().into_iter().next())
                .map_or_else(|| name.to_owned(), |(name, _)| name)
                .replace('\0', "")
        })
        .collect()
}

/// Bad query strings answer 422 naming the problem.
pub fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::validation("query", "invalid_query", error.to_string()).into()
}

/// The answer for paths the API does not have.
pub async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(
        "there is no such path; see /api/v1/openapi.json".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn field_of(body: &str) -> Option<String> {
        match parse_json::<Body>(body.as_bytes()) {
            Err(ApiError::Validation(errors)) => Some(errors.errors()[0].field.clone()),
            _ => None,
        }
    }

    #[test]
    fn data_errors_name_the_field() {
        assert_eq!(field_of(r#"{"title": 3}"#).as_deref(), Some("title"));
        assert_eq!(field_of(r#"{}"#).as_deref(), Some("title"));
        assert_eq!(
            field_of(r#"{"title": "a", "status": "published"}"#).as_deref(),
            Some("status")
        );
        assert_eq!(
            field_of(r#"{"title": "a", "inner": {"count": -1}}"#).as_deref(),
            Some("inner.count")
        );
        assert_eq!(
            field_of(r#"{"title": "a", "inner": {"count": 1, "x": 1}}"#).as_deref(),
            Some("inner.x")
        );
    }

    #[test]
    fn empty_query_values_are_named() {
        assert_eq!(empty_values("limit=&kind=case_study"), vec!["limit"]);
        assert_eq!(empty_values("mine&q="), vec!["mine", "q"]);
        assert!(empty_values("limit=5").is_empty());
        assert!(empty_values("").is_empty());
    }

    #[test]
    fn syntax_errors_are_bad_requests() {
        for body in ["{", "not json", "{\"title\": \"a\"} trailing", ""] {
            assert!(
                matches!(
                    parse_json::<Body>(body.as_bytes()),
                    Err(ApiError::BadRequest(_))
                ),
                "{body:.20}"
            );
        }
    }

    fn nul_fields(body: &str) -> Vec<String> {
        match parse_json::<serde_json::Value>(body.as_bytes()) {
            Err(ApiError::Validation(errors)) => {
                errors.errors().iter().map(|e| e.field.clone()).collect()
            }
            _ => Vec::new(),
        }
    }

    #[test]
    fn nul_characters_are_refused_by_field() {
        assert_eq!(
            nul_fields(
                r#"{"title": "a\u0000", "list": ["ok", "b\u0000"], "inner": {"deep": "\u0000"}}"#
            ),
            vec!["inner.deep", "list[1]", "title"]
        );
        assert_eq!(nul_fields(r#""\u0000""#), vec!["body"]);
        assert!(nul_fields(r#"{"title": "a\\u0000 is only written out"}"#).is_empty());
        let many: Vec<String> = (0..500).map(|_| r"\u0000".to_owned()).collect();
        assert_eq!(
            nul_fields(&format!("[\"{}\"]", many.join("\",\""))).len(),
            50
        );
    }
}
