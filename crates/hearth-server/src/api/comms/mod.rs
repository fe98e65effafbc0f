//! Communications, engagements, tasks and engagement attachments
//! (seeds 001, 003, 004).

mod attachments;
mod communications;
mod engagements;
mod tasks;

use crate::AppState;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(communications::routes())
        .merge(engagements::routes())
        .merge(tasks::routes())
        .merge(attachments::routes())
}

/// A page of a list or of a record's history.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}
