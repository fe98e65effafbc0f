//! The customer card's contacts, service addresses and equipment: the data
//! its sections show, the forms that change them (each posts and redirects
//! back to the card) and the page of warranties about to end.

mod forms;

use super::{Chrome, error_page, render};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::error::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use forms::{Input, Posted};
use hearth_domain::addresses::{AddressPatch, ServiceAddress};
use hearth_domain::auth::Action;
use hearth_domain::customer_contacts::CustomerContact;
use hearth_domain::equipment::{Equipment, WARRANTY_WARNING_DAYS, WarrantyStatus, warranty_status};
use hearth_domain::{AddressId, ContactId, CustomerId, EquipmentId, Invalid, OrgId};
use hearth_store::equipment::ExpiringWarranty;
use hearth_store::orgs::now;
use hearth_store::page::{MAX_LIMIT, Page};
use hearth_store::{Conn, StoreError, addresses, customer_contacts, equipment, work};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/contacts", post(create_contact))
        .route("/contacts/{id}", post(update_contact))
        .route("/contacts/{id}/edit", get(edit_contact))
        .route("/contacts/{id}/delete", post(delete_contact))
        .route("/customers/{id}/addresses", post(create_address))
        .route("/addresses/{id}", post(update_address))
        .route("/addresses/{id}/edit", get(edit_address))
        .route("/addresses/{id}/primary", post(make_primary))
        .route("/addresses/{id}/delete", post(delete_address))
        .route("/addresses/{id}/equipment", post(create_equipment))
        .route("/equipment/{id}", post(update_equipment))
        .route("/equipment/{id}/edit", get(edit_equipment))
        .route("/equipment/{id}/delete", post(delete_equipment))
        .route("/equipment/warranties", get(warranties))
}

// ---- what the customer card shows -------------------------------------

/// The child records on a customer card, with empty forms to add more.
pub struct CardChildren {
    pub contacts: Vec<CustomerContact>,
    pub addresses: Vec<AddressCard>,
    /// More records than one card shows; the API lists them all.
    pub truncated: bool,
    pub new_contact: Vec<Input>,
    pub new_address: Vec<Input>,
    pub new_equipment: Vec<Input>,
}

pub struct AddressCard {
    pub a: ServiceAddress,
    pub equipment: Vec<EquipmentRow>,
}

pub struct EquipmentRow {
    pub u: Equipment,
    /// `soon`, `expired`, `active`, or empty without a warranty date.
    pub warranty: &'static str,
}

fn warranty_class(e: &Equipment, today: chrono::NaiveDate) -> &'static str {
    match e.fields.warranty_expires_on {
        None => "",
        Some(d) => match warranty_status(d, today, WARRANTY_WARNING_DAYS) {
            WarrantyStatus::Active => "active",
            WarrantyStatus::ExpiringSoon => "soon",
            WarrantyStatus::Expired => "expired",
        },
    }
}

/// Loads the sections inside the card's read.
pub async fn load(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
) -> Result<CardChildren, StoreError> {
    let contacts = customer_contacts::list(c, org, customer, None, MAX_LIMIT).await?;
    let places = addresses::list(c, org, customer, None, MAX_LIMIT).await?;
    let units = equipment::for_customer(c, org, customer).await?;
    let today = now().date_naive();
    let addresses = places
        .items
        .into_iter()
        .map(|a| AddressCard {
            equipment: units
                .iter()
                .filter(|u| u.address_id == a.id)
                .map(|u| EquipmentRow {
                    warranty: warranty_class(u, today),
                    u: u.clone(),
                })
                .collect(),
            a,
        })
        .collect();
    let blank = Posted::new();
    let none = Invalid::default();
    Ok(CardChildren {
        truncated: contacts.next_cursor.is_some() || places.next_cursor.is_some(),
        contacts: contacts.items,
        addresses,
        new_contact: forms::inputs(forms::CONTACT, &blank, &none),
        new_address: forms::inputs(forms::ADDRESS, &blank, &none),
        new_equipment: forms::inputs(forms::EQUIPMENT, &blank, &none),
    })
}

// ---- shared plumbing ---------------------------------------------------

type PageResult = Result<Response, Response>;

fn page_err(e: impl Into<AppError>) -> Response {
    error_page(e.into())
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, Response> {
    raw.parse().map_err(|_| page_err(AppError::NotFound))
}

/// A state change: the form's CSRF token and the role's permission.
fn allow(auth: &Auth, posted: &Posted) -> Result<(), Response> {
    let token = posted.get("_csrf").map(String::as_str).unwrap_or_default();
    auth.verify_csrf(token)
        .and_then(|()| auth.require(Action::WriteCustomers))
        .map_err(page_err)
}

fn back_to_card(customer: CustomerId, anchor: &str) -> Response {
    Redirect::to(&format!("/customers/{customer}#{anchor}")).into_response()
}

#[derive(Template)]
#[template(path = "customer/record_form.html")]
struct RecordForm {
    chrome: Chrome,
    title: String,
    action: String,
    back: String,
    version: Option<i64>,
    inputs: Vec<Input>,
    notice: Option<String>,
}

impl RecordForm {
    fn new(auth: &Auth, title: &str, action: String, customer: CustomerId) -> RecordForm {
        RecordForm {
            chrome: Chrome::of(auth),
            title: title.to_string(),
            action,
            back: format!("/customers/{customer}"),
            version: None,
            inputs: vec![],
            notice: None,
        }
    }

    fn editing(mut self, version: i64, inputs: Vec<Input>) -> RecordForm {
        self.version = Some(version);
        self.inputs = inputs;
        self
    }

    /// 200 for a fresh form, 422 when it comes back with problems.
    fn respond(self) -> Response {
        let status = if self.notice.is_some() || self.inputs.iter().any(|i| i.error.is_some()) {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        match render(&self) {
            Ok(html) => (status, html).into_response(),
            Err(r) => r,
        }
    }
}

const CONFLICT: &str = "Someone else changed this record while you were editing. Your changes are below; \
                        save again to overwrite theirs, or go back to see what they saved.";

/// The answer to a failed save: the form again with the problems, or an
/// error page.
fn failed(
    e: StoreError,
    mut form: RecordForm,
    spec_inputs: impl FnOnce(&Invalid) -> Vec<Input>,
) -> Response {
    match e {
        StoreError::Invalid(errors) => {
            form.inputs = spec_inputs(&errors);
            form.respond()
        }
        StoreError::Conflict { current_version } => {
            form.inputs = spec_inputs(&Invalid::default());
            form.version = Some(current_version);
            form.notice = Some(CONFLICT.to_string());
            form.respond()
        }
        e => page_err(e),
    }
}

// ---- contacts ----------------------------------------------------------

async fn create_contact(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let customer: CustomerId = parse_id(&id)?;
    let form = RecordForm::new(
        &auth,
        "Add a contact",
        format!("/customers/{customer}/contacts"),
        customer,
    );
    let redo = |errors: &Invalid| forms::inputs(forms::CONTACT, &p, errors);
    let input = match forms::contact_input(&p) {
        Ok(input) => input,
        Err(errors) => return Ok(failed(errors.into(), form, redo)),
    };
    let pr = auth.principal.clone();
    match s
        .store
        .write(work!(|c| customer_contacts::create(
            c, pr.org_id, &pr.region, &pr.actor, customer, &input
        )))
        .await
    {
        Ok(_) => Ok(back_to_card(customer, "contacts")),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

async fn edit_contact(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id: ContactId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let contact = s
        .store
        .read(work!(|c| customer_contacts::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let inputs = forms::inputs(
        forms::CONTACT,
        &forms::contact_values(&contact),
        &Invalid::default(),
    );
    let title = format!("Edit {}", contact.fields.name);
    Ok(RecordForm::new(
        &auth,
        &title,
        format!("/contacts/{id}"),
        contact.customer_id,
    )
    .editing(contact.version, inputs)
    .respond())
}

async fn update_contact(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: ContactId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let org = pr.org_id;
    let current = s
        .store
        .read(work!(|c| customer_contacts::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let mut form = RecordForm::new(
        &auth,
        "Edit contact",
        format!("/contacts/{id}"),
        current.customer_id,
    );
    form.version = Some(forms::version(&p));
    let redo = |errors: &Invalid| forms::inputs(forms::CONTACT, &p, errors);
    let patch = match forms::contact_patch(&p) {
        Ok(patch) => patch,
        Err(errors) => return Ok(failed(errors.into(), form, redo)),
    };
    match s
        .store
        .write(work!(|c| customer_contacts::update(
            c, pr.org_id, &pr.region, &pr.actor, id, &patch
        )))
        .await
    {
        Ok(saved) => Ok(back_to_card(saved.customer_id, "contacts")),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

async fn delete_contact(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: ContactId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let customer = s
        .store
        .write(work!(|c| async {
            let contact = customer_contacts::get(c, pr.org_id, id).await?;
            customer_contacts::delete(c, pr.org_id, &pr.actor, id).await?;
            Ok(contact.customer_id)
        }))
        .await
        .map_err(page_err)?;
    Ok(back_to_card(customer, "contacts"))
}

// ---- service addresses -------------------------------------------------

async fn create_address(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let customer: CustomerId = parse_id(&id)?;
    let form = RecordForm::new(
        &auth,
        "Add a service address",
        format!("/customers/{customer}/addresses"),
        customer,
    );
    let redo = |errors: &Invalid| forms::inputs(forms::ADDRESS, &p, errors);
    let input = forms::address_input(&p);
    let pr = auth.principal.clone();
    match s
        .store
        .write(work!(|c| addresses::create(
            c, pr.org_id, &pr.region, &pr.actor, customer, &input
        )))
        .await
    {
        Ok(a) => Ok(back_to_card(customer, &format!("address-{}", a.id))),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

/// A primary address has no "make primary" box: it stays primary until
/// another address takes over.
fn address_inputs(is_primary: bool, values: &Posted, errors: &Invalid) -> Vec<Input> {
    if is_primary {
        forms::inputs(forms::without(forms::ADDRESS, "is_primary"), values, errors)
    } else {
        forms::inputs(forms::ADDRESS, values, errors)
    }
}

async fn edit_address(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id: AddressId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let a = s
        .store
        .read(work!(|c| addresses::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let inputs = address_inputs(
        a.is_primary,
        &forms::address_values(&a),
        &Invalid::default(),
    );
    let title = format!("Edit {}", a.fields.line1);
    Ok(
        RecordForm::new(&auth, &title, format!("/addresses/{id}"), a.customer_id)
            .editing(a.version, inputs)
            .respond(),
    )
}

async fn update_address(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: AddressId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let org = pr.org_id;
    let current = s
        .store
        .read(work!(|c| addresses::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let mut form = RecordForm::new(
        &auth,
        "Edit service address",
        format!("/addresses/{id}"),
        current.customer_id,
    );
    form.version = Some(forms::version(&p));
    let primary = current.is_primary;
    let redo = |errors: &Invalid| address_inputs(primary, &p, errors);
    let patch = forms::address_patch(&p);
    match s
        .store
        .write(work!(|c| addresses::update(
            c, pr.org_id, &pr.region, &pr.actor, id, &patch
        )))
        .await
    {
        Ok(a) => Ok(back_to_card(a.customer_id, &format!("address-{id}"))),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

async fn make_primary(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: AddressId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let patch = AddressPatch {
        version: forms::version(&p),
        label: None,
        line1: None,
        line2: None,
        city: None,
        region: None,
        postal_code: None,
        country: None,
        access_instructions: None,
        is_primary: Some(true),
    };
    let a = s
        .store
        .write(work!(|c| addresses::update(
            c, pr.org_id, &pr.region, &pr.actor, id, &patch
        )))
        .await
        .map_err(page_err)?;
    Ok(back_to_card(a.customer_id, "addresses"))
}

async fn delete_address(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: AddressId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let customer = s
        .store
        .write(work!(|c| async {
            let a = addresses::get(c, pr.org_id, id).await?;
            addresses::delete(c, pr.org_id, &pr.actor, id).await?;
            Ok(a.customer_id)
        }))
        .await
        .map_err(page_err)?;
    Ok(back_to_card(customer, "addresses"))
}

// ---- equipment ---------------------------------------------------------

async fn create_equipment(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let address: AddressId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let org = pr.org_id;
    let at = s
        .store
        .read(work!(|c| addresses::get(c, org, address)))
        .await
        .map_err(page_err)?;
    let title = format!("Add equipment at {}", at.fields.line1);
    let form = RecordForm::new(
        &auth,
        &title,
        format!("/addresses/{address}/equipment"),
        at.customer_id,
    );
    let redo = |errors: &Invalid| forms::inputs(forms::EQUIPMENT, &p, errors);
    let input = match forms::equipment_input(&p) {
        Ok(input) => input,
        Err(errors) => return Ok(failed(errors.into(), form, redo)),
    };
    match s
        .store
        .write(work!(|c| equipment::create(
            c, pr.org_id, &pr.actor, address, &input
        )))
        .await
    {
        Ok(u) => Ok(back_to_card(u.customer_id, &format!("address-{address}"))),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

async fn edit_equipment(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id: EquipmentId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let u = s
        .store
        .read(work!(|c| equipment::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let inputs = forms::inputs(
        forms::EQUIPMENT,
        &forms::equipment_values(&u),
        &Invalid::default(),
    );
    let title = format!("Edit {}", u.fields.title());
    Ok(
        RecordForm::new(&auth, &title, format!("/equipment/{id}"), u.customer_id)
            .editing(u.version, inputs)
            .respond(),
    )
}

async fn update_equipment(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: EquipmentId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let org = pr.org_id;
    let current = s
        .store
        .read(work!(|c| equipment::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let mut form = RecordForm::new(
        &auth,
        "Edit equipment",
        format!("/equipment/{id}"),
        current.customer_id,
    );
    form.version = Some(forms::version(&p));
    let redo = |errors: &Invalid| forms::inputs(forms::EQUIPMENT, &p, errors);
    let patch = match forms::equipment_patch(&p) {
        Ok(patch) => patch,
        Err(errors) => return Ok(failed(errors.into(), form, redo)),
    };
    match s
        .store
        .write(work!(|c| equipment::update(
            c, pr.org_id, &pr.actor, id, &patch
        )))
        .await
    {
        Ok(u) => Ok(back_to_card(
            u.customer_id,
            &format!("address-{}", u.address_id),
        )),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

async fn delete_equipment(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: EquipmentId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let (customer, address) = s
        .store
        .write(work!(|c| async {
            let u = equipment::get(c, pr.org_id, id).await?;
            equipment::delete(c, pr.org_id, &pr.actor, id).await?;
            Ok((u.customer_id, u.address_id))
        }))
        .await
        .map_err(page_err)?;
    Ok(back_to_card(customer, &format!("address-{address}")))
}

// ---- warranties about to end -------------------------------------------

#[derive(Deserialize)]
pub struct WarrantyQuery {
    within_days: Option<String>,
    cursor: Option<String>,
}

pub struct WarrantyRow {
    pub w: ExpiringWarranty,
    pub days_left: i64,
    /// Inside the window the card highlights, too.
    pub soon: bool,
}

#[derive(Template)]
#[template(path = "equipment_warranties.html")]
struct WarrantiesPage {
    chrome: Chrome,
    within_days: String,
    error: Option<String>,
    rows: Vec<WarrantyRow>,
    next_cursor: Option<String>,
}

async fn warranties(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<WarrantyQuery>,
) -> PageResult {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let org = auth.principal.org_id;
    let typed = q.within_days.unwrap_or_default();
    let mut page = WarrantiesPage {
        chrome: Chrome::of(&auth),
        within_days: typed.clone(),
        error: None,
        rows: vec![],
        next_cursor: None,
    };
    let within_days = match typed.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                page.error = Some("Days: enter a whole number.".into());
                return Ok(page.respond());
            }
        },
    };
    let cursor = q.cursor;
    let found = s
        .store
        .read(work!(|c| equipment::expiring_warranties(
            c,
            org,
            within_days,
            cursor.as_deref(),
            hearth_store::page::DEFAULT_LIMIT
        )))
        .await;
    let Page { items, next_cursor } = match found {
        Ok(p) => p,
        Err(StoreError::Invalid(why)) => {
            page.error = Some(match why.0.first() {
                Some(e) if e.field == "within_days" => format!("Days {}.", e.message),
                _ => "That page link has expired; start again from the first page.".into(),
            });
            return Ok(page.respond());
        }
        Err(e) => return Err(page_err(e)),
    };
    let today = now().date_naive();
    page.rows = items
        .into_iter()
        .map(|w| {
            let days_left = w
                .equipment
                .fields
                .warranty_expires_on
                .map_or(0, |d| (d - today).num_days());
            WarrantyRow {
                soon: days_left <= WARRANTY_WARNING_DAYS,
                days_left,
                w,
            }
        })
        .collect();
    page.next_cursor = next_cursor;
    Ok(page.respond())
}

impl WarrantiesPage {
    fn respond(self) -> Response {
        let status = if self.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        match render(&self) {
            Ok(html) => (status, html).into_response(),
            Err(r) => r,
        }
    }
}
