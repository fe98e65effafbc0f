use super::{Chrome, CsrfOnly, Html, error_page, render};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::error::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use hearth_domain::auth::Action;
use hearth_domain::customers::{ContactMethod, Customer, CustomerInput, CustomerPatch};
use hearth_domain::{CustomerId, Invalid};
use hearth_store::duplicates::{self, Candidate, Checked};
use hearth_store::history::Event;
use hearth_store::orgs::now;
use hearth_store::page::{self, Page};
use hearth_store::{StoreError, customers, history, work};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list).post(create))
        .route("/customers/new", get(new_form))
        .route("/customers/{id}", get(show).post(update))
        .route("/customers/{id}/edit", get(edit_form))
        .route("/customers/{id}/delete", post(delete))
        .route("/customers/{id}/restore", post(restore))
}

fn page_err(e: impl Into<AppError>) -> Response {
    error_page(e.into())
}

fn customer_id(raw: &str) -> Result<CustomerId, Response> {
    raw.parse().map_err(|_| page_err(AppError::NotFound))
}

#[derive(Deserialize)]
pub struct ListParams {
    q: Option<String>,
    cursor: Option<String>,
    deleted: Option<bool>,
}

#[derive(Template)]
#[template(path = "customers.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    deleted: bool,
    page: Page<Customer>,
}

async fn list(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(p): Query<ListParams>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let org = auth.principal.org_id;
    let query = customers::ListQuery {
        q: p.q.clone(),
        deleted: p.deleted.unwrap_or(false),
        cursor: p.cursor,
        limit: page::DEFAULT_LIMIT,
    };
    let deleted = query.deleted;
    let page = s
        .store
        .read(work!(|c| customers::list(c, org, &query)))
        .await
        .map_err(page_err)?;
    render(&ListPage {
        chrome: Chrome::of(&auth),
        q: p.q.unwrap_or_default(),
        deleted,
        page,
    })
}

#[derive(Template)]
#[template(path = "customer.html")]
struct ShowPage {
    chrome: Chrome,
    c: Customer,
    events: Vec<Event>,
    notes_tags: super::notes_tags::NotesTagsCard,
    children: super::children::CardChildren,
    jobs: hearth_store::jobs::CustomerJobs,
    comms: super::comms::CommsCard,
    billing: super::billing::BillingCard,
    /// The segments the customer is in now.
    segments: Vec<hearth_domain::segments::CustomerSegment>,
    duplicates: super::duplicates::DuplicatesCard,
    /// Whether the signed-in user may merge customers.
    can_merge: bool,
    /// The timeline filter in force, if any.
    kind: Option<String>,
    kinds: &'static [&'static str],
}

/// The timeline filters the card offers, in the seeds' words.
const TIMELINE_KINDS: &[&str] = &[
    "profile",
    "note",
    "communication",
    "job",
    "quote",
    "invoice",
    "payment",
    "membership",
    "tag",
    "address",
    "equipment",
    "support",
];

#[derive(Deserialize)]
pub struct CardParams {
    kind: Option<String>,
    /// The merge just made into this customer: the card offers to undo it.
    merged: Option<String>,
}

async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Query(params): Query<CardParams>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id = customer_id(&id)?;
    let org = auth.principal.org_id;
    let me = super::comms::me(&auth);
    let today = hearth_store::orgs::now().date_naive();
    let kind = params.kind.filter(|k| TIMELINE_KINDS.contains(&k.as_str()));
    // The old link of a customer merged away opens the kept customer.
    let kept = s
        .store
        .read(work!(|c| customers::merged_target(c, org, id)))
        .await
        .map_err(page_err)?;
    if let Some(kept) = kept {
        return Err(Redirect::permanent(&format!("/customers/{kept}")).into_response());
    }
    let filter = kind.clone();
    let merged = params.merged.and_then(|m| m.parse().ok());
    let (c, events, notes_tags, children, jobs, billing, comms, segments, duplicates) = s
        .store
        .read(work!(|c| async {
            let customer = customers::get(c, org, id, true).await?;
            let events = history::timeline(c, org, id, filter.as_deref(), None, 20).await?;
            let notes_tags = super::notes_tags::load_card(c, org, &customer).await?;
            let children = super::children::load(c, org, id).await?;
            let jobs = hearth_store::jobs::for_customer_card(c, org, id, now()).await?;
            let billing = super::billing::load_card(c, org, &customer).await?;
            let comms = super::comms::load_card(c, org, id, me, today).await?;
            let segments = hearth_store::segments::of_customer(c, org, id).await?;
            let duplicates = super::duplicates::load_card(c, org, &customer, merged).await?;
            Ok((
                customer,
                events.items,
                notes_tags,
                children,
                jobs,
                billing,
                comms,
                segments,
                duplicates,
            ))
        }))
        .await
        .map_err(page_err)?;
    render(&ShowPage {
        chrome: Chrome::of(&auth),
        c,
        events,
        notes_tags,
        children,
        jobs,
        billing,
        comms,
        segments,
        duplicates,
        can_merge: auth.require(Action::DeleteCustomers).is_ok(),
        kind,
        kinds: TIMELINE_KINDS,
    })
}

/// One input of the customer form, with what was typed and what is wrong.
struct Field {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "customer_form.html")]
struct FormPage {
    chrome: Chrome,
    existing: Option<Customer>,
    fields: Vec<Field>,
    methods: Vec<&'static str>,
    notice: Option<String>,
    /// What the duplicate check found when it blocked this customer.
    duplicates: Vec<Candidate>,
}

/// The form as posted: every field a string, as browsers send them.
#[derive(Deserialize, Default)]
pub struct CustomerForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    version: Option<i64>,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    business_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    preferred_contact_method: String,
    #[serde(default)]
    customer_since: String,
    /// Ticked after the duplicate check blocked the customer: create anyway.
    #[serde(default)]
    allow_duplicate: bool,
}

impl CustomerForm {
    fn from_customer(c: &Customer) -> CustomerForm {
        let f = &c.fields;
        CustomerForm {
            csrf: String::new(),
            version: Some(c.version),
            first_name: f.first_name.clone().unwrap_or_default(),
            last_name: f.last_name.clone().unwrap_or_default(),
            business_name: f.business_name.clone().unwrap_or_default(),
            email: f.email.clone().unwrap_or_default(),
            phone: f.phone.clone().unwrap_or_default(),
            preferred_contact_method: f.preferred_contact_method.as_str().to_string(),
            customer_since: f.customer_since.to_string(),
            allow_duplicate: false,
        }
    }

    fn fields(&self, errors: &Invalid) -> Vec<Field> {
        let error = |name: &str| {
            errors
                .0
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.message.clone())
        };
        let field = |name, label, kind, value: &String| Field {
            name,
            label,
            kind,
            value: value.clone(),
            error: error(name),
        };
        vec![
            field("first_name", "First name", "text", &self.first_name),
            field("last_name", "Last name", "text", &self.last_name),
            field(
                "business_name",
                "Business name",
                "text",
                &self.business_name,
            ),
            field("phone", "Phone", "tel", &self.phone),
            field("email", "Email", "email", &self.email),
            field(
                "preferred_contact_method",
                "Preferred contact method",
                "text",
                &self.preferred_contact_method,
            ),
            field(
                "customer_since",
                "Customer since",
                "date",
                &self.customer_since,
            ),
        ]
    }

    /// The typed values as API input; an unreadable date or method is
    /// reported like any other bad field.
    fn parse(&self) -> Result<(CustomerInput, Option<NaiveDate>), Invalid> {
        let text = |s: &String| Some(s.clone()).filter(|s| !s.trim().is_empty());
        let mut errors = Invalid::default();
        let since = match self.customer_since.trim() {
            "" => None,
            raw => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push("customer_since", "is not a date (YYYY-MM-DD)");
                    None
                }
            },
        };
        let method = match self.preferred_contact_method.trim() {
            "" => None,
            raw => match ContactMethod::parse(raw) {
                Some(m) => Some(m),
                None => {
                    errors.push("preferred_contact_method", "must be call, sms or email");
                    None
                }
            },
        };
        let input = CustomerInput {
            first_name: text(&self.first_name),
            last_name: text(&self.last_name),
            business_name: text(&self.business_name),
            email: text(&self.email),
            phone: text(&self.phone),
            preferred_contact_method: method,
            customer_since: since,
        };
        errors.or_ok((input, since))
    }
}

/// The new or edit form; `duplicates` when the duplicate check blocked it.
fn form_page(
    auth: &Auth,
    existing: Option<Customer>,
    form: &CustomerForm,
    errors: &Invalid,
    notice: Option<String>,
    duplicates: Vec<Candidate>,
) -> Response {
    let page = FormPage {
        chrome: Chrome::of(auth),
        existing,
        fields: form.fields(errors),
        methods: ContactMethod::ALL.iter().map(|m| m.as_str()).collect(),
        notice,
        duplicates,
    };
    let status = if !page.duplicates.is_empty() {
        axum::http::StatusCode::CONFLICT
    } else if errors.0.is_empty() && page.notice.is_none() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    match render(&page) {
        Ok(html) => (status, html).into_response(),
        Err(r) => r,
    }
}

async fn new_form(PageAuth(auth): PageAuth) -> Response {
    if let Err(e) = auth.require(Action::WriteCustomers) {
        return page_err(e);
    }
    form_page(
        &auth,
        None,
        &CustomerForm::default(),
        &Invalid::default(),
        None,
        vec![],
    )
}

async fn create(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<CustomerForm>,
) -> Response {
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::WriteCustomers))
    {
        return page_err(e);
    }
    let input = match form.parse() {
        Ok((input, _)) => input,
        Err(errors) => return form_page(&auth, None, &form, &errors, None, vec![]),
    };
    let p = auth.principal.clone();
    let allow = form.allow_duplicate;
    match s
        .store
        .write(work!(|c| duplicates::create_customer(
            c, p.org_id, &p.region, &p.actor, &input, allow
        )))
        .await
    {
        // The card lists the look-alikes with a way to merge.
        Ok(Checked::Created(customer, _)) => {
            Redirect::to(&format!("/customers/{}", customer.id)).into_response()
        }
        Ok(Checked::Blocked(found)) => {
            form_page(&auth, None, &form, &Invalid::default(), None, found)
        }
        Err(StoreError::Invalid(errors)) => form_page(&auth, None, &form, &errors, None, vec![]),
        Err(e) => page_err(e),
    }
}

async fn edit_form(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> Response {
    if let Err(e) = auth.require(Action::WriteCustomers) {
        return page_err(e);
    }
    let id = match customer_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let org = auth.principal.org_id;
    match s
        .store
        .read(work!(|c| customers::get(c, org, id, false)))
        .await
    {
        Ok(customer) => {
            let form = CustomerForm::from_customer(&customer);
            form_page(
                &auth,
                Some(customer),
                &form,
                &Invalid::default(),
                None,
                vec![],
            )
        }
        Err(e) => page_err(e),
    }
}

async fn update(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CustomerForm>,
) -> Response {
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::WriteCustomers))
    {
        return page_err(e);
    }
    let id = match customer_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal.clone();
    let current = match s
        .store
        .read(work!(|c| customers::get(c, p.org_id, id, false)))
        .await
    {
        Ok(c) => c,
        Err(e) => return page_err(e),
    };
    let (input, since) = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) => return form_page(&auth, Some(current), &form, &errors, None, vec![]),
    };
    // The form shows every field, so every field is sent: empty clears it.
    let patch = CustomerPatch {
        version: form.version.unwrap_or(-1),
        first_name: Some(input.first_name),
        last_name: Some(input.last_name),
        business_name: Some(input.business_name),
        email: Some(input.email),
        phone: Some(input.phone),
        preferred_contact_method: input.preferred_contact_method,
        customer_since: since,
    };
    match s
        .store
        .write(work!(|c| customers::update(
            c, p.org_id, &p.region, &p.actor, id, &patch
        )))
        .await
    {
        Ok(customer) => Redirect::to(&format!("/customers/{}", customer.id)).into_response(),
        Err(StoreError::Invalid(errors)) => {
            form_page(&auth, Some(current), &form, &errors, None, vec![])
        }
        Err(StoreError::Conflict { .. }) => {
            let notice = "Someone else changed this customer while you were editing. Your changes are below; \
                          the saved version is shown on the customer page. Save again to overwrite it."
                .to_string();
            let mut form = form;
            form.version = Some(current.version);
            form_page(
                &auth,
                Some(current),
                &form,
                &Invalid::default(),
                Some(notice),
                vec![],
            )
        }
        Err(e) => page_err(e),
    }
}

async fn delete(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    set_deleted(s, auth, id, form, true).await
}

async fn restore(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    set_deleted(s, auth, id, form, false).await
}

async fn set_deleted(
    s: AppState,
    auth: Auth,
    id: String,
    form: CsrfOnly,
    delete: bool,
) -> Response {
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::DeleteCustomers))
    {
        return page_err(e);
    }
    let id = match customer_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal;
    let result = if delete {
        s.store
            .write(work!(|c| customers::delete(c, p.org_id, &p.actor, id)))
            .await
    } else {
        s.store
            .write(work!(|c| customers::restore(c, p.org_id, &p.actor, id)))
            .await
            .map(|_| ())
    };
    match result {
        Ok(()) if delete => Redirect::to("/customers").into_response(),
        Ok(()) => Redirect::to(&format!("/customers/{id}")).into_response(),
        Err(e) => page_err(e),
    }
}
