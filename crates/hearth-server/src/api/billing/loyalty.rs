//! A customer's loyalty points and spending, and the billing settings that
//! decide how points are earned.

use crate::AppState;
use crate::api::created;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use hearth_domain::CustomerId;
use hearth_domain::auth::Action;
use hearth_domain::billing::loyalty::{AdjustInput, LoyaltyAccount, LoyaltyEntry, RedeemInput};
use hearth_domain::billing::settings::{BillingSettings, BillingSettingsPatch};
use hearth_domain::billing::spending::Spending;
use hearth_store::billing::{loyalty, settings, spending};
use hearth_store::work;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(account))
        .routes(routes!(redeem))
        .routes(routes!(adjust))
        .routes(routes!(spending_of))
        .routes(routes!(get_settings, update_settings))
}

/// A customer's loyalty balance and newest ledger entries.
#[utoipa::path(get, path = "/api/v1/customers/{id}/loyalty", tag = "loyalty", params(("id" = Uuid, Path)),
    responses((status = 200, body = LoyaltyAccount)))]
async fn account(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<Json<LoyaltyAccount>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .read(work!(|c| loyalty::account(c, org, id)))
            .await?,
    ))
}

/// Redeem points; never more than the balance (422 naming `points`).
#[utoipa::path(post, path = "/api/v1/customers/{id}/loyalty/redeem", tag = "loyalty", params(("id" = Uuid, Path)), request_body = RedeemInput,
    responses((status = 201, body = LoyaltyEntry)))]
async fn redeem(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(input): ApiJson<RedeemInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let entry = s
        .store
        .write(work!(|c| loyalty::redeem(
            c, p.org_id, &p.actor, id, &input
        )))
        .await?;
    Ok(created(format!("/api/v1/customers/{id}/loyalty"), entry))
}

/// Correct a balance by hand, with a reason; it never goes below zero.
#[utoipa::path(post, path = "/api/v1/customers/{id}/loyalty/adjust", tag = "loyalty", params(("id" = Uuid, Path)), request_body = AdjustInput,
    responses((status = 201, body = LoyaltyEntry)))]
async fn adjust(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(input): ApiJson<AdjustInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::ManageBilling)?;
    let p = auth.principal;
    let entry = s
        .store
        .write(work!(|c| loyalty::adjust(
            c, p.org_id, &p.actor, id, &input
        )))
        .await?;
    Ok(created(format!("/api/v1/customers/{id}/loyalty"), entry))
}

/// What a customer spent, per currency: total paid, average per paid
/// invoice (per booking until jobs exist), average per month since
/// `customer_since`, and what is still owed.
#[utoipa::path(get, path = "/api/v1/customers/{id}/spending", tag = "loyalty", params(("id" = Uuid, Path)),
    responses((status = 200, body = Spending)))]
async fn spending_of(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<Json<Spending>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| spending::get(c, org, id))).await?,
    ))
}

/// The organisation's currency, payment terms and loyalty rule.
#[utoipa::path(get, path = "/api/v1/billing/settings", tag = "loyalty",
    responses((status = 200, body = BillingSettings)))]
async fn get_settings(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<BillingSettings>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(s.store.read(work!(|c| settings::get(c, org))).await?))
}

/// Change the billing settings (owners and admins); send the `version` you
/// read (0 before the first change).
#[utoipa::path(patch, path = "/api/v1/billing/settings", tag = "loyalty", request_body = BillingSettingsPatch,
    responses((status = 200, body = BillingSettings), (status = 409, description = "The settings changed since `version`")))]
async fn update_settings(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(patch): ApiJson<BillingSettingsPatch>,
) -> ApiResult<Json<BillingSettings>> {
    auth.require(Action::ManageBilling)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| settings::update(c, p.org_id, &p.actor, &patch)))
            .await?,
    ))
}
