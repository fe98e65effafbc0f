use crate::AppState;
use crate::api::created;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use hearth_domain::auth::Action;
use hearth_domain::billing::memberships::{
    Membership, MembershipAction, MembershipInput, Plan, PlanInput, PlanPatch,
};
use hearth_domain::{CustomerId, MembershipId, PlanId};
use hearth_store::billing::{memberships, plans};
use hearth_store::page::{self, Page};
use hearth_store::work;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan, update_plan))
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(act))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlanListParams {
    /// `true` also lists archived plans.
    archived: Option<bool>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// The organisation's membership plans, in the order created.
#[utoipa::path(get, path = "/api/v1/membership-plans", tag = "memberships", params(PlanListParams),
    responses((status = 200, body = Page<Plan>)))]
async fn list_plans(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<PlanListParams>,
) -> ApiResult<Json<Page<Plan>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    let archived = p.archived.unwrap_or(false);
    Ok(Json(
        s.store
            .read(work!(|c| plans::list(
                c,
                org,
                archived,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Create a membership plan (owners and admins).
#[utoipa::path(post, path = "/api/v1/membership-plans", tag = "memberships", request_body = PlanInput,
    responses((status = 201, body = Plan)))]
async fn create_plan(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<PlanInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::ManageBilling)?;
    let p = auth.principal;
    let plan = s
        .store
        .write(work!(|c| plans::create(c, p.org_id, &p.actor, &input)))
        .await?;
    Ok(created(
        format!("/api/v1/membership-plans/{}", plan.id),
        plan,
    ))
}

/// Read a membership plan.
#[utoipa::path(get, path = "/api/v1/membership-plans/{id}", tag = "memberships", params(("id" = Uuid, Path)),
    responses((status = 200, body = Plan)))]
async fn get_plan(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PlanId>,
) -> ApiResult<Json<Plan>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(s.store.read(work!(|c| plans::get(c, org, id))).await?))
}

/// Change a plan (its members see the new terms); `archived: true` stops new
/// enrolments.
#[utoipa::path(patch, path = "/api/v1/membership-plans/{id}", tag = "memberships", params(("id" = Uuid, Path)), request_body = PlanPatch,
    responses((status = 200, body = Plan), (status = 409, description = "The plan changed since `version`")))]
async fn update_plan(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PlanId>,
    ApiJson(patch): ApiJson<PlanPatch>,
) -> ApiResult<Json<Plan>> {
    auth.require(Action::ManageBilling)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| plans::update(c, p.org_id, &p.actor, id, &patch)))
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only this customer's memberships.
    #[param(value_type = Option<String>, format = Uuid)]
    customer_id: Option<CustomerId>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Memberships, newest first.
#[utoipa::path(get, path = "/api/v1/memberships", tag = "memberships", params(ListParams),
    responses((status = 200, body = Page<Membership>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<Membership>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    let customer = p.customer_id;
    Ok(Json(
        s.store
            .read(work!(|c| memberships::list(
                c,
                org,
                customer,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Enrol a customer in a plan; it renews one interval after `started_on`.
#[utoipa::path(post, path = "/api/v1/memberships", tag = "memberships", request_body = MembershipInput,
    responses((status = 201, body = Membership)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<MembershipInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let m = s
        .store
        .write(work!(|c| memberships::create(
            c, p.org_id, &p.actor, &input
        )))
        .await?;
    Ok(created(format!("/api/v1/memberships/{}", m.id), m))
}

/// Read a membership; `billing_status` is past_due once an active
/// membership's renewal date has passed.
#[utoipa::path(get, path = "/api/v1/memberships/{id}", tag = "memberships", params(("id" = Uuid, Path)),
    responses((status = 200, body = Membership)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<MembershipId>,
) -> ApiResult<Json<Membership>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .read(work!(|c| memberships::get(c, org, id)))
            .await?,
    ))
}

/// `pause` (active → paused), `resume` (paused → active), `cancel` (final)
/// or `renew` (an active membership pays one more interval).
#[utoipa::path(post, path = "/api/v1/memberships/{id}/{action}", tag = "memberships",
    params(("id" = Uuid, Path), ("action" = String, Path, description = "pause, resume, cancel or renew")),
    responses((status = 200, body = Membership)))]
async fn act(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath((id, action)): ApiPath<(MembershipId, String)>,
) -> ApiResult<Json<Membership>> {
    let action = MembershipAction::parse(&action).ok_or(AppError::NotFound)?;
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| memberships::act(
                c, p.org_id, &p.actor, id, action, None
            )))
            .await?,
    ))
}
