use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hearth_domain::auth::Action;
use hearth_domain::comms::{CallLogInput, Channel, Communication};
use hearth_domain::{CustomerId, Invalid};
use hearth_store::page::{self, Page};
use hearth_store::{StoreError, comms, customers, work};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(log_call))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only this channel.
    channel: Option<Channel>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// A customer's communication log, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/communications", tag = "communications",
    params(("id" = Uuid, Path), ListParams), responses((status = 200, body = Page<Communication>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<Communication>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    let (channel, cursor) = (p.channel, p.cursor);
    Ok(Json(
        s.store
            .read(work!(|c| async {
                customers::get(c, org, id, false).await?;
                comms::list(c, org, id, channel, cursor.as_deref(), limit).await
            }))
            .await?,
    ))
}

/// Log a phone call with a customer: direction, duration, outcome, notes.
#[utoipa::path(post, path = "/api/v1/communications/calls", tag = "communications",
    request_body = CallLogInput, responses((status = 201, body = Communication)))]
async fn log_call(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<CallLogInput>,
) -> ApiResult<(StatusCode, Json<Communication>)> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let call = input.validate()?;
    let (customer, at) = (input.customer_id, input.occurred_at);
    let logged = s
        .store
        .write(work!(|c| comms::log_call(
            c, p.org_id, &p.actor, customer, &call, at
        )))
        .await
        .map_err(|e| match e {
            // The customer is named in the body, not the path.
            StoreError::NotFound => {
                Invalid::field("customer_id", "is not a customer of this organisation").into()
            }
            e => AppError::from(e),
        })?;
    Ok((StatusCode::CREATED, Json(logged)))
}
