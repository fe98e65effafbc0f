//! Public branding assets of an organisation's portal: its colours as a
//! style sheet (pages allow no inline styles) and its logo.

use crate::AppState;
use crate::error::{ApiResult, AppError};
use crate::extract::ApiPath;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hearth_domain::OrgId;
use hearth_domain::portal::branding::{PortalSettings, parse_colour};
use hearth_store::portal::settings;
use hearth_store::work;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/brand/{org}/style.css", get(style))
        .route("/portal/brand/{org}/logo", get(logo))
}

/// Only colours that parse reach the sheet, so nothing else can.
fn css(s: &PortalSettings) -> String {
    let defaults = PortalSettings::default();
    let hex = |raw: &str, fallback: &str| {
        parse_colour(raw).map_or(fallback.to_string(), |[r, g, b]| {
            format!("#{r:02x}{g:02x}{b:02x}")
        })
    };
    format!(
        ":root {{ --brand: {}; --accent: {}; }}\n",
        hex(&s.primary_color, &defaults.primary_color),
        hex(&s.accent_color, &defaults.accent_color)
    )
}

async fn style(State(s): State<AppState>, ApiPath(org): ApiPath<OrgId>) -> ApiResult<Response> {
    let stored = s.store.read(work!(|c| settings::get(c, org))).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        css(&stored),
    )
        .into_response())
}

async fn logo(State(s): State<AppState>, ApiPath(org): ApiPath<OrgId>) -> ApiResult<Response> {
    let (key, kind) = s
        .store
        .read(work!(|c| settings::logo(c, org)))
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = s.files.get(&key).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    // Only allow-listed image types are ever stored.
    if let Ok(v) = HeaderValue::from_str(&kind) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}
