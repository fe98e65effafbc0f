//! Request parsing that answers in problem+json and names the bad field.

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

/// A JSON body; unknown or mistyped fields are reported by their path.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
            });
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(_) => {
                AppError::PayloadTooLarge(crate::MAX_BODY_BYTES)
            }
            other => AppError::BadRequest(other.body_text()),
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body as `T`. A whole number written with a fraction (`2.0`) is
/// accepted where an integer is expected: JSON does not tell the two
/// apart (JSON Schema counts `2.0` as an integer) and some clients write
/// every number that way; `2.5` is still refused, naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let strict = serde_path_to_error::deserialize(&mut de);
    let value = match strict {
        Ok(value) => value,
        Err(e)
            if e.inner()
                .to_string()
                .starts_with("invalid type: floating point") =>
        {
            // Rare, so the second parse costs nothing in the common case.
            let mut loose: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|_| invalid_json(e))?;
            whole_numbers_as_integers(&mut loose);
            return serde_path_to_error::deserialize(loose).map_err(invalid_json);
        }
        Err(e) => return Err(invalid_json(e)),
    };
    de.end().map_err(|_| {
        AppError::from(hearth_domain::Invalid::field(
            "body",
            "has trailing characters after the JSON value",
        ))
    })?;
    Ok(value)
}

/// `2.0` → `2`, everywhere in `v`, for numbers a double holds exactly.
fn whole_numbers_as_integers(v: &mut serde_json::Value) {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match v {
        Value::Number(n) => {
            if let Some(f) = n
                .as_f64()
                .filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() <= EXACT)
            {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// The problem a body that does not fit `T` gets: the field it went wrong
/// at, and serde's words for what was wrong.
fn invalid_json(e: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    use serde_json::error::Category;
    // serde_path_to_error already ends the path with an unknown field's name.
    let field = match (path.as_str(), inner.classify()) {
        (_, Category::Syntax | Category::Eof | Category::Io) => "body".to_string(),
        (".", _) => named_field(&inner.to_string()).unwrap_or_else(|| "body".to_string()),
        // The body as a whole has the wrong shape (an array, say).
        (p, _) if p.starts_with('[') => "body".to_string(),
        (p, _) => p.to_string(),
    };
    AppError::from(hearth_domain::Invalid::field(
        field,
        clean_serde_message(&inner.to_string()),
    ))
}

/// serde names the field in "unknown field `x`, expected …" and
/// "missing field `x`".
fn named_field(message: &str) -> Option<String> {
    let start = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|p| message.find(p).map(|i| i + p.len()))?;
    Some(message[start..].split('`').next()?.to_string())
}

fn clean_serde_message(message: &str) -> String {
    // Drop serde's " at line 1 column 7" suffix: the field name says where.
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Query parameters, rejected as problem+json.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        // Text in PostgreSQL cannot hold NUL; refuse it here rather than fail there.
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            return Err(AppError::from(hearth_domain::Invalid::field(
                "query",
                "contains a NUL character",
            )));
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| {
                let text = e.body_text();
                let message = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text)
                    .to_string();
                let field = named_field(&message).unwrap_or_else(|| "query".into());
                AppError::from(hearth_domain::Invalid::field(field, message))
            })
    }
}

/// Path parameters; a malformed id is simply a record that does not exist.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_: PathRejection| AppError::NotFound)
    }
}
