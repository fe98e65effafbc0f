use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use hearth_domain::CustomerId;
use hearth_domain::auth::Action;
use hearth_domain::insights::{CallStatusInput, CallStatusRecord, Insights};
use hearth_store::{call_status, insights, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_insights))
        .routes(routes!(set_call_status))
}

/// The customer card's insights: customer since, completed jobs, most
/// common channel, call status, tags, pinned notes and last activity.
#[utoipa::path(get, path = "/api/v1/customers/{id}/insights", tag = "customers", params(("id" = Uuid, Path)),
    responses((status = 200, body = Insights), (status = 404, body = Problem)))]
async fn get_insights(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<Json<Insights>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| insights::get(c, org, id))).await?,
    ))
}

/// Record how the last call to a customer went. It does not change the
/// customer's `version`, so it never conflicts with an edit in progress.
#[utoipa::path(put, path = "/api/v1/customers/{id}/call-status", tag = "customers", params(("id" = Uuid, Path)), request_body = CallStatusInput,
    responses((status = 200, body = CallStatusRecord), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_call_status(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(input): ApiJson<CallStatusInput>,
) -> ApiResult<Json<CallStatusRecord>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| call_status::set(
                c,
                p.org_id,
                &p.actor,
                id,
                input.status
            )))
            .await?,
    ))
}
