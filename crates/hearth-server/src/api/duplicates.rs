//! Duplicate customers, merging them, and undoing a merge.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use hearth_domain::auth::Action;
use hearth_domain::merge::Side;
use hearth_domain::{CustomerId, MergeId};
use hearth_store::duplicates::{self, Candidate, OnCreate, Pair};
use hearth_store::merges::{self, Merge, Preview};
use hearth_store::work;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(of_customer))
        .routes(routes!(org_pairs))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(merge))
        .routes(routes!(preview))
        .routes(routes!(merges_of_customer))
        .routes(routes!(get_merge))
        .routes(routes!(undo))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LimitParams {
    /// 1–200, default 20.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
}

impl LimitParams {
    fn limit(&self) -> ApiResult<usize> {
        match self.limit {
            None => Ok(20),
            Some(n @ 1..=200) => Ok(n),
            Some(_) => {
                Err(hearth_domain::Invalid::field("limit", "must be between 1 and 200").into())
            }
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AllowDuplicate {
    /// `true` creates the record even when the organisation blocks
    /// look-alikes of existing records.
    allow_duplicate: Option<bool>,
}

impl AllowDuplicate {
    pub(crate) fn allowed(&self) -> bool {
        self.allow_duplicate.unwrap_or(false)
    }
}

/// 409 problem+json listing the look-alikes that blocked a create.
pub(crate) fn refused_as_duplicate<T: Serialize>(detail: &str, duplicates: &T) -> Response {
    let error = AppError::Refused(detail.into());
    let mut problem = serde_json::to_value(error.problem()).unwrap_or_default();
    problem["duplicates"] = serde_json::to_value(duplicates).unwrap_or_default();
    let mut response = (error.status(), Json(problem)).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    response
}

#[derive(Serialize, ToSchema)]
pub struct Candidates {
    /// Most likely duplicate first.
    items: Vec<Candidate>,
}

/// Customers that look like this one, with the reasons, best first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/duplicates", tag = "duplicates",
    params(("id" = Uuid, Path), LimitParams), responses((status = 200, body = Candidates)))]
async fn of_customer(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiQuery(p): ApiQuery<LimitParams>,
) -> ApiResult<Json<Candidates>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = p.limit()?;
    let items = s
        .store
        .read(work!(|c| duplicates::of_customer(c, org, id, limit)))
        .await?;
    Ok(Json(Candidates { items }))
}

#[derive(Serialize, ToSchema)]
pub struct Pairs {
    /// Most likely duplicates first.
    items: Vec<Pair>,
}

/// The organisation's duplicate customers, as pairs with their reasons.
#[utoipa::path(get, path = "/api/v1/duplicates", tag = "duplicates", params(LimitParams),
    responses((status = 200, body = Pairs)))]
async fn org_pairs(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<LimitParams>,
) -> ApiResult<Json<Pairs>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = p.limit()?;
    let items = s
        .store
        .read_scan(work!(|c| duplicates::pairs(c, org, limit)))
        .await?;
    Ok(Json(Pairs { items }))
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateSettings {
    /// `warn`: create and list look-alikes; `block`: refuse with 409 unless
    /// the create request says `?allow_duplicate=true`.
    on_create: OnCreate,
}

/// What creating a look-alike customer does.
#[utoipa::path(get, path = "/api/v1/duplicates/settings", tag = "duplicates",
    responses((status = 200, body = DuplicateSettings)))]
async fn get_settings(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<DuplicateSettings>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let on_create = s
        .store
        .read(work!(|c| duplicates::settings(c, org)))
        .await?;
    Ok(Json(DuplicateSettings { on_create }))
}

/// Set what creating a look-alike customer does (owners and admins).
#[utoipa::path(put, path = "/api/v1/duplicates/settings", tag = "duplicates",
    request_body = DuplicateSettings, responses((status = 200, body = DuplicateSettings)))]
async fn put_settings(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<DuplicateSettings>,
) -> ApiResult<Json<DuplicateSettings>> {
    // An organisation-wide rule: decided by whoever runs the organisation.
    auth.require(Action::ManageTeam)?;
    let org = auth.principal.org_id;
    let on_create = s
        .store
        .write(work!(|c| duplicates::set_settings(c, org, body.on_create)))
        .await?;
    Ok(Json(DuplicateSettings { on_create }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The customer merged away into this one.
    #[schema(value_type = String, format = Uuid)]
    other_id: CustomerId,
    /// Per field, whose value to keep: `this` (the customer in the path) or
    /// `other`. Unnamed fields keep this customer's value, or the other's
    /// when this one has none; `customer_since` defaults to the earlier.
    #[serde(default)]
    keep: BTreeMap<String, Side>,
}

/// Merge another customer into this one: all its bookings, invoices,
/// communications, notes, tags, contacts, addresses, equipment,
/// engagements and timeline move here in one transaction; its id then
/// redirects here. Undo with `POST /api/v1/merges/{id}/undo`.
#[utoipa::path(post, path = "/api/v1/customers/{id}/merge", tag = "duplicates",
    params(("id" = Uuid, Path)), request_body = MergeRequest,
    responses((status = 201, body = Merge)))]
async fn merge(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(body): ApiJson<MergeRequest>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::DeleteCustomers)?;
    let p = auth.principal;
    let merge = s
        .store
        .write(work!(|c| merges::merge(
            c,
            p.org_id,
            &p.actor,
            id,
            body.other_id,
            &body.keep
        )))
        .await?;
    Ok(crate::api::created(
        format!("/api/v1/merges/{}", merge.id),
        merge,
    ))
}

/// What merging another customer into this one would do; changes nothing.
#[utoipa::path(post, path = "/api/v1/customers/{id}/merge/preview", tag = "duplicates",
    params(("id" = Uuid, Path)), request_body = MergeRequest,
    responses((status = 200, body = Preview)))]
async fn preview(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(body): ApiJson<MergeRequest>,
) -> ApiResult<Json<Preview>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .read(work!(|c| merges::preview(
                c,
                org,
                id,
                body.other_id,
                &body.keep
            )))
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Merges {
    /// Newest first.
    items: Vec<Merge>,
}

/// The merges this customer took part in, kept or merged away.
#[utoipa::path(get, path = "/api/v1/customers/{id}/merges", tag = "duplicates",
    params(("id" = Uuid, Path)), responses((status = 200, body = Merges)))]
async fn merges_of_customer(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<Json<Merges>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let items = s
        .store
        .read(work!(|c| async {
            hearth_store::customers::get(c, org, id, true).await?;
            merges::of_customer(c, org, id).await
        }))
        .await?;
    Ok(Json(Merges { items }))
}

/// A merge: who merged what, the field choices, the rows moved.
#[utoipa::path(get, path = "/api/v1/merges/{id}", tag = "duplicates",
    params(("id" = Uuid, Path)), responses((status = 200, body = Merge)))]
async fn get_merge(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<MergeId>,
) -> ApiResult<Json<Merge>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| merges::get(c, org, id))).await?,
    ))
}

/// Undo a merge: both customers and every moved row come back. 409 when
/// the kept customer has since been deleted or merged away, or a moved row
/// has since been removed; nothing changes then.
#[utoipa::path(post, path = "/api/v1/merges/{id}/undo", tag = "duplicates",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Merge), (status = 409, description = "Already undone, or no longer safe to undo")))]
async fn undo(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<MergeId>,
) -> ApiResult<Json<Merge>> {
    auth.require(Action::DeleteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| merges::undo(c, p.org_id, &p.actor, id)))
            .await?,
    ))
}
