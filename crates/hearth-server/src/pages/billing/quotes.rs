//! One quote with its status buttons, and the new quote form.

use super::documents::{DocumentForm, parse_lines};
use super::invoices::{LineView, for_customer, line_views};
use super::{Posted, allowed, field, money, page_err, parse_id, to};
use crate::AppState;
use crate::auth::PageAuth;
use crate::pages::{Chrome, Html, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hearth_domain::auth::Action;
use hearth_domain::billing::money::Currency;
use hearth_domain::billing::quotes::{
    Quote, QuoteInput, QuoteStatus, QuoteStatusInput, quote_transition,
};
use hearth_domain::{Invalid, QuoteId};
use hearth_store::billing::quotes;
use hearth_store::{StoreError, customers, work};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "quote.html")]
struct ShowPage {
    chrome: Chrome,
    q: Quote,
    customer: String,
    lines: Vec<LineView>,
    subtotal: String,
    tax: String,
    total: String,
    /// Statuses the quote can move to from here: (value, button label).
    next: Vec<(&'static str, &'static str)>,
}

pub async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id: QuoteId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let (q, customer) = s
        .store
        .read(work!(|c| async {
            let q = quotes::get(c, org, id).await?;
            let customer = customers::get(c, org, q.customer_id, true)
                .await?
                .display_name;
            Ok((q, customer))
        }))
        .await
        .map_err(page_err)?;
    let next = [
        (QuoteStatus::Sent, "Mark sent"),
        (QuoteStatus::Accepted, "Accepted"),
        (QuoteStatus::Declined, "Declined"),
        (QuoteStatus::Expired, "Expire"),
    ]
    .into_iter()
    .filter(|(to, _)| *to != q.status && quote_transition(q.status, *to).is_ok())
    .map(|(to, label)| (to.as_str(), label))
    .collect();
    let cur = q.currency;
    render(&ShowPage {
        chrome: Chrome::of(&auth),
        customer,
        lines: line_views(&q.lines, cur),
        subtotal: money(q.totals.subtotal_minor, cur),
        tax: money(q.totals.tax_minor, cur),
        total: money(q.totals.total_minor, cur),
        next,
        q,
    })
}

#[derive(Deserialize)]
pub struct NewParams {
    customer_id: Option<String>,
}

pub async fn new_form(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(p): Query<NewParams>,
) -> Response {
    if let Err(e) = auth.require(Action::WriteCustomers) {
        return page_err(e);
    }
    match for_customer(&s, &auth, p.customer_id.as_deref()).await {
        Ok((id, name, currency)) => {
            DocumentForm::empty(Chrome::of(&auth), "quote", id.to_string(), name, currency)
                .respond()
        }
        Err(r) => r,
    }
}

pub async fn create(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::WriteCustomers) {
        return r;
    }
    let (customer_id, name, default_currency) =
        match for_customer(&s, &auth, Some(field(&form, "customer_id"))).await {
            Ok(v) => v,
            Err(r) => return r,
        };
    let mut errors = Invalid::default();
    let currency = match field(&form, "currency") {
        "" => default_currency,
        raw => Currency::parse(raw).unwrap_or_else(|why| {
            errors.push("currency", why);
            default_currency
        }),
    };
    let valid_until = match field(&form, "date") {
        "" => None,
        raw => raw
            .parse()
            .map_err(|_| errors.push("valid_until", "is not a date"))
            .ok(),
    };
    let lines = parse_lines(&form, currency, &mut errors);
    if !errors.0.is_empty() {
        return DocumentForm::posted(Chrome::of(&auth), "quote", name, &form, &errors).respond();
    }
    let input = QuoteInput {
        customer_id,
        title: Some(field(&form, "title").to_string()),
        currency: Some(currency),
        lines,
        valid_until,
        notes: Some(field(&form, "notes").to_string()),
    };
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| quotes::create(c, p.org_id, &p.actor, &input)))
        .await
    {
        Ok(q) => to(format!("/quotes/{}", q.id)),
        Err(StoreError::Invalid(errors)) => {
            DocumentForm::posted(Chrome::of(&auth), "quote", name, &form, &errors).respond()
        }
        Err(e) => page_err(e),
    }
}

pub async fn set_status(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::WriteCustomers) {
        return r;
    }
    let id: QuoteId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Some(status) = QuoteStatus::parse(field(&form, "status")) else {
        return page_err(Invalid::field(
            "status",
            format!("must be {}", QuoteStatus::choices()),
        ));
    };
    let input = QuoteStatusInput {
        status,
        version: field(&form, "version").parse().ok(),
    };
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| quotes::set_status(
            c, p.org_id, &p.actor, id, &input
        )))
        .await
    {
        Ok(_) => to(format!("/quotes/{id}")),
        Err(e) => page_err(e),
    }
}
