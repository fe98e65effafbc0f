//! Inbound hooks at `/hooks/…`: public endpoints other systems call.

mod forms;

use crate::AppState;
use axum::Router;
use axum::routing::post;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/hooks/forms/{key}",
        post(forms::submit).options(forms::preflight),
    )
}
