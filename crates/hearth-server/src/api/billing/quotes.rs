use crate::AppState;
use crate::api::{booked, created};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use hearth_domain::auth::Action;
use hearth_domain::billing::quotes::{Quote, QuoteInput, QuotePatch, QuoteStatusInput};
use hearth_domain::jobs::{Job, ScheduleInput};
use hearth_domain::{CustomerId, QuoteId};
use hearth_store::billing::quotes;
use hearth_store::page::{self, Page};
use hearth_store::work;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(set_status))
        .routes(routes!(book_job))
        .routes(routes!(viewed))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only this customer's quotes.
    #[param(value_type = Option<String>, format = Uuid)]
    customer_id: Option<CustomerId>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Quotes, newest first.
#[utoipa::path(get, path = "/api/v1/quotes", tag = "quotes", params(ListParams),
    responses((status = 200, body = Page<Quote>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<Quote>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    let customer = p.customer_id;
    Ok(Json(
        s.store
            .read(work!(|c| quotes::list(
                c,
                org,
                customer,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Draft a quote for a customer. Line totals round half-to-even per line;
/// the totals are sums of the lines.
#[utoipa::path(post, path = "/api/v1/quotes", tag = "quotes", request_body = QuoteInput,
    responses((status = 201, body = Quote)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<QuoteInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let q = s
        .store
        .write(work!(|c| quotes::create(c, p.org_id, &p.actor, &input)))
        .await?;
    Ok(created(format!("/api/v1/quotes/{}", q.id), q))
}

/// Read a quote; `status` is as of today (a sent quote past `valid_until`
/// reads as expired).
#[utoipa::path(get, path = "/api/v1/quotes/{id}", tag = "quotes", params(("id" = Uuid, Path)),
    responses((status = 200, body = Quote)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<QuoteId>,
) -> ApiResult<Json<Quote>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| quotes::get(c, org, id))).await?,
    ))
}

/// Change a draft quote; send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/quotes/{id}", tag = "quotes", params(("id" = Uuid, Path)), request_body = QuotePatch,
    responses((status = 200, body = Quote), (status = 409, description = "The quote changed since `version`; nothing was written")))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<QuoteId>,
    ApiJson(patch): ApiJson<QuotePatch>,
) -> ApiResult<Json<Quote>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| quotes::update(c, p.org_id, &p.actor, id, &patch)))
            .await?,
    ))
}

/// Move a quote on: draft → sent → viewed → accepted or declined (or
/// expired). Accepted, declined and expired are final.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/status", tag = "quotes", params(("id" = Uuid, Path)), request_body = QuoteStatusInput,
    responses((status = 200, body = Quote), (status = 409, description = "The quote changed since `version`")))]
async fn set_status(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<QuoteId>,
    ApiJson(input): ApiJson<QuoteStatusInput>,
) -> ApiResult<Json<Quote>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| quotes::set_status(
                c, p.org_id, &p.actor, id, &input
            )))
            .await?,
    ))
}

/// Book the job an accepted quote becomes: its lines become the job's line
/// items; where and when come from the body (the address defaults to the
/// customer's primary one). Asking again returns the job already booked.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/job", tag = "quotes", params(("id" = Uuid, Path)), request_body = ScheduleInput,
    responses((status = 201, body = Job), (status = 200, body = Job, description = "Booked before"),
        (status = 409, description = "The quote is not accepted")))]
async fn book_job(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<QuoteId>,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> ApiResult<Response> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let (job, new) = s
        .store
        .write(work!(|c| quotes::book_job(
            c, p.org_id, &p.region, &p.actor, id, &input
        )))
        .await?;
    Ok(booked(job, new))
}

/// Record that the customer opened the quote: counts the view, marks a sent
/// quote viewed, and feeds the lead score.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/viewed", tag = "quotes", params(("id" = Uuid, Path)),
    responses((status = 200, body = Quote)))]
async fn viewed(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<QuoteId>,
) -> ApiResult<Json<Quote>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| quotes::record_view(c, p.org_id, &p.actor, id)))
            .await?,
    ))
}
