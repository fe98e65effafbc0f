//! The forms on a job and on the technician's view: status, note, photo,
//! sign-off. Each goes back to the page it came from (`back`: `tech` or
//! the job page); a refused one shows that page again with the reason.

use super::{PageResult, job_page, page_err, parse_id, tech, work_access};
use crate::AppState;
use crate::api::jobs::{Upload, store_photo};
use crate::auth::{Auth, PageAuth};
use crate::error::AppError;
use axum::Form;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::JobId;
use hearth_domain::auth::Action;
use hearth_domain::jobs::{JobAccess, JobNoteInput, SignOffInput, StatusInput};
use hearth_store::{StoreError, jobs, orgs, work as unit};
use std::collections::HashMap;

type Posted = HashMap<String, String>;

fn field<'a>(p: &'a Posted, name: &str) -> &'a str {
    p.get(name).map(String::as_str).unwrap_or_default()
}

/// Where a form goes back to.
#[derive(Clone, Copy)]
enum Back {
    Job,
    Tech,
}

impl Back {
    fn of(p: &Posted) -> Back {
        if field(p, "back") == "tech" {
            Back::Tech
        } else {
            Back::Job
        }
    }

    fn to(self, id: JobId) -> Response {
        match self {
            Back::Job => Redirect::to(&format!("/jobs/{id}")).into_response(),
            Back::Tech => Redirect::to(&format!("/tech/jobs/{id}")).into_response(),
        }
    }

    /// The page again, saying why the form was refused.
    async fn refused(self, s: &AppState, auth: &Auth, id: JobId, why: String) -> Response {
        match self {
            Back::Job => job_page(s, auth, id, Some(why)).await,
            Back::Tech => tech::job(s, auth, id, Some(why)).await,
        }
    }
}

/// The form's CSRF token, then whose jobs the person may work on.
fn allow(auth: &Auth, csrf: &str) -> Result<JobAccess, Response> {
    auth.verify_csrf(csrf).map_err(page_err)?;
    auth.require(Action::WorkOnJobs).map_err(page_err)?;
    work_access(auth).ok_or_else(|| page_err(AppError::Forbidden))
}

/// Refusals a person can act on come back to the page; others are errors.
async fn answer<T>(
    s: &AppState,
    auth: &Auth,
    id: JobId,
    back: Back,
    result: Result<T, StoreError>,
) -> PageResult {
    match result {
        Ok(_) => Ok(back.to(id)),
        Err(StoreError::Invalid(errors)) => Ok(back.refused(s, auth, id, errors.summary()).await),
        Err(StoreError::Conflict { .. }) => Ok(back
            .refused(
                s,
                auth,
                id,
                "Someone else changed this job a moment ago; here it is as it is now.".into(),
            )
            .await),
        Err(e) => Err(page_err(e)),
    }
}

pub async fn set_status(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    let access = allow(&auth, field(&p, "_csrf"))?;
    let id: JobId = parse_id(&id)?;
    let input = StatusInput {
        status: Some(field(&p, "status").to_string()),
        reason: p.get("reason").cloned(),
    };
    if field(&p, "status") == "cancelled" {
        auth.require(Action::ManageJobs).map_err(page_err)?;
    }
    let pr = auth.principal.clone();
    let result = s
        .store
        .write(unit!(|c| jobs::set_status(
            c,
            pr.org_id,
            &pr.actor,
            access,
            id,
            &input,
            orgs::now()
        )))
        .await;
    if let Ok(job) = &result {
        crate::live::job_status_changed(&s.live, pr.org_id, job).await;
    }
    answer(&s, &auth, id, Back::of(&p), result).await
}

pub async fn add_note(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    let access = allow(&auth, field(&p, "_csrf"))?;
    let id: JobId = parse_id(&id)?;
    let input = JobNoteInput {
        body: p.get("body").cloned(),
    };
    let pr = auth.principal.clone();
    let result = s
        .store
        .write(unit!(|c| jobs::add_note(
            c, pr.org_id, &pr.actor, access, id, &input
        )))
        .await;
    answer(&s, &auth, id, Back::of(&p), result).await
}

pub async fn sign_off(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    let access = allow(&auth, field(&p, "_csrf"))?;
    let id: JobId = parse_id(&id)?;
    let input = SignOffInput {
        customer_name: p.get("customer_name").cloned(),
    };
    let pr = auth.principal.clone();
    let result = s
        .store
        .write(unit!(|c| jobs::sign_off(
            c, pr.org_id, &pr.actor, access, id, &input
        )))
        .await;
    answer(&s, &auth, id, Back::of(&p), result).await
}

/// A photo from the file input (multipart form with `_csrf` and `back`).
pub async fn add_photo(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    req: Request,
) -> PageResult {
    let id: JobId = parse_id(&id)?;
    let upload = Upload::read(req).await.map_err(page_err)?;
    let back = Back::of(&upload.fields);
    let access = allow(&auth, field(&upload.fields, "_csrf"))?;
    match store_photo(&s, &auth.principal, access, id, upload).await {
        Ok(_) => Ok(back.to(id)),
        Err(AppError::Invalid(errors)) => Ok(back.refused(&s, &auth, id, errors.summary()).await),
        Err(e) => Err(page_err(e)),
    }
}
