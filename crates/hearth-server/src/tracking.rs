//! Public email tracking: `/t/o/{token}` is an email's open pixel and
//! `/t/c/{token}` one of its links. They change state on GET because that
//! is all a mail client does; what they change is only "opened"/"clicked".
//! A click redirects only to the address stored with its token.

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hearth_store::tracking::{self, Hit};
use hearth_store::work;

/// A transparent 1×1 GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/o/{token}", get(open))
        .route("/t/c/{token}", get(click))
}

async fn record(s: &AppState, token: String) -> Result<Option<Hit>, AppError> {
    // Tokens are 43 URL-safe characters; anything else is not one of ours.
    if token.len() > 64 {
        return Ok(None);
    }
    Ok(s.store.write(work!(|c| tracking::hit(c, &token))).await?)
}

async fn open(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    // The pixel is answered whatever happens: a mail client shows nothing
    // else, and an error must not tell a guesser which tokens exist.
    if let Err(e) = record(&s, token).await {
        tracing::warn!(error = %e, "recording an email open failed");
    }
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "image/gif"),
            (header::CACHE_CONTROL, "no-store, max-age=0"),
        ],
        PIXEL,
    )
        .into_response()
}

async fn click(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    match record(&s, token).await {
        Ok(Some(Hit::Click(url))) => Redirect::to(&url).into_response(),
        Ok(_) => crate::pages::error_page(AppError::NotFound),
        Err(e) => crate::pages::error_page(e),
    }
}
