use super::PageParams;
use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use hearth_domain::auth::Action;
use hearth_domain::engagements::{Engagement, EngagementInput, EngagementPatch};
use hearth_domain::{CustomerId, EngagementId};
use hearth_store::history::AuditEntry;
use hearth_store::page::{self, Page};
use hearth_store::{engagements, work};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(changes))
        .routes(routes!(get_types, set_types))
}

/// A customer's engagements, newest date first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/engagements", tag = "engagements",
    params(("id" = Uuid, Path), PageParams), responses((status = 200, body = Page<Engagement>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Engagement>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    let cursor = p.cursor;
    Ok(Json(
        s.store
            .read(work!(|c| engagements::list(
                c,
                org,
                id,
                cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Log an engagement. `subject`, `date` and `contacted_by` are mandatory;
/// with `follow_up` a task is created for `follow_up_assignee` due on
/// `follow_up_date`.
#[utoipa::path(post, path = "/api/v1/customers/{id}/engagements", tag = "engagements",
    params(("id" = Uuid, Path)), request_body = EngagementInput, responses((status = 201, body = Engagement)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(input): ApiJson<EngagementInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let e = s
        .store
        .write(work!(|c| engagements::create(
            c, p.org_id, &p.actor, id, &input
        )))
        .await?;
    let location = format!("/api/v1/engagements/{}", e.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(e)))
}

/// Read an engagement.
#[utoipa::path(get, path = "/api/v1/engagements/{id}", tag = "engagements",
    params(("id" = Uuid, Path)), responses((status = 200, body = Engagement)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<EngagementId>,
) -> ApiResult<Json<Engagement>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .read(work!(|c| engagements::get(c, org, id)))
            .await?,
    ))
}

/// Change an engagement; send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/engagements/{id}", tag = "engagements",
    params(("id" = Uuid, Path)), request_body = EngagementPatch,
    responses((status = 200, body = Engagement), (status = 409, description = "Changed by someone else since `version`")))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<EngagementId>,
    ApiJson(patch): ApiJson<EngagementPatch>,
) -> ApiResult<Json<Engagement>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| engagements::update(
                c, p.org_id, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// Remove an engagement and its follow-up task; its history stays.
#[utoipa::path(delete, path = "/api/v1/engagements/{id}", tag = "engagements",
    params(("id" = Uuid, Path)), responses((status = 204)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<EngagementId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| engagements::delete(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every change to an engagement, field by field, newest first.
#[utoipa::path(get, path = "/api/v1/engagements/{id}/history", tag = "engagements",
    params(("id" = Uuid, Path), PageParams), responses((status = 200, body = Page<AuditEntry>)))]
async fn changes(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<EngagementId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    let cursor = p.cursor;
    Ok(Json(
        s.store
            .read(work!(|c| engagements::changes(
                c,
                org,
                id,
                cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// The organisation's engagement (contact) types.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EngagementTypes {
    pub types: Vec<String>,
}

/// The contact types an engagement may have, in order.
#[utoipa::path(get, path = "/api/v1/engagement-types", tag = "engagements",
    responses((status = 200, body = EngagementTypes)))]
async fn get_types(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<EngagementTypes>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let types = s.store.read(work!(|c| engagements::types(c, org))).await?;
    Ok(Json(EngagementTypes { types }))
}

/// Replace the contact types. Existing engagements keep theirs.
#[utoipa::path(put, path = "/api/v1/engagement-types", tag = "engagements",
    request_body = EngagementTypes, responses((status = 200, body = EngagementTypes)))]
async fn set_types(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<EngagementTypes>,
) -> ApiResult<Json<EngagementTypes>> {
    auth.require(Action::ManageTags)?;
    let org = auth.principal.org_id;
    let types = s
        .store
        .write(work!(|c| engagements::set_types(c, org, &body.types)))
        .await?;
    Ok(Json(EngagementTypes { types }))
}
