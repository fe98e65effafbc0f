//! Leads and the sales pipeline over JSON.

mod forms;
mod pipelines;
mod records;
pub mod reports;

pub use forms::{FormView, base_url};

use crate::AppState;
use crate::error::{ApiResult, AppError};
use hearth_domain::leads::Pipeline;
use hearth_store::auth::Principal;
use hearth_store::leads::pipelines as store_pipelines;
use hearth_store::work;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(pipelines::routes())
        .merge(records::routes())
        .merge(forms::routes())
        .merge(reports::routes())
}

/// The organisation's default pipeline; made on first use, so the common
/// case stays a read.
pub async fn default_pipeline(s: &AppState, p: &Principal) -> ApiResult<Pipeline> {
    let org = p.org_id;
    if let Some(found) = s
        .store
        .read(work!(|c| store_pipelines::find_default(c, org)))
        .await?
    {
        return Ok(found);
    }
    let actor = p.actor.clone();
    Ok(s.store
        .write(work!(|c| store_pipelines::default_pipeline(c, org, &actor)))
        .await?)
}

/// A cursor the client sent back, or a 422 naming `cursor`.
pub(crate) fn decode_cursor<K: serde::de::DeserializeOwned>(
    cursor: Option<&str>,
) -> ApiResult<Option<K>> {
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
