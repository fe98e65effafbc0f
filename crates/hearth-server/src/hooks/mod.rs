//! Inbound hooks from outside services at `/hooks/…`. They carry no
//! session or API key: each proves itself with a signature.

mod payments;

use crate::AppState;
use axum::Router;
use axum::routing::post;

pub fn router() -> Router<AppState> {
    Router::new().route("/hooks/payments/{provider}", post(payments::completed))
}
