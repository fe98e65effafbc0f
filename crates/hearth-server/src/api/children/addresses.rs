use super::PageParams;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hearth_domain::addresses::{AddressInput, AddressPatch, ServiceAddress};
use hearth_domain::auth::Action;
use hearth_domain::{AddressId, CustomerId};
use hearth_store::history::AuditEntry;
use hearth_store::page::{self, Page};
use hearth_store::{addresses, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(history))
}

/// A customer's service addresses: the primary first, then in the order added.
#[utoipa::path(get, path = "/api/v1/customers/{id}/addresses", tag = "addresses", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<ServiceAddress>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<ServiceAddress>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| addresses::list(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Add a service address. A customer's first address, or one sent with
/// `is_primary: true`, becomes the primary; the others then stop being primary.
#[utoipa::path(post, path = "/api/v1/customers/{id}/addresses", tag = "addresses", params(("id" = Uuid, Path)), request_body = AddressInput,
    responses((status = 201, body = ServiceAddress), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(input): ApiJson<AddressInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let address = s
        .store
        .write(work!(|c| addresses::create(
            c, p.org_id, &p.region, &p.actor, id, &input
        )))
        .await?;
    let location = format!("/api/v1/addresses/{}", address.id);
    Ok(crate::api::created(location, address))
}

/// Read a service address.
#[utoipa::path(get, path = "/api/v1/addresses/{id}", tag = "addresses", params(("id" = Uuid, Path)),
    responses((status = 200, body = ServiceAddress), (status = 404, body = Problem)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AddressId>,
) -> ApiResult<Json<ServiceAddress>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| addresses::get(c, org, id))).await?,
    ))
}

/// Change some fields of an address; send the `version` you read (stale → 409).
/// `is_primary: true` moves the primary mark here.
#[utoipa::path(patch, path = "/api/v1/addresses/{id}", tag = "addresses", params(("id" = Uuid, Path)), request_body = AddressPatch,
    responses((status = 200, body = ServiceAddress), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AddressId>,
    ApiJson(patch): ApiJson<AddressPatch>,
) -> ApiResult<Json<ServiceAddress>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| addresses::update(
                c, p.org_id, &p.region, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// Remove an address and the equipment at it (history stays). If it was
/// the primary, the oldest remaining address becomes primary.
#[utoipa::path(delete, path = "/api/v1/addresses/{id}", tag = "addresses", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AddressId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| addresses::delete(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Field-level history of an address, newest first.
#[utoipa::path(get, path = "/api/v1/addresses/{id}/history", tag = "addresses", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn history(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AddressId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| addresses::changes(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}
