//! Who is asking: an API key (`Authorization: Bearer …`) or a staff session
//! cookie. Cookie-authenticated changes must also carry the session's CSRF
//! token; a bearer key cannot be sent by a browser on its own, so it needs none.

pub mod login;
pub mod password;

use crate::AppState;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::auth::Action;
use hearth_store::auth::{self as store_auth, Principal, Touch};
use sha2::{Digest, Sha256};

pub const CSRF_HEADER: &str = "x-csrf-token";

/// An authenticated request.
pub struct Auth {
    pub principal: Principal,
    /// The CSRF token of the session; `None` for API keys.
    pub csrf: Option<String>,
}

impl Auth {
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        if self.principal.role.can(action) {
            Ok(())
        } else {
            tracing::warn!(actor = %self.principal.actor.name, ?action, "access denied by role");
            Err(AppError::Forbidden)
        }
    }

    /// Checks the token a form posted against the session's.
    pub fn verify_csrf(&self, sent: &str) -> Result<(), AppError> {
        match &self.csrf {
            Some(expected) if constant_time_eq(expected.as_bytes(), sent.as_bytes()) => Ok(()),
            Some(_) => {
                tracing::warn!(actor = %self.principal.actor.name, "CSRF token mismatch");
                Err(AppError::Forbidden)
            }
            None => Ok(()),
        }
    }
}

/// The CSRF token is derived from the session token, so nothing more is
/// stored and it changes with every login.
pub fn csrf_token(session_token: &str) -> String {
    hex::encode(Sha256::digest(
        format!("hearth-csrf:{session_token}").as_bytes(),
    ))
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-hearth_session"
    } else {
        "hearth_session"
    }
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    /// API routes: a cookie-authenticated change must send the CSRF header.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        authenticate(parts, state, true).await
    }
}

/// Stamps a credential's last use in the background. On SQLite one long
/// write (a large import is one transaction) holds the only writer for
/// minutes: a request that waited for its stamp would hang that long (the
/// imports page's progress polls did), so the stamp waits instead, one per
/// credential. It is advisory: a request never fails because it could not
/// be written (rare "database is locked" seen on SQLite at the minute
/// boundary under concurrent load; not yet explained).
fn stamp_last_use(state: &AppState, touch: Touch) {
    if !state.touches().insert(touch) {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        let stamped = state
            .store
            .write(move |c| Box::pin(store_auth::touch(c, touch)))
            .await;
        state.touches().remove(&touch);
        if let Err(e) = stamped {
            tracing::warn!(error = %e, "could not record the credential's last use");
        }
    });
}

/// Pages check the CSRF token their forms post, so they ask for no header.
async fn authenticate(
    parts: &Parts,
    state: &AppState,
    csrf_header: bool,
) -> Result<Auth, AppError> {
    let (credential, csrf) = if let Some(secret) = bearer(&parts.headers) {
        (Credential::ApiKey(secret.to_string()), None)
    } else {
        let name = session_cookie_name(state.config.secure_cookies);
        let token = cookie_value(&parts.headers, name)
            .ok_or(AppError::Unauthorized)?
            .to_string();
        let csrf = csrf_token(&token);
        (Credential::Session(token), Some(csrf))
    };
    let found = state
        .store
        .read(move |c| Box::pin(async move { credential.lookup(c).await }))
        .await?;
    let Some(found) = found else {
        tracing::warn!(path = %parts.uri.path(), "rejected credentials");
        return Err(AppError::Unauthorized);
    };
    if let Some(touch) = found.touch {
        stamp_last_use(state, touch);
    }
    let principal = found.principal;
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if let Some(csrf) = &csrf
        && unsafe_method
        && csrf_header
    {
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), csrf.as_bytes()) {
            tracing::warn!(actor = %principal.actor.name, "API call with a session but no CSRF token");
            return Err(AppError::Forbidden);
        }
    }
    Ok(Auth { principal, csrf })
}

enum Credential {
    ApiKey(String),
    Session(String),
}

impl Credential {
    async fn lookup(
        &self,
        c: &mut hearth_store::Conn,
    ) -> hearth_store::Result<Option<store_auth::Found>> {
        match self {
            Credential::ApiKey(secret) => store_auth::api_key_principal(c, secret).await,
            Credential::Session(token) => store_auth::session_principal(c, token).await,
        }
    }
}

/// A staff page: sends people who are not signed in to the login page.
pub struct PageAuth(pub Auth);

impl FromRequestParts<AppState> for PageAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match authenticate(parts, state, false).await {
            Ok(auth) => Ok(PageAuth(auth)),
            Err(AppError::Unauthorized) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let target = format!("/login?next={}", urlencode(next));
                Err(Redirect::to(&target).into_response())
            }
            Err(other) => Err(crate::pages::error_page(other)),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
