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

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
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
    })?;
    de.end().map_err(|_| {
        AppError::from(hearth_domain::Invalid::field(
            "body",
            "has trailing characters after the JSON value",
        ))
    })?;
    Ok(value)
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
