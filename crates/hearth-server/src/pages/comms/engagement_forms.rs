//! Adding, editing and removing engagements from the pages, and their
//! "view changes" page.

use super::{EngagementForm, EngagementFormView, choices, page_err, parse_id};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::error::AppError;
use crate::pages::{Chrome, CsrfOnly, Html, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::auth::Action;
use hearth_domain::customers::Customer;
use hearth_domain::engagements::{Engagement, EngagementInput, EngagementPatch};
use hearth_domain::{CustomerId, EngagementId, Invalid};
use hearth_store::history::AuditEntry;
use hearth_store::{StoreError, customers, engagements, work};

/// The standalone form's data, shaped like the card's (`comms.form`) so
/// both render the same include.
pub struct FormOnly {
    pub form: EngagementFormView,
}

#[derive(Template)]
#[template(path = "engagement_form.html")]
struct FormPage {
    chrome: Chrome,
    customer: Customer,
    editing: bool,
    comms: FormOnly,
}

#[derive(Template)]
#[template(path = "engagement_history.html")]
struct HistoryPage {
    chrome: Chrome,
    customer: Customer,
    e: Engagement,
    entries: Vec<AuditEntry>,
}

fn allowed(auth: &Auth, csrf: &str) -> Result<(), Response> {
    auth.verify_csrf(csrf)
        .and_then(|()| auth.require(Action::WriteCustomers))
        .map_err(page_err)
}

fn to_card(customer: CustomerId) -> Response {
    Redirect::to(&format!("/customers/{customer}#engagements")).into_response()
}

/// Shows the form again with what was typed and every error.
async fn form_again(
    s: &AppState,
    auth: &Auth,
    customer: CustomerId,
    action: String,
    form: EngagementForm,
    errors: Invalid,
    editing: bool,
) -> Response {
    let org = auth.principal.org_id;
    let loaded = s
        .store
        .read(work!(|c| async {
            let cu = customers::get(c, org, customer, false).await?;
            Ok((cu, choices(c, org, customer).await?))
        }))
        .await;
    let (customer, (team, types, contacts)) = match loaded {
        Ok(x) => x,
        Err(e) => return page_err(e),
    };
    let version = form.version.parse().ok();
    let page = FormPage {
        chrome: Chrome::of(auth),
        customer,
        editing,
        comms: FormOnly {
            form: EngagementFormView {
                action,
                version,
                v: form,
                errors: errors.0,
                team,
                types,
                contacts,
            },
        },
    };
    match render(&page) {
        Ok(html) => (StatusCode::UNPROCESSABLE_ENTITY, html).into_response(),
        Err(r) => r,
    }
}

pub async fn create(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<EngagementForm>,
) -> Response {
    let customer: CustomerId = match parse_id(&id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let action = format!("/customers/{customer}/engagements");
    let input: EngagementInput = match form.parse() {
        Ok(i) => i,
        Err(errors) => return form_again(&s, &auth, customer, action, form, errors, false).await,
    };
    let p = auth.principal.clone();
    let saved = s
        .store
        .write(work!(|c| engagements::create(
            c, p.org_id, &p.actor, customer, &input
        )))
        .await;
    match saved {
        Ok(_) => to_card(customer),
        Err(StoreError::Invalid(errors)) => {
            form_again(&s, &auth, customer, action, form, errors, false).await
        }
        Err(e) => page_err(e),
    }
}

pub async fn edit_form(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> Response {
    if let Err(e) = auth.require(Action::ReadCustomers) {
        return page_err(e);
    }
    let id: EngagementId = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let org = auth.principal.org_id;
    let loaded = s.store.read(work!(|c| engagements::get(c, org, id))).await;
    match loaded {
        Ok(e) => {
            let mut r = form_again(
                &s,
                &auth,
                e.customer_id,
                format!("/engagements/{id}"),
                EngagementForm::of(&e),
                Invalid::default(),
                true,
            )
            .await;
            if r.status() == StatusCode::UNPROCESSABLE_ENTITY {
                *r.status_mut() = StatusCode::OK;
            }
            r
        }
        Err(e) => page_err(e),
    }
}

pub async fn update(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<EngagementForm>,
) -> Response {
    let id: EngagementId = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let org = auth.principal.org_id;
    let current = match s.store.read(work!(|c| engagements::get(c, org, id))).await {
        Ok(e) => e,
        Err(e) => return page_err(e),
    };
    let customer = current.customer_id;
    let action = format!("/engagements/{id}");
    let input = match form.parse() {
        Ok(i) => i,
        Err(errors) => return form_again(&s, &auth, customer, action, form, errors, true).await,
    };
    let Ok(version) = form.version.trim().parse::<i64>() else {
        return page_err(AppError::BadRequest("the form has no version".into()));
    };
    // The form always sends every field: a full replacement as a patch.
    let patch = EngagementPatch {
        version,
        subject: input.subject.clone(),
        date: input.date,
        contact_id: Some(input.contact_id),
        duration_hours: Some(input.duration_hours),
        duration_minutes: Some(input.duration_minutes),
        contacted_by: input.contacted_by,
        contact_type: Some(input.contact_type.clone().filter(|t| !t.trim().is_empty())),
        follow_up: Some(input.follow_up),
        follow_up_assignee: Some(input.follow_up_assignee),
        follow_up_date: Some(input.follow_up_date),
        follow_up_completed: Some(input.follow_up_completed),
        notes: Some(input.notes.clone()),
    };
    let p = auth.principal.clone();
    let saved = s
        .store
        .write(work!(|c| engagements::update(
            c, p.org_id, &p.actor, id, &patch
        )))
        .await;
    match saved {
        Ok(_) => to_card(customer),
        Err(StoreError::Invalid(errors)) => {
            form_again(&s, &auth, customer, action, form, errors, true).await
        }
        Err(StoreError::Conflict { .. }) => {
            let errors = Invalid::field(
                "version",
                "someone else changed this engagement; reload it and make your change again",
            );
            form_again(&s, &auth, customer, action, form, errors, true).await
        }
        Err(e) => page_err(e),
    }
}

pub async fn delete(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let id: EngagementId = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let p = auth.principal.clone();
    let done = s
        .store
        .write(work!(|c| async {
            let e = engagements::get(c, p.org_id, id).await?;
            engagements::delete(c, p.org_id, &p.actor, id).await?;
            Ok(e.customer_id)
        }))
        .await;
    match done {
        Ok(customer) => to_card(customer),
        Err(e) => page_err(e),
    }
}

pub async fn history(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id: EngagementId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let (customer, e, entries) = s
        .store
        .read(work!(|c| async {
            let e = engagements::get(c, org, id).await?;
            let customer = customers::get(c, org, e.customer_id, false).await?;
            let page = engagements::changes(c, org, id, None, 200).await?;
            Ok((customer, e, page.items))
        }))
        .await
        .map_err(page_err)?;
    render(&HistoryPage {
        chrome: Chrome::of(&auth),
        customer,
        e,
        entries,
    })
}
