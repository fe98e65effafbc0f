//! The child records of a customer: additional contacts, service addresses
//! and the equipment at each address.

mod addresses;
mod contacts;
mod equipment;

use crate::AppState;
pub(crate) use crate::api::PageParams;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(contacts::routes())
        .merge(addresses::routes())
        .merge(equipment::routes())
}
