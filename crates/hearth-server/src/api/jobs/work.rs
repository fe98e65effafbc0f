//! On-site work: status moves, their history, notes and the sign-off.

use super::{PageParams, access};
use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hearth_domain::JobId;
use hearth_domain::auth::Action;
use hearth_domain::jobs::{Job, JobNote, JobNoteInput, SignOffInput, StatusChange, StatusInput};
use hearth_store::page::{self, Page};
use hearth_store::{jobs, orgs, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_status))
        .routes(routes!(history))
        .routes(routes!(list_notes, add_note))
        .routes(routes!(sign_off))
}

/// Move a job on: scheduled → en_route → in_progress → completed, or
/// cancelled with a `reason` (dispatchers only). Completed and cancelled are
/// final; an illegal move is a 422 naming `status`. Completing a job sets
/// `last_service_date` on the equipment it serviced. Open pages (staff and
/// the customer's portal) get a `job_status` live event.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/status", tag = "jobs", params(("id" = Uuid, Path)), request_body = StatusInput,
    responses((status = 200, body = Job)))]
async fn set_status(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    ApiJson(input): ApiJson<StatusInput>,
) -> ApiResult<Json<Job>> {
    let access = access(&auth)?;
    if input.status.as_deref().map(str::trim) == Some("cancelled") {
        auth.require(Action::ManageJobs)?;
    }
    let p = auth.principal;
    let job = s
        .store
        .write(work!(|c| jobs::set_status(
            c,
            p.org_id,
            &p.actor,
            access,
            id,
            &input,
            orgs::now()
        )))
        .await?;
    crate::live::job_status_changed(&s.live, p.org_id, &job).await;
    Ok(Json(job))
}

/// A job's status history, oldest first: who moved it from what to what, when.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/history", tag = "jobs", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<StatusChange>)))]
async fn history(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<StatusChange>>> {
    auth.require(Action::ReadJobs)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| jobs::status_history(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// A job's notes, oldest first.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/notes", tag = "jobs", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<JobNote>)))]
async fn list_notes(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<JobNote>>> {
    auth.require(Action::ReadJobs)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| jobs::list_notes(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Add a note to a job, attributed to you.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/notes", tag = "jobs", params(("id" = Uuid, Path)), request_body = JobNoteInput,
    responses((status = 201, body = JobNote)))]
async fn add_note(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    ApiJson(input): ApiJson<JobNoteInput>,
) -> ApiResult<impl IntoResponse> {
    let access = access(&auth)?;
    let p = auth.principal;
    let note = s
        .store
        .write(work!(|c| jobs::add_note(
            c, p.org_id, &p.actor, access, id, &input
        )))
        .await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// Sign off the work: your name and the time, with the name the customer
/// typed. Once per job, while it is in progress or completed.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/sign-off", tag = "jobs", params(("id" = Uuid, Path)), request_body = SignOffInput,
    responses((status = 200, body = Job)))]
async fn sign_off(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    ApiJson(input): ApiJson<SignOffInput>,
) -> ApiResult<Json<Job>> {
    let access = access(&auth)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| jobs::sign_off(
                c, p.org_id, &p.actor, access, id, &input
            )))
            .await?,
    ))
}
