//! Billing, memberships, loyalty and support: quotes, invoices and their
//! payments, hosted checkout, membership plans and memberships, the loyalty
//! ledger, spending insights, billing settings and support tickets.

pub(crate) mod invoices;
mod loyalty;
mod memberships;
mod quotes;
mod tickets;

use crate::AppState;
pub(crate) use crate::api::PageParams;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(quotes::routes())
        .merge(invoices::routes())
        .merge(memberships::routes())
        .merge(loyalty::routes())
        .merge(tickets::routes())
}
