//! The technician's phone view: today's jobs for the signed-in person (the
//! UTC day, until organisations carry a time zone), and one job with what
//! is needed on the doorstep: tags, call status, access instructions, the
//! equipment there and the notes of earlier visits.

use super::{JobView, PageResult, load_view, me, page_err, parse_id, work_access};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Days, NaiveDate, Utc};
use hearth_domain::addresses::ServiceAddress;
use hearth_domain::auth::Action;
use hearth_domain::customers::Customer;
use hearth_domain::equipment::Equipment;
use hearth_domain::insights::Insights;
use hearth_domain::jobs::Job;
use hearth_domain::{JobId, OrgId};
use hearth_store::jobs::{self, ListQuery, PastNote};
use hearth_store::page::MAX_LIMIT;
use hearth_store::{Conn, StoreError, addresses, customers, equipment, insights, work as unit};

/// Notes of earlier visits shown on a job.
const EARLIER_NOTES: u64 = 20;

#[derive(Template)]
#[template(path = "tech.html")]
struct TodayPage {
    chrome: Chrome,
    day: NaiveDate,
    jobs: Vec<Job>,
}

pub async fn today(State(s): State<AppState>, PageAuth(auth): PageAuth) -> PageResult {
    auth.require(Action::ReadJobs).map_err(page_err)?;
    let org = auth.principal.org_id;
    let day = Utc::now().date_naive();
    let jobs = match me(&auth) {
        None => vec![],
        Some(user) => {
            let from = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
            let to = day
                .checked_add_days(Days::new(1))
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc());
            let query = ListQuery {
                technician: Some(user),
                from,
                to,
                limit: MAX_LIMIT,
                ..ListQuery::default()
            };
            s.store
                .read(unit!(|c| jobs::list(c, org, &query)))
                .await
                .map_err(page_err)?
                .items
        }
    };
    Ok(render(&TodayPage {
        chrome: Chrome::of(&auth),
        day,
        jobs,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "tech_job.html")]
struct TechJobPage {
    chrome: Chrome,
    v: JobView,
    notice: Option<String>,
    back: &'static str,
    customer: Customer,
    insights: Insights,
    address: Option<ServiceAddress>,
    equipment: Vec<Equipment>,
    earlier: Vec<PastNote>,
}

impl TechJobPage {
    /// Whether this job services the unit.
    fn serviced(&self, e: &Equipment) -> bool {
        self.v.job.fields.equipment_ids.contains(&e.id)
    }
}

struct Doorstep {
    v: JobView,
    customer: Customer,
    insights: Insights,
    address: Option<ServiceAddress>,
    equipment: Vec<Equipment>,
    earlier: Vec<PastNote>,
}

async fn doorstep(
    c: &mut Conn,
    org: OrgId,
    id: JobId,
    access: Option<hearth_domain::jobs::JobAccess>,
    can_manage: bool,
) -> Result<Doorstep, StoreError> {
    let v = load_view(c, org, id, access, can_manage).await?;
    let customer = customers::get(c, org, v.job.customer_id, false).await?;
    let insights = insights::of(c, org, &customer).await?;
    // The address may have been removed since the job was booked.
    let address = match addresses::get(c, org, v.job.fields.address_id).await {
        Ok(a) => Some(a),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let equipment = match &address {
        Some(a) => equipment::list(c, org, a.id, None, MAX_LIMIT).await?.items,
        None => vec![],
    };
    let earlier = jobs::past_notes_of_customer(c, org, customer.id, EARLIER_NOTES)
        .await?
        .into_iter()
        .filter(|n| n.note.job_id != id)
        .collect();
    Ok(Doorstep {
        v,
        customer,
        insights,
        address,
        equipment,
        earlier,
    })
}

/// The technician's page of a job, with a problem to show when a form
/// came back refused.
pub(super) async fn job(s: &AppState, auth: &Auth, id: JobId, notice: Option<String>) -> Response {
    let org = auth.principal.org_id;
    let access = work_access(auth);
    let can_manage = auth.principal.role.can(Action::ManageJobs);
    let found = s
        .store
        .read(unit!(|c| doorstep(c, org, id, access, can_manage)))
        .await;
    let d = match found {
        Ok(d) => d,
        Err(e) => return page_err(e),
    };
    let status = if notice.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = TechJobPage {
        chrome: Chrome::of(auth),
        v: d.v,
        notice,
        back: "tech",
        customer: d.customer,
        insights: d.insights,
        address: d.address,
        equipment: d.equipment,
        earlier: d.earlier,
    };
    match render(&page) {
        Ok(html) => (status, html).into_response(),
        Err(r) => r,
    }
}

pub async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    auth.require(Action::ReadJobs).map_err(page_err)?;
    let id: JobId = parse_id(&id)?;
    Ok(job(&s, &auth, id, None).await)
}
