//! Inbound hooks at `/hooks/…`: public endpoints other systems call. They
//! carry no session or API key: a web form proves itself with its key, a
//! payment provider with its signature.

mod forms;
mod payments;

use crate::AppState;
use axum::Router;
use axum::routing::post;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/hooks/forms/{key}",
            post(forms::submit).options(forms::preflight),
        )
        .route("/hooks/payments/{provider}", post(payments::completed))
}
