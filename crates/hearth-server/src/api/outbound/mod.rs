//! Outbound messaging: sending email and SMS to a customer, message
//! templates, webhook subscriptions, and channel health (issue 6).

mod channels;
mod messages;
mod templates;
mod webhooks;

pub use channels::health_detail;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(messages::routes())
        .merge(templates::routes())
        .merge(webhooks::routes())
        .merge(channels::routes())
}
