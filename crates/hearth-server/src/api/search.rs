//! Global search and caller ID.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiQuery;
use axum::Json;
use axum::extract::State;
use hearth_domain::Invalid;
use hearth_domain::auth::Action;
use hearth_store::caller_id::{self, Caller};
use hearth_store::search::{self, SearchHit};
use hearth_store::work;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_customers))
        .routes(routes!(lookup_phone))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words of a name, business name or email (one typo per word of 4+
    /// letters is forgiven), or digits of a phone number in any format.
    q: String,
    /// 1–50, default 20.
    #[param(minimum = 1, maximum = 50)]
    limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    /// Best match first.
    items: Vec<SearchHit>,
}

/// Find customers by name, business name, phone or email, best match first.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchResults), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn search_customers(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchResults>> {
    auth.require(Action::ReadCustomers)?;
    if p.q.chars().count() > 200 {
        return Err(Invalid::field("q", "is longer than 200 characters").into());
    }
    let limit = hearth_store::page::limit_within(p.limit, 20, 50)? as usize;
    let org = auth.principal.org_id;
    let items = s
        .store
        .read(work!(|c| search::search(c, org, &p.q, limit)))
        .await?;
    Ok(Json(SearchResults { items }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LookupParams {
    /// The caller's number in any format; without a country code it is
    /// read in the organisation's region.
    number: String,
}

#[derive(Serialize, ToSchema)]
pub struct Callers {
    items: Vec<Caller>,
}

/// The E.164 forms a reported number may be stored as; 422 when it is no
/// phone number at all.
pub fn caller_keys(number: &str, region: &str) -> ApiResult<Vec<String>> {
    let keys = hearth_domain::search::caller_keys(number, region);
    if keys.is_empty() {
        return Err(Invalid::field("number", "is not a phone number").into());
    }
    Ok(keys)
}

/// Caller ID: the customers whose phone number this is.
#[utoipa::path(get, path = "/api/v1/lookup/phone", tag = "search", params(LookupParams),
    responses((status = 200, body = Callers), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn lookup_phone(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<LookupParams>,
) -> ApiResult<Json<Callers>> {
    auth.require(Action::ReadCustomers)?;
    let keys = caller_keys(&p.number, &auth.principal.region)?;
    let org = auth.principal.org_id;
    let items = s
        .store
        .read(work!(|c| caller_id::lookup(c, org, &keys)))
        .await?;
    Ok(Json(Callers { items }))
}
