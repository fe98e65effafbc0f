//! Booking and editing a job from a form (its values: values.rs).

use super::values::{LineRow, Values, line_index};
use super::{PageResult, page_err, parse_id};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use hearth_domain::addresses::ServiceAddress;
use hearth_domain::auth::Action;
use hearth_domain::customers::Customer;
use hearth_domain::equipment::Equipment;
use hearth_domain::jobs::{Industry, JobInput, JobPatch, LineItemKind, currency_for_region};
use hearth_domain::{CustomerId, Invalid, JobId, OrgId};
use hearth_store::jobs::{self, TeamMember};
use hearth_store::page::{MAX_LIMIT, Page};
use hearth_store::{Conn, StoreError, addresses, customers, equipment, work as unit};
use serde::Deserialize;
use std::collections::HashMap;

/// Blank line-item rows a form offers beyond the job's own.
const BLANK_LINES: usize = 3;

/// The form's page: the customer, what can be picked, what was typed and
/// what is wrong.
#[derive(Template)]
#[template(path = "job_form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    action: String,
    version: Option<i64>,
    customer: Customer,
    addresses: Vec<ServiceAddress>,
    equipment: Vec<Equipment>,
    team: Vec<TeamMember>,
    industries: [Industry; 6],
    kinds: [LineItemKind; 3],
    v: Values,
    errors: HashMap<String, String>,
    notice: Option<String>,
}

impl FormPage {
    fn equipment_label(&self, e: &Equipment) -> String {
        let at = self
            .addresses
            .iter()
            .find(|a| a.id == e.address_id)
            .map(|a| a.fields.line1.as_str())
            .unwrap_or_default();
        format!("{} · {at}", e.fields.title())
    }

    fn respond(self) -> Response {
        let status = if self.errors.is_empty() && self.notice.is_none() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        match render(&self) {
            Ok(html) => (status, html).into_response(),
            Err(r) => r,
        }
    }
}

/// Everything a form offers for one customer.
async fn choices(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
) -> Result<
    (
        Customer,
        Vec<ServiceAddress>,
        Vec<Equipment>,
        Vec<TeamMember>,
    ),
    StoreError,
> {
    let cu = customers::get(c, org, customer, false).await?;
    let places = addresses::list(c, org, customer, None, MAX_LIMIT)
        .await?
        .items;
    let units = equipment::for_customer(c, org, customer).await?;
    let team = jobs::assignable_users(c, org).await?;
    Ok((cu, places, units, team))
}

/// Shows `v` again with the problems in `errors`, line-item ones on their row.
#[allow(clippy::too_many_arguments, reason = "the parts of one form")]
async fn form_page(
    s: &AppState,
    auth: &Auth,
    customer: CustomerId,
    title: String,
    action: String,
    version: Option<i64>,
    mut v: Values,
    errors: Invalid,
    notice: Option<String>,
) -> Response {
    let org = auth.principal.org_id;
    let (customer, addresses, equipment, team) =
        match s.store.read(unit!(|c| choices(c, org, customer))).await {
            Ok(found) => found,
            Err(e) => return page_err(e),
        };
    let mut by_field = HashMap::new();
    for e in &errors.0 {
        match line_index(&e.field) {
            Some(i) => {
                // Errors count the rows sent, blank ones skipped.
                if let Some(row) = v.lines.iter_mut().filter(|r| !r.is_blank()).nth(i) {
                    let field = e
                        .field
                        .rsplit('.')
                        .next()
                        .unwrap_or_default()
                        .replace('_', " ");
                    let text = format!("{field} {}", e.message);
                    row.error = Some(match row.error.take() {
                        Some(before) => format!("{before}; {text}"),
                        None => text,
                    });
                }
            }
            None => {
                by_field
                    .entry(e.field.clone())
                    .or_insert_with(|| e.message.clone());
            }
        }
    }
    if v.currency.is_empty() {
        v.currency = currency_for_region(&auth.principal.region).to_string();
    }
    let blanks = v.lines.iter().filter(|r| r.is_blank()).count();
    for _ in blanks..BLANK_LINES {
        v.lines.push(LineRow {
            kind: "service".into(),
            ..LineRow::default()
        });
    }
    FormPage {
        chrome: Chrome::of(auth),
        title,
        action,
        version,
        customer,
        addresses,
        equipment,
        team,
        industries: Industry::ALL,
        kinds: LineItemKind::ALL,
        v,
        errors: by_field,
        notice,
    }
    .respond()
}

fn allow(auth: &Auth, pairs: &[(String, String)]) -> Result<(), Response> {
    let token = pairs
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    auth.verify_csrf(token)
        .and_then(|()| auth.require(Action::ManageJobs))
        .map_err(page_err)
}

#[derive(Deserialize, Default)]
pub struct NewParams {
    customer_id: Option<String>,
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "job_pick_customer.html")]
struct PickPage {
    chrome: Chrome,
    q: String,
    page: Page<Customer>,
}

/// A new job: first the customer, then the form.
pub async fn new_form(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(p): Query<NewParams>,
) -> PageResult {
    auth.require(Action::ManageJobs).map_err(page_err)?;
    let org = auth.principal.org_id;
    let Some(customer) = p
        .customer_id
        .as_deref()
        .and_then(|c| c.parse::<CustomerId>().ok())
    else {
        let query = customers::ListQuery {
            q: p.q.clone(),
            limit: 20,
            ..customers::ListQuery::default()
        };
        let page = s
            .store
            .read(unit!(|c| customers::list(c, org, &query)))
            .await
            .map_err(page_err)?;
        return Ok(render(&PickPage {
            chrome: Chrome::of(&auth),
            q: p.q.unwrap_or_default(),
            page,
        })?
        .into_response());
    };
    let tomorrow = (Utc::now() + chrono::Duration::days(1))
        .date_naive()
        .to_string();
    let v = Values {
        industry: "hvac".into(),
        date: tomorrow,
        start_time: "09:00".into(),
        end_time: "11:00".into(),
        ..Values::default()
    };
    Ok(form_page(
        &s,
        &auth,
        customer,
        "New job".into(),
        format!("/jobs?customer_id={customer}"),
        None,
        v,
        Invalid::default(),
        None,
    )
    .await)
}

/// Domain errors for the fields the form could read, after its own.
fn merged(mut errors: Invalid, input: &JobInput, region: &str) -> Invalid {
    if let Err(more) = input.validate(currency_for_region(region)) {
        for e in more.0 {
            if !errors.0.iter().any(|x| x.field == e.field) {
                errors.0.push(e);
            }
        }
    }
    errors
}

#[derive(Deserialize)]
pub struct CreateParams {
    customer_id: Option<String>,
}

pub async fn create(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<CreateParams>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    allow(&auth, &pairs)?;
    let customer: CustomerId = parse_id(q.customer_id.as_deref().unwrap_or_default())?;
    let v = Values::posted(&pairs);
    let (input, errors) = v.input(customer);
    let redo = |errors: Invalid, notice| {
        form_page(
            &s,
            &auth,
            customer,
            "New job".into(),
            format!("/jobs?customer_id={customer}"),
            None,
            v.clone(),
            errors,
            notice,
        )
    };
    if !errors.0.is_empty() {
        return Ok(redo(merged(errors, &input, &auth.principal.region), None).await);
    }
    let p = auth.principal.clone();
    match s
        .store
        .write(unit!(|c| jobs::create(
            c, p.org_id, &p.region, &p.actor, &input
        )))
        .await
    {
        Ok(job) => Ok(Redirect::to(&format!("/jobs/{}", job.id)).into_response()),
        Err(StoreError::Invalid(errors)) => Ok(redo(errors, None).await),
        Err(e) => Err(page_err(e)),
    }
}

pub async fn edit_form(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    auth.require(Action::ManageJobs).map_err(page_err)?;
    let id: JobId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let job = s
        .store
        .read(unit!(|c| jobs::get(c, org, id)))
        .await
        .map_err(page_err)?;
    Ok(form_page(
        &s,
        &auth,
        job.customer_id,
        format!("Edit {}", job.fields.service_type),
        format!("/jobs/{id}"),
        Some(job.version),
        Values::of_job(&job),
        Invalid::default(),
        None,
    )
    .await)
}

const CONFLICT: &str = "Someone else changed this job while you were editing. Your changes are below; \
                        save again to overwrite theirs, or open the job to see what they saved.";

pub async fn update(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    allow(&auth, &pairs)?;
    let id: JobId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let current = s
        .store
        .read(unit!(|c| jobs::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let version = pairs
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .unwrap_or(-1);
    let v = Values::posted(&pairs);
    let (input, errors) = v.input(current.customer_id);
    let redo = |errors: Invalid, version: i64, notice| {
        form_page(
            &s,
            &auth,
            current.customer_id,
            format!("Edit {}", current.fields.service_type),
            format!("/jobs/{id}"),
            Some(version),
            v.clone(),
            errors,
            notice,
        )
    };
    if !errors.0.is_empty() {
        return Ok(redo(
            merged(errors, &input, &auth.principal.region),
            version,
            None,
        )
        .await);
    }
    // The form shows every field, so every field is sent.
    let patch = JobPatch {
        version,
        address_id: input.address_id,
        service_type: input.service_type.clone(),
        industry: input.industry.clone(),
        description: Some(input.description.clone().filter(|d| !d.trim().is_empty())),
        scheduled_start: input.scheduled_start,
        scheduled_end: input.scheduled_end,
        technician_ids: Some(input.technician_ids.clone()),
        equipment_ids: Some(input.equipment_ids.clone()),
        currency: input.currency.clone(),
        line_items: Some(input.line_items.clone()),
    };
    let missing = |field: &str, errors: &mut Invalid| errors.push(field, "is required");
    let mut required = Invalid::default();
    if patch.address_id.is_none() {
        missing("address_id", &mut required);
    }
    if patch.scheduled_start.is_none() {
        missing("scheduled_start", &mut required);
    }
    if patch.scheduled_end.is_none() {
        missing("scheduled_end", &mut required);
    }
    if !required.0.is_empty() {
        return Ok(redo(required, version, None).await);
    }
    let p = auth.principal.clone();
    match s
        .store
        .write(unit!(|c| jobs::update(c, p.org_id, &p.actor, id, &patch)))
        .await
    {
        Ok(job) => Ok(Redirect::to(&format!("/jobs/{}", job.id)).into_response()),
        Err(StoreError::Invalid(errors)) => Ok(redo(errors, version, None).await),
        Err(StoreError::Conflict { current_version }) => Ok(redo(
            Invalid::default(),
            current_version,
            Some(CONFLICT.to_string()),
        )
        .await),
        Err(e) => Err(page_err(e)),
    }
}

pub async fn delete(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    allow(&auth, &pairs)?;
    let id: JobId = parse_id(&id)?;
    let p = auth.principal.clone();
    let result = s
        .store
        .write(unit!(|c| async {
            let job = jobs::get(c, p.org_id, id).await?;
            jobs::delete(c, p.org_id, &p.actor, id).await?;
            Ok(job.customer_id)
        }))
        .await;
    match result {
        Ok(customer) => Ok(Redirect::to(&format!("/customers/{customer}#jobs")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            Ok(super::job_page(&s, &auth, id, Some(errors.summary())).await)
        }
        Err(e) => Err(page_err(e)),
    }
}
