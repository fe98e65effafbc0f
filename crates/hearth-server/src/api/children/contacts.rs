use super::PageParams;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hearth_domain::auth::Action;
use hearth_domain::customer_contacts::{ContactInput, ContactPatch, CustomerContact};
use hearth_domain::{ContactId, CustomerId};
use hearth_store::history::AuditEntry;
use hearth_store::page::{self, Page};
use hearth_store::{customer_contacts, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(history))
}

/// A customer's additional contacts, in the order they were added.
#[utoipa::path(get, path = "/api/v1/customers/{id}/contacts", tag = "contacts", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<CustomerContact>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<CustomerContact>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| customer_contacts::list(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Add a contact to a customer.
#[utoipa::path(post, path = "/api/v1/customers/{id}/contacts", tag = "contacts", params(("id" = Uuid, Path)), request_body = ContactInput,
    responses((status = 201, body = CustomerContact), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let contact = s
        .store
        .write(work!(|c| customer_contacts::create(
            c, p.org_id, &p.region, &p.actor, id, &input
        )))
        .await?;
    let location = format!("/api/v1/contacts/{}", contact.id);
    Ok(crate::api::created(location, contact))
}

/// Read a contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = Uuid, Path)),
    responses((status = 200, body = CustomerContact), (status = 404, body = Problem)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContactId>,
) -> ApiResult<Json<CustomerContact>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .read(work!(|c| customer_contacts::get(c, org, id)))
            .await?,
    ))
}

/// Change some fields of a contact; send the `version` you read (stale → 409).
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = Uuid, Path)), request_body = ContactPatch,
    responses((status = 200, body = CustomerContact), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContactId>,
    ApiJson(patch): ApiJson<ContactPatch>,
) -> ApiResult<Json<CustomerContact>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| customer_contacts::update(
                c, p.org_id, &p.region, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// Remove a contact (its history stays).
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContactId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| customer_contacts::delete(
            c, p.org_id, &p.actor, id
        )))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Field-level history of a contact, newest first.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/history", tag = "contacts", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn history(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContactId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| customer_contacts::changes(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}
