//! Segments (seed 001): the built-in ones and saved filters, their counts,
//! their customers, a live count for the builder, the thresholds, the
//! segments a customer is in, and a streamed CSV export.

use crate::AppState;
use crate::api::PageParams;
use crate::api::created;
use crate::api::leads::decode_cursor;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_domain::CustomerId;
use hearth_domain::auth::Action;
use hearth_domain::segments::filter::FilterInput;
use hearth_domain::segments::settings::{SegmentSettings, SegmentSettingsPatch};
use hearth_domain::segments::{
    CustomerSegment, SavedSegment, SegmentCount, SegmentInput, SegmentMember, SegmentPatch,
    SegmentSummary,
};
use hearth_store::page::{self, Page};
use hearth_store::{customers, segments, work};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(preview_count))
        .routes(routes!(get_settings, update_settings))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(count_of))
        .routes(routes!(members))
        .routes(routes!(export_csv))
        .routes(routes!(of_customer))
}

#[derive(Serialize, ToSchema)]
pub struct SegmentList {
    pub items: Vec<SegmentSummary>,
}

#[derive(Serialize, ToSchema)]
pub struct CustomerSegments {
    pub items: Vec<CustomerSegment>,
}

/// A filter to count before saving it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    pub filter: FilterInput,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeleteParams {
    /// The version you read; a newer stored version answers 409.
    version: Option<i64>,
}

/// Every segment, built-in first then saved by name, each with how many
/// customers are in it now.
#[utoipa::path(get, path = "/api/v1/segments", tag = "segments",
    responses((status = 200, body = SegmentList)))]
async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<SegmentList>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let items = s.store.read_scan(work!(|c| segments::list(c, org))).await?;
    Ok(Json(SegmentList { items }))
}

/// Save a filter as a segment. A bad filter is a 422 naming the condition
/// and its bad part, e.g. `filter.conditions[0].op`.
#[utoipa::path(post, path = "/api/v1/segments", tag = "segments", request_body = SegmentInput,
    responses((status = 201, body = SavedSegment), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<SegmentInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::ManageSegments)?;
    let p = auth.principal;
    let segment = s
        .store
        .write(work!(|c| segments::create(c, p.org_id, &p.actor, &input)))
        .await?;
    let location = format!("/api/v1/segments/{}", segment.id);
    Ok(created(location, segment))
}

/// How many customers a filter holds now, without saving it (the
/// builder's live count).
#[utoipa::path(post, path = "/api/v1/segments/count", tag = "segments", request_body = PreviewInput,
    responses((status = 200, body = SegmentCount), (status = 422, body = Problem)))]
async fn preview_count(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<PreviewInput>,
) -> ApiResult<Json<SegmentCount>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let filter = input.filter.validate("filter")?;
    Ok(Json(
        s.store
            .read_scan(work!(|c| segments::count(c, org, &filter, false)))
            .await?,
    ))
}

/// The thresholds of the built-in segments (the defaults until changed).
#[utoipa::path(get, path = "/api/v1/segments/settings", tag = "segments",
    responses((status = 200, body = SegmentSettings)))]
async fn get_settings(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<SegmentSettings>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .read(work!(|c| segments::settings::get(c, org)))
            .await?,
    ))
}

/// Change the thresholds; send the `version` you read (0 before the first
/// change). Membership follows at once.
#[utoipa::path(patch, path = "/api/v1/segments/settings", tag = "segments", request_body = SegmentSettingsPatch,
    responses((status = 200, body = SegmentSettings), (status = 409, description = "The settings changed since `version`")))]
async fn update_settings(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(patch): ApiJson<SegmentSettingsPatch>,
) -> ApiResult<Json<SegmentSettings>> {
    auth.require(Action::ManageSegments)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| segments::settings::update(
                c, p.org_id, &p.actor, &patch
            )))
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CountParams {
    /// `true`: count every member (slower for large segments); otherwise
    /// counting stops past 10,000 and says `capped`.
    exact: Option<bool>,
}

/// A segment by key (`vip`, `at_risk`, `new`, `recurring`, `one_time`, or
/// a saved segment's id) with its count.
#[utoipa::path(get, path = "/api/v1/segments/{key}", tag = "segments", params(("key" = String, Path), CountParams),
    responses((status = 200, body = SegmentSummary), (status = 404, body = Problem)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<CountParams>,
) -> ApiResult<Json<SegmentSummary>> {
    let exact = q.exact.unwrap_or(false);
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .read_scan(work!(|c| async {
                let segment = segments::find(c, org, &key).await?;
                let count = segments::count(c, org, &segment.filter, exact).await?;
                Ok(segments::summary(segment, count))
            }))
            .await?,
    ))
}

/// Rename a saved segment or change its filter; built-in segments answer
/// 422 naming `key`.
#[utoipa::path(patch, path = "/api/v1/segments/{key}", tag = "segments", params(("key" = String, Path)), request_body = SegmentPatch,
    responses((status = 200, body = SavedSegment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(patch): ApiJson<SegmentPatch>,
) -> ApiResult<Json<SavedSegment>> {
    auth.require(Action::ManageSegments)?;
    let p = auth.principal;
    let id = segments::saved_id(&key)?;
    Ok(Json(
        s.store
            .write(work!(|c| segments::update(
                c, p.org_id, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// Delete a saved segment; with `?version=`, only if nobody changed it since.
#[utoipa::path(delete, path = "/api/v1/segments/{key}", tag = "segments", params(("key" = String, Path), DeleteParams),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<DeleteParams>,
) -> ApiResult<StatusCode> {
    auth.require(Action::ManageSegments)?;
    let p = auth.principal;
    let id = segments::saved_id(&key)?;
    s.store
        .write(work!(|c| segments::delete(
            c, p.org_id, &p.actor, id, q.version
        )))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many customers are in a segment now.
#[utoipa::path(get, path = "/api/v1/segments/{key}/count", tag = "segments", params(("key" = String, Path), CountParams),
    responses((status = 200, body = SegmentCount), (status = 404, body = Problem)))]
async fn count_of(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<CountParams>,
) -> ApiResult<Json<SegmentCount>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let exact = q.exact.unwrap_or(false);
    Ok(Json(
        s.store
            .read_scan(work!(|c| async {
                let segment = segments::find(c, org, &key).await?;
                segments::count(c, org, &segment.filter, exact).await
            }))
            .await?,
    ))
}

/// The customers in a segment, oldest customer first, by cursor.
#[utoipa::path(get, path = "/api/v1/segments/{key}/customers", tag = "segments", params(("key" = String, Path), PageParams),
    responses((status = 200, body = Page<SegmentMember>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn members(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(key): ApiPath<String>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<SegmentMember>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let after = decode_cursor::<CustomerId>(p.cursor.as_deref())?;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read_scan(work!(|c| async {
                let segment = segments::find(c, org, &key).await?;
                segments::members(c, org, &segment.filter, after, limit).await
            }))
            .await?,
    ))
}

/// The segment's customers as CSV, streamed in batches however many there
/// are (office roles: it is a copy of contact details).
#[utoipa::path(get, path = "/api/v1/segments/{key}/export.csv", tag = "segments", params(("key" = String, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem)))]
async fn export_csv(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Response> {
    auth.require(Action::ManageSegments)?;
    let org = auth.principal.org_id;
    // Found before the first byte, so an unknown key is a plain 404.
    let segment = s
        .store
        .read(work!(|c| segments::find(c, org, &key)))
        .await?;
    let filename = format!(
        "segment-{}.csv",
        segment
            .key
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
    );
    let export = hearth_store::exports::Export::Segment(segment.filter);
    Ok(crate::api::exports::stream_csv(
        s.store.clone(),
        org,
        export,
        &filename,
    ))
}

/// The segments a customer is in now (the chips on the customer card).
#[utoipa::path(get, path = "/api/v1/customers/{id}/segments", tag = "segments", params(("id" = Uuid, Path)),
    responses((status = 200, body = CustomerSegments), (status = 404, body = Problem)))]
async fn of_customer(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<Json<CustomerSegments>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let items = s
        .store
        .read(work!(|c| async {
            customers::get(c, org, id, false).await?;
            segments::of_customer(c, org, id).await
        }))
        .await?;
    Ok(Json(CustomerSegments { items }))
}
