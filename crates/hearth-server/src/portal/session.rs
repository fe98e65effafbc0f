//! The portal session: its own cookie (never the staff one), one customer
//! of one organisation, a CSRF token derived from it, and refusal on
//! another organisation's portal host.

use crate::AppState;
use crate::auth::login::append_cookie;
use crate::auth::{constant_time_eq, cookie_value, csrf_token};
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::portal::SESSION_ABSOLUTE;
use hearth_store::portal::sessions::{self, PortalCustomer};
use hearth_store::work;

/// The header a portal page's script sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-hearth_portal"
    } else {
        "hearth_portal"
    }
}

/// A signed-in customer.
pub struct Customer {
    pub who: PortalCustomer,
    /// The CSRF token of the session.
    pub csrf: String,
}

impl Customer {
    /// Checks the token a form posted.
    pub fn verify_csrf(&self, sent: &str) -> Result<(), AppError> {
        if constant_time_eq(sent.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            tracing::warn!(customer = %self.who.customer_id, "portal CSRF token mismatch");
            Err(AppError::Forbidden)
        }
    }
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Customer, AppError> {
    let name = cookie_name(state.config.secure_cookies);
    let token = cookie_value(&parts.headers, name)
        .ok_or(AppError::Unauthorized)?
        .to_string();
    let csrf = csrf_token(&token);
    let found = state
        .store
        .read(work!(|c| sessions::find(c, &token)))
        .await?;
    let Some((who, stale)) = found else {
        tracing::warn!(path = %parts.uri.path(), "rejected portal session");
        return Err(AppError::Unauthorized);
    };
    // On an organisation's own portal host only its customers are signed in.
    if let Some(org) = super::host_org(state, &parts.headers).await?
        && org != who.org_id
    {
        tracing::warn!(path = %parts.uri.path(), "portal session used on another organisation's host");
        return Err(AppError::Unauthorized);
    }
    if stale {
        let id = who.session_id;
        if let Err(e) = state.store.write(work!(|c| sessions::touch(c, id))).await {
            tracing::warn!(error = %e, "could not record the portal session's last use");
        }
    }
    Ok(Customer { who, csrf })
}

/// The JSON API: 401 without a session; changes need the CSRF header.
impl FromRequestParts<AppState> for Customer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let customer = authenticate(parts, state).await?;
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            customer.verify_csrf(sent)?;
        }
        Ok(customer)
    }
}

/// A portal page: without a session, off to the sign-in page. Forms check
/// their posted CSRF token themselves.
pub struct CustomerPage(pub Customer);

impl FromRequestParts<AppState> for CustomerPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match authenticate(parts, state).await {
            Ok(customer) => Ok(CustomerPage(customer)),
            Err(AppError::Unauthorized) => Err(Redirect::to("/portal/login").into_response()),
            Err(other) => Err(super::pages::error(other)),
        }
    }
}

pub fn set_cookie(response: &mut Response, state: &AppState, token: &str) {
    let name = cookie_name(state.config.secure_cookies);
    append_cookie(response, state, name, token, SESSION_ABSOLUTE.num_seconds());
}

pub fn clear_cookie(response: &mut Response, state: &AppState) {
    append_cookie(
        response,
        state,
        cookie_name(state.config.secure_cookies),
        "",
        0,
    );
}

/// The session token the request carries, if any.
pub fn token(headers: &HeaderMap, state: &AppState) -> Option<String> {
    cookie_value(headers, cookie_name(state.config.secure_cookies)).map(str::to_string)
}
