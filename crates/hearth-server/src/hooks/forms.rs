//! `POST /hooks/forms/{key}`: a web form on the business's own site posts a
//! lead. Public: the key names the form and grants nothing else. Answers
//! the form's configured origins with CORS headers; counts submissions per
//! form and address in the database (so every instance shares the limit).

use crate::AppState;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hearth_domain::Invalid;
use hearth_store::leads::forms::{self, Outcome, PublicForm};
use hearth_store::work;
use std::net::SocketAddr;

/// Finds the form and checks the caller's origin; `Err` is the answer.
async fn form_for(
    s: &AppState,
    key: String,
    headers: &HeaderMap,
) -> Result<(PublicForm, Option<HeaderValue>), Response> {
    let found = s
        .store
        .read(work!(|c| forms::by_key(c, &key)))
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    let Some(public) = found else {
        return Err(AppError::NotFound.into_response());
    };
    let origin = headers.get(header::ORIGIN).cloned();
    match &origin {
        // No Origin: a server-side post or an old browser; nothing to allow.
        None => Ok((public, None)),
        Some(o) => {
            let allowed = public.form.allowed_origins.is_empty()
                || o.to_str().is_ok_and(|o| {
                    public
                        .form
                        .allowed_origins
                        .iter()
                        .any(|a| a.eq_ignore_ascii_case(o))
                });
            if allowed {
                Ok((public, origin))
            } else {
                tracing::warn!(origin = ?o, form = %public.form.id, "web form post from an origin it does not allow");
                Err(AppError::Forbidden.into_response())
            }
        }
    }
}

fn with_cors(mut response: Response, origin: Option<HeaderValue>, preflight: bool) -> Response {
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if preflight {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            );
        }
    }
    response
}

/// The CORS preflight a browser sends before a script posts JSON.
pub async fn preflight(
    State(s): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    match form_for(&s, key, &headers).await {
        Ok((_, origin)) => with_cors(StatusCode::NO_CONTENT.into_response(), origin, true),
        Err(r) => r,
    }
}

pub async fn submit(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(key): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (public, origin) = match form_for(&s, key, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let answer = |r: Response| with_cors(r, origin.clone(), false);
    let (pairs, from_browser_form) = match read_fields(&s, request).await {
        Ok(read) => read,
        Err(e) => return answer(e.into_response()),
    };
    let ip = peer.ip().to_string();
    let outcome = {
        let (public, ip) = (public.clone(), ip.clone());
        s.store
            .write(work!(|c| forms::submit(c, &public, &ip, &pairs)))
            .await
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return answer(AppError::from(e).into_response()),
    };
    match outcome {
        Outcome::Limited => {
            tracing::warn!(%ip, form = %public.form.id, "web form rate limit reached");
            answer(AppError::TooManyRequests.into_response())
        }
        Outcome::Invalid(invalid) => answer(AppError::Invalid(invalid).into_response()),
        Outcome::Spam | Outcome::Created(_) | Outcome::Attached(_) => {
            if !from_browser_form {
                return answer(
                    (
                        StatusCode::OK,
                        axum::Json(serde_json::json!({"status": "received"})),
                    )
                        .into_response(),
                );
            }
            match &public.form.redirect_url {
                Some(url) => answer(Redirect::to(url).into_response()),
                None => answer(Html(THANK_YOU).into_response()),
            }
        }
    }
}

const THANK_YOU: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Thank you</title></head>\
<body><h1>Thank you</h1><p>We have your message and will be in touch soon.</p></body></html>";

/// The posted fields in order, and whether a browser posted a plain HTML
/// form (it wants a page back, not JSON).
async fn read_fields(
    s: &AppState,
    request: Request,
) -> Result<(Vec<(String, String)>, bool), AppError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    debug_assert_eq!(request.method(), Method::POST);
    match content_type.as_str() {
        "application/x-www-form-urlencoded" => {
            let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(request, s)
                .await
                .map_err(|e| AppError::from(Invalid::field("body", e.body_text())))?;
            Ok((pairs, wants_html))
        }
        "application/json" => {
            let bytes = Bytes::from_request(request, s)
                .await
                .map_err(|_| AppError::PayloadTooLarge(crate::MAX_BODY_BYTES))?;
            Ok((json_fields(&bytes)?, false))
        }
        _ => Err(AppError::UnsupportedMediaType),
    }
}

/// A flat JSON object of text (numbers and booleans are taken as text).
fn json_fields(bytes: &[u8]) -> Result<Vec<(String, String)>, AppError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| Invalid::field("body", "is not valid JSON"))?;
    let serde_json::Value::Object(map) = value else {
        return Err(Invalid::field("body", "must be a JSON object of form fields").into());
    };
    let mut pairs = Vec::with_capacity(map.len());
    let mut errors = Invalid::default();
    for (key, value) in map {
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => pairs.push((key, s)),
            serde_json::Value::Number(n) => pairs.push((key, n.to_string())),
            serde_json::Value::Bool(b) => pairs.push((key, b.to_string())),
            _ => errors.push(key, "must be text"),
        }
    }
    errors.or_ok(pairs).map_err(AppError::from)
}
