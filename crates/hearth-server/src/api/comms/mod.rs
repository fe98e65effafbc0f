//! Communications, engagements, tasks and engagement attachments
//! (seeds 001, 003, 004).

mod attachments;
mod communications;
mod engagements;
mod tasks;

use crate::AppState;
pub(crate) use crate::api::PageParams;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(communications::routes())
        .merge(engagements::routes())
        .merge(tasks::routes())
        .merge(attachments::routes())
}
