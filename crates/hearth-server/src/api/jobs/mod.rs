//! Jobs (bookings): booking and changing them, lists by customer, address,
//! technician and date, and what technicians add on site (work.rs, photos.rs).

mod photos;
mod work;

pub(crate) use photos::{UPLOAD_BODY_LIMIT, Upload, photo_response, store_photo};

use crate::AppState;
pub(crate) use crate::api::PageParams;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, NaiveDate, Utc};
use hearth_domain::auth::Action;
use hearth_domain::jobs::{Job, JobAccess, JobGroup, JobInput, JobPatch, JobStatus, job_access};
use hearth_domain::{AddressId, CustomerId, Invalid, JobId, UserId};
use hearth_store::jobs::{self, ListQuery, TeamMember};
use hearth_store::page::{self, Page};
use hearth_store::{addresses, customers, work};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(customer_jobs))
        .routes(routes!(address_jobs))
        .routes(routes!(technicians))
        .merge(work::routes())
        .merge(photos::routes())
}

/// Whose jobs this caller may work on, or 403.
pub(crate) fn access(auth: &Auth) -> Result<JobAccess, AppError> {
    auth.require(Action::WorkOnJobs)?;
    job_access(auth.principal.role, &auth.principal.actor).ok_or(AppError::Forbidden)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct JobListParams {
    /// Jobs of this customer.
    #[param(value_type = Option<String>, format = Uuid)]
    customer_id: Option<String>,
    /// Jobs this user is assigned to.
    #[param(value_type = Option<String>, format = Uuid)]
    technician_id: Option<String>,
    /// scheduled, en_route, in_progress, completed or cancelled.
    status: Option<String>,
    /// Starting at or after: an RFC 3339 instant, or a date (its start, UTC).
    from: Option<String>,
    /// Starting before: an RFC 3339 instant, or a date (its start, UTC).
    to: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// An instant, or a calendar date meaning its first moment in UTC.
fn instant(field: &str, raw: Option<&str>, errors: &mut Invalid) -> Option<DateTime<Utc>> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
        Err(_) => {
            errors.push(field, "is not a date (YYYY-MM-DD) or an RFC 3339 time");
            None
        }
    }
}

fn id_param<T: std::str::FromStr>(
    field: &str,
    raw: Option<&str>,
    errors: &mut Invalid,
) -> Option<T> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    raw.parse()
        .map_err(|_| errors.push(field, "is not an id"))
        .ok()
}

impl JobListParams {
    fn query(&self) -> Result<ListQuery, Invalid> {
        let mut errors = Invalid::default();
        let customer =
            id_param::<CustomerId>("customer_id", self.customer_id.as_deref(), &mut errors);
        let technician =
            id_param::<UserId>("technician_id", self.technician_id.as_deref(), &mut errors);
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => JobStatus::parse(raw).or_else(|| {
                errors.push(
                    "status",
                    "must be scheduled, en_route, in_progress, completed or cancelled",
                );
                None
            }),
        };
        let from = instant("from", self.from.as_deref(), &mut errors);
        let to = instant("to", self.to.as_deref(), &mut errors);
        let limit = page::limit(self.limit)
            .map_err(|e| errors.0.extend(e.0))
            .unwrap_or(1);
        errors.or_ok(ListQuery {
            customer,
            technician,
            status,
            from,
            to,
            cursor: self.cursor.clone(),
            limit,
            ..ListQuery::default()
        })
    }
}

/// Jobs soonest first, filtered by customer, technician, status and a
/// window of start times.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobListParams),
    responses((status = 200, body = Page<Job>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<JobListParams>,
) -> ApiResult<Json<Page<Job>>> {
    auth.require(Action::ReadJobs)?;
    let org = auth.principal.org_id;
    let query = p.query()?;
    Ok(Json(
        s.store.read(work!(|c| jobs::list(c, org, &query))).await?,
    ))
}

/// Book a job at one of the customer's service addresses.
#[utoipa::path(post, path = "/api/v1/jobs", tag = "jobs", request_body = JobInput,
    responses((status = 201, body = Job)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<JobInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::ManageJobs)?;
    let p = auth.principal;
    let job = s
        .store
        .write(work!(|c| jobs::create(
            c, p.org_id, &p.region, &p.actor, &input
        )))
        .await?;
    let location = format!("/api/v1/jobs/{}", job.id);
    Ok(crate::api::created(location, job))
}

/// Read a job.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = Uuid, Path)),
    responses((status = 200, body = Job)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
) -> ApiResult<Json<Job>> {
    auth.require(Action::ReadJobs)?;
    let org = auth.principal.org_id;
    Ok(Json(s.store.read(work!(|c| jobs::get(c, org, id))).await?))
}

/// Reschedule, reassign or change what a job holds; send the `version` you
/// read. Completed and cancelled jobs do not change (422 naming `status`).
#[utoipa::path(patch, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = Uuid, Path)), request_body = JobPatch,
    responses((status = 200, body = Job), (status = 409, description = "The job changed since you read it")))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    ApiJson(patch): ApiJson<JobPatch>,
) -> ApiResult<Json<Job>> {
    auth.require(Action::ManageJobs)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| jobs::update(c, p.org_id, &p.actor, id, &patch)))
            .await?,
    ))
}

/// Remove a job that is not completed (its history stays).
#[utoipa::path(delete, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = Uuid, Path)),
    responses((status = 204)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::ManageJobs)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| jobs::delete(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CustomerJobsParams {
    /// upcoming (soonest first), past or cancelled (latest first); all
    /// jobs, latest first, without it.
    group: Option<String>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// A customer's jobs: upcoming, past (completed, or open and overdue) or
/// cancelled.
#[utoipa::path(get, path = "/api/v1/customers/{id}/jobs", tag = "jobs", params(("id" = Uuid, Path), CustomerJobsParams),
    responses((status = 200, body = Page<Job>)))]
async fn customer_jobs(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiQuery(p): ApiQuery<CustomerJobsParams>,
) -> ApiResult<Json<Page<Job>>> {
    auth.require(Action::ReadJobs)?;
    let org = auth.principal.org_id;
    let group = match p.group.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            JobGroup::parse(raw)
                .ok_or_else(|| Invalid::field("group", "must be upcoming, past or cancelled"))?,
        ),
    };
    let query = ListQuery {
        customer: Some(id),
        group: group.map(|g| (g, hearth_store::orgs::now())),
        newest_first: group != Some(JobGroup::Upcoming),
        cursor: p.cursor,
        limit: page::limit(p.limit)?,
        ..ListQuery::default()
    };
    Ok(Json(
        s.store
            .read(work!(|c| async {
                customers::get(c, org, id, false).await?;
                jobs::list(c, org, &query).await
            }))
            .await?,
    ))
}

/// The job history of one service address, latest first.
#[utoipa::path(get, path = "/api/v1/addresses/{id}/jobs", tag = "jobs", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<Job>)))]
async fn address_jobs(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AddressId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Job>>> {
    auth.require(Action::ReadJobs)?;
    let org = auth.principal.org_id;
    let query = ListQuery {
        address: Some(id),
        newest_first: true,
        cursor: p.cursor,
        limit: page::limit(p.limit)?,
        ..ListQuery::default()
    };
    Ok(Json(
        s.store
            .read(work!(|c| async {
                let a = addresses::get(c, org, id).await?;
                customers::get(c, org, a.customer_id, false).await?;
                jobs::list(c, org, &query).await
            }))
            .await?,
    ))
}

/// The organisation's active users, any role: who a job can be assigned to.
#[utoipa::path(get, path = "/api/v1/technicians", tag = "jobs",
    responses((status = 200, body = Page<TeamMember>)))]
async fn technicians(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Page<TeamMember>>> {
    auth.require(Action::ReadJobs)?;
    let org = auth.principal.org_id;
    let items = s
        .store
        .read(work!(|c| jobs::assignable_users(c, org)))
        .await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}
