//! The customer card's contacts, service addresses and equipment: the data
//! its sections show, the forms that change them (each posts and redirects
//! back to the card) and the page of warranties about to end.

mod addresses;
mod contacts;
mod equipment;
mod forms;
mod warranties;

use super::{Chrome, error_page, render};
use crate::AppState;
use crate::auth::Auth;
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use forms::{Input, Posted};
use hearth_domain::addresses::ServiceAddress;
use hearth_domain::auth::Action;
use hearth_domain::customer_contacts::CustomerContact;
use hearth_domain::equipment::{Equipment, WARRANTY_WARNING_DAYS, WarrantyStatus, warranty_status};
use hearth_domain::{CustomerId, Invalid, OrgId};
use hearth_store::orgs::now;
use hearth_store::page::MAX_LIMIT;
use hearth_store::{Conn, StoreError, customer_contacts, overview};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/contacts", post(contacts::create_contact))
        .route("/contacts/{id}", post(contacts::update_contact))
        .route("/contacts/{id}/edit", get(contacts::edit_contact))
        .route("/contacts/{id}/delete", post(contacts::delete_contact))
        .route("/customers/{id}/addresses", post(addresses::create_address))
        .route("/addresses/{id}", post(addresses::update_address))
        .route("/addresses/{id}/edit", get(addresses::edit_address))
        .route("/addresses/{id}/primary", post(addresses::make_primary))
        .route("/addresses/{id}/delete", post(addresses::delete_address))
        .route(
            "/addresses/{id}/equipment",
            post(equipment::create_equipment),
        )
        .route("/equipment/{id}", post(equipment::update_equipment))
        .route("/equipment/{id}/edit", get(equipment::edit_equipment))
        .route("/equipment/{id}/delete", post(equipment::delete_equipment))
        .route("/equipment/warranties", get(warranties::warranties))
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
    let (places, more_places) = overview::addresses_with_equipment(c, org, customer).await?;
    let today = now().date_naive();
    let addresses = places
        .into_iter()
        .map(|p| AddressCard {
            equipment: p
                .equipment
                .into_iter()
                .map(|u| EquipmentRow {
                    warranty: warranty_class(&u, today),
                    u,
                })
                .collect(),
            a: p.address,
        })
        .collect();
    let blank = Posted::new();
    let none = Invalid::default();
    Ok(CardChildren {
        truncated: contacts.next_cursor.is_some() || more_places,
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
