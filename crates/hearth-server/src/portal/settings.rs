//! Settings › Customer portal for staff: branding (name, colours, logo,
//! the portal's own host name), what customers may do with their
//! membership, bookable hours. The same as `/api/v1/portal/settings`.

use crate::AppState;
use crate::api::jobs::{UPLOAD_BODY_LIMIT, Upload};
use crate::auth::{Auth, PageAuth};
use crate::error::{ApiResult, AppError};
use crate::extract::ApiJson;
use crate::pages::{Chrome, error_page, render};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use hearth_domain::auth::Action;
use hearth_domain::portal::branding::{PortalSettings, PortalSettingsInput, check_logo};
use hearth_store::files::path;
use hearth_store::portal::settings;
use hearth_store::work;
use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn api_routes() -> OpenApiRouter<AppState> {
    let (schemas, paths, method_router) = routes!(upload_logo);
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes((
            schemas,
            paths,
            method_router.layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        ))
}

pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/settings/portal", get(show).post(save))
        .route(
            "/settings/portal/logo",
            post(save_logo).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
}

/// The customer portal's settings (the defaults until first saved).
#[utoipa::path(get, path = "/api/v1/portal/settings", tag = "portal",
    responses((status = 200, body = PortalSettings)))]
async fn get_settings(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<PortalSettings>> {
    auth.require(Action::ManageSettings)?;
    let org = auth.principal.org_id;
    Ok(Json(s.store.read(work!(|c| settings::get(c, org))).await?))
}

/// Replace the portal's settings; send the `version` you read. Colours are
/// `#rrggbb` legible with white text (WCAG AA, 4.5:1); `host` is a host
/// name whose requests serve this organisation's portal (point its DNS at
/// Hearth), unique across organisations.
#[utoipa::path(put, path = "/api/v1/portal/settings", tag = "portal", request_body = PortalSettingsInput,
    responses((status = 200, body = PortalSettings), (status = 409, description = "The settings changed since you read them")))]
async fn put_settings(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<PortalSettingsInput>,
) -> ApiResult<Json<PortalSettings>> {
    auth.require(Action::ManageSettings)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| settings::update(c, p.org_id, &p.actor, &input)))
            .await?,
    ))
}

/// Upload the portal's logo: a PNG, JPEG or WebP image of at most 512 KB,
/// as multipart form data (a `file` part) or as the raw body with its
/// Content-Type. Served at `/portal/brand/{org_id}/logo`.
#[utoipa::path(put, path = "/api/v1/portal/settings/logo", tag = "portal",
    request_body(content(("image/png"), ("image/jpeg"), ("image/webp"))),
    responses((status = 200, body = PortalSettings)))]
async fn upload_logo(
    State(s): State<AppState>,
    auth: Auth,
    req: Request,
) -> ApiResult<Json<PortalSettings>> {
    auth.require(Action::ManageSettings)?;
    let upload = Upload::read(req).await?;
    Ok(Json(store_logo(&s, &auth, upload).await?))
}

/// Stores the bytes, then the record; the logo replaced is removed.
async fn store_logo(s: &AppState, auth: &Auth, upload: Upload) -> ApiResult<PortalSettings> {
    let kind = check_logo(upload.content_type.as_deref(), &upload.bytes)?;
    let p = &auth.principal;
    let org = p.org_id;
    let (org_s, id) = (org.to_string(), uuid::Uuid::now_v7().to_string());
    let key = ["portal", org_s.as_str(), id.as_str()];
    s.files.put(&key, upload.bytes).await?;
    let stored = path(&key).to_string();
    let actor = p.actor.clone();
    let replaced = s
        .store
        .write(work!(|c| settings::set_logo(
            c,
            org,
            &actor,
            &stored,
            kind.mime()
        )))
        .await;
    match replaced {
        Ok(Some(old)) => {
            let parts: Vec<&str> = old.split('/').collect();
            if let Err(e) = s.files.delete(&parts).await {
                tracing::warn!(error = %e, "could not remove a replaced portal logo");
            }
        }
        Ok(None) => {}
        Err(e) => {
            if let Err(cleanup) = s.files.delete(&key).await {
                tracing::warn!(error = %cleanup, "could not remove the bytes of an unrecorded logo");
            }
            return Err(e.into());
        }
    }
    Ok(s.store.read(work!(|c| settings::get(c, org))).await?)
}

#[derive(Template)]
#[template(path = "settings_portal.html")]
struct SettingsPage {
    chrome: Chrome,
    org_id: String,
    org_slug: String,
    settings: PortalSettings,
    errors: Vec<String>,
}

async fn page(s: &AppState, auth: &Auth, errors: Vec<String>) -> Response {
    let org = auth.principal.org_id;
    match s.store.read(work!(|c| settings::get(c, org))).await {
        Ok(settings) => render(&SettingsPage {
            chrome: Chrome::of(auth),
            org_id: org.to_string(),
            org_slug: auth.principal.org_slug.clone(),
            settings,
            errors,
        })
        .into_response(),
        Err(e) => error_page(e.into()),
    }
}

async fn show(State(s): State<AppState>, PageAuth(auth): PageAuth) -> Response {
    if let Err(e) = auth.require(Action::ManageSettings) {
        return error_page(e);
    }
    page(&s, &auth, vec![]).await
}

/// Back to the page on success; the page with the problems otherwise.
async fn answer(s: &AppState, auth: &Auth, saved: ApiResult<PortalSettings>) -> Response {
    match saved {
        Ok(_) => Redirect::to("/settings/portal").into_response(),
        Err(AppError::Invalid(i)) => {
            let errors =
                i.0.into_iter()
                    .map(|f| format!("{}: {}", f.field, f.message));
            let page = page(s, auth, errors.collect()).await;
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e @ AppError::Conflict(_)) => page(s, auth, vec![e.to_string()]).await,
        Err(e) => error_page(e),
    }
}

async fn save(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let text = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    if let Err(e) = auth
        .verify_csrf(&text("_csrf"))
        .and_then(|()| auth.require(Action::ManageSettings))
    {
        return error_page(e);
    }
    // A number field that does not parse is refused by validation (-1).
    let number = |name: &str| text(name).parse::<i64>().unwrap_or(-1);
    let input = PortalSettingsInput {
        version: number("version"),
        business_name: Some(text("business_name")),
        primary_color: text("primary_color"),
        accent_color: text("accent_color"),
        host: Some(text("host")),
        allow_pause: form.contains_key("allow_pause"),
        allow_cancel: form.contains_key("allow_cancel"),
        payment_instructions: Some(text("payment_instructions")),
        day_start_hour: number("day_start_hour"),
        day_end_hour: number("day_end_hour"),
        slot_minutes: number("slot_minutes"),
    };
    let p = auth.principal.clone();
    let saved = s
        .store
        .write(work!(|c| settings::update(c, p.org_id, &p.actor, &input)))
        .await
        .map_err(AppError::from);
    answer(&s, &auth, saved).await
}

async fn save_logo(State(s): State<AppState>, PageAuth(auth): PageAuth, req: Request) -> Response {
    let upload = match Upload::read(req).await {
        Ok(u) => u,
        Err(e) => return error_page(e),
    };
    let csrf = upload.fields.get("_csrf").cloned().unwrap_or_default();
    if let Err(e) = auth
        .verify_csrf(&csrf)
        .and_then(|()| auth.require(Action::ManageSettings))
    {
        return error_page(e);
    }
    let saved = store_logo(&s, &auth, upload).await;
    answer(&s, &auth, saved).await
}
