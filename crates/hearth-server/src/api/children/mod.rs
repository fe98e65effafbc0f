//! The child records of a customer: additional contacts, service addresses
//! and the equipment at each address.

mod addresses;
mod contacts;
mod equipment;

use crate::AppState;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(contacts::routes())
        .merge(addresses::routes())
        .merge(equipment::routes())
}

/// A page of a list or of a record's history.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}
