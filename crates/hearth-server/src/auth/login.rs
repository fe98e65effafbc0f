//! Signing in and out of the staff app.

use super::{PageAuth, password, session_cookie_name};
use crate::AppState;
use crate::error::AppError;
use crate::pages::{Html, render};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_store::auth as store_auth;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths, so the login page cannot bounce anyone elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

pub async fn page(Query(q): Query<NextQuery>) -> Result<Html, Response> {
    render(&LoginPage {
        next: safe_next(q.next.as_deref()),
        email: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !same_origin(&headers) {
        return crate::pages::error_page(AppError::Forbidden);
    }
    let next = safe_next(form.next.as_deref());
    let ip = peer.ip().to_string();
    let email = form.email.trim().to_lowercase();
    let failed = |message: &str| {
        render(&LoginPage {
            next: next.clone(),
            email: email.clone(),
            error: Some(message.to_string()),
        })
        .into_response()
    };
    let (email_q, ip_q) = (email.clone(), ip.clone());
    let allowed = state
        .store
        .read(move |c| Box::pin(async move { store_auth::login_allowed(c, &email_q, &ip_q).await }))
        .await;
    match allowed {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(%ip, "login refused: too many failures");
            return failed("Too many failed attempts. Wait 15 minutes and try again.");
        }
        Err(e) => return crate::pages::error_page(e.into()),
    }
    let email_q = email.clone();
    let found = match state
        .store
        .read(move |c| Box::pin(async move { store_auth::user_for_login(c, &email_q).await }))
        .await
    {
        Ok(found) => found,
        Err(e) => return crate::pages::error_page(e.into()),
    };
    // Verify against a dummy hash for unknown accounts: same work, same timing.
    let stored = found
        .as_ref()
        .map_or(password::DUMMY_HASH.to_string(), |(_, h)| h.clone());
    let ok = password::verify_blocking(form.password, stored).await;
    let user = match found {
        Some((user, _)) if ok && !user.disabled => user,
        _ => {
            tracing::warn!(%ip, "failed login");
            let (email_q, ip_q) = (email.clone(), ip.clone());
            let _ = state
                .store
                .write(move |c| {
                    Box::pin(
                        async move { store_auth::record_login_failure(c, &email_q, &ip_q).await },
                    )
                })
                .await;
            return failed("Wrong email or password.");
        }
    };
    // A new session token at every login (no fixation); the old one, if
    // any, is ended.
    let old = super::cookie_value(&headers, session_cookie_name(state.config.secure_cookies))
        .map(str::to_string);
    let token = state
        .store
        .write(move |c| {
            Box::pin(async move {
                if let Some(old) = old {
                    store_auth::end_session(c, &old).await?;
                }
                store_auth::create_session(c, &user).await
            })
        })
        .await;
    match token {
        Ok(token) => {
            let mut response = Redirect::to(&next).into_response();
            set_session_cookie(&mut response, &state, &token);
            response
        }
        Err(e) => crate::pages::error_page(e.into()),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    headers: HeaderMap,
    Form(form): Form<crate::pages::CsrfOnly>,
) -> Response {
    if let Err(e) = auth.verify_csrf(&form.csrf) {
        return crate::pages::error_page(e);
    }
    end(&state, &headers).await
}

async fn end(state: &AppState, headers: &HeaderMap) -> Response {
    let name = session_cookie_name(state.config.secure_cookies);
    if let Some(token) = super::cookie_value(headers, name).map(str::to_string) {
        let _ = state
            .store
            .write(move |c| Box::pin(async move { store_auth::end_session(c, &token).await }))
            .await;
    }
    let mut response = Redirect::to("/login").into_response();
    append_cookie(&mut response, state, name, "", 0);
    response
}

fn set_session_cookie(response: &mut Response, state: &AppState, token: &str) {
    let name = session_cookie_name(state.config.secure_cookies);
    let max_age = store_auth::SESSION_ABSOLUTE.num_seconds();
    append_cookie(response, state, name, token, max_age);
}

/// Sets (or with `max_age` 0, removes) an HttpOnly, SameSite=Lax cookie
/// for the whole site; Secure behind TLS.
pub(crate) fn append_cookie(
    response: &mut Response,
    state: &AppState,
    name: &str,
    value: &str,
    max_age: i64,
) {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// A cross-site form post carries another Origin; browsers always send one
/// with POST.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest == host)
}
