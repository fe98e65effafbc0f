//! The invoice list, one invoice with its payments, and the new invoice form.

use super::card::{InvoiceRow, invoice_row};
use super::documents::{DocumentForm, parse_lines};
use super::{Posted, allowed, customer_names, field, money, page_err, parse_id, to};
use crate::AppState;
use crate::auth::PageAuth;
use crate::pages::{Chrome, Html, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hearth_domain::auth::Action;
use hearth_domain::billing::invoices::{
    Invoice, InvoiceInput, InvoicePatch, InvoiceStatus, NewInvoiceStatus,
};
use hearth_domain::billing::lines::format_quantity;
use hearth_domain::billing::money::Currency;
use hearth_domain::billing::payments::{Payment, PaymentMethod};
use hearth_domain::{CustomerId, Invalid, InvoiceId};
use hearth_store::billing::{invoices, payments, settings};
use hearth_store::page::DEFAULT_LIMIT;
use hearth_store::{StoreError, customers, work};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ListParams {
    status: Option<String>,
    customer_id: Option<String>,
    cursor: Option<String>,
}

pub struct ListedInvoice {
    pub row: InvoiceRow,
    pub customer_id: CustomerId,
    pub customer: String,
}

#[derive(Template)]
#[template(path = "invoices.html")]
struct ListPage {
    chrome: Chrome,
    status: String,
    statuses: Vec<&'static str>,
    rows: Vec<ListedInvoice>,
    next: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(p): Query<ListParams>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let status = p.status.clone().unwrap_or_default();
    let query = invoices::ListQuery {
        customer: p.customer_id.as_deref().and_then(|c| c.parse().ok()),
        status: InvoiceStatus::parse(&status),
        cursor: p.cursor,
        limit: DEFAULT_LIMIT,
    };
    let org = auth.principal.org_id;
    let (page, names) = s
        .store
        .read(work!(|c| async {
            let page = invoices::list(c, org, &query).await?;
            let names =
                customer_names(c, org, page.items.iter().map(|i| i.customer_id).collect()).await?;
            Ok((page, names))
        }))
        .await
        .map_err(page_err)?;
    let rows = page
        .items
        .iter()
        .map(|i| ListedInvoice {
            row: invoice_row(i),
            customer_id: i.customer_id,
            customer: names.get(&i.customer_id).cloned().unwrap_or_default(),
        })
        .collect();
    render(&ListPage {
        chrome: Chrome::of(&auth),
        status,
        statuses: InvoiceStatus::ALL.iter().map(|s| s.as_str()).collect(),
        rows,
        next: page.next_cursor,
    })
}

pub struct LineView {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_rate: String,
    pub amount: String,
}

pub struct PaymentView {
    pub amount: String,
    pub method: &'static str,
    pub reference: String,
    pub provider: String,
    pub received_at: String,
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct ShowPage {
    chrome: Chrome,
    i: Invoice,
    row: InvoiceRow,
    customer: String,
    lines: Vec<LineView>,
    subtotal: String,
    tax: String,
    paid: String,
    payments: Vec<PaymentView>,
    methods: Vec<(&'static str, &'static str)>,
    can_void: bool,
}

pub fn line_views(
    lines: &[hearth_domain::billing::lines::Line],
    currency: Currency,
) -> Vec<LineView> {
    lines
        .iter()
        .map(|l| LineView {
            description: l.description.clone(),
            quantity: format_quantity(l.quantity_thousandths),
            unit_price: money(l.unit_price_minor, currency),
            tax_rate: format!(
                "{} %",
                hearth_domain::billing::money::format_minor(l.tax_rate_bp, Currency::USD)
            ),
            amount: money(l.amount_minor, currency),
        })
        .collect()
}

fn payment_view(p: &Payment) -> PaymentView {
    PaymentView {
        amount: money(p.amount_minor, p.currency),
        method: p.method.label(),
        reference: p.reference.clone().unwrap_or_default(),
        provider: p.provider.clone(),
        received_at: p.received_at.format("%Y-%m-%d %H:%M").to_string(),
    }
}

pub async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id: InvoiceId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let (i, paid, customer) = s
        .store
        .read(work!(|c| async {
            let i = invoices::get(c, org, id).await?;
            let paid = payments::list(c, org, id, None, 200).await?.items;
            let customer = customers::get(c, org, i.customer_id, true)
                .await?
                .display_name;
            Ok((i, paid, customer))
        }))
        .await
        .map_err(page_err)?;
    let cur = i.currency;
    render(&ShowPage {
        chrome: Chrome::of(&auth),
        row: invoice_row(&i),
        customer,
        lines: line_views(&i.lines, cur),
        subtotal: money(i.totals.subtotal_minor, cur),
        tax: money(i.totals.tax_minor, cur),
        paid: money(i.amount_paid_minor, cur),
        payments: paid.iter().map(payment_view).collect(),
        methods: PaymentMethod::ALL
            .iter()
            .map(|m| (m.as_str(), m.label()))
            .collect(),
        can_void: i.amount_paid_minor == 0
            && i.status != InvoiceStatus::Void
            && auth.principal.role.can(Action::VoidInvoices),
        i,
    })
}

#[derive(Deserialize)]
pub struct NewParams {
    customer_id: Option<String>,
}

/// The customer a new invoice or quote is for, and the org's currency.
pub async fn for_customer(
    s: &AppState,
    auth: &crate::auth::Auth,
    raw: Option<&str>,
) -> Result<(CustomerId, String, Currency), Response> {
    let Some(id) = raw.and_then(|r| r.parse::<CustomerId>().ok()) else {
        return Err(page_err(Invalid::field(
            "customer_id",
            "open a customer's card and start from there",
        )));
    };
    let org = auth.principal.org_id;
    s.store
        .read(work!(|c| async {
            let customer = customers::get(c, org, id, false).await?;
            let settings = settings::get(c, org).await?;
            Ok((
                customer.id,
                customer.display_name,
                settings.default_currency,
            ))
        }))
        .await
        .map_err(page_err)
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
            DocumentForm::empty(Chrome::of(&auth), "invoice", id.to_string(), name, currency)
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
    let due_date = match field(&form, "date") {
        "" => None,
        raw => raw
            .parse()
            .map_err(|_| errors.push("due_date", "is not a date"))
            .ok(),
    };
    let lines = parse_lines(&form, currency, &mut errors);
    if !errors.0.is_empty() {
        return DocumentForm::posted(Chrome::of(&auth), "invoice", name, &form, &errors).respond();
    }
    let input = InvoiceInput {
        customer_id,
        currency: Some(currency),
        lines,
        due_date,
        notes: Some(field(&form, "notes").to_string()),
        status: if field(&form, "issue") == "on" {
            NewInvoiceStatus::Open
        } else {
            NewInvoiceStatus::Draft
        },
        job_id: None,
    };
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| invoices::create(c, p.org_id, &p.actor, &input)))
        .await
    {
        Ok(i) => to(format!("/invoices/{}", i.id)),
        Err(StoreError::Invalid(errors)) => {
            DocumentForm::posted(Chrome::of(&auth), "invoice", name, &form, &errors).respond()
        }
        Err(e) => page_err(e),
    }
}

pub async fn issue(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::WriteCustomers) {
        return r;
    }
    let id: InvoiceId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let patch = InvoicePatch {
        version: field(&form, "version").parse().unwrap_or(-1),
        currency: None,
        lines: None,
        due_date: None,
        notes: None,
        status: Some(NewInvoiceStatus::Open),
    };
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| invoices::update(
            c, p.org_id, &p.actor, id, &patch
        )))
        .await
    {
        Ok(_) => to(format!("/invoices/{id}")),
        Err(e) => page_err(e),
    }
}

pub async fn void(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::VoidInvoices) {
        return r;
    }
    let id: InvoiceId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| invoices::void(c, p.org_id, &p.actor, id)))
        .await
    {
        Ok(_) => to(format!("/invoices/{id}")),
        Err(e) => page_err(e),
    }
}
