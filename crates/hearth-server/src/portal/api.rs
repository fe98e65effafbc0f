//! The JSON the portal pages read and post under `/portal/api`, for the
//! signed-in customer only. Changes need the `X-CSRF-Token` header.

use super::customer::{self, ContactInput, JobDetail, Payment};
use super::session::Customer;
use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use axum::extract::State;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use hearth_domain::billing::invoices::Invoice;
use hearth_domain::billing::memberships::{Membership, MembershipAction};
use hearth_domain::customers::Customer as CustomerRecord;
use hearth_domain::equipment::Equipment;
use hearth_domain::jobs::Job;
use hearth_domain::portal::slots::Slot;
use hearth_domain::{AddressId, InvoiceId, JobId, MembershipId};
use hearth_store::portal::slots::ServiceRequest;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/api/me", get(me))
        .route("/portal/api/contact", patch(update_contact))
        .route("/portal/api/invoices", get(invoices))
        .route("/portal/api/invoices/{id}", get(invoice))
        .route("/portal/api/invoices/{id}/pay", post(pay))
        .route("/portal/api/jobs", get(jobs))
        .route("/portal/api/jobs/{id}", get(job))
        .route("/portal/api/equipment", get(equipment))
        .route("/portal/api/memberships", get(memberships))
        .route("/portal/api/memberships/{id}/pause", post(pause))
        .route("/portal/api/memberships/{id}/cancel", post(cancel))
        .route("/portal/api/slots", get(slots))
        .route("/portal/api/service-requests", post(request_service))
        .route("/portal/api/events", get(super::events::stream))
}

/// A list as the portal reads it: the customer's own few records.
#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

async fn me(State(s): State<AppState>, me: Customer) -> ApiResult<Json<CustomerRecord>> {
    Ok(Json(customer::profile(&s, &me).await?))
}

async fn update_contact(
    State(s): State<AppState>,
    me: Customer,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Json<CustomerRecord>> {
    Ok(Json(customer::update_contact(&s, &me, input).await?))
}

async fn invoices(State(s): State<AppState>, me: Customer) -> ApiResult<Json<Items<Invoice>>> {
    let items = customer::invoices(&s, &me).await?;
    Ok(Json(Items { items }))
}

async fn invoice(
    State(s): State<AppState>,
    me: Customer,
    ApiPath(id): ApiPath<InvoiceId>,
) -> ApiResult<Json<Invoice>> {
    Ok(Json(customer::invoice(&s, &me, id).await?))
}

async fn pay(
    State(s): State<AppState>,
    me: Customer,
    ApiPath(id): ApiPath<InvoiceId>,
) -> ApiResult<Json<Payment>> {
    let back = format!("{}/portal/invoices/{id}", super::public_base(&s));
    Ok(Json(customer::pay(&s, &me, id, back).await?))
}

async fn jobs(State(s): State<AppState>, me: Customer) -> ApiResult<Json<Items<Job>>> {
    let items = customer::jobs(&s, &me).await?;
    Ok(Json(Items { items }))
}

async fn job(
    State(s): State<AppState>,
    me: Customer,
    ApiPath(id): ApiPath<JobId>,
) -> ApiResult<Json<JobDetail>> {
    Ok(Json(customer::job(&s, &me, id).await?))
}

async fn equipment(State(s): State<AppState>, me: Customer) -> ApiResult<Json<Items<Equipment>>> {
    let items = customer::equipment(&s, &me).await?;
    Ok(Json(Items { items }))
}

async fn memberships(
    State(s): State<AppState>,
    me: Customer,
) -> ApiResult<Json<Items<Membership>>> {
    let items = customer::memberships(&s, &me).await?;
    Ok(Json(Items { items }))
}

async fn pause(
    State(s): State<AppState>,
    me: Customer,
    ApiPath(id): ApiPath<MembershipId>,
) -> ApiResult<Json<Membership>> {
    Ok(Json(
        customer::membership_action(&s, &me, id, MembershipAction::Pause).await?,
    ))
}

async fn cancel(
    State(s): State<AppState>,
    me: Customer,
    ApiPath(id): ApiPath<MembershipId>,
) -> ApiResult<Json<Membership>> {
    Ok(Json(
        customer::membership_action(&s, &me, id, MembershipAction::Cancel).await?,
    ))
}

async fn slots(State(s): State<AppState>, me: Customer) -> ApiResult<Json<Items<Slot>>> {
    let items = customer::open_slots(&s, &me).await?;
    Ok(Json(Items { items }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceRequestInput {
    slot: DateTime<Utc>,
    service_type: Option<String>,
    description: Option<String>,
    address_id: Option<AddressId>,
}

async fn request_service(
    State(s): State<AppState>,
    me: Customer,
    ApiJson(input): ApiJson<ServiceRequestInput>,
) -> ApiResult<(axum::http::StatusCode, Json<Job>)> {
    let request = ServiceRequest {
        address_id: input.address_id,
        service_type: input.service_type,
        description: input.description,
        slot_start: input.slot,
    };
    let job = customer::request_service(&s, &me, request).await?;
    Ok((axum::http::StatusCode::CREATED, Json(job)))
}
