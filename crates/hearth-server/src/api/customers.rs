use crate::AppState;
use crate::api::duplicates::{AllowDuplicate, refused_as_duplicate};
use crate::auth::Auth;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hearth_domain::CustomerId;
use hearth_domain::auth::Action;
use hearth_domain::customers::{Customer, CustomerInput, CustomerPatch};
use hearth_store::duplicates::{self, Candidate, Checked};
use hearth_store::history::{AuditEntry, Event};
use hearth_store::overview::{self, Overview};
use hearth_store::page::{self, Page};
use hearth_store::{StoreError, customers, history, work};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(overview))
        .routes(routes!(restore))
        .routes(routes!(timeline))
        .routes(routes!(changes))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Words matched against name, business name, email and phone digits.
    q: Option<String>,
    /// `true` lists deleted customers (the bin).
    deleted: Option<bool>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// List customers alphabetically, filtered by a search.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(ListParams),
    responses((status = 200, body = Page<Customer>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<Customer>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let query = customers::ListQuery {
        q: p.q,
        deleted: p.deleted.unwrap_or(false),
        cursor: p.cursor,
        limit: page::limit(p.limit)?,
    };
    Ok(Json(
        s.store
            .read(work!(|c| customers::list(c, org, &query)))
            .await?,
    ))
}

/// A new customer and the existing customers it looks like.
#[derive(Serialize, ToSchema)]
pub struct Created {
    #[serde(flatten)]
    customer: Customer,
    /// Existing customers this one looks like, best first (a warning).
    duplicates: Vec<Candidate>,
}

/// Create a customer. Existing look-alikes (same phone or email, similar
/// name) are listed in `duplicates`; if the organisation blocks duplicates
/// the answer is 409 listing them, unless `?allow_duplicate=true`.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", params(AllowDuplicate), request_body = CustomerInput,
    responses((status = 201, body = Created), (status = 409, description = "Looks like existing customers (`duplicates`) and the organisation blocks duplicates")))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AllowDuplicate>,
    ApiJson(input): ApiJson<CustomerInput>,
) -> ApiResult<Response> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let allow = q.allowed();
    let checked = s
        .store
        .write(work!(|c| duplicates::create_customer(
            c, p.org_id, &p.region, &p.actor, &input, allow
        )))
        .await?;
    match checked {
        Checked::Created(customer, duplicates) => {
            let location = format!("/api/v1/customers/{}", customer.id);
            Ok(crate::api::created(
                location,
                Created {
                    customer: *customer,
                    duplicates,
                },
            )
            .into_response())
        }
        Checked::Blocked(duplicates) => Ok(refused_as_duplicate(
            "this looks like an existing customer; merge with it, or send allow_duplicate=true",
            &duplicates,
        )),
    }
}

/// Read a customer. A customer merged into another answers 308 with the
/// kept customer's address.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = Uuid, Path)),
    responses((status = 200, body = Customer), (status = 308, description = "Merged into the customer at `Location`")))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<Response> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let found = s
        .store
        .read(work!(|c| async {
            match customers::get(c, org, id, false).await {
                Ok(customer) => Ok(Ok(customer)),
                Err(StoreError::NotFound) => match customers::merged_target(c, org, id).await? {
                    Some(kept) => Ok(Err(kept)),
                    None => Err(StoreError::NotFound),
                },
                Err(e) => Err(e),
            }
        }))
        .await?;
    Ok(match found {
        Ok(customer) => Json(customer).into_response(),
        Err(kept) => (
            StatusCode::PERMANENT_REDIRECT,
            [(
                axum::http::header::LOCATION,
                format!("/api/v1/customers/{kept}"),
            )],
        )
            .into_response(),
    })
}

/// The customer 360° in one round trip: profile, addresses with their
/// equipment, contacts, open jobs, recent invoices with balances, current
/// memberships, loyalty balance, open tickets, insights, spending and the
/// latest timeline entries.
#[utoipa::path(get, path = "/api/v1/customers/{id}/overview", tag = "customers", params(("id" = Uuid, Path)),
    responses((status = 200, body = Overview)))]
async fn overview(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<Json<Overview>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| overview::get(c, org, id))).await?,
    ))
}

/// Change some fields of a customer. Send the `version` you read; if the
/// record changed since, the answer is 409 and nothing is written.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = Uuid, Path)), request_body = CustomerPatch,
    responses((status = 200, body = Customer), (status = 409, description = "The record changed since `version`; nothing was written")))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(patch): ApiJson<CustomerPatch>,
) -> ApiResult<Json<Customer>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| customers::update(
                c, p.org_id, &p.region, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// Move a customer to the bin (undo with `restore`).
#[utoipa::path(delete, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = Uuid, Path)),
    responses((status = 204)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::DeleteCustomers)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| customers::delete(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Bring a deleted customer back.
#[utoipa::path(post, path = "/api/v1/customers/{id}/restore", tag = "customers", params(("id" = Uuid, Path)),
    responses((status = 200, body = Customer)))]
async fn restore(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<Json<Customer>> {
    auth.require(Action::DeleteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| customers::restore(c, p.org_id, &p.actor, id)))
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    /// Only this kind of activity, e.g. `profile`.
    kind: Option<String>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Everything that happened to a customer, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/timeline", tag = "customers", params(("id" = Uuid, Path), TimelineParams),
    responses((status = 200, body = Page<Event>)))]
async fn timeline(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiQuery(p): ApiQuery<TimelineParams>,
) -> ApiResult<Json<Page<Event>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let cursor = decode_cursor::<(DateTime<Utc>, Uuid)>(p.cursor.as_deref())?;
    let limit = page::limit(p.limit)?;
    let events = s
        .store
        .read(work!(|c| async {
            customers::get(c, org, id, false).await?;
            history::timeline(c, org, id, p.kind.as_deref(), cursor, limit).await
        }))
        .await?;
    Ok(Json(events))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangesParams {
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Field-level history of a customer ("view changes"), newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/history", tag = "customers", params(("id" = Uuid, Path), ChangesParams),
    responses((status = 200, body = Page<AuditEntry>)))]
async fn changes(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiQuery(p): ApiQuery<ChangesParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let cursor = decode_cursor::<Uuid>(p.cursor.as_deref())?;
    let limit = page::limit(p.limit)?;
    let entries = s
        .store
        .read(work!(|c| async {
            customers::get(c, org, id, false).await?;
            history::changes(c, org, id.0, cursor, limit).await
        }))
        .await?;
    Ok(Json(entries))
}

fn decode_cursor<K: serde::de::DeserializeOwned>(cursor: Option<&str>) -> ApiResult<Option<K>> {
    cursor
        .map(|c| {
            page::decode(c).ok_or_else(|| {
                AppError::from(hearth_domain::Invalid::field(
                    "cursor",
                    "is not a cursor from this list",
                ))
            })
        })
        .transpose()
}
