//! Billing, memberships, loyalty and support, over HTTP on both engines.
//! The money arithmetic itself is property-tested in hearth-domain
//! (`billing::properties`).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

mod checkout;
mod invoices;
mod isolation;
mod loyalty;
mod memberships;
mod pages;
mod quotes;
mod spending;
mod tickets;

pub async fn post_ok(app: &TestApp, org: &TestOrg, path: &str, body: Value) -> Value {
    expect_status(app.post(org, path, body).await, StatusCode::OK, app.engine).await
}

/// Posts, expects 422, and returns the rejected field names.
pub async fn refused(app: &TestApp, org: &TestOrg, path: &str, body: Value) -> Vec<String> {
    let problem = expect_status(
        app.post(org, path, body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        app.engine,
    )
    .await;
    problem_fields(&problem)
}

pub fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().expect("a page").clone()
}

/// One line of `qty` units at `price` minor units, untaxed.
pub fn line(description: &str, price: i64) -> Value {
    json!({"description": description, "unit_price_minor": price})
}

/// An open (issued) invoice for the customer with the given lines.
pub async fn open_invoice(app: &TestApp, org: &TestOrg, customer: &str, lines: Value) -> Value {
    created(
        app,
        org,
        "/api/v1/invoices",
        json!({"customer_id": customer, "lines": lines, "status": "open"}),
    )
    .await
}

/// Timeline entries of one kind, newest first, as "action: summary".
pub async fn timeline(app: &TestApp, org: &TestOrg, customer: &str, kind: &str) -> Vec<String> {
    let page = ok(
        app,
        org,
        &format!("/api/v1/customers/{customer}/timeline?kind={kind}"),
    )
    .await;
    items(&page)
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e["action"].as_str().unwrap(),
                e["summary"].as_str().unwrap()
            )
        })
        .collect()
}

pub fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}
