//! Inbound hooks at `/hooks/…`: public endpoints other systems call. They
//! carry no session or API key: a web form proves itself with its key, a
//! payment provider and a message or call provider with their signature.

mod forms;
mod inbound;
mod payments;
mod whatsapp;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/hooks/forms/{key}",
            post(forms::submit).options(forms::preflight),
        )
        .route("/hooks/payments/{provider}", post(payments::completed))
        .route("/hooks/sms/{org}", post(inbound::sms))
        .route("/hooks/calls/{org}", post(inbound::calls))
        .route("/hooks/chat/{org}", post(inbound::chat))
        .route(
            "/hooks/whatsapp/{org}",
            get(whatsapp::verify).post(whatsapp::receive),
        )
}
