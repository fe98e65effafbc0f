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
use hearth_domain::equipment::{Equipment, EquipmentInput, EquipmentPatch};
use hearth_domain::{AddressId, EquipmentId, Invalid};
use hearth_store::equipment::ExpiringWarranty;
use hearth_store::history::AuditEntry;
use hearth_store::page::{self, Page};
use hearth_store::{equipment, work};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(warranties))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(history))
}

/// The equipment at a service address, in the order it was recorded.
#[utoipa::path(get, path = "/api/v1/addresses/{id}/equipment", tag = "equipment", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<Equipment>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AddressId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Equipment>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| equipment::list(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Record equipment at a service address. `last_service_date` is filled
/// from completed jobs and cannot be sent.
#[utoipa::path(post, path = "/api/v1/addresses/{id}/equipment", tag = "equipment", params(("id" = Uuid, Path)), request_body = EquipmentInput,
    responses((status = 201, body = Equipment), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AddressId>,
    ApiJson(input): ApiJson<EquipmentInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let unit = s
        .store
        .write(work!(|c| equipment::create(
            c, p.org_id, &p.actor, id, &input
        )))
        .await?;
    let location = format!("/api/v1/equipment/{}", unit.id);
    Ok(crate::api::created(location, unit))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WarrantyParams {
    /// 0–3650, default 30.
    #[param(value_type = Option<i64>)]
    within_days: Option<String>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Equipment whose warranty ends between today and today + `within_days`
/// (UTC dates, both included), soonest first, with the customer and address.
#[utoipa::path(get, path = "/api/v1/equipment/warranties", tag = "equipment", params(WarrantyParams),
    responses((status = 200, body = Page<ExpiringWarranty>), (status = 422, body = Problem)))]
async fn warranties(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<WarrantyParams>,
) -> ApiResult<Json<Page<ExpiringWarranty>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    // Parsed here rather than by the query extractor, whose errors cannot
    // name the parameter.
    let within_days = match p.within_days.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| Invalid::field("within_days", "is not a whole number of days"))?,
        ),
    };
    Ok(Json(
        s.store
            .read(work!(|c| equipment::expiring_warranties(
                c,
                org,
                within_days,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Read a piece of equipment.
#[utoipa::path(get, path = "/api/v1/equipment/{id}", tag = "equipment", params(("id" = Uuid, Path)),
    responses((status = 200, body = Equipment), (status = 404, body = Problem)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<EquipmentId>,
) -> ApiResult<Json<Equipment>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| equipment::get(c, org, id))).await?,
    ))
}

/// Change some fields of equipment; send the `version` you read (stale →
/// 409). `address_id` moves it to another address of the same customer.
#[utoipa::path(patch, path = "/api/v1/equipment/{id}", tag = "equipment", params(("id" = Uuid, Path)), request_body = EquipmentPatch,
    responses((status = 200, body = Equipment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<EquipmentId>,
    ApiJson(patch): ApiJson<EquipmentPatch>,
) -> ApiResult<Json<Equipment>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| equipment::update(
                c, p.org_id, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// Remove equipment (its history stays).
#[utoipa::path(delete, path = "/api/v1/equipment/{id}", tag = "equipment", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<EquipmentId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| equipment::delete(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Field-level history of equipment, newest first.
#[utoipa::path(get, path = "/api/v1/equipment/{id}/history", tag = "equipment", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn history(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<EquipmentId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| equipment::changes(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}
