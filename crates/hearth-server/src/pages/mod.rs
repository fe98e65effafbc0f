#![allow(
    clippy::result_large_err,
    reason = "axum's Response is the natural error of a page handler"
)]
//! Server-rendered staff pages.

mod billing;
mod children;
mod comms;
mod customers;
mod dashboard;
mod duplicates;
mod hook_settings;
mod imports;
mod jobs;
mod leads;
mod merges;
mod notes_tags;
mod segments;

use crate::AppState;
use crate::auth::Auth;
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub type Html = axum::response::Html<String>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route(
            "/login",
            get(crate::auth::login::page).post(crate::auth::login::submit),
        )
        .route("/logout", post(crate::auth::login::logout))
        .route("/reminders/{id}/dismiss", post(dashboard::dismiss_reminder))
        .route("/settings/inbound", get(hook_settings::show))
        .route("/settings/inbound/secret", post(hook_settings::rotate))
        .route(
            "/settings/inbound/whatsapp",
            post(hook_settings::set_whatsapp),
        )
        .route("/settings/reminders", post(hook_settings::set_days))
        .merge(customers::routes())
        .merge(notes_tags::routes())
        .merge(children::routes())
        .merge(jobs::routes())
        .merge(leads::routes())
        .merge(comms::routes())
        .merge(billing::routes())
        .merge(segments::routes())
        .merge(imports::routes())
        .merge(duplicates::routes())
        .merge(merges::routes())
}

/// What every staff page shows around its content.
pub struct Chrome {
    pub user_name: String,
    pub org_name: String,
    pub csrf: String,
}

impl Chrome {
    pub fn of(auth: &Auth) -> Chrome {
        Chrome {
            user_name: auth.principal.actor.name.clone(),
            org_name: auth.principal.org_name.clone(),
            csrf: auth.csrf.clone().unwrap_or_default(),
        }
    }
}

/// A form that only carries the CSRF token (delete, restore, sign out).
#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
}

pub fn render<T: Template>(page: &T) -> Result<Html, Response> {
    page.render()
        .map(axum::response::Html)
        .map_err(|e| error_page(AppError::Internal(e.to_string())))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    detail: String,
}

pub fn error_page(error: AppError) -> Response {
    if let AppError::Internal(message) = &error {
        tracing::error!(%message, "page failed");
    }
    let problem = error.problem();
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = ErrorPage {
        title: problem.title,
        detail: problem.detail,
    }
    .render()
    .unwrap_or_else(|_| "error".to_string());
    (status, axum::response::Html(body)).into_response()
}
