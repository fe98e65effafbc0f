//! Notes, tags, call status and insights on the customer card (seeds 001–003).

mod insights;
mod notes;
mod tags;

use crate::AppState;
use crate::error::{ApiResult, AppError};
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(notes::routes())
        .merge(tags::routes())
        .merge(insights::routes())
}

/// A `cursor` parameter this server handed out, or 422 naming `cursor`.
fn decode_cursor<K: serde::de::DeserializeOwned>(cursor: Option<&str>) -> ApiResult<Option<K>> {
    cursor
        .map(|c| {
            hearth_store::page::decode(c).ok_or_else(|| {
                AppError::from(hearth_domain::Invalid::field(
                    "cursor",
                    "is not a cursor from this list",
                ))
            })
        })
        .transpose()
}
