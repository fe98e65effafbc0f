//! Billing pages: the customer card's quotes, invoices, membership, loyalty
//! and ticket sections; the invoice list and detail; new invoice and quote
//! forms; membership plan settings; support tickets. Every form posts
//! `_csrf` and redirects back.

mod card;
mod documents;
mod invoices;
mod plans;
mod quotes;
mod tickets;

pub use card::{BillingCard, load_card};

use super::error_page;
use crate::AppState;
use crate::auth::Auth;
use crate::error::AppError;
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_domain::auth::Action;
use hearth_domain::billing::money::{Currency, Money};
use hearth_domain::{CustomerId, OrgId};
use hearth_store::{Conn, customers};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/invoices", get(invoices::list).post(invoices::create))
        .route("/invoices/new", get(invoices::new_form))
        .route("/invoices/{id}", get(invoices::show))
        .route("/invoices/{id}/payments", post(card::record_payment))
        .route("/invoices/{id}/issue", post(invoices::issue))
        .route("/invoices/{id}/void", post(invoices::void))
        .route("/quotes", post(quotes::create))
        .route("/quotes/new", get(quotes::new_form))
        .route("/quotes/{id}", get(quotes::show))
        .route("/quotes/{id}/status", post(quotes::set_status))
        .route("/customers/{id}/memberships", post(card::enrol))
        .route("/memberships/{id}/{action}", post(card::membership_action))
        .route("/customers/{id}/loyalty/redeem", post(card::redeem))
        .route(
            "/settings/membership-plans",
            get(plans::show).post(plans::create),
        )
        .route("/settings/membership-plans/{id}", post(plans::update))
        .route("/tickets", get(tickets::list).post(tickets::create))
        .route("/tickets/new", get(tickets::new_form))
        .route("/tickets/{id}", get(tickets::show).post(tickets::update))
        .route("/tickets/{id}/messages", post(tickets::add_message))
}

/// A form as posted: field name → text.
pub type Posted = HashMap<String, String>;

fn page_err(e: impl Into<AppError>) -> Response {
    error_page(e.into())
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, Response> {
    raw.parse().map_err(|_| page_err(AppError::NotFound))
}

/// CSRF first, then the role: a forged form learns nothing.
fn allowed(auth: &Auth, form: &Posted, action: Action) -> Result<(), Response> {
    let csrf = form.get("_csrf").map(String::as_str).unwrap_or_default();
    auth.verify_csrf(csrf)
        .and_then(|()| auth.require(action))
        .map_err(page_err)
}

fn field<'a>(form: &'a Posted, name: &str) -> &'a str {
    form.get(name).map(|s| s.trim()).unwrap_or_default()
}

fn to(path: String) -> Response {
    Redirect::to(&path).into_response()
}

fn money(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency).to_string()
}

/// Names of the customers a page lists, each read once.
async fn customer_names(
    c: &mut Conn,
    org: OrgId,
    ids: Vec<CustomerId>,
) -> hearth_store::Result<HashMap<CustomerId, String>> {
    let mut names = HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
            let name = match customers::get(c, org, id, true).await {
                Ok(cu) => cu.display_name,
                Err(hearth_store::StoreError::NotFound) => "—".to_string(),
                Err(e) => return Err(e),
            };
            slot.insert(name);
        }
    }
    Ok(names)
}
