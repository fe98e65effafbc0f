//! The dispatcher's job pages (list, new, detail, edit) and the
//! technician's phone view of today's jobs (tech.rs). Every form posts
//! `_csrf` and redirects; a rejected one shows its page again with the
//! problem (422).

mod form;
mod tech;
mod values;
mod work;

use super::{Chrome, error_page, render};
use crate::AppState;
use crate::api::jobs::UPLOAD_BODY_LIMIT;
use crate::auth::{Auth, PageAuth};
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Days, NaiveDate, Utc};
use hearth_domain::auth::Action;
use hearth_domain::equipment::Equipment;
use hearth_domain::jobs::{Job, JobAccess, JobNote, JobPhoto, JobStatus, StatusChange, job_access};
use hearth_domain::{CustomerId, JobId, OrgId, UserId};
use hearth_store::jobs::{self, ListQuery, TeamMember};
use hearth_store::page::{DEFAULT_LIMIT, MAX_LIMIT, Page};
use hearth_store::{Conn, StoreError, work as unit};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(list).post(form::create))
        .route("/jobs/new", get(form::new_form))
        .route("/jobs/{id}", get(show).post(form::update))
        .route("/jobs/{id}/edit", get(form::edit_form))
        .route("/jobs/{id}/delete", post(form::delete))
        .route("/jobs/{id}/status", post(work::set_status))
        .route("/jobs/{id}/notes", post(work::add_note))
        .route(
            "/jobs/{id}/photos",
            post(work::add_photo).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/jobs/{id}/sign-off", post(work::sign_off))
        .route("/tech", get(tech::today))
        .route("/tech/jobs/{id}", get(tech::show))
}

type PageResult = Result<Response, Response>;

fn page_err(e: impl Into<AppError>) -> Response {
    error_page(e.into())
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, Response> {
    raw.parse().map_err(|_| page_err(AppError::NotFound))
}

/// Whose jobs the signed-in person may work on; `None` reads only.
fn work_access(auth: &Auth) -> Option<JobAccess> {
    if !auth.principal.role.can(Action::WorkOnJobs) {
        return None;
    }
    job_access(auth.principal.role, &auth.principal.actor)
}

/// The signed-in user, when a person (not an API key) is asking.
fn me(auth: &Auth) -> Option<UserId> {
    match auth.principal.actor.kind {
        hearth_domain::history::ActorKind::User => auth.principal.actor.id.map(UserId),
        _ => None,
    }
}

/// A job with what its page shows, and what the viewer may do to it.
pub struct JobView {
    pub job: Job,
    pub notes: Vec<JobNote>,
    pub photos: Vec<JobPhoto>,
    pub history: Vec<StatusChange>,
    /// The units the job services.
    pub equipment: Vec<Equipment>,
    /// Book, edit, reschedule, cancel, delete.
    pub can_manage: bool,
    /// Move the status, add notes and photos, sign off.
    pub can_work: bool,
}

impl JobView {
    /// The status buttons a technician sees: forward moves only.
    pub fn forward(&self) -> Vec<JobStatus> {
        self.job
            .status
            .next()
            .iter()
            .copied()
            .filter(|s| !matches!(s, JobStatus::Cancelled | JobStatus::Scheduled))
            .collect()
    }

    /// Every move the viewer may make but cancelling, which has its own form.
    pub fn moves(&self) -> Vec<JobStatus> {
        self.job
            .status
            .next()
            .iter()
            .copied()
            .filter(|s| *s != JobStatus::Cancelled)
            .collect()
    }

    pub fn can_cancel(&self) -> bool {
        self.can_manage && self.job.status.next().contains(&JobStatus::Cancelled)
    }

    pub fn can_sign(&self) -> bool {
        self.can_work
            && self.job.sign_off.is_none()
            && matches!(
                self.job.status,
                JobStatus::InProgress | JobStatus::Completed
            )
    }
}

async fn load_view(
    c: &mut Conn,
    org: OrgId,
    id: JobId,
    access: Option<JobAccess>,
    can_manage: bool,
) -> Result<JobView, StoreError> {
    let job = jobs::get(c, org, id).await?;
    let notes = jobs::list_notes(c, org, id, None, MAX_LIMIT).await?.items;
    let photos = jobs::list_photos(c, org, id, None, MAX_LIMIT).await?.items;
    let history = jobs::status_history(c, org, id, None, MAX_LIMIT)
        .await?
        .items;
    let equipment = hearth_store::equipment::for_customer(c, org, job.customer_id)
        .await?
        .into_iter()
        .filter(|e| job.fields.equipment_ids.contains(&e.id))
        .collect();
    let can_work = access.is_some_and(|a| a.allows(&job.fields.technician_ids));
    Ok(JobView {
        job,
        notes,
        photos,
        history,
        equipment,
        can_manage,
        can_work,
    })
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    chrome: Chrome,
    v: JobView,
    notice: Option<String>,
    back: &'static str,
}

/// The job page, with a problem to show when a form came back refused.
async fn job_page(s: &AppState, auth: &Auth, id: JobId, notice: Option<String>) -> Response {
    let org = auth.principal.org_id;
    let access = work_access(auth);
    let can_manage = auth.principal.role.can(Action::ManageJobs);
    let view = s
        .store
        .read(unit!(|c| load_view(c, org, id, access, can_manage)))
        .await;
    let status = if notice.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    match view {
        Ok(v) => match render(&JobPage {
            chrome: Chrome::of(auth),
            v,
            notice,
            back: "job",
        }) {
            Ok(html) => (status, html).into_response(),
            Err(r) => r,
        },
        Err(e) => page_err(e),
    }
}

async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    auth.require(Action::ReadJobs).map_err(page_err)?;
    let id: JobId = parse_id(&id)?;
    Ok(job_page(&s, &auth, id, None).await)
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    status: Option<String>,
    technician_id: Option<String>,
    customer_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct ListPage {
    chrome: Chrome,
    page: Page<Job>,
    team: Vec<TeamMember>,
    statuses: [JobStatus; 5],
    status: String,
    technician_id: String,
    customer_id: String,
    customer_name: Option<String>,
    from: String,
    to: String,
    can_manage: bool,
}

impl ListPage {
    /// The filters as a query string, for the next-page link.
    fn filters(&self) -> String {
        [
            ("status", &self.status),
            ("technician_id", &self.technician_id),
            ("customer_id", &self.customer_id),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::auth::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

fn date(raw: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw?.trim(), "%Y-%m-%d").ok()
}

/// Jobs from a day on (today by default), soonest first; unreadable
/// filters are ignored.
async fn list(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(p): Query<ListParams>,
) -> PageResult {
    auth.require(Action::ReadJobs).map_err(page_err)?;
    let org = auth.principal.org_id;
    let today = Utc::now().date_naive();
    let from = match p.from.as_deref() {
        None => Some(today),
        Some(raw) => date(Some(raw)),
    };
    let to = date(p.to.as_deref());
    let status = p.status.as_deref().and_then(JobStatus::parse);
    let technician = p
        .technician_id
        .as_deref()
        .and_then(|t| t.parse::<UserId>().ok());
    let customer = p
        .customer_id
        .as_deref()
        .and_then(|c| c.parse::<CustomerId>().ok());
    let query = ListQuery {
        customer,
        technician,
        status,
        from: from
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc()),
        to: to
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc()),
        cursor: p.cursor,
        limit: DEFAULT_LIMIT,
        ..ListQuery::default()
    };
    let (page, team, customer_name) = s
        .store
        .read(unit!(|c| async {
            let page = jobs::list(c, org, &query).await?;
            let team = jobs::assignable_users(c, org).await?;
            let name = match customer {
                Some(id) => Some(
                    hearth_store::customers::get(c, org, id, true)
                        .await?
                        .display_name,
                ),
                None => None,
            };
            Ok((page, team, name))
        }))
        .await
        .map_err(page_err)?;
    let html = render(&ListPage {
        chrome: Chrome::of(&auth),
        page,
        team,
        statuses: JobStatus::ALL,
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        technician_id: technician.map(|t| t.to_string()).unwrap_or_default(),
        customer_id: customer.map(|c| c.to_string()).unwrap_or_default(),
        customer_name,
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        can_manage: auth.principal.role.can(Action::ManageJobs),
    })?;
    Ok(html.into_response())
}
