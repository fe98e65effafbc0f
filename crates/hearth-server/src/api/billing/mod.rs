//! Billing, memberships, loyalty and support: quotes, invoices and their
//! payments, hosted checkout, membership plans and memberships, the loyalty
//! ledger, spending insights, billing settings and support tickets.

pub(crate) mod invoices;
mod loyalty;
mod memberships;
mod quotes;
mod tickets;

use crate::AppState;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(quotes::routes())
        .merge(invoices::routes())
        .merge(memberships::routes())
        .merge(loyalty::routes())
        .merge(tickets::routes())
}

/// A page of a list.
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
